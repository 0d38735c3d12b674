"""What the sandbox serves per entity: kind, URL name, delete/void rules, required fields.

Facts from QBO-API.md §2 (name lists are deactivated, not deleted; void routes) and the §8 entity
table (required-for-create, line detail types, webhook/CDC coverage).
"""

from __future__ import annotations

from dataclasses import dataclass

TXN = "transaction"
NAME = "name"
SINGLETON = "singleton"
READONLY = "readonly"
ATTACHABLE = "attachable"

VOID_OPERATION = "operation=void"  # Invoice
VOID_INCLUDE = "include=void"  # Payment, SalesReceipt, BillPayment (sparse update + include)

SALES_LINES = ("SalesItemLineDetail", "GroupLineDetail", "DescriptionOnly",
               "DiscountLineDetail", "SubTotalLineDetail")
EXPENSE_LINES = ("AccountBasedExpenseLineDetail", "ItemBasedExpenseLineDetail", "TDSLineDetail")


@dataclass(frozen=True)
class EntitySpec:
    name: str
    kind: str
    required: tuple[str, ...] = ()
    line_types: tuple[str, ...] = ()
    min_lines: int = 0
    void: str | None = None
    name_field: str = "Name"
    webhooks: bool = True
    cdc: bool = True
    # Output-only fields the server computes; client values are ignored (QBO-API.md §8).
    computed: tuple[str, ...] = ()
    # The key Intuit wraps the entity in when it answers, where that is not its name.
    json_name: str = ""

    @property
    def path(self) -> str:
        return self.name.lower()

    @property
    def response_name(self) -> str:
        """The key of this entity in read, write, query, batch and CDC answers."""
        return self.json_name or self.name

    @property
    def is_transaction(self) -> bool:
        return self.kind == TXN


_TXN_COMPUTED = ("TotalAmt", "HomeTotalAmt", "Balance", "HomeBalance")

# A missing TotalAmt on Payment/BillPayment is Intuit's 6000 "You must set a transaction amount",
# not a 2020, so it is checked by the validator rather than listed as required.
SPECS: tuple[EntitySpec, ...] = (
    EntitySpec("Purchase", TXN, ("PaymentType", "AccountRef"), EXPENSE_LINES, 1,
               computed=_TXN_COMPUTED),
    EntitySpec("Deposit", TXN, ("DepositToAccountRef",), ("DepositLineDetail",), 1,
               computed=_TXN_COMPUTED),
    EntitySpec("Bill", TXN, ("VendorRef",), EXPENSE_LINES, 1, computed=_TXN_COMPUTED),
    EntitySpec("BillPayment", TXN, ("VendorRef", "PayType"), (), 0,
               void=VOID_INCLUDE, computed=("HomeTotalAmt",)),
    EntitySpec("Invoice", TXN, ("CustomerRef",), SALES_LINES, 1, void=VOID_OPERATION,
               computed=_TXN_COMPUTED),
    EntitySpec("Payment", TXN, ("CustomerRef",), (), 0, void=VOID_INCLUDE,
               computed=("UnappliedAmt", "HomeTotalAmt")),
    EntitySpec("JournalEntry", TXN, (), ("JournalEntryLineDetail", "DescriptionOnly"), 2,
               computed=_TXN_COMPUTED),
    EntitySpec("CreditMemo", TXN, ("CustomerRef",), SALES_LINES, 1,
               computed=(*_TXN_COMPUTED, "RemainingCredit")),
    EntitySpec("VendorCredit", TXN, ("VendorRef",), EXPENSE_LINES, 1, computed=_TXN_COMPUTED),
    EntitySpec("Estimate", TXN, ("CustomerRef",), SALES_LINES, 1, computed=_TXN_COMPUTED),
    EntitySpec("PurchaseOrder", TXN, ("VendorRef",), EXPENSE_LINES, 1, computed=_TXN_COMPUTED),
    EntitySpec("SalesReceipt", TXN, (), SALES_LINES, 1, void=VOID_INCLUDE,
               computed=_TXN_COMPUTED),
    # Transfer: in Intuit's webhook entity list, with a Void event (QBO-API.md §6), and not one
    # of the CDC exclusions (§5). No SDK voids a Transfer, so the API route is our reading:
    # python-quickbooks' VoidMixin falls back to `operation=void` for entities it does not list.
    EntitySpec("Transfer", TXN, ("FromAccountRef", "ToAccountRef", "Amount"),
               void=VOID_OPERATION),
    # CreditCardPayment (XSD type CreditCardPaymentTxn): not in Intuit's webhook entity list
    # (QBO-API.md §6), not a CDC exclusion (§5). Intuit answers under the XSD name:
    # python-quickbooks `objects/creditcardpayment_entity.py` reads `CreditCardPaymentTxn`
    # from read, write and query responses ("JSON object name doesn't match the endpoint
    # name"), and other public clients key their query results the same way.
    EntitySpec("CreditCardPayment", TXN, ("CreditCardAccountRef", "BankAccountRef", "Amount"),
               webhooks=False, json_name="CreditCardPaymentTxn"),
    EntitySpec("Account", NAME, ("Name", "AccountType"),
               computed=("FullyQualifiedName", "Classification", "CurrentBalance",
                         "CurrentBalanceWithSubAccounts")),
    EntitySpec("Vendor", NAME, (), name_field="DisplayName",
               computed=("Balance", "FullyQualifiedName")),
    EntitySpec("Customer", NAME, (), name_field="DisplayName",
               computed=("Balance", "BalanceWithJobs", "FullyQualifiedName", "Level")),
    EntitySpec("Employee", NAME, (), name_field="DisplayName"),
    EntitySpec("Item", NAME, ("Name",), computed=("FullyQualifiedName", "Level")),
    EntitySpec("TaxCode", READONLY, webhooks=False, cdc=False),
    EntitySpec("TaxRate", READONLY, webhooks=False, cdc=False),
    EntitySpec("Term", NAME, ("Name",)),
    EntitySpec("PaymentMethod", NAME, ("Name",)),
    EntitySpec("Class", NAME, ("Name",), computed=("FullyQualifiedName",)),
    EntitySpec("Department", NAME, ("Name",), computed=("FullyQualifiedName",)),
    EntitySpec("CompanyInfo", SINGLETON, webhooks=False),
    EntitySpec("Preferences", SINGLETON),
    EntitySpec("Attachable", ATTACHABLE, webhooks=False),
)

