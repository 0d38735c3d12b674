"""Zera's QuickBooks client against the sandbox: paging, batches, idempotent writes, faults."""

from __future__ import annotations

from decimal import Decimal

import httpx
import pytest

from tests.qbo.conftest import Sandbox, add_client, app_of, connect, wait_for_jobs
from zera.qbo.client import batch_fault
from zera.qbo.errors import DuplicateName, StaleObject

pytestmark = [pytest.mark.db, pytest.mark.queue]


@pytest.fixture
async def connected(zera: httpx.AsyncClient, sandbox: Sandbox) -> int:
    realm = sandbox.new_company("Client Tests Co")
    client_id = await add_client(zera, "Client Tests")
    assert (await connect(zera, client_id, realm)).status_code == 303
    await wait_for_jobs(client_id)
    return client_id


async def test_query_all_pages_through_every_record(
    zera: httpx.AsyncClient, connected: int
) -> None:
    async with app_of(zera).state.quickbooks.client_for(connected) as qbo:
        total = (await qbo.query("SELECT COUNT(*) FROM Account"))["totalCount"]
        pages = [page async for page in qbo.query_all("Account", page_size=3)]
    assert total > 6
    assert [len(page) for page in pages[:-1]] == [3] * (len(pages) - 1)
    ids = [account["Id"] for page in pages for account in page]
    assert len(ids) == len(set(ids)) == total


async def test_a_retried_create_with_the_same_operation_makes_one_record(
    zera: httpx.AsyncClient, connected: int
) -> None:
    async with app_of(zera).state.quickbooks.client_for(connected) as qbo:
        first = await qbo.create(
            "Vendor", {"DisplayName": "Once Only Supply"}, operation="test:vendor:once"
        )
        again = await qbo.create(
            "Vendor", {"DisplayName": "Once Only Supply"}, operation="test:vendor:once"
        )
        found = await qbo.query("SELECT * FROM Vendor WHERE DisplayName = 'Once Only Supply'")
    assert first["Id"] == again["Id"]
    assert len(found["Vendor"]) == 1


async def test_stale_sync_token_and_duplicate_name_raise_their_own_errors(
    zera: httpx.AsyncClient, connected: int
) -> None:
    async with app_of(zera).state.quickbooks.client_for(connected) as qbo:
        vendor = await qbo.create("Vendor", {"DisplayName": "Stale Test Vendor"}, operation="t:1")
        await qbo.update(
            "Vendor",
            {"Id": vendor["Id"], "SyncToken": vendor["SyncToken"], "CompanyName": "First edit"},
            operation="t:2",
        )
        with pytest.raises(StaleObject) as stale:
            await qbo.update(
                "Vendor",
                {
                    "Id": vendor["Id"],
                    "SyncToken": vendor["SyncToken"],
                    "CompanyName": "Second edit",
                },
                operation="t:3",
            )
        assert stale.value.code == "5010"
        with pytest.raises(DuplicateName) as duplicate:
            await qbo.create("Customer", {"DisplayName": "Stale Test Vendor"}, operation="t:4")
        assert duplicate.value.code == "6240"


async def test_batch_sends_thirty_per_request_and_reports_each_items_fault(
    zera: httpx.AsyncClient, connected: int
) -> None:
    items = [
        {"bId": f"b{n}", "operation": "create", "Vendor": {"DisplayName": f"Batch Vendor {n}"}}
        for n in range(31)
    ]
    items.append({"bId": "dup", "operation": "create", "Vendor": {"DisplayName": "Batch Vendor 0"}})
    async with app_of(zera).state.quickbooks.client_for(connected) as qbo:
        results = await qbo.batch(items)
    by_id = {item["bId"]: item for item in results}
    assert len(results) == 32
    assert all("Vendor" in by_id[f"b{n}"] for n in range(31))
    fault = batch_fault(by_id["dup"])
    assert isinstance(fault, DuplicateName)


async def test_amounts_come_back_as_exact_decimals(zera: httpx.AsyncClient, connected: int) -> None:
    async with app_of(zera).state.quickbooks.client_for(connected) as qbo:
        accounts = (await qbo.query("SELECT * FROM Account WHERE AccountType = 'Expense'"))[
            "Account"
        ]
        vendor = await qbo.create("Vendor", {"DisplayName": "Decimal Supply"}, operation="t:dec")
        purchase = await qbo.create(
            "Purchase",
            {
                "PaymentType": "Cash",
                "AccountRef": {
                    "value": next(
                        a["Id"]
                        for a in (
                            await qbo.query("SELECT * FROM Account WHERE AccountType = 'Bank'")
                        )["Account"]
                    )
                },
                "EntityRef": {"value": vendor["Id"], "type": "Vendor"},
                "Line": [
                    {
                        "Amount": Decimal("0.10"),
                        "DetailType": "AccountBasedExpenseLineDetail",
                        "AccountBasedExpenseLineDetail": {
                            "AccountRef": {"value": accounts[0]["Id"]}
                        },
                    },
                    {
                        "Amount": Decimal("0.20"),
                        "DetailType": "AccountBasedExpenseLineDetail",
                        "AccountBasedExpenseLineDetail": {
                            "AccountRef": {"value": accounts[0]["Id"]}
                        },
                    },
                ],
            },
            operation="t:purchase",
        )
    assert purchase["TotalAmt"] == Decimal("0.30")  # 0.1 + 0.2 in floats would not be
