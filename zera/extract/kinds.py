"""Which kind of document this is, and the extractors that read each kind.

Extractors implement one Protocol and are picked by score, so invoice, check and financial
statement readers can join later without touching the pipeline."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Protocol

from zera.extract.errors import NotAStatement, NoTransactions
from zera.extract.layout import Line
from zera.extract.model import Statement
from zera.extract.proof import prove
from zera.extract.reader import read_lines
from zera.extract.resolve import build_statements

KINDS = ("bank_statement", "invoice", "check", "financial_statement")

_WORDS = {
    "bank_statement": (
        "statement", "balance", "deposits", "withdrawals", "account summary", "kontoauszug",
        "relevé", "opening balance", "closing balance", "beginning balance", "ending balance",
        "new balance", "previous balance", "paid in", "paid out", "transactions",
    ),
    "invoice": (
        "invoice", "rechnung", "facture", "bill to", "due date", "subtotal", "vat", "qty",
        "unit price", "invoice number", "amount due", "ship to",
    ),
    "check": ("pay to the order of", "order of", "memo", "dollars", "void after", "⑆"),
    "financial_statement": (
        "balance sheet", "income statement", "profit and loss", "total assets",
        "total liabilities", "equity", "net income", "retained earnings", "cost of goods sold",
    ),
}  # fmt: skip


def kind_scores(lines: list[Line]) -> dict[str, float]:
    """How strongly the text of the first pages speaks for each kind."""
    text = " ".join(ln.text for ln in lines[:300]).lower()
    return {kind: float(sum(text.count(w) > 0 for w in words)) for kind, words in _WORDS.items()}


@dataclass(frozen=True, slots=True)
class DocumentText:
    lines: list[Line]
    fallback_year: int


class Extractor(Protocol):
    kind: str

    def score(self, doc: DocumentText) -> float: ...

    def extract(self, doc: DocumentText) -> list[Statement]: ...


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


EXTRACTORS: dict[str, Extractor] = {"bank_statement": StatementExtractor()}


def detect_kind(doc: DocumentText) -> tuple[str | None, float]:
    scores = kind_scores(doc.lines)
    best = max(scores, key=lambda k: scores[k])
    return (best, scores[best]) if scores[best] > 0 else (None, 0.0)


def this_year() -> int:
    return datetime.now(UTC).year
