"""The statement's own arithmetic as proof: balances, running balance, dates in the period.

The checks set `reconciled`, every row's confidence and the statement's, and explain each
break in words that name the rows around it."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from zera.extract.model import Statement, Transaction


def _row_name(tx: Transaction) -> str:
    desc = tx.description if len(tx.description) <= 40 else tx.description[:37] + "..."
    return f"{tx.date.isoformat()} {desc!r} {tx.amount:f}"


def prove(st: Statement) -> None:
    """Check the statement's arithmetic in place and set its confidences and warnings."""
    txs = st.transactions
    breaks = _running_balance(st)
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
    outside = _dates_outside(st)
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


def _running_balance(st: Statement) -> set[int]:
    """Indexes of rows whose printed balance disagrees with the one before plus the amounts."""
    breaks: set[int] = set()
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
                st.warnings.append(
                    f"page {tx.page}: the balance printed on {_row_name(tx)} reads"
                    f" {tx.balance:f} but the rows around it say {running:f}"
                )
                tx.balance_suspect = True
                continue
            breaks.add(i)
            before = txs[i - 1] if i else None
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
            st.warnings.append(
                f"{where}{around}: expected {running:f}, printed {tx.balance:f}"
                f" (the balances imply {implied:f} for the second row)"
            )
        running = tx.balance
    return breaks


def _balance_misread(txs: list[Transaction], i: int, running: Decimal) -> bool:
    for tx in txs[i + 1 :]:
        running += tx.amount
        if tx.balance is not None:
            return running == tx.balance
    return False


def _dates_outside(st: Statement) -> set[int]:
    if st.period_start is None or st.period_end is None:
        return set()
    # Card rows may be bought a few days before the period and posted inside it.
    slack = timedelta(days=7 if st.account_type == "credit_card" else 0)
    outside = set()
    for i, tx in enumerate(st.transactions):
        when = tx.posting_date or tx.date
        if not (st.period_start - slack <= when <= st.period_end):
            outside.add(i)
            st.warnings.append(
                f"page {tx.page}: {_row_name(tx)} is dated outside the statement period"
                f" {st.period_start.isoformat()} to {st.period_end.isoformat()}"
            )
    return outside
