"""Journal entries of a seeded year: the opening balances, payroll, and month-end routines
(depreciation, loan payments, paying off cards, remitting payroll and sales tax, owner's draw).

Every entry balances: its credit lines add up to its debit lines to the cent.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from .book import CENT, ZERO, Book, Record

__all__ = ["Journals"]

USD = {"value": "USD", "name": "United States Dollar"}

OPENING = (  # account key, debit (positive) or credit (negative) in dollars
    ("checking", "48000"), ("savings", "25000"), ("petty_cash", "500"),
    ("vehicles", "62000"), ("equipment", "38500"), ("furniture", "6200"),
    ("computers", "4800"), ("deposits_held", "8400"), ("accum_dep", "-21300"),
    ("truck_loan", "-41000"), ("sba_loan", "-60000"),
)  # fmt: skip
EMPLOYER_TAX = Decimal("0.0765")
WITHHOLDING = Decimal("0.22")
PETTY_CASH_FLOAT = Decimal("500.00")


class Journals:
    def __init__(self, book: Book) -> None:
        self.book = book
        # Annual salary per employee, fixed for the year.
        self.salaries = {
            employee["Id"]: Decimal(book.rng.randrange(46_000, 86_000, 500))
            for employee in book.records["Employee"]
        }
        first_friday = book.start + timedelta(days=(4 - book.start.weekday()) % 7)
        self.paydays = {first_friday + timedelta(days=14 * n) for n in range(28)}

    def entry(self, on: date, note: str, lines: list[tuple[str, Decimal, Record | None]]) -> None:
        """Add a balanced entry from (account key, debit if > 0 else credit, employee) lines."""
        book = self.book
        debits = sum((amount for _, amount, _ in lines if amount > 0), ZERO)
        credits = -sum((amount for _, amount, _ in lines if amount < 0), ZERO)
        assert debits == credits, (note, debits, credits)
        rows = []
        for n, (key, amount, employee) in enumerate(lines):
            account = book.account(key)
            detail: Record = {"PostingType": "Debit" if amount > 0 else "Credit",
                              "AccountRef": book.ref(account)}  # fmt: skip
            if employee is not None:
                detail["Entity"] = {"Type": "Employee",
                                    "EntityRef": book.ref(employee, "DisplayName")}
            rows.append({"Id": str(n), "Description": note, "Amount": abs(amount),
                         "DetailType": "JournalEntryLineDetail",
                         "JournalEntryLineDetail": detail})  # fmt: skip
            book.post(account, amount)
        book.add("JournalEntry", {"TxnDate": str(on), "CurrencyRef": USD, "Adjustment": False,
                                  "PrivateNote": note, "Line": rows, "TotalAmt": debits}, on)

    def opening(self) -> None:
        lines: list[tuple[str, Decimal, Record | None]] = [
            (key, Decimal(amount), None) for key, amount in OPENING
        ]
        equity = -sum((amount for _, amount, _ in lines), ZERO)
        lines.append(("opening_equity", equity, None))
        self.entry(self.book.start, "Opening balances", lines)

    def day(self, on: date) -> None:
        book = self.book
        if on in self.paydays:
            self._payroll(on)
        if on.weekday() == 0:
            short = PETTY_CASH_FLOAT - book.ledger[book.account("petty_cash")["Id"]]
            if short > 0:
                self._from_checking(on, "Petty cash top-up", [("petty_cash", short)])
        if on.day == 5:
            self._from_checking(on, "Loan payments", [
                ("truck_loan", Decimal("1050.00")), ("sba_loan", Decimal("1400.00")),
                ("exp_interest", book.money(420, 520)),
            ])  # fmt: skip
        if on.day == 15:
            self._settle(on, "payroll_liab", "Payroll tax deposit")
        if on.day == 20:
            self._settle(on, "visa", "Chase Ink Visa payment")
            self._settle(on, "amex", "American Express payment")
        if on.day == 25:
            self._settle(on, "sales_tax", "Sales tax payment")
            self._from_checking(on, "Owner's draw", [("owner_draw", book.money(2500, 6000))])
        if (on + timedelta(days=1)).day == 1:
            amount = Decimal("1187.50")
            self.entry(on, "Monthly depreciation", [("depreciation", amount, None),
                                                    ("accum_dep", -amount, None)])  # fmt: skip

    def _from_checking(self, on: date, note: str, debits: list[tuple[str, Decimal]]) -> None:
        """Debit each account and credit the bank with the total."""
        total = sum((amount for _, amount in debits), ZERO)
        lines: list[tuple[str, Decimal, Record | None]] = [(k, a, None) for k, a in debits]
        self.entry(on, note, [*lines, ("checking", -total, None)])

    def _payroll(self, on: date) -> None:
        book = self.book
        lines: list[tuple[str, Decimal, Record | None]] = []
        withheld = employer = ZERO
        for employee in book.records["Employee"]:
            gross = (self.salaries[employee["Id"]] / 26).quantize(CENT)
            lines.append(("exp_wages", gross, employee))
            withheld += (gross * WITHHOLDING).quantize(CENT)
            employer += (gross * EMPLOYER_TAX).quantize(CENT)
        gross_total = sum((amount for _, amount, _ in lines), ZERO)
        lines += [
            ("exp_payroll_tax", employer, None),
            ("checking", -(gross_total - withheld), None),
            ("payroll_liab", -(withheld + employer), None),
        ]
        self.entry(on, f"Payroll {on.isoformat()}", lines)

    def _settle(self, on: date, key: str, note: str) -> None:
        """Pay a liability's whole credit balance from checking."""
        owed = -self.book.ledger[self.book.account(key)["Id"]]
        if owed > 0:
            self.entry(on, note, [(key, owed, None), ("checking", -owed, None)])
