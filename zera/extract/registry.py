"""The extractors Zera has, one per document kind; the pipeline tries them best score first."""

from __future__ import annotations

from zera.extract.kinds import Extractor
from zera.extract.statements import StatementExtractor

EXTRACTORS: dict[str, Extractor] = {"bank_statement": StatementExtractor()}
