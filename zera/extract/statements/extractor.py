"""The bank and card statement extractor: the reader, then the statement's own proof."""

from __future__ import annotations

from zera.extract.errors import NotAStatement, NoTransactions
from zera.extract.kinds import DocumentText, kind_scores
from zera.extract.statements.model import Statement
from zera.extract.statements.proof import prove
from zera.extract.statements.reader import read_lines
from zera.extract.statements.resolve import build_statements


class StatementExtractor:
    """Bank and card statements, read from the table structure of any bank."""

    kind = "bank_statement"

    def score(self, doc: DocumentText) -> float:
        return kind_scores(doc.lines)["bank_statement"]

    def extract(self, doc: DocumentText) -> list[Statement]:
        read = read_lines(doc.lines)
        statements = build_statements(read, doc.fallback_year)
        if not any(s.transactions for s in statements):
            if read.accounts:
                raise NoTransactions(
                    "This statement lists no transactions for its period; nothing to import.",
                    kind=self.kind,
                )
            raise NotAStatement(
                "No transaction table was found: this does not look like a bank or card statement.",
                kind=self.kind,
            )
        statements = [s for s in statements if s.transactions]
        for st in statements:
            prove(st)
        return statements
