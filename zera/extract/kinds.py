"""Which kind of document this is, and the Protocol the extractor of each kind implements.

Extractors are picked by score (`registry.EXTRACTORS`), so invoice, check and financial
statement readers can join later without touching the pipeline."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Protocol

from zera.extract.layout import Line

if TYPE_CHECKING:
    from zera.extract.statements.model import Statement

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


def detect_kind(doc: DocumentText) -> tuple[str | None, float]:
    scores = kind_scores(doc.lines)
    best = max(scores, key=lambda k: scores[k])
    return (best, scores[best]) if scores[best] > 0 else (None, 0.0)


def this_year() -> int:
    return datetime.now(UTC).year
