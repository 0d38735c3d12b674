"""Connecting a client's QuickBooks company through the built-in sandbox, over real HTTP."""

from __future__ import annotations

import httpx
import pytest

from tests.conftest import OWNER, csrf_token, post_form, sign_in
from tests.qbo.conftest import (
    CALLBACK,
    Sandbox,
    add_client,
    connect,
    connection_row,
    consent,
    wait_for_jobs,
)
from zera.db.tables import AuditEvent, OAuthState, QBOReference, User
from zera.qbo.errors import NeedsReconnect

pytestmark = [pytest.mark.db, pytest.mark.queue]


async def test_connect_stores_the_company_and_shows_its_chart_of_accounts(
    zera: httpx.AsyncClient, sandbox: Sandbox
) -> None:
    realm = sandbox.new_company("Harbor Plumbing LLC")
    client_id = await add_client(zera, "Harbor Plumbing")
    done = await connect(zera, client_id, realm)
    assert done.status_code == 303
    assert done.headers["location"] == f"/clients/{client_id}/connection"
    row = await connection_row(client_id)
    assert row and row["realm_id"] == realm and row["company_name"] == "Harbor Plumbing LLC"
    assert "refresh" not in row["refresh_token"].lower()  # stored encrypted, not as sent
    jobs = await wait_for_jobs(client_id)
    assert {job["state"] for job in jobs} == {"done"}, jobs
    page = (await zera.get(f"/clients/{client_id}/connection")).text
    assert "Harbor Plumbing LLC" in page and "Connected" in page
    assert "refreshed" in page and "seconds ago" in page
    accounts = (
        await QBOReference.count()
        .where((QBOReference.client_id == client_id) & (QBOReference.entity == "Account"))
        .run()
    )
    assert accounts >= 10
    assert "Accounts Payable" in page or "Checking" in page
    assert "Connected" in (await zera.get("/")).text


async def _started(zera: httpx.AsyncClient, client_id: int) -> str:
    start = await post_form(zera, f"/clients/{client_id}/qbo/connect", {})
    return str(start.headers["location"])


async def test_forged_state_is_rejected_and_nothing_is_stored(
    zera: httpx.AsyncClient, sandbox: Sandbox
) -> None:
    realm = sandbox.new_company("Forgery Co")
    client_id = await add_client(zera, "Forgery")
    callback = consent(await _started(zera, client_id), realm)
    forged = callback.replace("state=", "state=x")
    response = await zera.get(forged.removeprefix("http://testserver"))
    assert response.status_code == 400
    assert "not valid" in response.text
    assert await connection_row(client_id) is None


async def test_replayed_callback_is_rejected(zera: httpx.AsyncClient, sandbox: Sandbox) -> None:
    realm = sandbox.new_company("Replay Co")
    client_id = await add_client(zera, "Replay")
    callback = consent(await _started(zera, client_id), realm).removeprefix("http://testserver")
    assert (await zera.get(callback)).status_code == 303
    again = await zera.get(callback)
    assert again.status_code == 400
    assert "used already" in again.text


async def test_state_from_another_session_is_rejected(
    zera: httpx.AsyncClient, sandbox: Sandbox
) -> None:
    realm = sandbox.new_company("Session Co")
    client_id = await add_client(zera, "Session")
    callback = consent(await _started(zera, client_id), realm).removeprefix("http://testserver")
    transport = zera._transport
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as other:
        await sign_in(other, OWNER["email"], OWNER["password"])
        response = await other.get(callback)
    assert response.status_code == 400
    assert "another session" in response.text
    assert await connection_row(client_id) is None


async def test_denied_consent_and_missing_code_are_explained(
    zera: httpx.AsyncClient, sandbox: Sandbox
) -> None:
    realm = sandbox.new_company("Denied Co")
    client_id = await add_client(zera, "Denied")
    denied = consent(await _started(zera, client_id), realm, decision="deny")
    response = await zera.get(denied.removeprefix("http://testserver"))
    assert response.status_code == 400 and "did not grant access" in response.text
    url = await _started(zera, client_id)
    state = httpx.URL(url).params["state"]
    response = await zera.get(f"/qbo/callback?state={state}")
    assert response.status_code == 400 and "did not send back a code" in response.text
    assert await connection_row(client_id) is None
    assert await OAuthState.count().run() == 0  # both states were used up


