"""Test harness: run the sandbox on a free 127.0.0.1 port and connect python-quickbooks to it."""

from __future__ import annotations

import json
import os
import queue
import re
import socket
import threading
import time
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, replace
from html import unescape
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

import httpx
import uvicorn

from zera.sandbox import SandboxConfig, create_sandbox_app
from zera.sandbox.config import Limits

CLIENT_ID = "ABsandboxTestClient"
CLIENT_SECRET = "sandbox-test-secret"
VERIFIER = "sandbox-test-verifier"
REDIRECT = "http://127.0.0.1:9/callback"
SCOPE = "com.intuit.quickbooks.accounting"
CONTROL_TOKEN = "sandbox-test-control-token"
CONTROL = {"X-Sandbox-Token": CONTROL_TOKEN}


@dataclass
class Sandbox:
    base: str
    config: SandboxConfig
    realm: str
    seeded_realm: str

    def control(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        """A control-surface request as a script makes it: with the X-Sandbox-Token header."""
        headers = {**CONTROL, **kwargs.pop("headers", {})}
        kwargs.setdefault("timeout", 30)
        return httpx.request(method, f"{self.base}/_sandbox/api{path}", headers=headers,
                             **kwargs)


@dataclass
class Company:
    """A fresh starter company of its own, with python-quickbooks and a bare HTTP client."""

    realm: str
    qb: Any
    api: Api


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def serve(config: SandboxConfig) -> Iterator[str]:
    """Run the sandbox with uvicorn in a thread; yield its base URL (its public URL too, so the
    control surface's host check expects this port)."""
    port = _free_port()
    config = replace(config, public_url=f"http://127.0.0.1:{port}")
    server = uvicorn.Server(uvicorn.Config(create_sandbox_app(config), host="127.0.0.1",
                                           port=port, log_config=None, lifespan="on"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the sandbox did not start")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=15)


def make_config(tmp: Path, **changes: object) -> SandboxConfig:
    config = SandboxConfig(
        db_path=tmp / "sandbox.db", client_id=CLIENT_ID, client_secret=CLIENT_SECRET,
        verifier_token=VERIFIER, redirect_uris=(REDIRECT,), seed=1, seed_months=2,
        limits=Limits(enabled=False), control_token=CONTROL_TOKEN,
        # The tests run their own webhook receivers on other ports.
        allow_any_webhook_url=True,
    )
    return replace(config, **changes)  # type: ignore[arg-type]


def consent(base: str, *, realm: str, state: str = "st4te",
            redirect: str = REDIRECT) -> dict[str, str]:
    """Walk the consent page as a person would; return the callback's query parameters."""
    page = httpx.get(f"{base}/connect/oauth2", params={
        "client_id": CLIENT_ID, "response_type": "code", "scope": SCOPE,
        "redirect_uri": redirect, "state": state})
    assert page.status_code == 200, page.text
    form = {unescape(n): unescape(v) for n, v in
            re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', page.text)}
    assert re.search(rf'name="realm_id" value="{realm}"', page.text)
    answer = httpx.post(f"{base}/connect/oauth2", data={**form, "realm_id": realm,
                                                        "decision": "allow"})
    assert answer.status_code == 302, answer.text
    location = answer.headers["location"]
    assert location.startswith(redirect)
    return {k: v[0] for k, v in parse_qs(urlparse(location).query).items()}


def auth_client(base: str):  # type: ignore[no-untyped-def]
    from intuitlib.client import AuthClient

    return AuthClient(CLIENT_ID, CLIENT_SECRET, REDIRECT,
                      environment=f"{base}/.well-known/openid_sandbox_configuration")


def connect(base: str, realm: str):  # type: ignore[no-untyped-def]
    """python-quickbooks on a fresh OAuth grant for `realm`, pointed at the sandbox."""
    from quickbooks import QuickBooks

    # requests-oauthlib insists on https; the test sandbox listens on plain 127.0.0.1.
    os.environ["OAUTHLIB_INSECURE_TRANSPORT"] = "1"
    client = auth_client(base)
    callback = consent(base, realm=realm)
    client.get_bearer_token(callback["code"], realm_id=callback["realmId"])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        qb = QuickBooks(auth_client=client, refresh_token=client.refresh_token,
                        company_id=callback["realmId"], minorversion=75)
    qb.api_url_v3 = f"{base}/v3"
    qb.sandbox_api_url_v3 = f"{base}/v3"
    return qb


def tokens_for(base: str, realm: str, *, hard: bool = False) -> dict[str, Any]:
    """A fresh grant's token response for `realm`, through the consent page and the token
    endpoint with Basic client auth."""
    callback = consent(base, realm=realm)
    headers = {"x-include-refresh-token-hard-expires-in": "true"} if hard else {}
    answer = httpx.post(f"{base}/oauth2/v1/tokens/bearer", auth=(CLIENT_ID, CLIENT_SECRET),
                        headers={"Accept": "application/json", **headers},
                        data={"grant_type": "authorization_code", "code": callback["code"],
                              "redirect_uri": REDIRECT})
    assert answer.status_code == 200, answer.text
    body: dict[str, Any] = answer.json()
    return body


class Api:
    """A bare HTTP client for one realm's Accounting API, as any SDK would call it."""

    def __init__(self, base: str, realm: str, token: str | None = None) -> None:
        self.base, self.realm = base, realm
        self.token = token or tokens_for(base, realm)["access_token"]
        self.http = httpx.Client(base_url=f"{base}/v3/company/{realm}", timeout=30,
                                 headers={"Accept": "application/json"})

    def _auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}

    def get(self, path: str, **params: Any) -> httpx.Response:
        return self.http.get(path, params={"minorversion": 75, **params}, headers=self._auth())

    def post(self, path: str, body: Any, **params: Any) -> httpx.Response:
        return self.http.post(path, json=body, params={"minorversion": 75, **params},
                              headers=self._auth())

    def query(self, statement: str) -> httpx.Response:
        return self.http.post("/query", content=statement.encode(),
                              params={"minorversion": 75},
                              headers={**self._auth(), "Content-Type": "application/text"})


def webhook_events(received: queue.Queue[tuple[bytes, str]], realm: str,
                   wanted: int) -> list[dict[str, Any]]:
    """At least `wanted` legacy webhook entities for `realm`, each body's signature checked."""
    from zera.sandbox.webhooks import verify

    events: list[dict[str, Any]] = []
    while len(events) < wanted:
        body, signature = received.get(timeout=20)
        assert verify(body, signature, VERIFIER)  # HMAC-SHA256 of the exact body
        for notification in json.loads(body)["eventNotifications"]:
            if notification["realmId"] == realm:
                events += notification["dataChangeEvent"]["entities"]
    return events
