"""A statement whose printed rows do not add up is flagged, and the warning names the rows."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import replace
from decimal import Decimal

import pytest

from tests.extract.corpus import LAYOUTS, build
from tests.extract.render_statement import render
from zera.extract import Outcome, Statement, Transaction, extract_document, row_flags
from zera.extract.statements import prove


@pytest.mark.parametrize("how", ["remove", "alter"])
@pytest.mark.parametrize("name", [layout.name for layout in LAYOUTS])
def test_a_removed_or_altered_row_breaks_the_proof(name: str, how: str) -> None:
    """Given a statement printed with one row missing or its amount changed by 10.00 (the
    printed balances untouched), then it does not reconcile, says so, and confidence drops."""
    layout = next(lay for lay in LAYOUTS if lay.name == name)
    pdf, _ = build(layout, tamper=how)

    result = extract_document(pdf, f"{name}-{how}.pdf")

    assert result.outcome is Outcome.OK
    broken = result.statements[0]
    assert not broken.reconciled
    assert broken.confidence < 0.5
    assert any("does not reconcile" in w for w in result.warnings)
    if how == "alter":
        assert any("difference 10.00" in w or "difference -10.00" in w for w in result.warnings)


def test_a_running_balance_break_names_the_rows_around_it() -> None:
    """Given a statement with a running balance and one altered row, then the warning names
    the page and the rows before and at the break, and those rows lose confidence."""
    layout = next(lay for lay in LAYOUTS if lay.name == "us_signed")
    pdf, truth = build(layout, tamper="alter")
    index = len(truth[0].transactions) // 2
    before, altered = truth[0].transactions[index - 1], truth[0].transactions[index]

    result = extract_document(pdf, "broken.pdf")

    breaks = [w for w in result.warnings if "running balance breaks" in w]
    assert len(breaks) == 1
    assert re.match(r"page 1: running balance breaks between ", breaks[0])
    assert before.date.isoformat() in breaks[0] and before.description in breaks[0]
    assert altered.description in breaks[0]
    assert f"the balances imply {altered.amount:f} for the second row" in breaks[0]
    rows = result.statements[0].transactions
    assert rows[index].confidence < 0.5 and rows[index - 1].confidence < 0.5
    assert rows[0].confidence >= 0.95


def test_dates_outside_the_period_are_warned_about() -> None:
    """Given a statement whose period line is printed a year early while its rows carry full
    dates, then the rows are outside the period, the warnings say so, confidence drops."""
    layout = next(lay for lay in LAYOUTS if lay.name == "us_split_checks")
    _, truth = build(layout)
    start, end = truth[0].period
    wrong = [replace(truth[0], period=(start.replace(year=2025), end.replace(year=2025)))]

    result = extract_document(render(layout, wrong, None), "wrong-period.pdf")

    assert any("outside the statement period" in w for w in result.warnings)
    assert result.statements[0].confidence < 0.6
    assert all(t.confidence <= 0.5 for t in result.statements[0].transactions)


def _card(*days: int) -> Statement:
    """A card statement for January 2026 with one row on each of `days` (day 0 = Jan 1)."""
    start = dt.date(2026, 1, 1)
    return Statement(
        account_type="credit_card",
        period_start=start,
        period_end=dt.date(2026, 1, 31),
        opening_balance=Decimal("0.00"),
        transactions=[
            Transaction(date=start + dt.timedelta(days=d), description="X", amount=Decimal("-1"))
            for d in days
        ],
    )


def test_card_rows_have_a_week_of_slack_before_the_period() -> None:
    """Given card rows bought 3 and 10 days before the period, only the second is flagged."""
    st = _card(-3, -10, 5)
    prove(st)

    kinds = [[flag.kind for flag in tx.flags] for tx in st.transactions]
    assert ["outside_period" in k for k in kinds] == [False, True, False]


def test_the_proof_flags_the_row_where_the_running_balance_breaks() -> None:
    """Given a statement built from a tampered PDF, then the altered row carries a balance-break
    flag, and `row_flags` on the proved statement gives exactly the flags the rows carry."""
    layout = next(lay for lay in LAYOUTS if lay.name == "us_signed")
    pdf, truth = build(layout, tamper="alter")
    altered = len(truth[0].transactions) // 2

    st = extract_document(pdf, "broken.pdf").statements[0]

    breaks = [
        i
        for i, tx in enumerate(st.transactions)
        if any(f.kind == "balance_break" for f in tx.flags)
    ]
    assert breaks == [altered]
    assert row_flags(st) == [tx.flags for tx in st.transactions]
