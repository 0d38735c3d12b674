"""Sync health per client (issue 12 item 7): the Connection section's block, the client page's
banner and the dashboard's column, driven over HTTP against a real sandbox."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from html import unescape

import httpx
import pytest

from tests.conftest import post_form
from tests.qbo.conftest import Sandbox, app_of, wait_for_jobs
from tests.qbo.test_webhook_replays_and_floods import cloudevents, deliver
from tests.review.conftest import Books, connected_client
from tests.review.test_push_faults import purchase
from tests.review.test_two_way import catch_up, in_quickbooks, pushed
from zera.db.tables import Record
from zera.qbo.oauth import TokenSet
from zera.qbo.vault import TokenVault
from zera.sync import keep_alive

# Marked `db` (run again on PostgreSQL in CI): the call counts, which the PostgreSQL rate-limit
# ledger keeps in its own tables, and the dashboard's few queries for every client.

SANDBOX_HARD_EXPIRY_DAYS = 5 * 365  # zera/sandbox/config.py TokenPolicy.hard_expiry_days


@pytest.fixture
def clock(sandbox: Sandbox) -> Iterator[Sandbox]:
    """The sandbox, with its clock put back after the test moves it."""
    yield sandbox
    sandbox.control("POST", "/clock", {"reset": True})


@pytest.fixture
async def client(zera: httpx.AsyncClient, sandbox: Sandbox) -> Books:
    """A client connected to a starter company, its first pulls done."""
    return await connected_client(zera, sandbox, "Birch & Vine", history_months=0)


def fact(page: str, term: str) -> str:
    """The text of the sync health list's entry `term`, tags stripped."""
    found = re.search(rf"<dt>{re.escape(term)}</dt><dd>(.*?)</dd>", page, re.S)
    assert found, f"no {term!r} in the page"
    return unescape(re.sub(r"<[^>]+>", "", found.group(1))).strip()


def stamp(page: str, term: str) -> datetime:
    found = re.search(rf'<dt>{re.escape(term)}</dt><dd><time datetime="([^"]+)"', page)
    assert found, f"no time for {term!r}"
    return datetime.fromisoformat(found.group(1))


def banner_html(page: str) -> str:
    """The sync attention banner's inner HTML ("" when there is none)."""
    found = re.search(
        r'<div class="notice error attention" role="alert"[^>]*>(.*?)</div>', page, re.S
    )
    return found.group(1) if found else ""


def banner(page: str) -> str:
    """The sync attention banner's text, spaces folded."""
    return unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", banner_html(page)))).strip()


async def add_records(client_id: int, status: str, count: int) -> None:
    """Records in `status`, as the conflict engine and the push leave them (built elsewhere)."""
    rows = [Record(client_id=client_id, entity="Purchase", status=status) for _ in range(count)]
    await Record.insert(*rows).run()


@pytest.mark.db
async def test_after_connecting_the_connection_page_shows_expiry_calls_and_the_last_cdc_run(
    client: Books,
) -> None:
    """Given a client just connected (code exchanged, lists pulled), when the Connection section
    is opened, as a page and as the HTMX fragment, then it shows the grant's hard expiry as the
    sandbox set it, the calls made this month and when the last pull ran; no webhook yet."""
    started = datetime.now(UTC)
    url = f"/clients/{client.client_id}/connection"

    page = (await client.http.get(url)).text
    fragment = (await client.http.get(url, headers={"HX-Request": "true"})).text

    for html in (page, fragment):
        assert "Sync health" in html
        assert fact(html, "Connection ends for good").startswith(
            f"in {SANDBOX_HARD_EXPIRY_DAYS} days"
        )
        minute, month = re.fullmatch(
            r"(\d+) in the last minute, (\d+) this month \(UTC\)", fact(html, "API calls")
        ).groups()
        assert 0 < int(minute) <= int(month)
        assert started - timedelta(minutes=5) < stamp(html, "Last CDC run") <= datetime.now(UTC)
        assert fact(html, "Last webhook received") == "none yet"
        assert fact(html, "Open conflicts") == "0"
    assert "<html" in page and "<html" not in fragment
    assert banner(page) == ""  # nothing needs a person


async def test_a_signed_webhook_shows_as_the_last_webhook_received(client: Books) -> None:
    """Given a connected client, when Intuit delivers a signed notice for its realm, then the
    Connection section shows when it was received."""
    before = datetime.now(UTC).replace(microsecond=0)

    answer = await deliver(client.http, cloudevents(client.realm_id, at=datetime.now(UTC)))

    assert answer.json() == {"status": "received"}
    page = (await client.http.get(f"/clients/{client.client_id}/connection")).text
    assert before <= stamp(page, "Last webhook received") <= datetime.now(UTC)
    await wait_for_jobs(client.client_id)  # the apply job it queued


