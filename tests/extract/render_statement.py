"""Drawing generated statements with reportlab, and turning them into scans."""

from __future__ import annotations

import io
import random
from datetime import date
from decimal import Decimal

from reportlab.lib.pagesizes import letter
from reportlab.pdfgen.canvas import Canvas

from tests.extract.corpus import DE, EN, Layout, TrueAccount, TrueTx, fmt_date, fmt_money


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


HUGE_PAGE_POINTS = 8600.0  # a side: just under the 120-inch page limit


def with_huge_page(pdf: bytes) -> bytes:
    """`pdf` with a last page of 8600x8600 points carrying one line of text (page-image limits)."""
    from pypdf import PdfReader, PdfWriter
    from reportlab.pdfgen.canvas import Canvas

    extra = io.BytesIO()
    size = HUGE_PAGE_POINTS
    canvas = Canvas(extra, pagesize=(size, size), invariant=True)
    canvas.drawString(72, size - 72, "This page is left large on purpose, with no transactions.")
    canvas.showPage()
    canvas.save()
    writer = PdfWriter()
    for source in (pdf, extra.getvalue()):
        for page in PdfReader(io.BytesIO(source)).pages:
            writer.add_page(page)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
