"""A generator of bank and card statements with known ground truth, in many layouts.

Each layout varies what real statements vary (columns, sign conventions, separators, date
forms, wrapping, page breaks, several accounts, cards); the truth is kept beside the PDF so
tests and the benchmark can compare transaction by transaction."""

from __future__ import annotations

import io
import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from reportlab.lib.pagesizes import letter
from reportlab.pdfgen.canvas import Canvas

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
    return render(lay, accounts, tampered), accounts


def _period_fmt(lay: Layout) -> str:
    fmt = lay.date_fmt
    if "%Y" in fmt:
        return fmt
    return {"%m/%d": "%m/%d/%Y", "%d/%m": "%d/%m/%Y", "%d %b": "%d %b %Y", "%b %d": "%b %d, %Y",
            "%d.%m.": "%d.%m.%Y"}.get(fmt, fmt + " %Y")  # fmt: skip


class _Page:
    """Draws one statement onto a reportlab canvas, page after page."""

    def __init__(self, lay: Layout) -> None:
        self.lay = lay
        self.L = {**EN, **lay.labels}
        self.buf = io.BytesIO()
        if lay.rotated:
            # A landscape page turned upright by /Rotate 90: the statement is drawn up the
            # page in user space, as some PDF producers do.
            # reportlab swaps the media box when a rotation is set: this stores 792 x 612.
            self.c = Canvas(self.buf, pagesize=letter, invariant=True)
            self.c.setPageRotation(90)
            self._turn()
        else:
            self.c = Canvas(self.buf, pagesize=letter, invariant=True)
        self.width, self.height = letter
        self.page_no = 1
        self.y = 0.0
        wide_date = "%B" in lay.date_fmt or "%Y" in lay.date_fmt or "%b" in lay.date_fmt
        self.x_date = 40.0
        self.x_post = 102.0 if lay.post_date else None
        self.x_desc = 162.0 if lay.post_date else (140.0 if wide_date else 100.0)
        self.x_check = 310.0 if lay.check_column else None
        split = lay.style == "split"
        if split:
            self.money = (
                {"debit": 430.0, "credit": 500.0}
                if lay.balance_column
                else {"debit": 480.0, "credit": 570.0}
            )
        else:
            self.money = {"amount": 490.0 if lay.balance_column else 570.0}
        if lay.balance_column:
            self.money["balance"] = 570.0
        if lay.tight:
            self.money["amount"] = 527.0

    def text(self, x: float, text: str, size: float = 9, bold: bool = False) -> None:
        self.c.setFont("Helvetica-Bold" if bold else "Helvetica", size)
        self.c.drawString(x, self.y, text)

    def right(self, x: float, text: str, size: float = 9, bold: bool = False) -> None:
        self.c.setFont("Helvetica-Bold" if bold else "Helvetica", size)
        self.c.drawRightString(x, self.y, text)

    def header(self) -> None:
        """Column titles; a title with a line break stacks upwards from the baseline, as
        narrow columns do ("Withdrawals/" over "Debits")."""
        L = self.L
        stacked = max(len(L[k].split("\n")) for k in ("date", "desc", "check", *self.money))
        self.y -= 10 * (stacked - 1)

        def title(x: float, label: str, right: bool = False) -> None:
            y = self.y
            for part in reversed(label.split("\n")):
                (self.right if right else self.text)(x, part, bold=True)
                self.y += 10
            self.y = y

        title(self.x_date, L["date"])
        if self.x_post is not None:
            title(self.x_post, L["post"])
        title(self.x_desc, L["desc"])
        if self.x_check is not None:
            title(self.x_check, L["check"])
        for role, x in self.money.items():
            title(x, L[role], right=True)
        self.c.line(self.x_date, self.y - 3, 572, self.y - 3)
        self.y -= 15

    def footer(self, total_pages: int) -> None:
        y = self.y
        self.y = 40
        self.text(40, f"Page {self.page_no} of {total_pages}", size=7)
        self.y = 30
        self.text(40, "Questions? Call 1-800-555-0100 or visit us online. Member FDIC.", size=7)
        self.y = y

    def _turn(self) -> None:
        self.c.translate(letter[1], 0)
        self.c.rotate(90)

    def new_page(self, total_pages: int, last4: str, title: bool = False) -> None:
        if self.y:
            self.footer(total_pages)
            self.c.showPage()
            if self.lay.rotated:
                self._turn()
            self.page_no += 1
        self.y = self.height - 50
        self.text(40, self.lay.bank, size=16 if title else 10, bold=True)
        self.y -= 18
        self.text(40, f"{self.L['account']} ****{last4}", size=9)
        self.y -= 22


