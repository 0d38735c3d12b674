"""The statement's own arithmetic as proof: balances, running balance, dates in the period.

The checks set `reconciled`, every row's confidence and flags and the statement's confidence,
and explain each break in words that name the rows around it. The per-row checks are made once,
here: `row_flags` is what the review page stores and shows for each row."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal

from zera.extract.statements.model import (
    BALANCE_BREAK,
    BALANCE_MISREAD,
    LOW_CONFIDENCE,
    OUTSIDE_PERIOD,
    RowFlag,
    Statement,
    Transaction,
)

# A row the reader is less sure of than this is flagged for the reviewer to check on the page.
LOW_CONFIDENCE_BELOW = 0.9
# Card rows may be bought a few days before the period and posted inside it.
CARD_SLACK = timedelta(days=7)


@dataclass(frozen=True, slots=True)
class BalanceFinding:
    """A row whose printed balance disagrees with the balance the rows before it imply."""

    index: int
    expected: Decimal
    misread: bool  # the rows after it agree again: only this printed balance is wrong


@dataclass(slots=True)
class RowChecks:
    """What the per-row checks found, in row order."""

    balances: list[BalanceFinding] = field(default_factory=list)
    outside: list[int] = field(default_factory=list)

    @property
    def breaks(self) -> set[int]:
        return {f.index for f in self.balances if not f.misread}


def check_rows(st: Statement) -> RowChecks:
    """The running balance and the period, checked row by row (the statement is not changed)."""
    return RowChecks(_running_balance(st), _dates_outside(st))


def row_flags(st: Statement, checks: RowChecks | None = None) -> list[list[RowFlag]]:
    """Each row's flags, in row order: balance breaks and misreads, dates outside the period,
    low confidence. Reads the rows' confidences, so call it on a proved statement."""
    checks = checks if checks is not None else check_rows(st)
    txs = st.transactions
    flags: list[list[RowFlag]] = [[] for _ in txs]
    for finding in checks.balances:
        printed = txs[finding.index].balance
        assert printed is not None  # a finding is only made on a printed balance
        if finding.misread:
            flag = RowFlag(BALANCE_MISREAD, f"printed balance {printed:,.2f} looks misread")
        else:
            flag = RowFlag(
                BALANCE_BREAK,
                f"balance breaks here: expected {finding.expected:,.2f}, printed {printed:,.2f}",
            )
        flags[finding.index].append(flag)
    for index in checks.outside:
        flags[index].append(RowFlag(OUTSIDE_PERIOD, "date outside the statement period"))
    for tx, found in zip(txs, flags, strict=True):
        if tx.confidence < LOW_CONFIDENCE_BELOW:
            found.append(RowFlag(LOW_CONFIDENCE, "low confidence: check this row against the page"))
    return flags


def _row_name(tx: Transaction) -> str:
    desc = tx.description if len(tx.description) <= 40 else tx.description[:37] + "..."
    return f"{tx.date.isoformat()} {desc!r} {tx.amount:f}"


