"""What a new QuickBooks Online company starts with: company info, preferences, a small chart of
accounts, terms, payment methods and a sales tax code, as Intuit-shaped payloads."""

from __future__ import annotations

from datetime import date
from typing import Any

_ACCOUNTS: tuple[tuple[str, str, str], ...] = (
    ("Checking", "Bank", "Checking"),
    ("Savings", "Bank", "Savings"),
    ("Undeposited Funds", "Other Current Asset", "UndepositedFunds"),
    ("Accounts Receivable (A/R)", "Accounts Receivable", "AccountsReceivable"),
    ("Inventory Asset", "Other Current Asset", "Inventory"),
    ("Accounts Payable (A/P)", "Accounts Payable", "AccountsPayable"),
    ("Visa Credit Card", "Credit Card", "CreditCard"),
    ("Opening Balance Equity", "Equity", "OpeningBalanceEquity"),
    ("Retained Earnings", "Equity", "RetainedEarnings"),
    ("Sales of Product Income", "Income", "SalesOfProductIncome"),
    ("Services", "Income", "ServiceFeeIncome"),
    ("Cost of Goods Sold", "Cost of Goods Sold", "SuppliesMaterialsCogs"),
    ("Advertising", "Expense", "AdvertisingPromotional"),
    ("Office Supplies", "Expense", "OfficeGeneralAdministrativeExpenses"),
    ("Rent or Lease", "Expense", "RentOrLeaseOfBuildings"),
    ("Utilities", "Expense", "Utilities"),
    ("Bank Charges", "Expense", "BankCharges"),
    ("Interest Earned", "Other Income", "InterestEarned"),
)


def preference_defaults(company: str) -> dict[str, Any]:
    """The Preferences sections Intuit always returns, as a new company has them.

    python-quickbooks' Preferences integration test reads `OtherPrefs.NameValue[0].Name`
    ("SalesFormsPrefs.DefaultCustomerMessage") and `EmailMessagesPrefs.EstimateMessage.Subject`
    from a real company; field names are Finance.xsd's (EmailMessagesPrefs, EmailMessage,
    OtherPrefs, NameValue). The wording of the messages is ours.
    """
    sender = company or "us"
    regards = f"\n\nSincerely,\n{company}" if company else ""

    def message(form: str, text: str) -> dict[str, str]:
        return {"Subject": f"{form} from {sender}", "Message": text + regards}

    return {
        "EmailMessagesPrefs": {
            "InvoiceMessage": message("Invoice", "Your invoice is attached. Please pay it at "
                                                 "your earliest convenience. Thank you!"),
            "EstimateMessage": message("Estimate", "Please review the attached estimate. "
                                                   "We look forward to working with you."),
            "SalesReceiptMessage": message("Sales Receipt", "Your sales receipt is attached. "
                                                            "Thank you for your business."),
            "StatementMessage": message("Statement", "Your statement is attached. Please pay "
                                                     "at your earliest convenience."),
        },
        "OtherPrefs": {"NameValue": [
            {"Name": "SalesFormsPrefs.DefaultCustomerMessage",
             "Value": "Thank you for your business and have a great day!"},
            {"Name": "SalesFormsPrefs.AllowGratuity", "Value": "false"},
            {"Name": "DTXCopyMemo", "Value": "false"},
        ]},
    }


def starter_company(name: str, today: date) -> list[tuple[str, dict[str, Any]]]:
    """(entity, payload) pairs in dependency order, with local Ids."""
    docs: list[tuple[str, dict[str, Any]]] = [
        ("CompanyInfo", {
            "Id": "1", "CompanyName": name, "LegalName": name, "Country": "USA",
            "CompanyAddr": {"Id": "1", "Line1": "100 Market Street", "City": "San Francisco",
                            "CountrySubDivisionCode": "CA", "PostalCode": "94105",
                            "Country": "USA"},
            "CompanyStartDate": today.replace(month=1, day=1).isoformat(),
            "FiscalYearStartMonth": "January", "SupportedLanguages": "en",
            "DefaultTimeZone": "America/Los_Angeles",
            "PrimaryPhone": {"FreeFormNumber": "(415) 555-0100"},
            "CompanyEmailAddr": {"Address": "books@example.com"},
        }),
        ("Preferences", {
            "Id": "1",
            "AccountingInfoPrefs": {"TrackDepartments": True, "ClassTrackingPerTxnLine": True,
                                    "FirstMonthOfFiscalYear": "January"},
            "SalesFormsPrefs": {"CustomTxnNumbers": False, "AllowDiscount": True,
                                "DefaultTerms": {"value": "3"}},
            "VendorAndPurchasesPrefs": {"BillableExpenseTracking": True},
            "CurrencyPrefs": {"MultiCurrencyEnabled": False,
                              "HomeCurrency": {"value": "USD"}},
            **preference_defaults(name),
        }),
    ]
    for number, (acct, kind, sub) in enumerate(_ACCOUNTS, start=1):
        docs.append(("Account", {"Id": str(number), "Name": acct, "AccountType": kind,
                                 "AccountSubType": sub, "Active": True}))
    for number, (term, days) in enumerate((("Due on receipt", 0), ("Net 15", 15),
                                           ("Net 30", 30), ("Net 60", 60)), start=1):
        docs.append(("Term", {"Id": str(number), "Name": term, "DueDays": days,
                              "Type": "STANDARD", "Active": True}))
    for number, (method, kind) in enumerate((("Cash", "NON_CREDIT_CARD"),
                                             ("Check", "NON_CREDIT_CARD"),
                                             ("Visa", "CREDIT_CARD"),
                                             ("MasterCard", "CREDIT_CARD")), start=1):
        docs.append(("PaymentMethod", {"Id": str(number), "Name": method, "Type": kind,
                                       "Active": True}))
    docs.append(("TaxRate", {"Id": "1", "Name": "California", "RateValue": 8.25,
                             "Active": True, "AgencyRef": {"value": "1"}}))
    docs.append(("TaxCode", {"Id": "1", "Name": "California", "Active": True, "Taxable": True,
                             "TaxGroup": False,
                             "SalesTaxRateList": {"TaxRateDetail": [
                                 {"TaxRateRef": {"value": "1", "name": "California"},
                                  "TaxTypeApplicable": "TaxOnAmount", "TaxOrder": 0}]}}))
    return docs