async def test_a_change_made_in_quickbooks_shows_the_lag_until_zera_applied_it(
    zera: httpx.AsyncClient, sandbox: Sandbox
) -> None:
    """Given a record pushed to QuickBooks, when a QuickBooks user edits it and the catch-up
    brings the edit into Zera, then the Connection section shows how long that took."""
    books = await connected_client(zera, sandbox, "Juniper Landscaping")
    url = f"/clients/{books.client_id}/connection"
    [mine] = await pushed(books, purchase(1, "Shell Oil"))
    assert fact((await zera.get(url)).text, "Lag of the newest change").startswith("no ")

    in_quickbooks(books, "Purchase", {"Id": mine.qbo_id, "PrivateNote": "Edited in QuickBooks"})
    await catch_up(books)

    lag = fact((await zera.get(url)).text, "Lag of the newest change")
    assert re.fullmatch(r"[\d.]+ (seconds|minutes) from the edit in QuickBooks to Zera", lag)


@pytest.mark.db
async def test_open_conflicts_and_refused_records_show_on_the_dashboard_and_in_the_banner(
    client: Books,
) -> None:
    """Given a client with two records in conflict and one QuickBooks refused, then the
    dashboard counts its conflicts and marks it, and its page says in a banner what to do."""
    await add_records(client.client_id, "conflict", 2)
    await add_records(client.client_id, "failed", 1)

    dashboard = (await client.http.get("/")).text
    page = (await client.http.get(f"/clients/{client.client_id}/documents")).text

    assert f'href="/clients/{client.client_id}/conflicts">2 conflicts</a>' in dashboard
    assert "Needs attention" in dashboard
    assert "Birch &amp; Vine</a>" in banner_html(dashboard)  # the name escaped, in the banner
    assert "2 conflicts between Zera and QuickBooks wait for you: open Conflicts." in banner(page)
    assert "QuickBooks refused 1 record: open Push to see why" in banner(page)
    connection = (await client.http.get(f"/clients/{client.client_id}/connection")).text
    assert (fact(connection, "Open conflicts"), fact(connection, "Failed pushes")) == ("2", "1")


async def test_a_connection_quickbooks_no_longer_accepts_is_a_loud_banner(
    client: Books, sandbox: Sandbox
) -> None:
    """Given a connected client, when its grant is revoked in QuickBooks and Zera next talks to
    it, then its page opens with a banner to reconnect (with the button), and the health block
    shows the error with what to do."""
    sandbox.control("POST", "/tokens/revoke", {"realmId": client.realm_id})
    await post_form(client.http, f"/clients/{client.client_id}/qbo/refresh", {})
    await wait_for_jobs(client.client_id)

    page = (await client.http.get(f"/clients/{client.client_id}/connection")).text

    assert "QuickBooks needs reconnecting." in banner(page)
    assert "nothing syncs: reconnect QuickBooks." in banner(page)
    assert "Reconnect QuickBooks</button>" in banner_html(page)
    assert "Reconnect QuickBooks; until then nothing syncs" in fact(page, "Last error")


async def test_a_grant_near_its_hard_expiry_asks_to_reconnect_before_the_date(
    client: Books, clock: Sandbox
) -> None:
    """Given a connection kept alive for almost five years (the sandbox's clock moved 90 days
    at a time, the keep-alive refreshing each time), then Intuit's hard expiry is 25 days away
    and the client's page asks, loudly, to reconnect before that date."""
    vault = app_of(client.http).state.quickbooks.vault
    for _ in range(20):
        clock.control("POST", "/clock", {"advanceSeconds": 90 * 86400})
        assert await keep_alive(vault, idle_for=timedelta(0)) == 1

    page = (await client.http.get(f"/clients/{client.client_id}/connection")).text

    left = SANDBOX_HARD_EXPIRY_DAYS - 20 * 90
    day = (datetime.now(UTC) + timedelta(days=left)).strftime("%Y-%m-%d")
    assert fact(page, "Connection ends for good").startswith(f"in {left} days ({day})")
    assert f"({left} days left): reconnect before {day}." in banner(page)
    assert "Reconnect QuickBooks</button>" in banner_html(page)


async def test_a_refresh_that_does_not_name_the_hard_expiry_keeps_the_one_known(
    client: Books,
) -> None:
    """Given a connection whose hard expiry is known, when a refresh answer leaves it out,
    then the known date stands (the grant has not changed)."""
    quickbooks = app_of(client.http).state.quickbooks
    silent = TokenVault(quickbooks.vault.cipher, SilentOAuth())
    url = f"/clients/{client.client_id}/connection"
    known = fact((await client.http.get(url)).text, "Connection ends for good")

    await silent.refresh_now(client.client_id)

    assert fact((await client.http.get(url)).text, "Connection ends for good") == known


class SilentOAuth:
    """Intuit's token endpoint as an `IntuitOAuth`, answering refreshes without the hard
    expiry (as Intuit does when the request does not ask for it)."""

    async def refresh(self, refresh_token: str) -> TokenSet:
        return TokenSet.from_response(
            {"access_token": "fresh-access", "refresh_token": refresh_token, "expires_in": 3600}
        )