BY_NAME: dict[str, EntitySpec] = {s.name: s for s in SPECS}
BY_PATH: dict[str, EntitySpec] = {s.path: s for s in SPECS}
# Query text names entities without regard to case ("select * from attachable" is answered).
BY_QUERY_NAME: dict[str, EntitySpec] = {s.name.lower(): s for s in SPECS}
# What a batch item or an answer may key an entity by: its name or Intuit's response name.
BY_ANY_NAME: dict[str, EntitySpec] = {**{s.response_name: s for s in SPECS}, **BY_NAME}
PEOPLE = ("Customer", "Vendor", "Employee")

# Reference fields and the entity they point at, wherever they appear in a payload.
REF_TARGETS: dict[str, str] = {
    "VendorRef": "Vendor", "CustomerRef": "Customer", "AccountRef": "Account",
    "APAccountRef": "Account", "ARAccountRef": "Account", "DepositToAccountRef": "Account",
    "IncomeAccountRef": "Account", "ExpenseAccountRef": "Account",
    "AssetAccountRef": "Account", "COGSAccountRef": "Account", "BankAccountRef": "Account",
    "CCAccountRef": "Account", "FromAccountRef": "Account", "ToAccountRef": "Account",
    "CreditCardAccountRef": "Account", "ItemRef": "Item", "ClassRef": "Class",
    "DepartmentRef": "Department", "SalesTermRef": "Term", "TermRef": "Term",
    "PaymentMethodRef": "PaymentMethod", "TaxCodeRef": "TaxCode", "PrefVendorRef": "Vendor",
    "DefaultTaxCodeRef": "TaxCode", "TaxRateRef": "TaxRate",
}

# US companies use the pseudo tax codes TAX and NON on lines; they are not TaxCode records.
PSEUDO_TAX_CODES = frozenset({"TAX", "NON"})

# Server-owned keys that every entity carries.
SERVER_KEYS = ("Id", "SyncToken", "MetaData", "domain", "sparse", "status")
