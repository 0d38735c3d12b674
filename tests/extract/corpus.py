"""A generator of bank and card statements with known ground truth, in many layouts.

Each layout varies what real statements vary (columns, sign conventions, separators, date
forms, wrapping, page breaks, several accounts, cards); the truth is kept beside the PDF so
tests and the benchmark can compare transaction by transaction."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

MERCHANTS = [
    "ACME SUPPLY CO", "CITY WATER UTILITY", "SHELL OIL 5543", "AMAZON MKTPLACE", "OFFICE DEPOT",
    "STAPLES STORE", "UBER TRIP", "DELTA AIR LINES", "HOME DEPOT", "COSTCO WHSE",
    "VERIZON WIRELESS", "COMCAST CABLE", "STARBUCKS STORE", "WHOLE FOODS MKT", "FEDEX SHIPPING",
    "ADOBE SYSTEMS",
    "GOOGLE WORKSPACE", "ZOOM VIDEO", "LANDLORD PROPERTY MGMT", "INSURANCE PREMIUM",
]  # fmt: skip
DEPOSITS = [
    "PAYROLL DEPOSIT ACME CORP",
    "MOBILE DEPOSIT",
    "TRANSFER FROM SAVINGS",
    "CLIENT PAYMENT",
]
LONG = [
    "ONLINE TRANSFER TO SAVINGS ACCOUNT ENDING 9911 CONFIRMATION 55123",
    "ACH DEBIT NORTHERN ELECTRIC COOPERATIVE MONTHLY SERVICE INV 20418",
    "WIRE TRANSFER INCOMING FROM GLOBAL PARTNERS LLC REF 7781 INVOICE 1042",
]


@dataclass(frozen=True)
class TrueTx:
    date: date
    description: str
    amount: Decimal
    check_number: str | None = None
    posting_date: date | None = None


@dataclass
class TrueAccount:
    last4: str
    opening: Decimal
    period: tuple[date, date]
    transactions: list[TrueTx]
    currency: str

    @property
    def closing(self) -> Decimal:
        return self.opening + sum((t.amount for t in self.transactions), Decimal(0))


@dataclass(frozen=True)
class Layout:
    name: str
    currency: str = "USD"
    symbol: str = "$"
    amount_symbol: bool = False
    decimal: str = "."
    thousands: str = ","
    style: str = "signed"  # signed | trailing_minus | parens | crdr | split | unsigned
    date_fmt: str = "%m/%d"
    post_date: bool = False
    check_column: bool = False
    balance_column: bool = True
    date_first_row_only: bool = False
    wrap: int = 0
    rows_per_page: int = 30
    n_tx: int = 18
    card: bool = False
    card_cr: bool = False
    tight: bool = False  # amount and balance columns a few points apart
    rotated: bool = False  # pages stored landscape and shown upright through /Rotate 90
    sections: bool = False  # deposits and withdrawals in separate sections, amounts unsigned
    accounts: int = 1
    period: tuple[date, date] = (date(2026, 1, 1), date(2026, 1, 31))
    labels: dict[str, str] = field(default_factory=dict)
    opening_row: str | None = None
    closing_row: str | None = None
    forward_rows: bool = False
    total_row: bool = False
    bank: str = "First Example Bank"


EN = {
    "date": "Date", "post": "Post Date", "desc": "Description", "check": "Check No.",
    "amount": "Amount", "debit": "Withdrawals", "credit": "Deposits", "balance": "Balance",
    "opening": "Beginning Balance", "closing": "Ending Balance", "period": "Statement Period",
    "account": "Account Number:", "to": "-", "title": "Account Statement",
    "fwd": "Balance Forward", "cf": "Balance Carried Forward", "total": "Total",
}  # fmt: skip
DE = {
    **EN, "date": "Buchungstag", "post": "Valuta", "desc": "Buchungstext", "debit": "Soll",
    "credit": "Haben", "balance": "Saldo", "opening": "Alter Kontostand",
    "closing": "Neuer Kontostand", "period": "Zeitraum", "account": "Konto-Nr.:", "to": "bis",
    "title": "Kontoauszug", "total": "Summe",
}  # fmt: skip
FR = {
    **EN, "date": "Date", "desc": "Libellé", "amount": "Montant", "balance": "Solde",
    "opening": "Solde précédent", "closing": "Nouveau solde", "period": "Période du",
    "account": "Compte n°", "to": "au", "title": "Relevé de compte",
}  # fmt: skip
UK = {**EN, "debit": "Paid out", "credit": "Paid in", "opening": "Opening balance",
      "closing": "Closing balance", "account": "Account number"}  # fmt: skip
CARD = {**EN, "date": "Trans Date", "desc": "Merchant Name or Transaction Description",
        "opening": "Previous Balance", "closing": "New Balance", "period": "Billing Period",
        "account": "Card ending in", "title": "Credit Card Statement"}  # fmt: skip

LAYOUTS: list[Layout] = [
    Layout("us_signed", labels=EN, opening_row="Beginning Balance", closing_row="Ending Balance"),
    Layout("us_split_checks", style="split", date_fmt="%m/%d/%Y", check_column=True, wrap=34,
           n_tx=48, rows_per_page=26, labels=EN, forward_rows=True),
    Layout("us_parens_written", style="parens", amount_symbol=True, date_fmt="%b %d",
           date_first_row_only=True, balance_column=False, labels=EN, total_row=True),
    Layout("uk_gbp_year_end", currency="GBP", symbol="£", style="split", date_fmt="%d %b",
           period=(date(2025, 12, 15), date(2026, 1, 14)), labels=UK, bank="Example Bank plc"),
    Layout("ie_eur_crdr", currency="EUR", symbol="€", style="crdr", date_fmt="%d/%m/%Y",
           labels=EN, bank="Example Bank Ireland", wrap=30),
    Layout("de_eur_soll_haben", currency="EUR", symbol="EUR", decimal=",", thousands=".",
           style="split", date_fmt="%d.%m.%Y", post_date=True, balance_column=False, wrap=32,
           labels=DE, bank="Beispielbank AG", total_row=True),
    Layout("fr_eur_trailing_minus", currency="EUR", symbol="€", decimal=",", thousands=" ",
           style="trailing_minus", date_fmt="%d/%m", labels=FR, bank="Banque Exemple"),
    Layout("card_trans_post", card=True, post_date=True, balance_column=False,
           period=(date(2025, 12, 12), date(2026, 1, 11)), labels=CARD,
           bank="Example Card Services"),
    Layout("card_cr_written", card=True, card_cr=True, date_fmt="%b %d", balance_column=False,
           n_tx=40, rows_per_page=24, labels=CARD, bank="Example Card Services", wrap=36),
    Layout("multi_account", style="split", date_fmt="%m/%d/%Y", accounts=2, labels=EN),
    Layout("iso_long", style="split", date_fmt="%Y-%m-%d", amount_symbol=True, n_tx=70,
           rows_per_page=28, labels=EN, forward_rows=True, total_row=True),
    Layout("written_full_checks", date_fmt="%B %d, %Y", check_column=True,
           date_first_row_only=True, amount_symbol=True, labels=EN),
    Layout("unsigned_with_balance", style="unsigned", date_fmt="%d %b %Y", labels=EN),
    Layout("sectioned_unsigned", style="unsigned", sections=True, balance_column=False,
           date_fmt="%m/%d", labels=EN, bank="Example National Bank"),
    Layout("two_line_headers", style="split", check_column=True, date_fmt="%m/%d",
           labels={**EN, "check": "Check\nNumber", "debit": "Withdrawals/\nDebits",
                   "credit": "Deposits/\nCredits", "balance": "Ending daily\nbalance"},
           bank="Example Bank, N.A."),
    Layout("tight_columns", tight=True, date_fmt="%m-%d-%Y", labels=EN, n_tx=24,
           bank="Example Savings & Loan"),
]  # fmt: skip
LAYOUTS_BY_NAME = {lay.name: lay for lay in LAYOUTS}


def fmt_money(
    value: Decimal, lay: Layout, style: str | None = None, symbol: bool | None = None
) -> str:
    style = style or lay.style
    magnitude = f"{abs(value):,.2f}"
    int_part, dec = magnitude.split(".")
    text = int_part.replace(",", lay.thousands) + lay.decimal + dec
    if lay.amount_symbol if symbol is None else symbol:
        text = f"{lay.symbol}{text}" if len(lay.symbol) == 1 else f"{text} {lay.symbol}"
    negative = value < 0
    if style in ("signed",):
        return f"-{text}" if negative else text
    if style == "trailing_minus":
        return f"{text}-" if negative else text
    if style == "parens":
        return f"({text})" if negative else text
    if style == "crdr":
        return f"{text} DR" if negative else f"{text} CR"
    return text  # split and unsigned print magnitudes


def fmt_date(d: date, fmt: str) -> str:
    return d.strftime(fmt).replace(" 0", " ") if "%B" in fmt else d.strftime(fmt)


def make_account(lay: Layout, rng: random.Random, index: int = 0) -> TrueAccount:
    start, end = lay.period
    days = (end - start).days
    dates = sorted(start + timedelta(days=rng.randint(0, days)) for _ in range(lay.n_tx))
    txs: list[TrueTx] = []
    check_no = 1041 + 100 * index
    for i, d in enumerate(dates):
        roll = rng.random()
        check = None
        if lay.card:
            if roll < 0.12:
                desc, amount = "PAYMENT THANK YOU", Decimal(rng.randint(100, 900))
            else:
                desc = rng.choice(MERCHANTS)
                amount = -Decimal(rng.randint(150, 45000)) / 100
        elif roll < 0.2:
            desc, amount = rng.choice(DEPOSITS), Decimal(rng.randint(50000, 480000)) / 100
        elif lay.check_column and roll < 0.35:
            check = str(check_no)
            check_no += 1
            desc, amount = "CHECK", -Decimal(rng.randint(2000, 150000)) / 100
        else:
            desc = rng.choice(MERCHANTS) + f" {rng.randint(100, 9999)}"
            amount = -Decimal(rng.randint(150, 95000)) / 100
        if lay.wrap and i % 5 == 2:
            desc = rng.choice(LONG)
        posted = d + timedelta(days=rng.randint(0, 2)) if lay.post_date else None
        if posted and posted > end:
            posted = end
        txs.append(TrueTx(d, desc, amount, check, posted))
    opening = Decimal(rng.randint(150000, 900000)) / 100
    if lay.card:
        opening = -Decimal(rng.randint(20000, 300000)) / 100
    last4 = f"{rng.randint(1000, 9999)}"
    if lay.sections:  # printed deposits first, then withdrawals, each by date
        txs.sort(key=lambda t: (t.amount < 0, t.date))
    return TrueAccount(last4, opening, lay.period, txs, lay.currency)


def build(lay: Layout, seed: int = 7, tamper: str | None = None) -> tuple[bytes, list[TrueAccount]]:
    """The statement PDF and its truth. `tamper` ("remove" or "alter") prints the first
    account with one row missing or its amount changed by 10.00 while every printed balance
    stays as it was: the statement the reader must flag."""
    rng = random.Random(f"{lay.name}-{seed}")
    accounts = [make_account(lay, rng, i) for i in range(lay.accounts)]
    tampered = (tamper, len(accounts[0].transactions) // 2) if tamper else None
    from tests.extract.render_statement import render  # drawing needs the types above

    return render(lay, accounts, tampered), accounts
