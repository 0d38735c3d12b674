"""Recognising a transaction table's header row and the role of each column.

Tables are found by what their header says a column holds (date, description, amounts,
balance), in the languages statements arrive in, never by which bank printed them."""

from __future__ import annotations

import re
from dataclasses import dataclass
from difflib import SequenceMatcher

from zera.extract.layout import Cell, Line

# Longest phrases first so that "post date" wins over "date" and "paid out" over "out".
_ROLE_PHRASES: list[tuple[str, str]] = sorted(
    [
        *((p, "date") for p in ("date", "datum", "trans date", "transaction date", "trans. date",
                                "fecha", "buchungstag", "buchung", "date opération", "day")),
        *((p, "post_date") for p in ("post date", "posting date", "posted", "post", "date posted",
                                     "value date", "valuta", "wertstellung", "date valeur",
                                     "valeur", "wert")),
        *((p, "description") for p in ("description", "details", "transaction", "transactions",
                                       "narrative", "particulars", "payee", "merchant", "memo",
                                       "buchungstext", "verwendungszweck", "libellé", "libelle",
                                       "opération", "beschreibung", "transaction details",
                                       "transaction description",
                                       "merchant name or transaction description",
                                       "description of transaction", "concepto")),
        *((p, "check") for p in ("check", "check no", "check no.", "check #", "check number",
                                 "chk", "cheque", "cheque no", "chq", "chq no", "ref", "ref.",
                                 "check no", "number", "check/ref")),
        *((p, "amount") for p in ("amount", "betrag", "montant", "importe", "amount ($)",
                                  "amount (€)", "amount (£)", "umsatz")),
        *((p, "debit") for p in ("withdrawals", "withdrawal", "debits", "debit", "paid out",
                                 "money out", "soll", "lastschrift", "débit", "charges",
                                 "withdrawals/debits", "debits/withdrawals", "out", "ausgang",
                                 "purchases", "checks/debits", "withdrawals ($)",
                                 "withdrawals/subtractions", "subtractions", "money out (£)",
                                 "paid out (£)", "debit (€)", "debits (€)")),
        *((p, "credit") for p in ("deposits", "deposit", "credits", "credit", "paid in",
                                  "money in", "haben", "crédit", "payments/credits",
                                  "payments", "deposits/credits", "credits/deposits", "in",
                                  "eingang", "gutschrift", "deposits ($)",
                                  "deposits/additions", "additions", "money in (£)",
                                  "paid in (£)", "credit (€)", "credits (€)")),
        *((p, "balance") for p in ("balance", "saldo", "solde", "running balance", "kontostand",
                                   "daily balance", "balance ($)", "ending daily balance",
                                   "balance (€)", "balance (£)")),
    ],
    key=lambda pr: -len(pr[0]),
)  # fmt: skip
_PHRASE_ROLE = dict(_ROLE_PHRASES)
MONEY_ROLES = ("amount", "debit", "credit")
_DIGIT = re.compile(r"\d")


@dataclass(frozen=True, slots=True)
class Column:
    role: str
    x0: float
    x1: float


@dataclass(frozen=True, slots=True)
class Table:
    """The columns of one transaction table, left to right."""

    columns: tuple[Column, ...]

    def first(self, role: str) -> Column | None:
        return next((c for c in self.columns if c.role == role), None)

    @property
    def money_columns(self) -> list[Column]:
        return [c for c in self.columns if c.role in (*MONEY_ROLES, "balance")]

    @property
    def money_left(self) -> float:
        return min(c.x0 for c in self.money_columns)

    def money_column_for(self, cell: Cell) -> Column:
        """The amount or balance column a right-aligned number belongs to."""

        def score(col: Column) -> tuple[float, float]:
            overlap = min(cell.x1, col.x1 + 2) - max(cell.x0, col.x0 - 2)
            return (overlap if overlap > 0 else 0.0, -abs(cell.x1 - col.x1))

        return max(self.money_columns, key=score)


def _norm(text: str) -> str:
    # OCR leaves specks of punctuation at word edges ("_'Post Date"): they are not the word.
    text = re.sub(r"^[^a-zà-ÿ(]+|[^a-zà-ÿ)]+$", "", text.lower())
    return re.sub(r"\s+", " ", text).strip()


def role_of(text: str) -> str | None:
    return _PHRASE_ROLE.get(_norm(text))


def _cell_roles(cell: Cell) -> list[tuple[str, float, float]]:
    role = role_of(cell.text)
    if role:
        return [(role, cell.x0, cell.x1)]
    # Headers set close together merge into one cell: try each word on its own.
    roles = []
    for word in cell.words:
        r = role_of(word.text)
        if r is None:
            return []
        roles.append((r, word.x0, word.x1))
    return roles


def _fuzzy_role(text: str) -> str | None:
    norm = _norm(text)
    if len(norm) < 4:
        return None
    best = max(_ROLE_PHRASES, key=lambda pr: SequenceMatcher(None, norm, pr[0]).ratio())
    return best[1] if SequenceMatcher(None, norm, best[0]).ratio() >= 0.8 else None


def header_of(line: Line) -> Table | None:
    """The table this line is the header of, or None when it is not a transaction header."""
    text = line.text
    # Most lines are rows; header words never hold digits, which rules rows out cheaply.
    if len(line.cells) > 12 or len(text) > 200 or _DIGIT.search(text):
        return None
    found: list[Column] = []
    unknown: list[Cell] = []
    for cell in line.cells:
        roles = _cell_roles(cell)
        if not roles:
            unknown.append(cell)
        found.extend(Column(r, x0, x1) for r, x0, x1 in roles)
    if unknown:
        # A header holds header words; OCR may misspell some ("Gheck No:") or add specks,
        # and a bank may add a column we have no name for ("Type", "Category"). We forgive
        # two such cells on a line that already reads as a header; their text, if any,
        # joins the description.
        if len(found) < 3:
            return None
        strangers = 0
        for cell in unknown:
            role = _fuzzy_role(cell.text)
            if role is not None:
                found.append(Column(role, cell.x0, cell.x1))
            elif len(cell.text) > 3:
                strangers += 1
        if strangers > 2:
            return None
        found.sort(key=lambda c: c.x0)
    found_roles = [c.role for c in found]
    dates = [i for i, c in enumerate(found) if c.role in ("date", "post_date")]
    if not dates or not any(r in MONEY_ROLES for r in found_roles) or len(found) < 3:
        return None
    # The first date column is the transaction date, the second (whatever its name) posting.
    columns = list(found)
    columns[dates[0]] = Column("date", found[dates[0]].x0, found[dates[0]].x1)
    for i in dates[1:2]:
        columns[i] = Column("post_date", found[i].x0, found[i].x1)
    if "description" not in found_roles:
        return None
    return Table(tuple(columns))


def is_other_table_header(line: Line) -> bool:
    """A header of a table that holds no transactions (daily balances, summaries)."""
    if _DIGIT.search(line.text):
        return False
    roles: list[str] = []
    for cell in line.cells:
        cell_roles = _cell_roles(cell)
        if not cell_roles:
            return False
        roles.extend(r for r, _, _ in cell_roles)
    return len(roles) >= 2 and "balance" in roles and not any(r in MONEY_ROLES for r in roles)