def prove(st: Statement) -> None:
    """Check the statement's arithmetic in place and set its confidences, flags and warnings."""
    txs = st.transactions
    checks = check_rows(st)
    breaks = checks.breaks
    for finding in checks.balances:
        st.warnings.append(_balance_warning(txs, finding))
        if finding.misread:
            txs[finding.index].balance_suspect = True
    if st.opening_balance is None and txs and txs[0].balance is not None:
        st.opening_balance = txs[0].balance - txs[0].amount
        st.warnings.append("opening balance not printed: taken from the first running balance")
    if st.closing_balance is None and txs and txs[-1].balance is not None:
        st.closing_balance = txs[-1].balance
        st.warnings.append("closing balance not printed: taken from the last running balance")
    total = sum((t.amount for t in txs), Decimal(0))
    if st.opening_balance is not None and st.closing_balance is not None:
        st.reconciled = st.opening_balance + total == st.closing_balance
        if not st.reconciled:
            gap = st.closing_balance - st.opening_balance - total
            st.warnings.append(
                f"does not reconcile: opening {st.opening_balance:f} + transactions {total:f}"
                f" = {st.opening_balance + total:f}, statement says {st.closing_balance:f}"
                f" (difference {gap:f})"
            )
    else:
        st.reconciled = False
        st.warnings.append("opening or closing balance not found: the total cannot be proved")
    outside = set(checks.outside)
    st.warnings.extend(_outside_warning(st, txs[i]) for i in checks.outside)
    st.balance_breaks = len(breaks)

    has_balances = any(t.balance is not None for t in txs)
    for i, tx in enumerate(txs):
        conf = 0.99 if st.reconciled else 0.6
        if has_balances and tx.balance is not None and not breaks & {i, i + 1}:
            conf = max(conf, 0.97)
        if i in breaks or i + 1 in breaks:
            conf = min(conf, 0.4)
        if tx.balance_suspect:
            conf = min(conf, 0.9)
        if i in outside:
            conf = min(conf, 0.5)
        tx.confidence = round(conf * (0.5 + 0.5 * tx.ocr_conf), 3)
    for tx, flags in zip(txs, row_flags(st, checks), strict=True):
        tx.flags = flags

    score = 1.0 if st.reconciled else 0.35
    if st.opening_balance is None or st.closing_balance is None:
        score = 0.5
    score *= 0.8 ** min(len(breaks), 5)
    if txs:
        score *= 1 - 0.5 * len(outside) / len(txs)
        score *= 0.5 + 0.5 * min(t.ocr_conf for t in txs)
    else:
        score = 0.0
    st.confidence = round(score, 3)


def _running_balance(st: Statement) -> list[BalanceFinding]:
    """Rows whose printed balance disagrees with the one before plus the amounts."""
    found: list[BalanceFinding] = []
    running = st.opening_balance
    txs = st.transactions
    for i, tx in enumerate(txs):
        if running is not None:
            running += tx.amount
        if tx.balance is None:
            continue
        if running is not None and running != tx.balance:
            if _balance_misread(txs, i, running):
                # The amounts agree with the next printed balance: only this balance was
                # misread (OCR), the transactions are right. Say so, but it is no break.
                found.append(BalanceFinding(i, running, misread=True))
                continue
            found.append(BalanceFinding(i, running, misread=False))
        running = tx.balance
    return found


def _balance_warning(txs: list[Transaction], finding: BalanceFinding) -> str:
    tx, running = txs[finding.index], finding.expected
    assert tx.balance is not None
    if finding.misread:
        return (
            f"page {tx.page}: the balance printed on {_row_name(tx)} reads"
            f" {tx.balance:f} but the rows around it say {running:f}"
        )
    before = txs[finding.index - 1] if finding.index else None
    where = f"page {tx.page}: running balance breaks"
    around = (
        f" between {_row_name(before)} and {_row_name(tx)}"
        if before
        else f" at the first row {_row_name(tx)}"
    )
    # What the printed balances say this row's amount was: the reviewer's first guess
    # when a scan misread a digit (never applied silently: a tampered statement looks
    # exactly the same).
    implied = tx.amount + tx.balance - running
    return (
        f"{where}{around}: expected {running:f}, printed {tx.balance:f}"
        f" (the balances imply {implied:f} for the second row)"
    )


def _balance_misread(txs: list[Transaction], i: int, running: Decimal) -> bool:
    for tx in txs[i + 1 :]:
        running += tx.amount
        if tx.balance is not None:
            return running == tx.balance
    return False


def _dates_outside(st: Statement) -> list[int]:
    if st.period_start is None or st.period_end is None:
        return []
    slack = CARD_SLACK if st.account_type == "credit_card" else timedelta(0)
    return [
        i
        for i, tx in enumerate(st.transactions)
        if not (st.period_start - slack <= (tx.posting_date or tx.date) <= st.period_end)
    ]


def _outside_warning(st: Statement, tx: Transaction) -> str:
    assert st.period_start is not None and st.period_end is not None
    return (
        f"page {tx.page}: {_row_name(tx)} is dated outside the statement period"
        f" {st.period_start.isoformat()} to {st.period_end.isoformat()}"
    )
