"""From printed rows to transactions: dates get their year and order, amounts their sign."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from zera.extract.dates import DateToken, guess_day_first, to_date
from zera.extract.money import Money
from zera.extract.statements.model import Statement, Transaction
from zera.extract.statements.rows import AccountDraft, RawRow, ReadDocument


def build_statements(doc: ReadDocument, fallback_year: int) -> list[Statement]:
    currencies = {c for a in doc.accounts for c in a.currencies}
    european = doc.decimal_comma or bool(currencies & {"EUR", "GBP", "CHF"})
    day_first = guess_day_first(doc.date_tokens, european)
    year_hint = next((t.year for t in doc.date_tokens if t.year), fallback_year)
    return [_statement(a, doc, day_first, year_hint) for a in doc.accounts]


def _period(
    tokens: tuple[DateToken, DateToken] | None, day_first: bool, year: int
) -> tuple[date, date] | None:
    if tokens is None:
        return None
    end = to_date(tokens[1], day_first, None, year)
    if end is None:
        return None
    start = to_date(tokens[0], day_first, None, end.year)
    if start is None:
        return None
    if start > end:  # "Dec 15 - Jan 14, 2026": the start belongs to the year before
        start = start.replace(year=start.year - 1)
    return start, end


def _amount(row: RawRow, card: bool, sections: bool) -> Decimal:
    total = Decimal(0)
    for role, money in row.money.items():
        if role == "debit":
            total -= money.magnitude
        elif role == "credit":
            total += money.magnitude
        elif sections and row.section:
            # An unsigned amount under a "Deposits" or "Checks paid" heading.
            total += money.magnitude * row.section
        elif card:
            # Card statements print charges as positive and payments as negative or "CR".
            total += money.magnitude if money.value < 0 or money.credit_mark else -money.magnitude
        else:
            total += money.magnitude if money.credit_mark else money.value
    return total


def _signs_from_balance(txs: list[Transaction], opening: Decimal | None) -> None:
    """An unsigned amount column: the running balance says which way each amount went."""
    previous = opening
    for tx in txs:
        if tx.balance is not None and previous is not None:
            delta = tx.balance - previous
            # When the magnitudes disagree the row is broken anyway; the balance's direction
            # is still the best evidence of the sign.
            tx.amount = abs(tx.amount) if delta > 0 else -abs(tx.amount)
        previous = tx.balance if tx.balance is not None else None


def _statement(acct: AccountDraft, doc: ReadDocument, day_first: bool, year: int) -> Statement:
    card = len(acct.card_words) >= 2 and not _balances_say_bank(acct)
    period = _period(acct.period, day_first, year)
    # Section headings set signs only where the amount column never prints one itself: a
    # stray "Fees" line must not flip the deposits of a signed column.
    sections = not acct.amount_column_signed and any(r.section for r in acct.rows)
    txs: list[Transaction] = []
    notes: list[str] = []
    for row in acct.rows:
        assert row.date is not None
        when = to_date(row.date, day_first, period, year)
        if when is None:
            continue
        posted = to_date(row.post_date, day_first, period, year) if row.post_date else None
        txs.append(
            Transaction(
                date=when,
                posting_date=posted,
                description=_description(row),
                amount=_amount(row, card, sections),
                balance=_money(row.balance),
                check_number=row.check_number,
                page=row.box.page,
                box=row.box,
                ocr_conf=row.conf * (0.5 if row.unreadable else 1.0),
            )
        )
        if row.unreadable:
            notes.append(
                f"page {row.box.page}: could not read the {' and '.join(row.unreadable)} of"
                f" {when.isoformat()} {txs[-1].description!r}; check it on the page"
            )
    opening, closing = _money(acct.opening), _money(acct.closing)
    if card:
        opening = -opening if opening is not None else None
        closing = -closing if closing is not None else None
    if (
        acct.has_balance_column
        and acct.has_amount_column
        and not acct.amount_column_signed
        and not card
    ):
        _signs_from_balance(txs, opening)
    currency = acct.currencies.most_common(1)[0][0] if acct.currencies else None
    return Statement(
        account_type="credit_card" if card else "bank",
        institution=doc.institution,
        account_number_last4=acct.last4,
        currency=currency,
        period_start=period[0] if period else None,
        period_end=period[1] if period else None,
        opening_balance=opening,
        closing_balance=closing,
        transactions=txs,
        warnings=notes,
    )


def _balances_say_bank(acct: AccountDraft) -> bool:
    """Whether a printed running balance follows the amounts read the bank way. A bank
    statement that advertises a credit card ("minimum payment", "credit limit") must not
    have its signs turned; its running balance settles it. (An unsigned column agrees when
    the balance moves by the amount either way: its signs come from the balance.)"""
    running: Decimal | None = None
    previous: Decimal | None = None
    checks = agree = 0
    for row in acct.rows:
        step = _amount(row, card=False, sections=False)
        if running is not None:
            running += step
        if row.balance is None:
            continue
        balance = row.balance.value
        if running is not None and previous is not None:
            checks += 1
            if acct.amount_column_signed:
                agree += running == balance
            else:
                agree += abs(balance - previous) == abs(running - previous)
        running = previous = balance
    return checks > 0 and 2 * agree >= checks


def _description(row: RawRow) -> str:
    text = " ".join(" ".join(row.description).split())
    if row.conf < 1.0:
        # Specks of grain at the end of an OCR'd line read as full stops or quotes.
        text = text.rstrip(".,'`\u2018\u2019 ")
    return text


def _money(m: Money | None) -> Decimal | None:
    return m.value if m is not None else None
