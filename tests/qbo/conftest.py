"""Zera (in-process) connected to a real built-in sandbox server (`zera sandbox`, over HTTP)."""

from __future__ import annotations

import asyncio
import dataclasses
import os
import re
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from html import unescape
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest

from tests.conftest import post_form, serving, set_up_firm
from zera.app import create_app
from zera.db.tables import Job, QBOConnection
from zera.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
CLIENT_ID = "zera-test-app"
CLIENT_SECRET = "zera-test-secret-value"
VERIFIER = "zera-test-verifier"
CALLBACK = "http://testserver/qbo/callback"
CONTROL_TOKEN = "zera-test-sandbox-control-token"


@dataclass
class Sandbox:
    base: str

    def control(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        response = httpx.request(
            method,
            f"{self.base}/_sandbox/api{path}",
            json=body,
            headers={"X-Sandbox-Token": CONTROL_TOKEN},
            timeout=60,
        )
        assert response.status_code < 300, response.text
        return response.json()

    def new_company(self, name: str, *, history_months: int = 0) -> str:
        """A fresh company for one test: a starter company, or a seeded one with history."""
        body: dict[str, Any] = {"name": name}
        if history_months:
            body.update(seed=7, months=history_months)
        return str(self.control("POST", "/companies", body)["realmId"])


@pytest.fixture(scope="session")
def sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Sandbox]:
    """One `zera sandbox` process for the session; tests make their own companies in it."""
    home = tmp_path_factory.mktemp("sandbox")
    env = {
        **os.environ,
        "ZERA_BASE_DIR": str(home),
        "ZERA_SANDBOX_CLIENT_ID": CLIENT_ID,
        "ZERA_SANDBOX_CLIENT_SECRET": CLIENT_SECRET,
        "ZERA_SANDBOX_VERIFIER_TOKEN": VERIFIER,
        "ZERA_SANDBOX_REDIRECT_URIS": CALLBACK,
        "ZERA_SANDBOX_SEED_MONTHS": "2",
        "ZERA_SANDBOX_WEBHOOKS": "false",
        "ZERA_SANDBOX_CONTROL_TOKEN": CONTROL_TOKEN,
    }
    with serving("sandbox", home, env, "/.well-known/openid_configuration") as base:
        yield Sandbox(base)


@pytest.fixture
def qbo_settings(settings: Settings, sandbox: Sandbox) -> Settings:
    return dataclasses.replace(
        settings,
        public_url="http://testserver",
        sandbox_url=sandbox.base,
        sandbox_client_id=CLIENT_ID,
        sandbox_client_secret=CLIENT_SECRET,
        sandbox_verifier_token=VERIFIER,
    )


@pytest.fixture
async def zera(qbo_settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    """Zera in-process, signed in as the owner, with an in-process worker."""
    app = create_app(qbo_settings)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://testserver"
    ) as http:
        await set_up_firm(http)
        app.state.queue.start_worker(2)
        try:
            yield http
        finally:
            app.state.queue.close()


def app_of(http: httpx.AsyncClient) -> Any:
    return http._transport.app  # type: ignore[attr-defined]


async def add_client(http: httpx.AsyncClient, name: str) -> int:
    response = await post_form(http, "/clients", {"name": name})
    return int(response.headers["location"].rsplit("/", 1)[1])


_FORM_INPUT = re.compile(r'<input type="hidden" name="([^"]+)" value="([^"]*)">')


def consent(authorize_url: str, realm_id: str, decision: str = "allow") -> str:
    """Act as the person on Intuit's consent page; return where the browser is sent next."""
    page = httpx.get(authorize_url, timeout=30)
    assert page.status_code == 200, page.text
    form = {name: unescape(value) for name, value in _FORM_INPUT.findall(page.text)}
    form.update(realm_id=realm_id, decision=decision)
    parts = urlsplit(authorize_url)
    answer = httpx.post(f"{parts.scheme}://{parts.netloc}{parts.path}", data=form, timeout=30)
    assert answer.status_code == 302, answer.text
    return answer.headers["location"]


async def connect(http: httpx.AsyncClient, client_id: int, realm_id: str) -> httpx.Response:
    """The whole Connect flow; returns Zera's answer to the callback."""
    start = await post_form(http, f"/clients/{client_id}/qbo/connect", {})
    assert start.status_code == 303, start.text
    callback = consent(start.headers["location"], realm_id)
    assert callback.startswith(CALLBACK)
    return await http.get(callback.removeprefix("http://testserver"))


async def wait_for_jobs(client_id: int, timeout: float = 120) -> list[dict[str, Any]]:
    """Wait until every job of the client has finished; return them."""
    deadline = time.monotonic() + timeout
    while True:
        jobs = await Job.select().where(Job.client_id == client_id).run()
        if jobs and all(job["state"] in ("done", "failed") for job in jobs):
            return jobs
        if time.monotonic() > deadline:
            raise AssertionError(f"jobs still running: {jobs}")
        await asyncio.sleep(0.1)


async def connection_row(client_id: int) -> dict[str, Any] | None:
    return await QBOConnection.select().where(QBOConnection.client_id == client_id).first().run()
