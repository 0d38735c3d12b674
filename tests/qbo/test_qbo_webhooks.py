"""Intuit webhooks into Zera: signature checks, and a change made in QuickBooks arriving."""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import hmac
import re
import sqlite3
import time
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import TypeVar

import httpx
import pytest

from tests.conftest import OWNER, SETUP_TOKEN
from tests.qbo.conftest import consent
from zera.app import create_app
from zera.db.tables import WebhookInbox
from zera.settings import Settings

pytestmark = pytest.mark.db

# Intuit's published test vector (Java SDK WebhooksServiceTest, QBO-API.md §6).
VECTOR_TOKEN = "b5771f19b12ddb4bcdb9f08bdc50bc63878a"
VECTOR_BODY = (
    b'{"eventNotifications":[{"realmId":"1185883450","dataChangeEvent":{"entities":[{"name":'
    b'"Customer","id":"1","operation":"Create","lastUpdated":"2015-10-05T14:42:19-0700"}]}}]}'
)
VECTOR_SIGNATURE = "JC2GUwciPmRBwEO7WvrRmKqu9tGOKL8FFallocTFi8Q="
T = TypeVar("T")


@pytest.fixture
async def receiver(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(dataclasses.replace(settings, sandbox_verifier_token=VECTOR_TOKEN))
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://testserver"
    ) as http:
        yield http
    app.state.queue.close()


async def test_a_fresh_signed_body_is_accepted_and_kept(receiver: httpx.AsyncClient) -> None:
    body = VECTOR_BODY.replace(b"2015-10-05T14:42:19-0700", _now_text().encode())
    response = await receiver.post(
        "/qbo/webhooks",
        content=body,
        headers={"intuit-signature": _sign(body), "content-type": "application/json"},
    )
    assert response.status_code == 200
    assert response.json() == {"status": "received"}
    rows = await WebhookInbox.select().run()
    assert [row["realm_id"] for row in rows] == ["1185883450"]
    assert rows[0]["body"].encode() == body


async def test_intuits_published_body_is_authentic_but_too_old_to_store(
    receiver: httpx.AsyncClient,
) -> None:
    """Given Intuit's 2015 test vector (a valid signature, events years old), when it arrives,
    then it is answered 200 (so Intuit would not retry it) but refused as a replay."""
    response = await receiver.post(
        "/qbo/webhooks",
        content=VECTOR_BODY,
        headers={"intuit-signature": VECTOR_SIGNATURE, "content-type": "application/json"},
    )
    assert response.status_code == 200
    assert response.json() == {"status": "stale"}
    assert await WebhookInbox.count().run() == 0


@pytest.mark.parametrize(
    "signature", [None, "", "JC2GUwciPmRBwEO7WvrRmKqu9tGOKL8FFallocTFi8R=", "not base64 at all!"]
)
async def test_missing_or_wrong_signature_is_refused(
    receiver: httpx.AsyncClient, signature: str | None
) -> None:
    headers = {"content-type": "application/json"}
    if signature is not None:
        headers["intuit-signature"] = signature
    response = await receiver.post("/qbo/webhooks", content=VECTOR_BODY, headers=headers)
    assert response.status_code == 401
    assert await WebhookInbox.count().run() == 0


async def test_a_body_changed_in_transit_is_refused(receiver: httpx.AsyncClient) -> None:
    tampered = VECTOR_BODY.replace(b'"id":"1"', b'"id":"2"')
    response = await receiver.post(
        "/qbo/webhooks", content=tampered, headers={"intuit-signature": VECTOR_SIGNATURE}
    )
    assert response.status_code == 401


@pytest.mark.browser  # needs a real `zera serve`, like the browser tests
def test_an_edit_in_the_sandbox_reaches_zera_by_webhook(live_server: str, tmp_path: Path) -> None:
    """Given a client connected to the built-in sandbox, when a QuickBooks user renames an
    account there, then Zera's mirror shows the new name without anyone pressing refresh."""
    with httpx.Client(base_url=live_server, timeout=30) as http:
        page = http.get("/setup").text
        token = re.search(r'name="_csrf_token" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
        http.post("/setup", data={**OWNER, "setup_token": SETUP_TOKEN, "_csrf_token": token})
        # Signed in now: forms carry the token bound to the new session.
        token = re.search(r'name="_csrf_token" value="([^"]+)"', http.get("/").text).group(1)  # type: ignore[union-attr]
        http.post("/clients", data={"name": "Webhook Co", "_csrf_token": token})
        start = http.post("/clients/1/qbo/connect", data={"_csrf_token": token})
        realm = http.get("/_sandbox/api/companies").json()["companies"][0]["realmId"]
        assert http.get(consent(start.headers["location"], realm)).status_code in (200, 303)
        account_id = _wait_for(lambda: _mirrored_account(tmp_path))
        # The signed-in owner's session opens the sandbox's control surface.
        renamed = http.post(
            f"/_sandbox/api/companies/{realm}/records/Account",
            json={
                "operation": "update",
                "payload": {"Id": account_id, "Name": "Renamed By Webhook"},
            },
        )
        assert renamed.status_code == 200, renamed.text
        assert _wait_for(lambda: "Renamed By Webhook" in http.get("/clients/1/connection").text)
    with sqlite3.connect(tmp_path / "var" / "zera.db") as db:
        (received,) = db.execute(
            "SELECT count(*) FROM qbo_webhook_inbox WHERE realm_id = ?", (realm,)
        ).fetchone()
    assert received >= 1  # it came by webhook: nothing else in this test asked for a refresh


def _now_text() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")


def _sign(body: bytes) -> str:
    return base64.b64encode(hmac.new(VECTOR_TOKEN.encode(), body, hashlib.sha256).digest()).decode()


def _mirrored_account(home: Path) -> str | None:
    with sqlite3.connect(home / "var" / "zera.db") as db:
        row = db.execute(
            "SELECT qbo_id FROM qbo_reference WHERE entity = 'Account' ORDER BY qbo_id LIMIT 1"
        ).fetchone()
    return str(row[0]) if row else None


def _wait_for(check: Callable[[], T | None], timeout: float = 60) -> T:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.5)
    raise AssertionError("timed out")
