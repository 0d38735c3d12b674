"""The schema field table accepts Intuit-shaped payloads and reports keys Intuit would not know."""

from __future__ import annotations

from typing import Any

import pytest

from zera.sandbox.fields import (
    ENTITY_FIELDS,
    SERVED_ENTITIES,
    TYPE_FIELDS,
    UnknownEntity,
    field_type,
    unknown_fields,
)

META = {"CreateTime": "2026-01-05T10:35:04-08:00", "LastUpdatedTime": "2026-01-06T09:00:00-08:00"}

# Shapes as Intuit returns them (read responses), trimmed to what a sync client meets.
INVOICE: dict[str, Any] = {
    "Id": "130",
    "SyncToken": "2",
    "domain": "QBO",
    "sparse": False,
    "MetaData": META,
    "CustomField": [{"DefinitionId": "1", "Name": "Crew #", "Type": "StringType"}],
    "DocNumber": "1037",
    "TxnDate": "2026-01-05",
    "CurrencyRef": {"value": "USD", "name": "United States Dollar"},
    "LinkedTxn": [{"TxnId": "100", "TxnType": "Estimate"}],
    "Line": [
        {
            "Id": "1",
            "LineNum": 1,
            "Description": "Rock Fountain",
            "Amount": 275.0,
            "DetailType": "SalesItemLineDetail",
            "SalesItemLineDetail": {
                "ItemRef": {"value": "5", "name": "Rock Fountain"},
                "UnitPrice": 275,
                "Qty": 1,
                "TaxCodeRef": {"value": "TAX"},
                "ServiceDate": "2026-01-04",
            },
        },
        {"Amount": 275.0, "DetailType": "SubTotalLineDetail", "SubTotalLineDetail": {}},
    ],
    "TxnTaxDetail": {
        "TxnTaxCodeRef": {"value": "2"},
        "TotalTax": 26.82,
        "TaxLine": [
            {
                "Amount": 26.82,
                "DetailType": "TaxLineDetail",
                "TaxLineDetail": {
                    "TaxRateRef": {"value": "3"},
                    "PercentBased": True,
                    "TaxPercent": 8,
                    "NetAmountTaxable": 335.25,
                },
            }
        ],
    },
    "CustomerRef": {"value": "24", "name": "Sonnenschein Family Store"},
    "CustomerMemo": {"value": "Thank you for your business."},
    "BillAddr": {"Id": "95", "Line1": "Russ Sonnenschein", "City": "Middlefield",
                 "CountrySubDivisionCode": "CA", "PostalCode": "94303"},
    "SalesTermRef": {"value": "3"},
    "DueDate": "2026-02-04",
    "TotalAmt": 362.07,
    "ApplyTaxAfterDiscount": False,
    "PrintStatus": "NeedToPrint",
    "EmailStatus": "NotSet",
    "BillEmail": {"Address": "Familiystore@intuit.com"},
    "Balance": 362.07,
}  # fmt: skip

BILL_PAYMENT: dict[str, Any] = {
    "Id": "623",
    "SyncToken": "0",
    "domain": "QBO",
    "MetaData": META,
    "TxnDate": "2026-03-01",
    "VendorRef": {"value": "56", "name": "Bob's Burger Joint"},
    "PayType": "Check",
    "CheckPayment": {"BankAccountRef": {"value": "35", "name": "Checking"},
                     "PrintStatus": "NeedToPrint"},
    "TotalAmt": 200.0,
    "Line": [{"Amount": 200.0, "LinkedTxn": [{"TxnId": "234", "TxnType": "Bill"}]}],
}  # fmt: skip

