"""The sandbox's state survives a restart: records, tokens, the development app, the clock."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
from sandbox_harness import CONTROL, Api, make_config, serve

from zera.sandbox.clock import SandboxClock
from zera.sandbox.companies import create_company
from zera.sandbox.config import Limits
from zera.sandbox.operations import run_cdc, run_query
from zera.sandbox.service import Accounting
from zera.sandbox.store import SandboxStore


def test_records_and_tokens_survive_a_restart_and_no_second_company_is_made(
    tmp_path: Path,
) -> None:
    config = replace(make_config(tmp_path), seed=None)
    for base in serve(config):
        listed = httpx.get(f"{base}/_sandbox/api/companies", headers=CONTROL).json()
        realm = listed["companies"][0]["realmId"]
        api = Api(base, realm)
        created = api.post("/customer", {"DisplayName": "Persistent"}).json()["Customer"]
        token = api.token

    for base in serve(config):
        companies = httpx.get(f"{base}/_sandbox/api/companies", headers=CONTROL).json()["companies"]
        assert [c["realmId"] for c in companies] == [realm]
        again = Api(base, realm, token)
        fetched = again.get(f"/customer/{created['Id']}").json()["Customer"]
        assert fetched["DisplayName"] == "Persistent" and fetched["SyncToken"] == "0"


def test_generated_app_credentials_are_kept_in_the_store(tmp_path: Path) -> None:
    config = replace(make_config(tmp_path), client_id="", client_secret="", seed=None)
    ids = []
    for _ in range(2):
        for base in serve(config):
            ids.append(httpx.get(f"{base}/_sandbox/api/app", headers=CONTROL).json()["client_id"])
    assert ids[0] == ids[1] and ids[0].startswith("AB")


def _service(tmp_path: Path) -> tuple[Accounting, str]:
    store = SandboxStore(tmp_path / "s.db")
    api = Accounting(store, SandboxClock(store))
    return api, create_company(api, "Paging Co")


def test_cdc_caps_the_objects_it_returns(tmp_path: Path) -> None:
    api, realm = _service(tmp_path)
    since = (datetime.now(UTC) - timedelta(minutes=1)).isoformat()
    for number in range(5):
        api.create(realm, "Customer", {"DisplayName": f"C{number}"})
    response = run_cdc(api, realm, "Customer", since, Limits(cdc_max_objects=3))
    assert len(response[0]["QueryResponse"][0]["Customer"]) == 3


def test_query_pages_default_to_100_records(tmp_path: Path) -> None:
    api, realm = _service(tmp_path)
    for number in range(105):
        api.create(realm, "Vendor", {"DisplayName": f"V{number:03}"})
    page = run_query(api, realm, "SELECT * FROM Vendor", Limits())
    assert page["maxResults"] == 100 and page["startPosition"] == 1
    rest = run_query(api, realm, "SELECT * FROM Vendor STARTPOSITION 101", Limits())
    assert rest["maxResults"] == 5
