"""The review grid as its templates read it: the rows shown, their counts and filters, the row
being edited or split, the question about a statement's account and a bulk action's report.
Pure: the routes read the records and lists and build these."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from zera.review import choices as form_choices
from zera.review import payloads, records
from zera.review.payloads import Problem
from zera.review.records import STATUS_LABELS, Counts, RecordView

SHOW = {
    "to_review": "To review",
    "low": "Low confidence",
    "flagged": "Flagged",
    "approved": "Approved",
    "excluded": "Excluded",
    "all": "All",
}
DEFAULT_SHOW = "to_review"


@dataclass(frozen=True)
class Ask:
    """The question "Which QuickBooks account is Bank account ····1234?" and its answers."""

    key: str
    label: str
    accounts: list[Any]


@dataclass(frozen=True)
class Bulk:
    """What a bulk action did: how many rows changed and each row skipped, with why."""

    verb: str
    changed: int
    skipped: list[tuple[RecordView | None, str]]
    error: str = ""


@dataclass
class Grid:
    """What the grid template shows: the rows, the counts and filters, and the one row being
    edited or split (with its form and the problems found in it)."""

    client_id: int
    batch_id: int | None
    records: list[RecordView]
    counts: Counts | None  # None: a row's answer that changed no count
    show: str = DEFAULT_SHOW
    choices: form_choices.Choices | None = None
    asks: list[Ask] = field(default_factory=list)
    focus: int | None = None
    mode: str = "row"  # the focus row's: row, edit or split
    form: Any = None
    problems: dict[str, list[str]] = field(default_factory=dict)
    message: str = ""
    refused: bool = False  # `message` says why nothing was done
    bulk: Bulk | None = None

    filters = SHOW
    status_labels = STATUS_LABELS
    type_labels = {name: spec.label for name, spec in payloads.TYPES.items()}
    account_list = staticmethod(form_choices.account_list)
    names_list = staticmethod(form_choices.names_list)
    type_choices = staticmethod(form_choices.type_choices)
    has_category = staticmethod(form_choices.has_category)
    new_payee = staticmethod(form_choices.new_payee)
    split_types = form_choices.SPLIT_TYPES

    @staticmethod
    def readable_reasons(reasons: str) -> str:
        """A refusal's "Line[0]...AccountRef: is required." as a person reads it."""
        out = []
        for reason in reasons.split("; "):
            where, sep, what = reason.partition(": ")
            out.append(readable(Problem(where, what)) if sep else reason)
        return "; ".join(out)

    def count(self, show: str) -> int:
        c = self.counts or Counts()
        return {"to_review": c[records.TO_REVIEW], "low": c.low_confidence, "flagged": c.flagged,
                "approved": c[records.APPROVED], "excluded": c[records.EXCLUDED],
                "all": c.total}[show]  # fmt: skip

    def mode_of(self, record: RecordView) -> str:
        return self.mode if record.id == self.focus else "row"


def shown(all_records: list[RecordView], show: str) -> list[RecordView]:
    if show == "low":
        return [r for r in all_records if r.status == records.TO_REVIEW and r.low_confidence]
    if show == "flagged":
        return [r for r in all_records if r.flags]
    if show == "all":
        return all_records
    return [r for r in all_records if r.status == show]


def counts_of(found: list[RecordView]) -> Counts:
    """What `records.count_records` would answer for these records (read once already)."""
    return Counts(
        by_status=dict(Counter(r.status for r in found)),
        low_confidence=sum(1 for r in found if r.status == records.TO_REVIEW and r.low_confidence),
        flagged=sum(1 for r in found if r.flags),
    )


def readable(problem: Problem) -> str:
    """A problem as a person reads it: "the category is required", not a JSON path."""
    where = problem.field
    if "AccountRef" in where and where.startswith("Line"):
        return f"the account {problem.message}"
    if where in ("AccountRef", "DepositToAccountRef"):
        return f"the statement's QuickBooks account {problem.message}"
    return str(problem)
