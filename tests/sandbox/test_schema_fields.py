"""Every entity the sandbox returns uses only field names Intuit's schema defines for it."""

from __future__ import annotations

from typing import Any

from sandbox_harness import Api, Sandbox

from zera.sandbox import fields
from zera.sandbox.entities import BY_NAME


def _all(api: Api, entity: str) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    start = 1
    while True:
        # Active IN (true, false) also shows inactive name-list records.
        where = " WHERE Active IN (true, false)" if entity in {
            "Account", "Vendor", "Customer", "Employee", "Item", "Term", "PaymentMethod",
            "Class", "Department"} else ""
        statement = f"SELECT * FROM {entity}{where} STARTPOSITION {start} MAXRESULTS 1000"  # noqa: S608 (Intuit query text sent over HTTP, not SQL)
        answer = api.query(statement)
        assert answer.status_code == 200, answer.text
        response = answer.json()["QueryResponse"]
        page = response.get(entity) or response.get(BY_NAME[entity].response_name, [])
        found += page
        if len(page) < 1000:
            return found
        start += 1000


def test_every_seeded_record_of_every_entity_uses_schema_names_only(sandbox: Sandbox) -> None:
    api = Api(sandbox.base, sandbox.seeded_realm)
    problems: dict[str, list[str]] = {}
    seen = 0
    for entity in fields.SERVED_ENTITIES:
        for doc in _all(api, entity):
            seen += 1
            unknown = fields.unknown_fields(entity, doc)
            if unknown:
                problems.setdefault(entity, []).extend(unknown[:3])
    assert seen > 500  # the seeded history (two months in tests), not an empty company
    assert problems == {}


def test_records_written_through_the_api_come_back_with_schema_names(sandbox: Sandbox) -> None:
    api = Api(sandbox.base, sandbox.realm)
    customer = api.post("/customer", {"DisplayName": "Schema Check Customer"}).json()["Customer"]
    income = api.query("SELECT * FROM Account WHERE AccountType = 'Income'").json()
    item = api.post("/item", {"Name": "Schema Check Item", "Type": "Service",
                              "IncomeAccountRef": {"value": income["QueryResponse"]["Account"][0]
                                                   ["Id"]}}).json()["Item"]
    invoice = api.post("/invoice", {
        "CustomerRef": {"value": customer["Id"]},
        "Line": [{"Amount": 40, "DetailType": "SalesItemLineDetail",
                  "SalesItemLineDetail": {"ItemRef": {"value": item["Id"]}}}],
    }).json()["Invoice"]
    deleted = api.post("/invoice", {"Id": invoice["Id"], "SyncToken": invoice["SyncToken"]},
                       operation="delete").json()["Invoice"]
    for entity, doc in (("Customer", customer), ("Item", item), ("Invoice", invoice),
                        ("Invoice", deleted)):
        assert fields.unknown_fields(entity, doc) == [], (entity, doc)
