"""Test harness: run the sandbox on a free 127.0.0.1 port and connect python-quickbooks to it."""

from __future__ import annotations

import os
import re
import socket
import threading
import time
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, replace
from html import unescape
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import httpx
import uvicorn

from zera.qbo.sandbox import SandboxConfig, create_sandbox_app
from zera.qbo.sandbox.config import Limits

CLIENT_ID = "ABsandboxTestClient"
CLIENT_SECRET = "sandbox-test-secret"
VERIFIER = "sandbox-test-verifier"
REDIRECT = "http://127.0.0.1:9/callback"
SCOPE = "com.intuit.quickbooks.accounting"


@dataclass
class Sandbox:
    base: str
    config: SandboxConfig
    realm: str

    def control(self, method: str, path: str, **kwargs: object) -> httpx.Response:
        return httpx.request(method, f"{self.base}/_sandbox/api{path}", timeout=30, **kwargs)  # type: ignore[arg-type]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def serve(config: SandboxConfig) -> Iterator[str]:
    """Run the sandbox with uvicorn in a thread; yield its base URL."""
    port = _free_port()
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
        limits=Limits(enabled=False),
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
