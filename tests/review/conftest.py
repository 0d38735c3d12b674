"""Zera in-process with a worker, connected to a company in the built-in sandbox (over HTTP),
for the record and review tests. The sandbox fixtures are tests/qbo's own."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass

import httpx
import pytest

from tests.qbo.conftest import (  # noqa: F401  (fixtures used by name)
    Sandbox,
    add_client,
    connect,
    qbo_settings,
    sandbox,
    wait_for_jobs,
    zera,
)


@dataclass
class Books:
    """A client connected to its own sandbox company, lists and history pulled."""

    http: httpx.AsyncClient
    client_id: int
    realm_id: str
    sandbox: Sandbox


async def connected_client(
    http: httpx.AsyncClient, quickbooks: Sandbox, name: str, *, history_months: int = 2
) -> Books:
    realm = quickbooks.new_company(name, history_months=history_months)
    client_id = await add_client(http, name)
    assert (await connect(http, client_id, realm)).status_code == 303
    jobs = await wait_for_jobs(client_id)
    assert {job["state"] for job in jobs} == {"done"}, jobs
    return Books(http, client_id, realm, quickbooks)


@pytest.fixture
async def books(zera: httpx.AsyncClient, sandbox: Sandbox) -> AsyncIterator[Books]:  # noqa: F811
    """Signed in as the owner; one client connected to a seeded company with 2 months of
    history (vendors, customers, open bills and invoices)."""
    yield await connected_client(zera, sandbox, "Juniper Landscaping")