JOURNAL_ENTRY: dict[str, Any] = {
    "TxnDate": "2026-02-28",
    "Adjustment": False,
    "Line": [
        {
            "Id": "0",
            "Description": "Depreciation",
            "Amount": 25.54,
            "DetailType": "JournalEntryLineDetail",
            "JournalEntryLineDetail": {
                "PostingType": "Debit",
                "AccountRef": {"value": "39", "name": "Depreciation"},
                "Entity": {"Type": "Vendor", "EntityRef": {"value": "4", "name": "Acme"}},
            },
        },
        {
            "Amount": 25.54,
            "DetailType": "JournalEntryLineDetail",
            "JournalEntryLineDetail": {"PostingType": "Credit", "AccountRef": {"value": "44"}},
        },
    ],
}

CUSTOMER: dict[str, Any] = {
    "Id": "24",
    "SyncToken": "0",
    "domain": "QBO",
    "sparse": False,
    "MetaData": META,
    "GivenName": "Russ",
    "FamilyName": "Sonnenschein",
    "DisplayName": "Sonnenschein Family Store",
    "CompanyName": "Sonnenschein Family Store",
    "PrintOnCheckName": "Sonnenschein Family Store",
    "Active": True,
    "PrimaryPhone": {"FreeFormNumber": "(650) 557-8463"},
    "PrimaryEmailAddr": {"Address": "Familiystore@intuit.com"},
    "WebAddr": {"URI": "http://familystore.example"},
    "BillAddr": {"Line1": "5647 Cypress Hill Ave.", "City": "Middlefield",
                 "CountrySubDivisionCode": "CA", "PostalCode": "94303", "Country": "USA"},
    "Taxable": True,
    "Job": False,
    "BillWithParent": False,
    "Balance": 362.07,
    "BalanceWithJobs": 362.07,
    "CurrencyRef": {"value": "USD", "name": "United States Dollar"},
    "PreferredDeliveryMethod": "Print",
    "IsProject": False,
}  # fmt: skip

DEPOSIT: dict[str, Any] = {
    "DepositToAccountRef": {"value": "35", "name": "Checking"},
    "TxnDate": "2026-04-02",
    "TotalAmt": 150.0,
    "Line": [
        {"Amount": 100.0, "LinkedTxn": [{"TxnId": "120", "TxnType": "Payment", "TxnLineId": "0"}]},
        {
            "Amount": 50.0,
            "DetailType": "DepositLineDetail",
            "DepositLineDetail": {
                "AccountRef": {"value": "79"},
                "Entity": {"value": "3", "type": "CUSTOMER"},
                "PaymentMethodRef": {"value": "2"},
                "CheckNum": "1001",
            },
        },
    ],
}

PREFERENCES: dict[str, Any] = {
    "Id": "1",
    "SyncToken": "0",
    "domain": "QBO",
    "AccountingInfoPrefs": {"UseAccountNumbers": True, "TrackDepartments": True,
                            "ClassTrackingPerTxnLine": True, "BookCloseDate": "2025-12-31"},
    "SalesFormsPrefs": {"CustomTxnNumbers": True, "DefaultTerms": {"value": "3"}},
    "CurrencyPrefs": {"MultiCurrencyEnabled": False, "HomeCurrency": {"value": "USD"}},
    "OtherPrefs": {"NameValue": [{"Name": "SalesFormsPrefs.DefaultCustomerMessage",
                                  "Value": "Thank you"}]},
}  # fmt: skip

TRANSFER: dict[str, Any] = {
    "Id": "180", "SyncToken": "0", "domain": "QBO", "sparse": False, "MetaData": META,
    "TxnDate": "2026-03-02", "CurrencyRef": {"value": "USD", "name": "United States Dollar"},
    "PrivateNote": "To savings", "FromAccountRef": {"value": "35", "name": "Checking"},
    "ToAccountRef": {"value": "36", "name": "Savings"}, "Amount": 120.0,
}  # fmt: skip

