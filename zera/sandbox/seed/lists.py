"""A seeded company's settings and name lists: who it is, its chart, parties, items and codes."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from ..starter import preference_defaults
from .book import ZERO, Book, Record
from .catalog import (
    ACCOUNTS,
    BUSINESS_WORDS,
    CITIES,
    CLASSES,
    CLASSIFICATION,
    DEPARTMENTS,
    FAMILY_NAMES,
    GIVEN_NAMES,
    ITEMS,
    PAYMENT_METHODS,
    STREETS,
    TAX_CODES,
    TAX_RATES,
    TERMS,
    TRADE_KINDS,
    TRADE_NAMES,
    VENDORS,
)  # fmt: skip

__all__ = ["add_name_lists"]

USD = {"value": "USD", "name": "United States Dollar"}
VENDOR_COUNT = 40
CUSTOMER_COUNT = 30
EMPLOYEE_COUNT = 4


def add_name_lists(book: Book) -> str:
    """Add everything that transactions refer to; returns the company name."""
    opened = book.start - timedelta(days=book.rng.randint(400, 2400))
    name = f"{book.rng.choice(TRADE_NAMES)} {book.rng.choice(TRADE_KINDS)}"
    _company(book, name, opened)
    for spec in ACCOUNTS:
        book.add("Account", {
            "Name": spec.name, "SubAccount": False, "FullyQualifiedName": spec.name,
            "Active": True, "Classification": CLASSIFICATION[spec.type], "AccountType": spec.type,
            "AccountSubType": spec.sub_type, "AcctNum": spec.number, "CurrentBalance": ZERO,
            "CurrentBalanceWithSubAccounts": ZERO, "CurrencyRef": USD,
        }, opened, key=spec.key)  # fmt: skip
    _tax(book, opened)
    for term_name, due_days, discount, discount_days in TERMS:
        term: Record = {"Name": term_name, "Active": True, "Type": "STANDARD", "DueDays": due_days}
        if discount is not None:
            term |= {"DiscountPercent": Decimal(discount), "DiscountDays": discount_days}
        book.add("Term", term, opened, key=term_name)
    for method, kind in PAYMENT_METHODS:
        book.add("PaymentMethod", {"Name": method, "Active": True, "Type": kind}, opened,
                 key=method)  # fmt: skip
    for class_name in CLASSES:
        book.add("Class", {"Name": class_name, "SubClass": False,
                           "FullyQualifiedName": class_name, "Active": True}, opened,
                 key=class_name)  # fmt: skip
    for department in DEPARTMENTS:
        book.add("Department", {"Name": department, "SubDepartment": False,
                                "FullyQualifiedName": department, "Active": True}, opened,
                 key=department)  # fmt: skip
    used_names: set[str] = set()
    _vendors(book, opened, used_names)
    _customers(book, opened, used_names)
    _employees(book, opened, used_names)
    _items(book, opened)
    _preferences(book)
    return name


def _address(book: Book, address_id: int | None = None) -> tuple[Record, int]:
    city, state, postal, tax_index = book.rng.choice(CITIES)
    address: Record = {
        "Line1": f"{book.rng.randint(100, 9899)} {book.rng.choice(STREETS)}",
        "City": city, "CountrySubDivisionCode": state, "PostalCode": postal, "Country": "USA",
    }  # fmt: skip
    if address_id is not None:
        address = {"Id": str(address_id), **address}
    return address, tax_index


def _phone(book: Book) -> Record:
    area = book.rng.choice(("510", "408", "650", "925"))
    exchange, line = book.rng.randint(200, 989), book.rng.randint(0, 9999)
    return {"FreeFormNumber": f"({area}) {exchange}-{line:04d}"}


def _company(book: Book, name: str, opened: date) -> None:
    address, _ = _address(book)
    domain = name.lower().replace(" ", "").replace("&", "and")
    book.add("CompanyInfo", {
        "CompanyName": name, "LegalName": f"{name} LLC", "CompanyAddr": address,
        "CustomerCommunicationAddr": address, "LegalAddr": address,
        "CustomerCommunicationEmailAddr": {"Address": f"office@{domain}.example"},
        "PrimaryPhone": _phone(book), "CompanyStartDate": str(opened), "FiscalYearStartMonth":
        "January", "Country": "US", "Email": {"Address": f"office@{domain}.example"},
        "WebAddr": {"URI": f"https://{domain}.example"}, "SupportedLanguages": "en",
        "NameValue": [
            {"Name": "NeoEnabled", "Value": "true"},
            {"Name": "IndustryType", "Value": "Landscaping Services"},
            {"Name": "CompanyType", "Value": "LLC"},
            {"Name": "SubscriptionStatus", "Value": "SUBSCRIBED"},
            {"Name": "OfferingSku", "Value": "QuickBooks Online Plus"},
        ],
    }, book.start)  # fmt: skip


def _preferences(book: Book) -> None:
    net_30 = book.ref(book.by_key("Term", "Net 30"))
    book.add("Preferences", {
        "AccountingInfoPrefs": {
            "TrackDepartments": True, "DepartmentTerminology": "Location",
            "ClassTrackingPerTxn": False, "ClassTrackingPerTxnLine": True,
            "CustomerTerminology": "Customers", "FirstMonthOfFiscalYear": "January",
        },
        "ProductAndServicesPrefs": {"ForSales": True, "ForPurchase": True,
                                    "QuantityWithPriceAndRate": True, "QuantityOnHand": False},
        "SalesFormsPrefs": {"CustomTxnNumbers": True, "AllowDiscount": True,
                            "AllowShipping": False, "AllowDeposit": False,
                            "DefaultTerms": net_30, "EstimateMessage": "Thank you!"},
        "VendorAndPurchasesPrefs": {"TrackingByCustomer": True, "BillableExpenseTracking": True,
                                    "DefaultTerms": net_30},
        "TaxPrefs": {"UsingSalesTax": True, "PartnerTaxEnabled": True},
        "CurrencyPrefs": {"MultiCurrencyEnabled": False, "HomeCurrency": {"value": "USD"}},
        "TimeTrackingPrefs": {"UseServices": True, "BillCustomers": True,
                              "ShowBillRateToAll": False, "WorkWeekStartDate": "Monday"},
        **preference_defaults(book.records["CompanyInfo"][0]["CompanyName"]),
    }, book.start)  # fmt: skip


def _tax(book: Book, opened: date) -> None:
    rates = [
        book.add("TaxRate", {"Name": rate_name, "Description": f"{rate_name} sales tax",
                             "Active": True, "RateValue": Decimal(value),
                             "SpecialTaxType": "NONE", "DisplayType": "ReadOnly"}, book.start)
        for rate_name, value in TAX_RATES
    ]  # fmt: skip
    for code_name, indexes in TAX_CODES:
        details = [
            {"TaxRateRef": book.ref(rates[i]), "TaxTypeApplicable": "TaxOnAmount", "TaxOrder": 0}
            for i in indexes
        ]
        book.add("TaxCode", {"Name": code_name, "Description": f"{code_name} sales tax",
                             "Active": True, "Hidden": False, "Taxable": True, "TaxGroup": True,
                             "SalesTaxRateList": {"TaxRateDetail": details},
                             "PurchaseTaxRateList": {"TaxRateDetail": []}}, book.start,
                 key=code_name)  # fmt: skip


def _unique(name: str, used: set[str]) -> str:
    candidate, n = name, 2
    while candidate.lower() in used:
        candidate, n = f"{name} {n}", n + 1
    used.add(candidate.lower())
    return candidate


def _vendors(book: Book, opened: date, used: set[str]) -> None:
    specs = list(VENDORS)
    book.rng.shuffle(specs)
    for spec in sorted(specs[:VENDOR_COUNT], key=lambda s: s.name):
        address, _ = _address(book)
        display = _unique(spec.name, used)
        slug = "".join(ch for ch in spec.name.lower() if ch.isalnum())[:18]
        terms = "Net 30" if spec.channel == "bill" else "Due on receipt"
        book.add("Vendor", {
            "DisplayName": display, "CompanyName": spec.name, "PrintOnCheckName": spec.name,
            "Active": True, "PrimaryPhone": _phone(book),
            "PrimaryEmailAddr": {"Address": f"billing@{slug}.example"}, "BillAddr": address,
            "TermRef": book.ref(book.by_key("Term", terms)), "AcctNum": str(book.rng.randint(
                10000, 99999)), "Vendor1099": spec.account == "cogs_subs", "Balance": ZERO,
            "CurrencyRef": USD,
        }, opened, key=spec.name)  # fmt: skip


def _customers(book: Book, opened: date, used: set[str]) -> None:
    for n in range(CUSTOMER_COUNT):
        given, family = book.rng.choice(GIVEN_NAMES), book.rng.choice(FAMILY_NAMES)
        address, tax_index = _address(book, address_id=n + 1)
        business = book.chance(0.45)
        company = f"{family} {book.rng.choice(BUSINESS_WORDS)}" if business else None
        display = _unique(company or f"{given} {family}", used)
        terms = book.rng.choice(("Net 30", "Net 30", "Net 15", "Due on receipt", "1% 10 Net 30"))
        record: Record = {
            "GivenName": given, "FamilyName": family, "DisplayName": display,
            "FullyQualifiedName": display, "PrintOnCheckName": company or f"{given} {family}",
            "Active": True, "PrimaryPhone": _phone(book),
            "PrimaryEmailAddr": {"Address": f"{given.lower()}.{family.lower()}@mail.example"},
            "BillAddr": address, "ShipAddr": address, "Taxable": True, "Job": False,
            "BillWithParent": False, "SalesTermRef": book.ref(book.by_key("Term", terms)),
            "Balance": ZERO, "BalanceWithJobs": ZERO, "CurrencyRef": USD,
            "PreferredDeliveryMethod": "Email", "IsProject": False,
            "Notes": "Commercial account" if business else "Residential client",
        }  # fmt: skip
        if company:
            record["CompanyName"] = company
        added = book.add("Customer", record, opened + timedelta(days=book.rng.randint(0, 300)),
                         key=display)  # fmt: skip
        # Where the customer is decides the sales tax its invoices carry.
        book.customer_tax_code[added["Id"]] = book.by_key("TaxCode", TAX_CODES[tax_index][0])


def _employees(book: Book, opened: date, used: set[str]) -> None:
    for n in range(EMPLOYEE_COUNT):
        given, family = book.rng.choice(GIVEN_NAMES), book.rng.choice(FAMILY_NAMES)
        address, _ = _address(book)
        display = _unique(f"{given} {family}", used)
        book.add("Employee", {
            "GivenName": given, "FamilyName": family, "DisplayName": display,
            "PrintOnCheckName": display, "Active": True, "PrimaryPhone": _phone(book),
            "PrimaryEmailAddr": {"Address": f"{given.lower()}@crew.example"},
            "PrimaryAddr": address, "EmployeeNumber": f"E{101 + n}",
            "SSN": f"XXX-XX-{book.rng.randint(1000, 9999)}", "BillableTime": n > 0,
            "HiredDate": str(opened),
        }, opened, key=display)  # fmt: skip


def _items(book: Book, opened: date) -> None:
    for spec in ITEMS:
        record: Record = {
            "Name": spec.name, "FullyQualifiedName": spec.name, "Active": True,
            "Description": spec.name, "Type": spec.type, "Taxable": spec.type == "NonInventory",
            "UnitPrice": Decimal(spec.price), "TrackQtyOnHand": False,
            "IncomeAccountRef": book.ref(book.account(spec.income)),
        }  # fmt: skip
        if spec.cost is not None and spec.expense is not None:
            record |= {"PurchaseDesc": spec.name, "PurchaseCost": Decimal(spec.cost),
                       "ExpenseAccountRef": book.ref(book.account(spec.expense))}  # fmt: skip
        book.add("Item", record, opened, key=spec.name)
