"""Printed amounts and dates as statements write them."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from zera.extract.dates import guess_day_first, parse_date_token, to_date
from zera.extract.money import parse_money


@pytest.mark.parametrize(
    ("text", "value", "currency"),
    [
        ("-12.30", "-12.30", None),
        ("12.30-", "-12.30", None),
        ("(1,234.56)", "-1234.56", None),
        ("$1,234.56", "1234.56", "USD"),
        ("-$5.00", "-5.00", "USD"),
        ("1.234,56", "1234.56", None),
        ("1 234,56 €", "1234.56", "EUR"),
        ("£12.30", "12.30", "GBP"),
        ("12.30 DR", "-12.30", None),
        ("12.30 CR", "12.30", None),
        ("1.234,56 EUR", "1234.56", "EUR"),
        ("1'234.56", "1234.56", None),
    ],
)
def test_money_in_any_convention(text: str, value: str, currency: str | None) -> None:
    money = parse_money(text)
    assert money is not None
    assert money.value == Decimal(value) and money.currency == currency


@pytest.mark.parametrize("text", ["2026", "1,234", "12.3", "1.234.56", "(12.30", "INV-1042", ""])
def test_things_that_are_not_money(text: str) -> None:
    assert parse_money(text) is None


@pytest.mark.parametrize(
    ("text", "day_first", "expected"),
    [
        ("01/03/2026", False, date(2026, 1, 3)),
        ("03/01/2026", True, date(2026, 1, 3)),
        ("03.01.2026", False, date(2026, 1, 3)),  # dots are always day first
        ("Jan 3", False, date(2026, 1, 3)),
        ("3 Jan 26", False, date(2026, 1, 3)),
        ("January 3, 2026", False, date(2026, 1, 3)),
        ("2026-01-03", True, date(2026, 1, 3)),
        ("3. Januar 2026", True, date(2026, 1, 3)),
    ],
)
def test_dates_in_us_european_and_written_forms(text: str, day_first: bool, expected: date) -> None:
    token = parse_date_token(text)
    assert token is not None
    assert to_date(token, day_first, None, 2026) == expected


def test_a_date_without_year_takes_it_from_the_period_across_new_year() -> None:
    """Given a period from 15 Dec 2025 to 14 Jan 2026, 12/20 is in 2025 and 01/05 in 2026."""
    period = (date(2025, 12, 15), date(2026, 1, 14))
    dec, jan = parse_date_token("12/20"), parse_date_token("01/05")
    assert dec is not None and jan is not None
    assert to_date(dec, False, period, 2030) == date(2025, 12, 20)
    assert to_date(jan, False, period, 2030) == date(2026, 1, 5)


def test_day_first_is_inferred_from_a_day_above_twelve() -> None:
    tokens = [parse_date_token(t) for t in ("03/01", "17/01")]
    assert guess_day_first([t for t in tokens if t], european_hint=False)
    tokens = [parse_date_token(t) for t in ("01/03", "01/17")]
    assert not guess_day_first([t for t in tokens if t], european_hint=True)