def render(lay: Layout, accounts: list[TrueAccount], tamper: tuple[str, int] | None) -> bytes:
    """Draw the statement; the printed balances always come from the untampered truth."""
    pg = _Page(lay)
    lines_per_tx = 2 if lay.wrap else 1
    total_pages = sum(
        1 + (len(a.transactions) * lines_per_tx) // lay.rows_per_page for a in accounts
    )
    for ai, acct in enumerate(accounts):
        pg.new_page(total_pages, acct.last4, title=ai == 0)
        _summary(pg, lay, acct)
        if lay.sections:
            _sections(pg, lay, acct, tamper if ai == 0 else None)
            continue
        pg.header()
        running = acct.opening
        if lay.opening_row and lay.balance_column:
            pg.text(pg.x_date, fmt_date(acct.period[0], lay.date_fmt))
            pg.text(pg.x_desc, lay.opening_row)
            pg.right(pg.money["balance"], fmt_money(running, lay, style="signed"))
            pg.y -= 13
        used = 0
        previous_date = None
        for ti, tx in enumerate(acct.transactions):
            running += tx.amount
            shown = tx.amount
            if tamper and ai == 0 and ti == tamper[1]:
                if tamper[0] == "remove":
                    continue
                shown = tx.amount - Decimal("10.00")
            if used >= lay.rows_per_page:
                if lay.forward_rows and lay.balance_column:
                    pg.text(pg.x_desc, pg.L["cf"])
                    pg.right(
                        pg.money["balance"], fmt_money(running - tx.amount, lay, style="signed")
                    )
                pg.new_page(total_pages, acct.last4)
                pg.header()
                if lay.forward_rows and lay.balance_column:
                    pg.text(pg.x_desc, pg.L["fwd"])
                    pg.right(
                        pg.money["balance"], fmt_money(running - tx.amount, lay, style="signed")
                    )
                    pg.y -= 13
                used = 0
                previous_date = None
            used += _row(pg, lay, tx, shown, running, previous_date)
            previous_date = tx.date
        if lay.total_row:
            pg.y -= 4
            if lay.style == "split":
                out = sum((-t.amount for t in acct.transactions if t.amount < 0), Decimal(0))
                inn = sum((t.amount for t in acct.transactions if t.amount > 0), Decimal(0))
                pg.text(pg.x_desc, pg.L["total"], bold=True)
                pg.right(pg.money["debit"], fmt_money(out, lay), bold=True)
                pg.right(pg.money["credit"], fmt_money(inn, lay), bold=True)
            else:
                net = sum((t.amount for t in acct.transactions), Decimal(0))
                pg.text(pg.x_desc, pg.L["total"], bold=True)
                pg.right(pg.money["amount"], fmt_money(-net if lay.card else net, lay), bold=True)
            pg.y -= 13
        if lay.closing_row and lay.balance_column:
            pg.text(pg.x_date, fmt_date(acct.period[1], lay.date_fmt))
            pg.text(pg.x_desc, lay.closing_row)
            pg.right(pg.money["balance"], fmt_money(acct.closing, lay, style="signed"))
            pg.y -= 13
    pg.footer(total_pages)
    pg.c.showPage()
    pg.c.save()
    return pg.buf.getvalue()


def _sections(pg: _Page, lay: Layout, acct: TrueAccount, tamper: tuple[str, int] | None) -> None:
    """Deposits and withdrawals under their own headings, every amount printed unsigned."""
    for heading, money_in in (("DEPOSITS AND ADDITIONS", True), ("ELECTRONIC WITHDRAWALS", False)):
        pg.text(40, heading, size=10, bold=True)
        pg.y -= 16
        pg.header()
        total = Decimal(0)
        for ti, tx in enumerate(acct.transactions):
            if (tx.amount > 0) != money_in:
                continue
            shown = tx.amount
            if tamper and ti == tamper[1]:
                if tamper[0] == "remove":
                    continue
                shown = tx.amount - Decimal("10.00")
            total += shown
            _row(pg, lay, tx, shown, Decimal(0), None)
        pg.text(pg.x_desc, f"Total {heading.lower()}", bold=True)
        pg.right(pg.money["amount"], fmt_money(total, lay), bold=True)
        pg.y -= 24
    _daily_balances(pg, lay, acct)


def _daily_balances(pg: _Page, lay: Layout, acct: TrueAccount) -> None:
    """The "daily ending balance" grid US banks print after the transactions: dates and
    amounts that are not transactions."""
    by_day: dict[date, Decimal] = {}
    running = acct.opening
    for tx in sorted(acct.transactions, key=lambda t: t.date):
        running += tx.amount
        by_day[tx.date] = running
    pg.text(40, "DAILY ENDING BALANCE", size=10, bold=True)
    pg.y -= 16
    for x in (40, 230, 420):
        pg.text(x, "Date", bold=True)
        pg.right(x + 140, "Amount", bold=True)
    pg.y -= 14
    days = list(by_day.items())
    for i in range(0, len(days), 3):
        for x, (day, balance) in zip((40, 230, 420), days[i : i + 3], strict=False):
            pg.text(x, fmt_date(day, lay.date_fmt))
            pg.right(x + 140, fmt_money(balance, lay, style="signed"))
        pg.y -= 13


