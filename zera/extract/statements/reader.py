"""The template-free table reader: lines in, per-account drafts of rows out.

It walks the document's lines once. A header row (by what its cells say) opens a table and
fixes its columns; rows below it are transactions when they carry an amount in an amount
column, continuations when they carry only description text just below a transaction, and
balance or total rows by their words. Lines outside tables feed the account's summary."""

from __future__ import annotations

import re

from zera.extract.dates import DateToken
from zera.extract.layout import Cell, Line
from zera.extract.model import Word
from zera.extract.money import Money, parse_money
from zera.extract.statements.columns import MONEY_ROLES, Table, header_of, is_other_table_header
from zera.extract.statements.rows import AccountDraft, RawRow, ReadDocument, date_prefix, money_in
from zera.extract.statements.summary import (
    CARD_WORDS,
    account_last4,
    currency_marks,
    keyword_kind,
    labelled_amounts,
    period_tokens,
    section_direction,
)

_ENDS_TABLE = re.compile(
    r"^\W*(daily (ending |ledger |collected )?balances?|balance summary|summary of daily"
    r"|daily balance summary|täglicher saldo|soldes quotidiens)\b",
    re.IGNORECASE,
)
_DIGITS_AND_MARKS = re.compile(r"^[\d$€£()+\-.,;:/'|]+$")


def _garbled(word: Word) -> bool:
    """An OCR'd word of digits and separators that reads as neither date nor amount."""
    return (
        word.conf < 1.0
        and sum(c.isdigit() for c in word.text) >= 3
        and bool(_DIGITS_AND_MARKS.match(word.text))
    )