CREDIT_CARD_PAYMENT: dict[str, Any] = {
    "Id": "181", "SyncToken": "0", "domain": "QBO", "sparse": False, "MetaData": META,
    "TxnDate": "2026-03-03", "PrivateNote": "March statement", "Memo": "Visa",
    "CreditCardAccountRef": {"value": "41", "name": "Visa"},
    "BankAccountRef": {"value": "35", "name": "Checking"}, "Amount": 560.25,
    "VendorRef": {"value": "7", "name": "Chase"}, "CheckNum": "1042", "PrintStatus": "NotSet",
}  # fmt: skip

GOOD = [
    ("Transfer", TRANSFER),
    ("CreditCardPayment", CREDIT_CARD_PAYMENT),
    ("Invoice", INVOICE),
    ("BillPayment", BILL_PAYMENT),
    ("JournalEntry", JOURNAL_ENTRY),
    ("Customer", CUSTOMER),
    ("Deposit", DEPOSIT),
    ("Preferences", PREFERENCES),
]


@pytest.mark.parametrize(("entity", "payload"), GOOD, ids=[name for name, _ in GOOD])
def test_intuit_shaped_payloads_pass(entity: str, payload: dict[str, Any]) -> None:
    assert unknown_fields(entity, payload) == []


def test_a_misspelled_top_level_key_is_reported() -> None:
    payload = {**CUSTOMER, "DisplayNmae": "typo", "Email": "x@example.com"}
    assert unknown_fields("Customer", payload) == ["DisplayNmae", "Email"]


def test_unknown_keys_inside_line_details_are_reported_with_their_path() -> None:
    line = {"Amount": 1, "DetailType": "SalesItemLineDetail",
            "SalesItemLineDetail": {"ItemRef": {"value": "5", "id": "5"}, "Quantity": 1}}
    payload = {**INVOICE, "Line": [INVOICE["Line"][0], line]}
    assert unknown_fields("Invoice", payload) == [
        "Line[1].SalesItemLineDetail.ItemRef.id",
        "Line[1].SalesItemLineDetail.Quantity",
    ]  # fmt: skip


def test_unknown_keys_in_addresses_refs_and_metadata_are_reported() -> None:
    payload = {
        **CUSTOMER,
        "BillAddr": {"Line1": "1 Main St", "Street": "Main"},
        "CurrencyRef": {"value": "USD", "label": "Dollar"},
        "MetaData": {"CreateTime": "2026-01-01T00:00:00Z", "UpdatedTime": "x"},
    }
    assert sorted(unknown_fields("Customer", payload)) == [
        "BillAddr.Street", "CurrencyRef.label", "MetaData.UpdatedTime",
    ]  # fmt: skip


def test_a_detail_type_that_belongs_to_a_line_is_not_valid_on_the_transaction() -> None:
    # JournalEntryLineDetail is a Line field, not a JournalEntry field.
    payload = {**JOURNAL_ENTRY, "JournalEntryLineDetail": {"PostingType": "Debit"}}
    assert unknown_fields("JournalEntry", payload) == ["JournalEntryLineDetail"]


def test_an_object_under_a_simple_field_has_every_key_reported() -> None:
    payload = {**BILL_PAYMENT, "TotalAmt": {"value": 200}}
    assert unknown_fields("BillPayment", payload) == ["TotalAmt.value"]


def test_field_names_are_case_sensitive() -> None:
    assert unknown_fields("Invoice", {"totalAmt": 1, "customerRef": {"value": "1"}}) == [
        "totalAmt", "customerRef",
    ]  # fmt: skip


def test_extension_fields_may_hold_anything() -> None:
    payload = {"InvoiceEx": {"any": [{"name": "XRefId", "value": "42"}]}}
    assert unknown_fields("Invoice", payload) == []


def test_an_unserved_or_miscased_entity_is_refused() -> None:
    with pytest.raises(UnknownEntity):
        unknown_fields("invoice", {})
    with pytest.raises(UnknownEntity):
        unknown_fields("TimeActivity", {})