def _row(
    pg: _Page, lay: Layout, tx: TrueTx, shown: Decimal, running: Decimal, previous: date | None
) -> int:
    if not (lay.date_first_row_only and previous == tx.date):
        pg.text(pg.x_date, fmt_date(tx.date, lay.date_fmt))
    if pg.x_post is not None and tx.posting_date:
        pg.text(pg.x_post, fmt_date(tx.posting_date, lay.date_fmt))
    parts = [tx.description]
    if lay.wrap and len(tx.description) > lay.wrap:
        cut = tx.description.rfind(" ", 0, lay.wrap)
        parts = [tx.description[:cut], tx.description[cut + 1 :]]
    pg.text(pg.x_desc, parts[0])
    if pg.x_check is not None and tx.check_number:
        pg.text(pg.x_check, tx.check_number)
    if lay.style == "split":
        role = "debit" if shown < 0 else "credit"
        pg.right(pg.money[role], fmt_money(shown, lay))
    elif lay.card:
        text = fmt_money(-shown, lay, style="signed")
        if lay.card_cr and shown > 0:
            text = fmt_money(shown, lay) + " CR"
        pg.right(pg.money["amount"], text)
    else:
        pg.right(pg.money["amount"], fmt_money(shown, lay))
    if lay.balance_column:
        pg.right(
            pg.money["balance"],
            fmt_money(running, lay, style="crdr" if lay.style == "crdr" else "signed"),
        )
    pg.y -= 13
    for part in parts[1:]:
        pg.text(pg.x_desc, part)
        pg.y -= 13
    return len(parts)


def _summary(pg: _Page, lay: Layout, acct: TrueAccount) -> None:
    L = pg.L
    fmt = _period_fmt(lay)
    start, end = acct.period
    pg.text(40, L["title"], size=12, bold=True)
    pg.y -= 16
    pg.text(40, f"{L['period']} {fmt_date(start, fmt)} {L['to']} {fmt_date(end, fmt)}")
    pg.y -= 20
    box_top = pg.y + 12

    def show(label: str, value: Decimal) -> None:
        pg.text(50, label)
        pg.right(300, fmt_money(value, lay, style="signed", symbol=True))
        pg.y -= 13

    out = sum((-t.amount for t in acct.transactions if t.amount < 0), Decimal(0))
    inn = sum((t.amount for t in acct.transactions if t.amount > 0), Decimal(0))
    if lay.card:
        show(L["opening"], -acct.opening)
        show("Payments and Credits", -inn)
        show("Purchases", out)
        show(L["closing"], -acct.closing)
        show("Minimum Payment Due", Decimal("35.00"))
        show("Credit Limit", Decimal("12000.00"))
    else:
        show(L["opening"], acct.opening)
        show("Total deposits" if L is not DE else "Summe Haben", inn)
        show("Total withdrawals" if L is not DE else "Summe Soll", out)
        show(L["closing"], acct.closing)
    pg.c.rect(44, pg.y + 8, 262, box_top - pg.y - 4)
    pg.y -= 16


def scan(
    pdf: bytes,
    *,
    dpi: int = 250,
    angle: float = 0.6,
    noise: float = 18.0,
    seed: int = 3,
    fmt: str = "PDF",
    max_pages: int | None = None,
) -> bytes:
    """The statement as a scanner would return it: rasterised, slightly rotated, noisy."""
    import pypdfium2 as pdfium
    from PIL import Image, ImageChops

    rng = random.Random(seed)
    images = []
    doc = pdfium.PdfDocument(pdf)
    for i in range(len(doc) if max_pages is None else min(max_pages, len(doc))):
        page = doc[i].render(scale=dpi / 72, grayscale=True).to_pil().convert("L")
        tilt = angle * (1 if rng.random() < 0.5 else -1)
        page = page.rotate(tilt, resample=Image.Resampling.BILINEAR, fillcolor=255)
        # Seeded grain (effect_noise cannot be seeded) so a scan reads the same every run.
        grain = Image.frombytes("L", page.size, rng.randbytes(page.width * page.height))
        grain = grain.point(lambda v: int(128 + (v - 128) * noise / 128))
        page = ImageChops.subtract(page, grain, offset=128)
        images.append(page)
    doc.close()
    buf = io.BytesIO()
    if fmt == "PDF":
        images[0].save(buf, "PDF", resolution=dpi, save_all=True, append_images=images[1:])
    else:
        images[0].save(buf, fmt, dpi=(dpi, dpi))
    return buf.getvalue()
