"""The control surface and HTML views: act as a QuickBooks user, and watch webhooks go out."""

from __future__ import annotations

import json
import queue
import re
import time

import httpx
from sandbox_harness import CONTROL, Api, Sandbox
from sandbox_harness import webhook_events as _events


def test_an_api_create_is_delivered_as_a_signed_webhook(
    sandbox: Sandbox, receiver: queue.Queue[tuple[bytes, str]]
) -> None:
    api = Api(sandbox.base, sandbox.realm)
    customer = api.post("/customer", {"DisplayName": "Webhook Watcher"}).json()["Customer"]
    events = _events(receiver, sandbox.realm, 1)
    assert {"name": "Customer", "id": customer["Id"], "operation": "Create"} == {
        k: events[0][k] for k in ("name", "id", "operation")}


def test_an_edit_as_a_quickbooks_user_bumps_sync_token_and_fires_update(
    sandbox: Sandbox, receiver: queue.Queue[tuple[bytes, str]]
) -> None:
    api = Api(sandbox.base, sandbox.realm)
    vendor = api.post("/vendor", {"DisplayName": "Edited Vendor"}).json()["Vendor"]
    _events(receiver, sandbox.realm, 1)

    answer = sandbox.control("POST", f"/companies/{sandbox.realm}/records/Vendor", json={
        "operation": "update", "payload": {"Id": vendor["Id"], "CompanyName": "Changed in QBO"}})

    assert answer.status_code == 200, answer.text
    assert answer.json()["Vendor"]["SyncToken"] == "1"
    assert api.get(f"/vendor/{vendor['Id']}").json()["Vendor"]["CompanyName"] == "Changed in QBO"
    assert _events(receiver, sandbox.realm, 1)[0]["operation"] == "Update"


def test_merge_moves_transactions_and_reports_merge(
    sandbox: Sandbox, receiver: queue.Queue[tuple[bytes, str]]
) -> None:
    api = Api(sandbox.base, sandbox.realm)
    keep = api.post("/customer", {"DisplayName": "Merge Keep"}).json()["Customer"]
    drop = api.post("/customer", {"DisplayName": "Merge Drop"}).json()["Customer"]
    _events(receiver, sandbox.realm, 2)

    answer = sandbox.control("POST", f"/companies/{sandbox.realm}/merge", json={
        "entity": "Customer", "fromId": drop["Id"], "intoId": keep["Id"]})

    assert answer.status_code == 200, answer.text
    assert api.get(f"/customer/{drop['Id']}").json()["Customer"]["Active"] is False
    merged = [e for e in _events(receiver, sandbox.realm, 1) if e["operation"] == "Merge"]
    assert merged and merged[0]["id"] == keep["Id"]


def test_dropped_webhook_is_never_delivered(
    sandbox: Sandbox, receiver: queue.Queue[tuple[bytes, str]]
) -> None:
    sandbox.control("POST", "/webhooks", json={"drop_next": 1})
    api = Api(sandbox.base, sandbox.realm)
    lost = api.post("/customer", {"DisplayName": "Lost Event"}).json()["Customer"]
    deadline = time.monotonic() + 20
    while not any(d["state"] == "dropped" for d in sandbox.control(
            "GET", "/webhooks", params={"realmId": sandbox.realm}).json()["deliveries"]):
        assert time.monotonic() < deadline, "the delivery was never dropped"
        time.sleep(0.05)

    seen = api.post("/customer", {"DisplayName": "Seen Event"}).json()["Customer"]

    ids = [e["id"] for e in _events(receiver, sandbox.realm, 1)]
    assert seen["Id"] in ids and lost["Id"] not in ids


def test_clock_moves_and_resets(sandbox: Sandbox) -> None:
    before = sandbox.control("GET", "/clock").json()["offsetSeconds"]
    moved = sandbox.control("POST", "/clock", json={"advanceSeconds": 86400}).json()
    assert moved["offsetSeconds"] == before + 86400
    assert sandbox.control("POST", "/clock", json={"reset": True}).json()["offsetSeconds"] == 0


def test_expiring_tokens_from_the_control_surface_gives_401(sandbox: Sandbox) -> None:
    api = Api(sandbox.base, sandbox.realm)
    assert api.get("/preferences").status_code == 200
    sandbox.control("POST", "/tokens/expire", json={"realmId": sandbox.realm})
    assert api.get("/preferences").status_code == 401


def test_html_views_list_records_and_edit_one_without_javascript(sandbox: Sandbox) -> None:
    api = Api(sandbox.base, sandbox.realm)
    customer = api.post("/customer", {"DisplayName": "Html <b>Edit</b>"}).json()["Customer"]
    base = f"{sandbox.base}/_sandbox"
    assert sandbox.realm in httpx.get(f"{base}/", headers=CONTROL).text
    listing = httpx.get(f"{base}/companies/{sandbox.realm}/Customer", headers=CONTROL).text
    assert "Html &lt;b&gt;Edit&lt;/b&gt;" in listing  # autoescaped
    page = httpx.get(f"{base}/companies/{sandbox.realm}/Customer/{customer['Id']}",
                     headers=CONTROL).text
    assert re.search(r'<form method="post"', page) and 'name="json"' in page

    edited = {k: v for k, v in customer.items() if k not in ("MetaData",)}
    edited["CompanyName"] = "Edited in the browser"
    answer = httpx.post(f"{base}/companies/{sandbox.realm}/Customer/{customer['Id']}",
                        data={"action": "save", "json": json.dumps(edited)}, headers=CONTROL)
    assert answer.status_code == 303 and "message=" in answer.headers["location"]
    fetched = api.get(f"/customer/{customer['Id']}").json()["Customer"]
    assert fetched["CompanyName"] == "Edited in the browser" and fetched["SyncToken"] == "1"


def test_cross_site_posts_to_the_control_surface_are_refused_even_with_the_token(
    sandbox: Sandbox,
) -> None:
    answer = httpx.post(f"{sandbox.base}/_sandbox/api/companies", json={"name": "Evil"},
                        headers={**CONTROL, "Origin": "https://evil.example"})
    assert answer.status_code == 403
    form = httpx.post(f"{sandbox.base}/_sandbox/", data={"name": "Evil"},
                      headers={**CONTROL, "Sec-Fetch-Site": "cross-site"})
    assert form.status_code == 403
    names = [c["name"] for c in sandbox.control("GET", "/companies").json()["companies"]]
    assert "Evil" not in names
