"""Fixtures: a real sandbox on a free 127.0.0.1 port, and python-quickbooks connected to it."""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from sandbox_harness import VERIFIER, Api, Company, Sandbox, connect, make_config, serve


@pytest.fixture(scope="session")
def sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Sandbox]:
    config = make_config(tmp_path_factory.mktemp("sandbox"))
    for base in serve(config):
        sandbox = Sandbox(base, config, "", seeded_realm="")
        companies = sandbox.control("GET", "/companies").json()["companies"]
        sandbox.seeded_realm = companies[0]["realmId"]
        # A blank company keeps these tests independent of the seeded history.
        created = sandbox.control("POST", "/companies", json={"name": "Test Co"}, timeout=60)
        assert created.status_code == 201, created.text
        sandbox.realm = created.json()["realmId"]
        yield sandbox


@pytest.fixture
def qb(sandbox: Sandbox):  # type: ignore[no-untyped-def]
    return connect(sandbox.base, sandbox.realm)


@pytest.fixture
def clock(sandbox: Sandbox) -> Iterator[Any]:
    """Move the sandbox clock in a test; it is set back afterwards."""

    def move(seconds: float) -> None:
        answer = sandbox.control("POST", "/clock", json={"advanceSeconds": seconds})
        assert answer.status_code == 200, answer.text

    yield move
    sandbox.control("POST", "/clock", json={"reset": True})


@pytest.fixture
def api(sandbox: Sandbox) -> Api:
    """A fresh starter company of its own, and an authorised HTTP client for it."""
    created = sandbox.control("POST", "/companies", json={"name": "Fault Test Co"})
    assert created.status_code == 201, created.text
    return Api(sandbox.base, created.json()["realmId"])


@pytest.fixture
def company(sandbox: Sandbox) -> Company:
    created = sandbox.control("POST", "/companies", json={"name": "Fidelity Co"})
    assert created.status_code == 201, created.text
    realm = created.json()["realmId"]
    return Company(realm, connect(sandbox.base, realm), Api(sandbox.base, realm))


@pytest.fixture
def receiver(sandbox: Sandbox) -> Iterator[queue.Queue[tuple[bytes, str]]]:
    """A webhook endpoint on 127.0.0.1 that answers 200 and queues (body, signature)."""
    received: queue.Queue[tuple[bytes, str]] = queue.Queue()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            received.put((body, self.headers.get("intuit-signature", "")))
            self.send_response(200)
            self.end_headers()

        def log_message(self, *_: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/webhooks"
    answer = sandbox.control("POST", "/webhooks", json={
        "endpoint_url": url, "verifier_token": VERIFIER, "format": "legacy",
        "aggregation_window_s": 0, "time_scale": 0.001})
    assert answer.status_code == 200, answer.text
    yield received
    sandbox.control("POST", "/webhooks", json={"endpoint_url": None})
    server.shutdown()
