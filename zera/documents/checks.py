"""Per-row warnings for the review table, worked out from the stored lines and the statement's
summary, so the reviewer sees on which row the arithmetic breaks."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from zera.documents.batches import LineView, StatementSummary

LOW_CONFIDENCE = 0.9


def row_warnings(summary: StatementSummary, lines: Sequence[LineView]) -> dict[int, list[str]]:
    """Warnings per line id: running-balance breaks, dates outside the period, low confidence."""
    found: dict[int, list[str]] = {}
    running = summary.opening
    for i, line in enumerate(lines):
        notes = found.setdefault(line.id, [])
        if running is not None:
            running += line.amount
        if line.balance is not None:
            if running is not None and running != line.balance:
                if _misread(lines, i, running):
                    notes.append(f"printed balance {line.balance:,.2f} looks misread")
                    continue
                notes.append(
                    f"balance breaks here: expected {running:,.2f}, printed {line.balance:,.2f}"
                )
            running = line.balance
        if _outside(summary, line):
            notes.append("date outside the statement period")
        if line.confidence < LOW_CONFIDENCE:
            notes.append("low confidence: check this row against the page")
    return {line_id: notes for line_id, notes in found.items() if notes}


def _misread(lines: Sequence[LineView], i: int, running: Decimal) -> bool:
    """The amounts agree with the next printed balance: only this balance was misread."""
    for line in lines[i + 1 :]:
        running += line.amount
        if line.balance is not None:
            return running == line.balance
    return False


def _outside(summary: StatementSummary, line: LineView) -> bool:
    start, end = summary.period_start, summary.period_end
    if start is None or end is None:
        return False
    when = line.posting_date or line.txn_date
    if summary.account_type == "credit_card":
        return False  # card rows may be bought before the period and posted inside it
    return not start <= when <= end
