"""Intuit's validation rules and fault envelopes (QBO-API.md §2-§5, §8), over HTTP."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sandbox_harness import Api


def _fault(answer: Any) -> dict[str, Any]:
    assert answer.status_code == 400, answer.text
    body = answer.json()
    assert set(body) == {"Fault", "time"} and body["Fault"]["type"] == "ValidationFault"
    error: dict[str, Any] = body["Fault"]["Error"][0]
    assert set(error) == {"Message", "Detail", "code", "element"}
    return error


def _account(api: Api, kind: str) -> str:
    found = api.query(f"SELECT * FROM Account WHERE AccountType = '{kind}'").json()  # noqa: S608 (Intuit query)
    return str(found["QueryResponse"]["Account"][0]["Id"])


def _customer(api: Api, name: str = "Jane Doe") -> dict[str, Any]:
    answer = api.post("/customer", {"DisplayName": name})
    assert answer.status_code == 200, answer.text
    body: dict[str, Any] = answer.json()["Customer"]
    return body


def _item(api: Api) -> dict[str, Any]:
    answer = api.post("/item", {"Name": "Design", "Type": "Service",
                                "IncomeAccountRef": {"value": _account(api, "Income")}})
    body: dict[str, Any] = answer.json()["Item"]
    return body


def _invoice_body(customer: dict[str, Any], item: dict[str, Any], amount: Any = 100,
                  **extra: Any) -> dict[str, Any]:
    return {"CustomerRef": {"value": customer["Id"]}, **extra,
            "Line": [{"Amount": amount, "DetailType": "SalesItemLineDetail",
                      "SalesItemLineDetail": {"ItemRef": {"value": item["Id"]}}}]}


def _prefs(api: Api, **changes: Any) -> None:
    current = api.get("/preferences").json()["Preferences"]
    answer = api.post("/preferences", {"Id": current["Id"], "SyncToken": current["SyncToken"],
                                       "sparse": True, **changes})
    assert answer.status_code == 200, answer.text


def test_invoice_without_lines_is_2020_required_param(api: Api) -> None:
    error = _fault(api.post("/invoice", {"CustomerRef": {"value": _customer(api)["Id"]}}))
    assert error["code"] == "2020" and "Line" in error["Detail"]


def test_reference_to_a_missing_record_is_2500(api: Api) -> None:
    error = _fault(api.post("/invoice", _invoice_body({"Id": "4040"}, _item(api))))
    assert error["code"] == "2500"


def test_reference_to_an_inactive_customer_is_610(api: Api) -> None:
    customer, item = _customer(api), _item(api)
    api.post("/customer", {"Id": customer["Id"], "SyncToken": customer["SyncToken"],
                           "sparse": True, "Active": False})
    error = _fault(api.post("/invoice", _invoice_body(customer, item)))
    assert error["code"] == "610"


def test_unknown_property_is_2010(api: Api) -> None:
    error = _fault(api.post("/customer", {"DisplayName": "X", "FavouriteColour": "green"}))
    assert error["code"] == "2010" and error["element"] == "FavouriteColour"


def test_client_totals_are_ignored_and_recomputed(api: Api) -> None:
    body = _invoice_body(_customer(api), _item(api), 100, TotalAmt=5, Balance=5)
    invoice = api.post("/invoice", body).json()["Invoice"]
    assert invoice["TotalAmt"] == 100 and invoice["Balance"] == 100


def test_unbalanced_journal_entry_is_a_business_validation_error(api: Api) -> None:
    bank, expense = _account(api, "Bank"), _account(api, "Expense")
    lines = [{"Amount": 10, "DetailType": "JournalEntryLineDetail",
              "JournalEntryLineDetail": {"PostingType": "Debit", "AccountRef": {"value": expense}}},
             {"Amount": 9, "DetailType": "JournalEntryLineDetail",
              "JournalEntryLineDetail": {"PostingType": "Credit", "AccountRef": {"value": bank}}}]
    assert _fault(api.post("/journalentry", {"Line": lines}))["code"] == "6000"
    lines[1]["Amount"] = 10
    assert api.post("/journalentry", {"Line": lines}).json()["JournalEntry"]["TotalAmt"] == 10


def test_check_purchase_from_a_credit_card_account_is_refused(api: Api) -> None:
    line = [{"Amount": 20, "DetailType": "AccountBasedExpenseLineDetail",
             "AccountBasedExpenseLineDetail": {"AccountRef": {"value": _account(api, "Expense")}}}]
    card = {"value": _account(api, "Credit Card")}
    error = _fault(api.post("/purchase", {"PaymentType": "Check", "AccountRef": card,
                                          "Line": line}))
    assert error["code"] == "6000"
    ok = api.post("/purchase", {"PaymentType": "CreditCard", "AccountRef": card, "Line": line})
    assert ok.status_code == 200


def test_payment_over_the_open_balance_is_refused(api: Api) -> None:
    customer, item = _customer(api), _item(api)
    invoice = api.post("/invoice", _invoice_body(customer, item, 50)).json()["Invoice"]
    payment = {"CustomerRef": {"value": customer["Id"]}, "TotalAmt": 80,
               "Line": [{"Amount": 80, "LinkedTxn": [{"TxnId": invoice["Id"],
                                                       "TxnType": "Invoice"}]}]}
    assert _fault(api.post("/payment", payment))["code"] == "6000"


def test_payment_without_amount_is_6000_set_a_transaction_amount(api: Api) -> None:
    error = _fault(api.post("/payment", {"CustomerRef": {"value": _customer(api)["Id"]}}))
    assert error["code"] == "6000" and "transaction amount" in error["Detail"]


def test_display_name_is_unique_across_customer_vendor_employee(api: Api) -> None:
    _customer(api, "Shared Name")
    assert _fault(api.post("/vendor", {"DisplayName": "shared name"}))["code"] == "6240"
    assert _fault(api.post("/employee", {"DisplayName": "Shared Name"}))["code"] == "6240"


def test_duplicate_doc_number_only_when_the_company_uses_custom_numbers(api: Api) -> None:
    customer, item = _customer(api), _item(api)
    api.post("/invoice", _invoice_body(customer, item, DocNumber="INV-7"))
    assert api.post("/invoice", _invoice_body(customer, item, DocNumber="INV-7")).status_code == 200

    _prefs(api, SalesFormsPrefs={"CustomTxnNumbers": True})
    error = _fault(api.post("/invoice", _invoice_body(customer, item, DocNumber="INV-7")))
    assert error["code"] == "6140"
    allowed = api.post("/invoice", _invoice_body(customer, item, DocNumber="INV-7"),
                       include="allowduplicatedocnum")
    assert allowed.status_code == 200


def test_writes_into_a_closed_period_are_6210(api: Api) -> None:
    customer, item = _customer(api), _item(api)
    _prefs(api, AccountingInfoPrefs={"BookCloseDate": "2024-12-31"})
    error = _fault(api.post("/invoice", _invoice_body(customer, item, TxnDate="2024-06-01")))
    assert error["code"] == "6210"
    assert api.post("/invoice", _invoice_body(customer, item, TxnDate="2025-01-02")).status_code \
        == 200


def test_name_lists_cannot_be_deleted_only_deactivated(api: Api) -> None:
    customer = _customer(api)
    answer = api.post("/customer", {"Id": customer["Id"], "SyncToken": "0"}, operation="delete")
    assert answer.status_code == 400 and answer.json()["Fault"]["Error"][0]["code"] == "500"
    api.post("/customer", {"Id": customer["Id"], "SyncToken": "0", "sparse": True,
                           "Active": False})
    listed = api.query("SELECT * FROM Customer").json()["QueryResponse"]
    assert customer["Id"] not in [c["Id"] for c in listed.get("Customer", [])]
    everyone = api.query("SELECT * FROM Customer WHERE Active IN (true, false)").json()
    assert customer["Id"] in [c["Id"] for c in everyone["QueryResponse"]["Customer"]]


def test_full_update_clears_fields_left_out(api: Api) -> None:
    customer = api.post("/customer", {"DisplayName": "Full", "CompanyName": "Co"}).json()
    customer = customer["Customer"]
    updated = api.post("/customer", {"Id": customer["Id"], "SyncToken": "0",
                                     "DisplayName": "Full"}).json()["Customer"]
    assert "CompanyName" not in updated and updated["SyncToken"] == "1"


def test_repeated_requestid_returns_the_first_response_without_writing_again(api: Api) -> None:
    first = api.post("/customer", {"DisplayName": "Once"}, requestid="req-1")
    again = api.post("/customer", {"DisplayName": "Once"}, requestid="req-1")
    assert first.status_code == again.status_code == 200
    assert first.json()["Customer"]["Id"] == again.json()["Customer"]["Id"]
    count = api.query("SELECT COUNT(*) FROM Customer WHERE DisplayName = 'Once'").json()
    assert count["QueryResponse"]["totalCount"] == 1


@pytest.mark.parametrize("version", ["3", "75", ""])
def test_minorversion_below_75_or_none_is_served(api: Api, version: str) -> None:
    answer = api.http.get("/preferences", params={"minorversion": version} if version else {},
                          headers=api._auth())
    assert answer.status_code == 200


def test_entity_paths_are_case_sensitive(api: Api) -> None:
    assert api.post("/Customer", {"DisplayName": "Case"}).status_code == 400


@pytest.mark.parametrize(("statement", "code"), [
    ("SELECT * FROM Customer WHERE DisplayName = 'a' OR DisplayName = 'b'", "4000"),
    ("SELECT * FROM Customers", "4001"),
    ("SELECT * FROM Customer MAXRESULTS 1001", "4001"),
    ("SELECT DisplayName FROM Customer", "4000"),
    ("SELECT * FROM Customer WHERE Colour = 'red'", "4001"),
])
def test_query_errors(api: Api, statement: str, code: str) -> None:
    assert _fault(api.query(statement))["code"] == code


def test_query_by_get_with_url_encoded_statement(api: Api) -> None:
    _customer(api, "Query Get")
    answer = api.get("/query", query="select * from Customer where DisplayName = 'Query Get'")
    assert answer.json()["QueryResponse"]["Customer"][0]["DisplayName"] == "Query Get"
    empty = api.get("/query", query="select * from Customer where DisplayName = 'Nobody'")
    assert empty.json()["QueryResponse"] == {}


def test_batch_over_30_items_is_refused(api: Api) -> None:
    items = [{"bId": str(i), "operation": "create", "Customer": {"DisplayName": f"B{i}"}}
             for i in range(31)]
    assert _fault(api.post("/batch", {"BatchItemRequest": items}))["code"] == "6000"


def test_batch_mixes_writes_faults_and_queries(api: Api) -> None:
    customer = _customer(api, "Batch Base")
    answer = api.post("/batch", {"BatchItemRequest": [
        {"bId": "c", "operation": "create", "Vendor": {"DisplayName": "Batch Vendor"}},
        {"bId": "s", "operation": "update", "Customer": {"Id": customer["Id"],
                                                          "SyncToken": "7", "sparse": True}},
        {"bId": "q", "Query": "SELECT * FROM Customer WHERE DisplayName = 'Batch Base'"},
    ]})
    items = {item["bId"]: item for item in answer.json()["BatchItemResponse"]}
    assert items["c"]["Vendor"]["DisplayName"] == "Batch Vendor"
    assert items["s"]["Fault"]["Error"][0]["code"] == "5010"
    assert items["q"]["QueryResponse"]["Customer"][0]["Id"] == customer["Id"]


def test_cdc_refuses_more_than_30_days_back(api: Api) -> None:
    since = (datetime.now(UTC) - timedelta(days=31)).isoformat()
    assert _fault(api.get("/cdc", entities="Customer", changedSince=since))["code"] == "4001"


def test_cdc_with_nothing_changed_is_an_empty_query_response(api: Api) -> None:
    since = (datetime.now(UTC) + timedelta(days=1)).isoformat()
    body = api.get("/cdc", entities="Customer", changedSince=since).json()
    assert body["CDCResponse"] == [{"QueryResponse": [{}]}]


def test_fault_is_xml_when_only_xml_is_accepted(api: Api) -> None:
    answer = api.http.post("/invoice", json={}, headers={**api._auth(),
                                                         "Accept": "application/xml"})
    assert answer.status_code == 400 and answer.text.startswith("<IntuitResponse")
    assert '<Error code="2020"' in answer.text


def test_read_of_a_missing_record_is_610(api: Api) -> None:
    assert _fault(api.get("/customer/987654"))["code"] == "610"


def test_references_come_back_named_and_invoices_numbered_on(api: Api) -> None:
    customer, item = _customer(api, "Named Ref"), _item(api)
    api.post("/invoice", _invoice_body(customer, item, DocNumber="1041"))
    numbered = api.post("/invoice", _invoice_body(customer, item)).json()["Invoice"]
    assert numbered["CustomerRef"] == {"value": customer["Id"], "name": "Named Ref"}
    assert numbered["Line"][0]["SalesItemLineDetail"]["ItemRef"]["name"] == "Design"
    assert numbered["DocNumber"] == "1042"


def test_batch_requestid_is_capped_at_36_and_its_bids_at_10(api: Api) -> None:
    batch = {"BatchItemRequest": [{"bId": "b1", "Query": "SELECT * FROM Term"}]}
    assert api.post("/batch", batch, requestid="r" * 36).status_code == 200
    assert _fault(api.post("/batch", batch, requestid="r" * 37))["code"] == "2000"
    long_bid = {"BatchItemRequest": [{"bId": "b" * 11, "Query": "SELECT * FROM Term"}]}
    assert _fault(api.post("/batch", long_bid, requestid="batch-2"))["code"] == "6000"
    assert api.post("/batch", long_bid).status_code == 200  # without a requestid, any length


def test_customer_balance_follows_invoices_payments_and_deletes(api: Api) -> None:
    customer, item = _customer(api, "Balance Watcher"), _item(api)

    def balance() -> Any:
        return api.get(f"/customer/{customer['Id']}").json()["Customer"]["Balance"]

    invoice = api.post("/invoice", _invoice_body(customer, item, 120)).json()["Invoice"]
    assert balance() == 120
    payment = api.post("/payment", {
        "CustomerRef": {"value": customer["Id"]}, "TotalAmt": 150,
        "Line": [{"Amount": 100, "LinkedTxn": [{"TxnId": invoice["Id"], "TxnType": "Invoice"}]}],
    }).json()["Payment"]
    assert payment["UnappliedAmt"] == 50
    assert balance() == -30  # 20 still open on the invoice, 50 unapplied credit
    api.post("/payment", {"Id": payment["Id"], "SyncToken": payment["SyncToken"]},
             operation="delete")
    assert balance() == 120


def test_deposit_linking_a_payment_with_a_detail_type_needs_its_account(api: Api) -> None:
    customer, item = _customer(api, "Depositor"), _item(api)
    invoice = api.post("/invoice", _invoice_body(customer, item, 30)).json()["Invoice"]
    payment = api.post("/payment", {
        "CustomerRef": {"value": customer["Id"]}, "TotalAmt": 30,
        "Line": [{"Amount": 30, "LinkedTxn": [{"TxnId": invoice["Id"], "TxnType": "Invoice"}]}],
    }).json()["Payment"]
    linked = {"Amount": 30, "LinkedTxn": [{"TxnId": payment["Id"], "TxnType": "Payment",
                                           "TxnLineId": "0"}]}
    bank = {"value": _account(api, "Bank")}
    error = _fault(api.post("/deposit", {"DepositToAccountRef": bank, "Line": [
        {**linked, "DetailType": "DepositLineDetail", "DepositLineDetail": {}}]}))
    assert error["code"] == "2020" and "DepositLineDetail.AccountRef" in error["Detail"]

    deposit = api.post("/deposit", {"DepositToAccountRef": bank, "Line": [linked]})
    assert deposit.status_code == 200 and deposit.json()["Deposit"]["TotalAmt"] == 30
    # A deposited payment can no longer be changed (6540); depositing it updated it.
    current = api.get(f"/payment/{payment['Id']}").json()["Payment"]
    assert current["LinkedTxn"] == [{"TxnId": deposit.json()["Deposit"]["Id"],
                                     "TxnType": "Deposit"}]
    changed = api.post("/payment", {"Id": payment["Id"], "SyncToken": current["SyncToken"],
                                    "sparse": True, "PrivateNote": "late edit"})
    assert _fault(changed)["code"] == "6540"


def test_xml_only_clients_get_intuits_xml_entities(api: Api) -> None:
    import xml.etree.ElementTree as ET

    customer = _customer(api, "Xml & Co")
    answer = api.http.get(f"/customer/{customer['Id']}", params={"minorversion": 75},
                          headers={**api._auth(), "Accept": "application/xml"})
    assert answer.headers["content-type"].startswith("application/xml")
    ns = {"i": "http://schema.intuit.com/finance/v3"}
    entity = ET.fromstring(answer.text).find("i:Customer", ns)  # noqa: S314 (our own output)
    assert entity is not None and entity.get("domain") == "QBO"
    assert entity.findtext("i:DisplayName", namespaces=ns) == "Xml & Co"
    assert entity.findtext("i:Id", namespaces=ns) == customer["Id"]
    listed = api.http.get("/query", params={"query": "SELECT * FROM Term"},
                          headers={**api._auth(), "Accept": "application/xml"})
    response = ET.fromstring(listed.text).find("i:QueryResponse", ns)  # noqa: S314
    assert response is not None and int(response.get("maxResults", "0")) >= 1
    assert response.findall("i:Term", ns)