def test_every_served_entity_has_intuit_entity_fields_and_json_attributes() -> None:
    assert set(ENTITY_FIELDS) == set(SERVED_ENTITIES)
    assert len(SERVED_ENTITIES) == 28
    for entity, names in ENTITY_FIELDS.items():
        missing = {"Id", "SyncToken", "MetaData", "CustomField", "domain", "status",
                   "sparse"} - names  # fmt: skip
        assert not missing, (entity, missing)


def test_inherited_transaction_and_name_fields_are_included() -> None:
    for entity in ("Purchase", "Bill", "Invoice", "JournalEntry", "SalesReceipt"):
        assert {"DocNumber", "TxnDate", "Line", "PrivateNote", "LinkedTxn"} <= ENTITY_FIELDS[entity]
    for entity in ("Vendor", "Customer", "Employee"):
        assert {"DisplayName", "GivenName", "PrimaryEmailAddr", "Active"} <= ENTITY_FIELDS[entity]
    # PurchaseByVendor brings VendorRef and APAccountRef to Bill, VendorCredit and PurchaseOrder.
    for entity in ("Bill", "VendorCredit", "PurchaseOrder"):
        assert {"VendorRef", "APAccountRef", "TotalAmt"} <= ENTITY_FIELDS[entity]
    # SalesTransaction brings CustomerRef and Balance to the sales forms.
    for entity in ("Invoice", "CreditMemo", "Estimate", "SalesReceipt"):
        assert {"CustomerRef", "Balance", "BillAddr", "TotalAmt"} <= ENTITY_FIELDS[entity]


def test_fields_that_other_entities_have_are_not_borrowed() -> None:
    assert "Balance" not in ENTITY_FIELDS["Purchase"]
    assert "PayType" not in ENTITY_FIELDS["Payment"]
    assert "DisplayName" not in ENTITY_FIELDS["Account"]
    assert "AccountType" not in ENTITY_FIELDS["Item"]


def test_nested_types_resolve_to_their_own_field_tables() -> None:
    assert field_type("Invoice", "BillAddr") == "PhysicalAddress"
    assert field_type("Invoice", "MetaData") == "ModificationMetaData"
    assert field_type("BillPayment", "CheckPayment") == "BillPaymentCheck"
    assert field_type("Invoice", "TotalAmt") is None
    assert set(TYPE_FIELDS["ReferenceType"]) == {"value", "name", "type"}
    assert {"CreateTime", "LastUpdatedTime"} <= set(TYPE_FIELDS["ModificationMetaData"])
    assert set(TYPE_FIELDS["LinkedTxn"]) == {"TxnId", "TxnType", "TxnLineId"}
    assert {"ItemRef", "UnitPrice", "Qty", "ServiceDate"} <= set(TYPE_FIELDS["SalesItemLineDetail"])


def test_credit_card_payment_uses_the_schema_type_credit_card_payment_txn() -> None:
    """The REST entity CreditCardPayment is Finance.xsd's CreditCardPaymentTxn, not the
    card-charge type of the same name that Purchase and Payment hold."""
    assert {"CreditCardAccountRef", "BankAccountRef", "Amount", "Memo",
            "TxnDate"} <= ENTITY_FIELDS["CreditCardPayment"]  # fmt: skip
    assert "CreditChargeInfo" not in ENTITY_FIELDS["CreditCardPayment"]
    assert unknown_fields("CreditCardPayment", {"TotalAmt": 5, "FromAccountRef": {}}) == [
        "TotalAmt", "FromAccountRef",
    ]  # fmt: skip
    assert field_type("Purchase", "CreditCardPayment") == "CreditCardPayment"


def test_transfer_has_its_two_accounts_and_amount_but_no_total() -> None:
    assert {"FromAccountRef", "ToAccountRef", "Amount", "ClassRef"} <= ENTITY_FIELDS["Transfer"]
    assert "TotalAmt" not in ENTITY_FIELDS["Transfer"]
