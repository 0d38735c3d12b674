"""A statement whose printed rows do not add up is flagged, and the warning names the rows."""

from __future__ import annotations

import re
from dataclasses import replace

import pytest

from tests.extract.corpus import LAYOUTS, build
from tests.extract.render_statement import render
from zera.extract import Outcome, extract_document


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