class _Reader:
    def __init__(self, *, headerless: bool = False, whole_amounts: bool = False) -> None:
        self.headerless = headerless
        self.whole = whole_amounts
        self.accounts: dict[str | None, AccountDraft] = {None: AccountDraft()}
        self.current = self.accounts[None]
        self.table: Table | None = None
        self.last_row: RawRow | None = None
        self.last_line: Line | None = None
        self.last_date: DateToken | None = None
        self.tokens: list[DateToken] = []
        self.section = 0  # +1 under a deposits heading, -1 under a withdrawals heading

    def switch_account(self, last4: str) -> None:
        if last4 == self.current.last4:
            return
        if self.current.last4 is None and not self.current.rows:
            self.current.last4 = last4  # the anonymous section was this account's preamble
            self.accounts[last4] = self.accounts.pop(None)
            return
        self.current = self.accounts.setdefault(last4, AccountDraft(last4=last4))
        self.table = None
        self.last_row = None
        self.section = 0

    def feed(self, line: Line) -> None:
        text = line.text
        low = text.lower()
        self.current.card_words.update(w for w in CARD_WORDS if w in low)
        self.current.currencies.update(currency_marks(text))
        table = header_of(line)
        if table is not None:
            self.table = table
            self.current.has_balance_column |= table.first("balance") is not None
            self.current.has_amount_column |= table.first("amount") is not None
            self.last_row = None
            return
        if is_other_table_header(line) or _ENDS_TABLE.search(text):
            # Daily balance grids and the like list dates and amounts that are no
            # transactions: they close the transaction table until the next header.
            self.table = None
            self.last_row = None
            return
        if self.table is None and self.headerless:
            if self._pattern_row(line):
                self.last_line = line
                return
            self.last_row = None  # only a line right below a row can continue it
        if self.table is None or not self._table_row(line, self.table):
            # Only outside table rows: descriptions such as "TRANSFER TO ACCOUNT ENDING 9911"
            # must not open a new account.
            last4 = account_last4(text)
            if last4:
                self.switch_account(last4)
            self._summary(line)
        self.last_line = line

    def _summary(self, line: Line) -> None:
        direction = section_direction(line.text)
        if direction:
            self.section = direction
        period = period_tokens(line.text)
        if period and self.current.period is None:
            self.current.period = period
            self.tokens.extend(period)
        for label, money in labelled_amounts(line):
            kind = keyword_kind(label)
            if kind == "opening" and self.current.opening is None:
                self.current.opening = money
            elif kind == "closing":
                self.current.closing = money

    def _table_row(self, line: Line, table: Table) -> bool:
        """Read a line inside a table; False when it is not part of the table."""
        cells = list(line.cells)
        desc_col = table.first("description")
        limit = desc_col.x0 - 1 if desc_col else cells[0].x1 + 1
        dates: list[DateToken] = []
        while cells and len(dates) < 2 and cells[0].x0 < limit:
            token, n = date_prefix(cells[0].words)
            if token is None:
                break
            dates.append(token)
            rest = cells[0].words[n:]
            cells = ([Cell(rest)] if rest else []) + cells[1:]
        if sum(date_prefix(c.words)[0] is not None for c in cells) >= 2:
            return False  # dates across the line: a grid of dates, not a transaction row
        unreadable: list[str] = []
        if cells and cells[0].x0 < limit and _garbled(cells[0].words[0]):
            # OCR turned the date into something that is no date ("42/01/2026"): keep it
            # out of the description and say the row's date is a guess.
            unreadable.append("date")
            rest = cells[0].words[1:]
            cells = ([Cell(rest)] if rest else []) + cells[1:]
        money: dict[str, Money] = {}
        text: list[str] = []
        check: str | None = None
        check_col = table.first("check")
        for cell in cells:
            value, head = money_in(cell, self.whole) if cell.x1 > table.money_left else (None, None)
            if value is not None:
                if head is not None:
                    text.append(head.text)
                money[table.money_column_for(cell).role] = value
            elif (
                check_col is not None
                and cell.text.isdigit()
                and cell.x0 < check_col.x1 + 4
                and cell.x1 > check_col.x0 - 4
            ):
                check = cell.text
            elif cell.x0 > table.money_left - 4 and _garbled(cell.words[-1]):
                unreadable.append(table.money_column_for(cell).role)
            else:
                text.append(cell.text)
        description = " ".join(text).strip()
        kind = keyword_kind(description) if len(description) <= 48 else None
        balance = money.get("balance")
        amounts = {r: m for r, m in money.items() if r in MONEY_ROLES}
        if kind == "total" and dates:
            kind = None  # "TOTAL WINE 0412" on a dated row is a merchant, not a totals row
        if kind is not None:
            self._balance_row(kind, balance or next(iter(amounts.values()), None))
            self.last_row = None
            return True
        if amounts and not dates and not description and not check:
            # Bare numbers under the amount columns: a page subtotal, not a transaction.
            self.last_row = None
            return True
        if amounts:
            added = self._add_row(line, dates, description, amounts, balance, check)
            if added and self.last_row is not None:
                self.last_row.unreadable = unreadable
            return added
        if self._continues(line, table, description, dates, money):
            assert self.last_row is not None
            self.last_row.description.append(description)
            self.last_row.box = self.last_row.box.union(line.box)
            return True
        self.last_row = None
        return False

    def _add_row(
        self,
        line: Line,
        dates: list[DateToken],
        description: str,
        amounts: dict[str, Money],
        balance: Money | None,
        check: str | None,
    ) -> bool:
        if dates:
            self.last_date = dates[0]
            self.tokens.extend(dates)
        if self.last_date is None:
            return False
        row = RawRow(
            date=self.last_date,
            post_date=dates[1] if len(dates) > 1 else None,
            description=[description] if description else [],
            money=amounts,
            balance=balance,
            check_number=check,
            box=line.box,
            conf=min(c.conf for c in line.cells),
            explicit_date=bool(dates),
            section=self.section,
        )
        self.current.rows.append(row)
        self.current.amount_column_signed |= any(
            m.explicit_sign for r, m in amounts.items() if r == "amount"
        )
        self.last_row = row
        return True

    def _pattern_row(self, line: Line) -> bool:
        """A row of a table whose header was not recognised: a date first, amounts after it.
        One amount is the transaction; two are amount and balance; more (gross, fee, net)
        end with the net amount."""
        cells = list(line.cells)
        dates: list[DateToken] = []
        while cells and len(dates) < 2:
            token, n = date_prefix(cells[0].words)
            if token is None:
                break
            dates.append(token)
            rest = cells[0].words[n:]
            cells = ([Cell(rest)] if rest else []) + cells[1:]
        if sum(date_prefix(c.words)[0] is not None for c in cells) >= 2:
            return False  # more dates further along: a grid of daily balances
        values: list[Money] = []
        text: list[str] = []
        for cell in cells:
            money = parse_money(cell.text, whole=self.whole)
            if money is None:
                text.append(cell.text)
            else:
                values.append(money)
        if self.whole and dates and not values and cells and len(cells[0].words) > 1:
            # "9/1  2 DEPOSIT": the amount leads the description's cell.
            lead = parse_money(cells[0].words[0].text, whole=True)
            if lead is not None:
                values = [lead]
                text[0] = " ".join(w.text for w in cells[0].words[1:])
        description = " ".join(text).strip()
        kind = keyword_kind(description) if len(description) <= 48 else None
        if kind is not None and values and (kind != "total" or not dates):
            self._balance_row(kind, values[-1])
            self.last_row = None
            return True
        if not dates:
            return self._pattern_continuation(line, description, values)
        if not values:
            return False
        balance = values[1] if len(values) == 2 else None
        amount = values[-1] if len(values) > 2 else values[0]
        self.current.has_amount_column = True
        self.current.has_balance_column |= balance is not None
        return self._add_row(line, dates, description, {"amount": amount}, balance, None)

    def _pattern_continuation(self, line: Line, description: str, values: list[Money]) -> bool:
        if self.last_row is None or self.last_line is None or not description:
            return False
        if line.page != self.last_line.page or line.top - self.last_line.bottom > line.height:
            return False
        self.last_row.description.append(" ".join([description, *(f"{v.value}" for v in values)]))
        self.last_row.box = self.last_row.box.union(line.box)
        return True

    def _continues(
        self,
        line: Line,
        table: Table,
        description: str,
        dates: list[DateToken],
        money: dict[str, Money],
    ) -> bool:
        if self.last_row is None or self.last_line is None or dates or money or not description:
            return False
        if line.page != self.last_line.page or line.cells[-1].x1 > table.money_left:
            return False
        desc_col = table.first("description")
        if desc_col is not None and line.x0 < desc_col.x0 - 6:  # OCR jitters a few points
            return False
        return line.top - self.last_line.bottom < 1.2 * line.height

    def _balance_row(self, kind: str, value: Money | None) -> None:
        if value is None:
            return
        account = self.current
        if kind == "opening" or (kind == "forward" and not account.rows):
            if account.opening is None:
                account.opening = value
        elif kind == "closing":
            account.closing = value


