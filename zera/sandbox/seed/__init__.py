"""A sandbox company that looks like a real small business, generated from a seed number.

`generate_company(seed, today=...)` returns Intuit-shaped JSON payloads (exact field names, money
as Decimal to the cent, dates as YYYY-MM-DD, local Ids "1", "2", ... per entity type) for a
landscaping firm: its settings, a ~60-account chart, parties, items, tax codes, and a year of
history ending at `today` across the twelve transaction types. The same seed and day give the
same company; references, LinkedTxn amounts and balances agree with each other.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from types import MappingProxyType

from .book import ENTITY_ORDER, ZERO, Book, Record
from .expenses import Expenses
from .journals import Journals
from .lists import add_name_lists
from .sales import Sales

__all__ = ["ENTITY_ORDER", "TRANSACTION_TYPES", "SeedCompany", "generate_company"]

TRANSACTION_TYPES: tuple[str, ...] = (
    "Purchase", "Deposit", "Bill", "BillPayment", "Invoice", "Payment", "JournalEntry",
    "CreditMemo", "VendorCredit", "Estimate", "PurchaseOrder", "SalesReceipt",
)  # fmt: skip


@dataclass(frozen=True)
class SeedCompany:
    """A generated company: payloads per entity type, in dependency order.

    The payload dicts belong to the caller (generate a fresh company rather than share one).
    """

    seed: int
    today: date
    name: str
    entities: Mapping[str, tuple[Record, ...]]

    def __getitem__(self, entity: str) -> tuple[Record, ...]:
        return self.entities[entity]

    def get(self, entity: str, entity_id: str) -> Record | None:
        """One record by type and Id (Ids are "1", "2", ... in creation order)."""
        records = self.entities.get(entity, ())
        index = int(entity_id) - 1 if entity_id.isdigit() else -1
        return records[index] if 0 <= index < len(records) else None

    def records(self) -> Iterator[tuple[str, Record]]:
        """(entity, payload) for everything, each record after whatever it refers to."""
        for entity in ENTITY_ORDER:
            for record in self.entities[entity]:
                yield entity, record

    def counts(self) -> dict[str, int]:
        return {entity: len(records) for entity, records in self.entities.items()}

    @property
    def transaction_count(self) -> int:
        return sum(len(self.entities[entity]) for entity in TRANSACTION_TYPES)

    @property
    def company_info(self) -> Record:
        return self.entities["CompanyInfo"][0]

    @property
    def preferences(self) -> Record:
        return self.entities["Preferences"][0]


def generate_company(seed: int, *, today: date, months: int = 12) -> SeedCompany:
    """Generate the company for `seed` with `months` of history ending on `today`."""
    if months < 1:
        raise ValueError("months must be at least 1")
    book = Book(seed, today, months)
    name = add_name_lists(book)
    sales, expenses, journals = Sales(book), Expenses(book), Journals(book)
    journals.opening()
    for day in book.days():
        sales.day(day)
        expenses.day(day)
        journals.day(day)
        if day.day == 28:
            sales.interest(day)
    _settle_balances(book)
    entities = MappingProxyType({entity: tuple(book.records[entity]) for entity in ENTITY_ORDER})
    return SeedCompany(seed=seed, today=today, name=name, entities=entities)


def _settle_balances(book: Book) -> None:
    """Write the balances Intuit would show: accounts from the ledger, parties from open items."""
    for account in book.records["Account"]:
        if account["Classification"] in ("Revenue", "Expense"):
            continue  # profit-and-loss accounts carry no running balance
        debit_balance = book.ledger[account["Id"]]
        balance = debit_balance if account["Classification"] == "Asset" else -debit_balance
        account["CurrentBalance"] = balance
        account["CurrentBalanceWithSubAccounts"] = balance
    owed: dict[tuple[str, str], Decimal] = {}
    for entity, party, sign in (("Invoice", "CustomerRef", 1), ("CreditMemo", "CustomerRef", -1),
                                ("Bill", "VendorRef", 1), ("VendorCredit", "VendorRef", -1)):
        kind = party[:-3]
        for record in book.records[entity]:
            key = (kind, record[party]["value"])
            owed[key] = owed.get(key, ZERO) + sign * record["Balance"]
    for kind in ("Customer", "Vendor"):
        for record in book.records[kind]:
            record["Balance"] = owed.get((kind, record["Id"]), ZERO)
            if kind == "Customer":
                record["BalanceWithJobs"] = record["Balance"]
