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


def test_an_unreadable_ocr_amount_is_named_not_folded_into_the_description() -> None:
    """Given OCR'd rows where one balance came out as "5513135", then that row keeps its
    description clean, loses confidence, and a warning says what could not be read."""
    from zera.extract.kinds import DocumentText
    from zera.extract.layout import page_lines
    from zera.extract.model import PageText, Word
    from zera.extract.statements import StatementExtractor

    def row(top: float, *cells: tuple[float, str]) -> list[Word]:
        return [Word(t, x, top, x + 6 * len(t), top + 10, 1, conf=0.9) for x, t in cells]

    words = [
        *row(100, (40, "Date"), (100, "Description"), (420, "Amount"), (520, "Balance")),
        *row(114, (40, "01/03/2026"), (100, "ACME"), (420, "-10.00"), (520, "90.00")),
        *row(128, (40, "01/04/2026"), (100, "COMCAST"), (420, "-20.00"), (520, "5513135")),
        *row(142, (40, "01/05/2026"), (100, "SHELL"), (420, "-30.00"), (520, "40.00")),
    ]
    lines = page_lines(PageText(1, 612, 792, words, ocr=True))

    statements = StatementExtractor().extract(DocumentText(lines, 2026))

    rows = statements[0].transactions
    assert [t.description for t in rows] == ["ACME", "COMCAST", "SHELL"]
    assert rows[1].balance is None and rows[1].confidence < rows[0].confidence
    warning = "could not read the balance of 2026-01-04 'COMCAST'"
    assert any(warning in w for w in statements[0].warnings)