def read_lines(lines: list[Line], *, whole_amounts: bool = False) -> ReadDocument:
    """Every account's rows, balances and period as printed (nothing resolved yet).

    Tables are found by their header first; only a document where no header gave a single
    row is read again by row pattern (date first, amounts after), so a recognised table is
    never mixed with look-alike lines such as daily-balance listings."""
    reader = _Reader(whole_amounts=whole_amounts)
    for line in lines:
        reader.feed(line)
    if not any(a.rows for a in reader.accounts.values()):
        reader = _Reader(headerless=True, whole_amounts=whole_amounts)
        for line in lines:
            reader.feed(line)
    accounts = [a for a in reader.accounts.values() if a.rows]
    if not accounts:
        accounts = [a for a in reader.accounts.values() if a.opening or a.period]
    institution = _institution(lines)
    text = " ".join(ln.text for ln in lines[:400])
    comma = len(_COMMA.findall(text)) > len(_DOT.findall(text))
    return ReadDocument(accounts, reader.tokens, institution, comma)


_COMMA = re.compile(r"\d,\d{2}\b(?![.,]\d)")
_DOT = re.compile(r"\d\.\d{2}\b(?![.,]\d)")


def _institution(lines: list[Line]) -> str | None:
    """The largest text near the top of the first page: where banks print their name."""
    first = [ln for ln in lines[:15] if ln.page == lines[0].page] if lines else []
    named = [ln for ln in first if any(ch.isalpha() for ch in ln.text) and len(ln.text) < 60]
    if not named:
        return None
    best = max(named, key=lambda ln: (round(ln.height, 0), -ln.top))
    return best.cells[0].text