async def test_a_realm_connected_to_one_client_cannot_be_connected_to_another(
    zera: httpx.AsyncClient, sandbox: Sandbox
) -> None:
    realm = sandbox.new_company("Shared Books Inc")
    first = await add_client(zera, "First")
    second = await add_client(zera, "Second")
    assert (await connect(zera, first, realm)).status_code == 303
    response = await connect(zera, second, realm)
    assert response.status_code == 400
    assert "already connected to another client" in response.text
    assert await connection_row(second) is None


async def test_callback_needs_a_signed_in_user(zera: httpx.AsyncClient) -> None:
    await zera.post("/logout", data={"_csrf_token": await csrf_token(zera, "/")})
    response = await zera.get("/qbo/callback?state=abc&code=def&realmId=1")
    assert response.status_code == 303 and response.headers["location"] == "/login"
    assert CALLBACK.endswith("/qbo/callback")


async def test_disconnect_revokes_at_intuit_and_forgets_the_tokens(
    zera: httpx.AsyncClient, sandbox: Sandbox
) -> None:
    realm = sandbox.new_company("Goodbye Co")
    client_id = await add_client(zera, "Goodbye")
    assert (await connect(zera, client_id, realm)).status_code == 303
    await wait_for_jobs(client_id)
    quickbooks = zera._transport.app.state.quickbooks  # type: ignore[attr-defined]
    refresh_token = quickbooks.vault.cipher.decrypt(
        (await connection_row(client_id))["refresh_token"]
    )
    response = await post_form(zera, f"/clients/{client_id}/qbo/disconnect", {})
    assert response.status_code == 303
    assert await connection_row(client_id) is None
    with pytest.raises(NeedsReconnect):
        await quickbooks.oauth.refresh(refresh_token)  # Intuit (the sandbox) no longer takes it
    page = (await zera.get(f"/clients/{client_id}/connection")).text
    assert "Connect QuickBooks Online" in page


async def test_staff_cannot_connect_or_disconnect_quickbooks(
    zera: httpx.AsyncClient, sandbox: Sandbox
) -> None:
    """Given a connected client with a staff member assigned, when that staff member posts
    disconnect or connect, then both are refused with 403, the connection stays, the page
    offers neither button, and the audit log keeps the attempts."""
    realm = sandbox.new_company("Owners Only Co")
    client_id = await add_client(zera, "Owners Only")
    assert (await connect(zera, client_id, realm)).status_code == 303
    await wait_for_jobs(client_id)
    staff = {"name": "Sam Staff", "email": "sam@example.com", "password": "staff password 123"}
    assert (
        await post_form(zera, "/users", {**staff, "role": "staff"}, token_page="/users")
    ).status_code == 303
    staff_id = (await User.select(User.id).where(User.email == staff["email"]).first().run())["id"]
    await post_form(zera, f"/clients/{client_id}/staff", {"staff": str(staff_id)})

    transport = zera._transport
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as sam:
        assert (await sign_in(sam, staff["email"], staff["password"])).status_code == 303
        page = (await sam.get(f"/clients/{client_id}/connection")).text
        assert "Owners Only Co" in page
        assert "/qbo/disconnect" not in page and "/qbo/connect" not in page
        token_page = f"/clients/{client_id}"
        for action in ("disconnect", "connect"):
            refused = await post_form(
                sam, f"/clients/{client_id}/qbo/{action}", {}, token_page=token_page
            )
            assert refused.status_code == 403, action
            assert "reconnect or disconnect QuickBooks" in refused.text
    assert (await connection_row(client_id)) is not None
    refusals = (
        await AuditEvent.count()
        .where((AuditEvent.action == "qbo.refused_to_staff") & (AuditEvent.client_id == client_id))
        .run()
    )
    assert refusals == 2
