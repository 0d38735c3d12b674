"""Digital statements in every generated layout come out exactly as printed."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tests.extract.conftest import Sample
from tests.extract.corpus import LAYOUTS
from zera.extract import Outcome, extract_document


@pytest.mark.parametrize("name", [layout.name for layout in LAYOUTS])
def test_every_transaction_is_read_exactly(corpus: dict[str, Sample], name: str) -> None:
    """Given a generated statement, when it is extracted, then each account's transactions
    equal the truth in date, description, amount, check number and posting date."""
    sample = corpus[name]
    result = extract_document(sample.data, sample.path.name)

    assert result.outcome is Outcome.OK, result.warnings
    assert result.kind == "bank_statement"
    assert len(result.statements) == len(sample.truth)
    for statement, truth in zip(result.statements, sample.truth, strict=True):
        got = [
            (t.date, t.description, t.amount, t.check_number, t.posting_date)
            for t in statement.transactions
        ]
        want = [
            (t.date, t.description, t.amount, t.check_number, t.posting_date)
            for t in truth.transactions
        ]
        assert got == want


@pytest.mark.parametrize("name", [layout.name for layout in LAYOUTS])
def test_statement_facts_and_proof(corpus: dict[str, Sample], name: str) -> None:
    """Given a generated statement, then its period, balances, account, currency and type are
    read, it reconciles, and confidence is high with no warnings."""
    sample = corpus[name]
    result = extract_document(sample.data, sample.path.name)

    for statement, truth in zip(result.statements, sample.truth, strict=True):
        assert (statement.period_start, statement.period_end) == truth.period
        assert statement.opening_balance == truth.opening
        assert statement.closing_balance == truth.closing
        assert statement.account_number_last4 == truth.last4
        assert statement.currency == truth.currency
        assert statement.account_type == ("credit_card" if sample.layout.card else "bank")
        assert statement.reconciled
        assert statement.confidence >= 0.95
        assert all(t.confidence >= 0.95 for t in statement.transactions)
    assert result.warnings == []
    assert result.confidence >= 0.95


def test_running_balance_is_reported_where_printed(corpus: dict[str, Sample]) -> None:
    """Given a statement with a balance column, each row carries the printed balance."""
    sample = corpus["us_split_checks"]
    result = extract_document(sample.data, sample.path.name)

    running = sample.truth[0].opening
    for tx, true in zip(
        result.statements[0].transactions, sample.truth[0].transactions, strict=True
    ):
        running += true.amount
        assert tx.balance == running


def test_rows_carry_their_page_and_box(corpus: dict[str, Sample]) -> None:
    """Given a multi-page statement, each row names its page and a box inside that page,
    and wrapped rows span two lines."""
    sample = corpus["us_split_checks"]
    result = extract_document(sample.data, sample.path.name)

    pages = {t.page for t in result.statements[0].transactions}
    assert pages == set(range(1, result.pages + 1))
    for tx in result.statements[0].transactions:
        assert tx.box is not None and tx.box.page == tx.page
        width, height = result.page_sizes[tx.page - 1]
        assert 0 <= tx.box.x0 < tx.box.x1 <= width
        assert 0 <= tx.box.top < tx.box.bottom <= height
        lines = 2 if len(tx.description) > sample.layout.wrap else 1
        assert (tx.box.bottom - tx.box.top) > 10 * lines


def test_amounts_are_decimals_with_cents(corpus: dict[str, Sample]) -> None:
    sample = corpus["de_eur_soll_haben"]
    result = extract_document(sample.data, sample.path.name)

    amounts = [t.amount for t in result.statements[0].transactions]
    assert all(isinstance(a, Decimal) and a.as_tuple().exponent == -2 for a in amounts)


def test_a_table_whose_header_is_not_recognised_is_read_by_row_pattern() -> None:
    """Given a statement whose column titles are in a language the reader does not know,
    then its rows (date first, amount and balance after) are still read exactly, the balance
    column proves them, and the warnings say the opening and closing were inferred."""
    from dataclasses import replace

    from tests.extract.corpus import EN, LAYOUTS_BY_NAME, build

    italian = {**EN, "date": "Giorno", "desc": "Descrizione", "amount": "Importo",
               "balance": "Residuo", "opening": "Iniziale", "closing": "Finale"}  # fmt: skip
    layout = replace(LAYOUTS_BY_NAME["us_signed"], name="it", labels=italian, opening_row=None,
                     closing_row=None, date_fmt="%d/%m/%Y")  # fmt: skip
    pdf, truth = build(layout)

    result = extract_document(pdf, "it.pdf")

    statement = result.statements[0]
    got = [(t.date, t.description, t.amount) for t in statement.transactions]
    assert got == [(t.date, t.description, t.amount) for t in truth[0].transactions]
    assert statement.reconciled and statement.balance_breaks == 0
    assert any("taken from the first running balance" in w for w in result.warnings)


def _simple_statement(rows: list[tuple[str, str, str, str, str]]) -> bytes:
    """A one-page statement drawn cell by cell: date, description, category, amount, balance."""
    import io

    from reportlab.pdfgen.canvas import Canvas

    buf = io.BytesIO()
    pdf = Canvas(buf, invariant=True)
    pdf.drawString(40, 760, "Account Number: 1234 5678")
    pdf.drawString(40, 745, "Statement Period: 01/01/2026 - 01/31/2026")
    y = 700.0
    for date, desc, category, amount, balance in rows:
        pdf.drawString(40, y, date)
        pdf.drawString(110, y, desc)
        pdf.drawString(300, y, category)
        pdf.drawRightString(480, y, amount)
        pdf.drawRightString(560, y, balance)
        y -= 14
    pdf.showPage()
    pdf.save()
    return buf.getvalue()


def test_a_column_the_reader_has_no_name_for_does_not_hide_the_table() -> None:
    """Given a table with a "Category" column among known ones, then the table is still found
    and the category text stays with the description."""
    pdf = _simple_statement([
        ("Date", "Description", "Category", "Amount", "Balance"),
        ("01/02/2026", "Opening balance", "", "", "100.00"),
        ("01/05/2026", "ACME SUPPLY", "Office", "-20.00", "80.00"),
        ("01/09/2026", "CLIENT PAYMENT", "Income", "50.00", "130.00"),
    ])  # fmt: skip

    result = extract_document(pdf, "category.pdf")

    statement = result.statements[0]
    assert [(t.description, t.amount) for t in statement.transactions] == [
        ("ACME SUPPLY Office", Decimal("-20.00")),
        ("CLIENT PAYMENT Income", Decimal("50.00")),
    ]
    assert statement.reconciled and statement.opening_balance == Decimal("100.00")


def test_bare_numbers_under_the_amount_column_are_a_subtotal_not_a_transaction() -> None:
    pdf = _simple_statement([
        ("Date", "Description", "", "Amount", "Balance"),
        ("01/02/2026", "Opening balance", "", "", "100.00"),
        ("01/05/2026", "ACME SUPPLY", "", "-20.00", "80.00"),
        ("", "", "", "-20.00", ""),
        ("01/09/2026", "CLIENT PAYMENT", "", "50.00", "130.00"),
    ])  # fmt: skip

    result = extract_document(pdf, "subtotal.pdf")

    assert [t.amount for t in result.statements[0].transactions] == [
        Decimal("-20.00"),
        Decimal("50.00"),
    ]
    assert result.statements[0].reconciled


def test_pages_turned_by_rotate_are_read_as_displayed() -> None:
    """Given a statement whose pages are stored landscape and shown upright by /Rotate 90,
    then it is read exactly and row boxes are on the page as displayed."""
    from dataclasses import replace

    from tests.extract.corpus import LAYOUTS_BY_NAME, build

    layout = replace(LAYOUTS_BY_NAME["us_split_checks"], rotated=True)
    pdf, truth = build(layout)

    result = extract_document(pdf, "turned.pdf")

    got = [(t.date, t.description, t.amount) for t in result.statements[0].transactions]
    assert got == [(t.date, t.description, t.amount) for t in truth[0].transactions]
    assert result.page_sizes[0] == (612.0, 792.0)
    first = result.statements[0].transactions[0].box
    assert first is not None and 30 < first.x0 < 50 and first.x1 > 500


def test_a_bank_statement_that_advertises_a_credit_card_stays_a_bank_statement() -> None:
    """Given a checking statement whose page offers a credit card with a minimum payment,
    then its running balance keeps the amounts read the bank way."""
    from dataclasses import replace

    from tests.extract.corpus import EN, LAYOUTS_BY_NAME, build

    advert = {**EN, "title": "Statement - new credit card offer: no minimum payment until May"}
    layout = replace(LAYOUTS_BY_NAME["us_signed"], labels=advert)
    pdf, truth = build(layout)

    result = extract_document(pdf, "advert.pdf")

    statement = result.statements[0]
    assert statement.account_type == "bank" and statement.reconciled
    assert [t.amount for t in statement.transactions] == [t.amount for t in truth[0].transactions]
