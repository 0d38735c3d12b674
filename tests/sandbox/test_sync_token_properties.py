"""SyncToken under concurrent writers: only the holder of the latest token may write, each
successful write increments it by one, and a stale writer gets 5010 (QBO-API.md §3)."""

from __future__ import annotations

import tempfile
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
from hypothesis import given, settings
from hypothesis import strategies as st
from sandbox_harness import Api, Sandbox

from zera.sandbox.clock import SandboxClock
from zera.sandbox.companies import create_company
from zera.sandbox.faults import QboFault
from zera.sandbox.service import Accounting
from zera.sandbox.store import SandboxStore


def _service() -> tuple[Accounting, str]:
    store = SandboxStore(Path(tempfile.mkdtemp()) / "sandbox.db")
    api = Accounting(store, SandboxClock(store))
    return api, create_company(api, "Concurrency Co")


def _race(api: Accounting, realm: str, customer_id: str, tokens: list[str]) -> list[str]:
    """Each writer sends its token at the same moment; returns "ok" or the fault code."""
    barrier = threading.Barrier(len(tokens))

    def write(index_token: tuple[int, str]) -> str:
        index, token = index_token
        barrier.wait()
        try:
            api.update(realm, "Customer", {"Id": customer_id, "SyncToken": token,
                                           "sparse": True, "Notes": f"writer {index}"})
        except QboFault as fault:
            return fault.errors[0].code
        return "ok"

    with ThreadPoolExecutor(max_workers=len(tokens)) as pool:
        return list(pool.map(write, enumerate(tokens)))


@settings(max_examples=25, deadline=None)
@given(st.integers(min_value=2, max_value=8))
def test_of_writers_holding_the_same_token_exactly_one_wins(writers: int) -> None:
    api, realm = _service()
    customer = api.create(realm, "Customer", {"DisplayName": "Raced"})

    outcomes = _race(api, realm, customer["Id"], ["0"] * writers)

    assert outcomes.count("ok") == 1
    assert sorted(set(outcomes) - {"ok"}) == ["5010"]
    assert api.read(realm, "Customer", customer["Id"])["SyncToken"] == "1"


@settings(max_examples=25, deadline=None)
@given(st.lists(st.integers(min_value=-3, max_value=1), min_size=1, max_size=12))
def test_a_sequence_of_fresh_and_stale_writes_matches_the_model(offsets: list[int]) -> None:
    """Each write sends (current token + offset); only offset 0 may succeed."""
    api, realm = _service()
    customer = api.create(realm, "Customer", {"DisplayName": "Sequenced"})
    current = 0
    for offset in offsets:
        sent = current + offset
        try:
            api.update(realm, "Customer", {"Id": customer["Id"], "SyncToken": str(sent),
                                           "sparse": True, "Notes": str(sent)})
        except QboFault as fault:
            assert offset != 0 and fault.errors[0].code == "5010"
        else:
            assert offset == 0
            current += 1
    assert api.read(realm, "Customer", customer["Id"])["SyncToken"] == str(current)


def test_concurrent_http_writers_see_one_success_and_stale_faults(sandbox: Sandbox) -> None:
    api = Api(sandbox.base, sandbox.realm)
    customer = api.post("/customer", {"DisplayName": "HTTP Raced"}).json()["Customer"]
    barrier = threading.Barrier(6)

    def write(index: int) -> int:
        with httpx.Client(timeout=30) as client:
            barrier.wait()
            answer = client.post(
                f"{sandbox.base}/v3/company/{sandbox.realm}/customer",
                params={"minorversion": 75}, headers=api._auth(),
                json={"Id": customer["Id"], "SyncToken": "0", "sparse": True,
                      "Notes": f"writer {index}"})
            return answer.status_code

    with ThreadPoolExecutor(max_workers=6) as pool:
        statuses = list(pool.map(write, range(6)))
    assert statuses.count(200) == 1 and statuses.count(400) == 5
    assert api.get(f"/customer/{customer['Id']}").json()["Customer"]["SyncToken"] == "1"
