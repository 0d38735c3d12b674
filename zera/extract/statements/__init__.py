"""Bank and card statements: the template-free reader (`reader`, `columns`, `rows`), what the
statement says outside its table (`summary`), rows into accounts (`resolve`) and the statement's
own arithmetic as proof, with each row's flags (`proof`).

Words, lines, dates and amounts are read by the shared modules of `zera.extract`: an invoice or
a check reader will need them too."""

from __future__ import annotations

from zera.extract.statements.extractor import StatementExtractor
from zera.extract.statements.model import FLAG_KINDS, RowFlag, Statement, Transaction
from zera.extract.statements.proof import prove, row_flags

__all__ = [
    "FLAG_KINDS",
    "RowFlag",
    "Statement",
    "StatementExtractor",
    "Transaction",
    "prove",
    "row_flags",
]
