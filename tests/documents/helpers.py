"""A firm with two clients and a staff member assigned to the first, Zera in-process with one
worker thread, and helpers that upload and read pages the way a browser does."""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from html import unescape
from typing import Any

import httpx
import pytest

from tests.conftest import csrf_token, post_form, set_up_firm, sign_in
from tests.extract.corpus import LAYOUTS_BY_NAME, TrueAccount, build
from zera.app import create_app
from zera.db.tables import Job
from zera.settings import Settings

STAFF_EMAIL = "sam@example.com"
STAFF_PASSWORD = "staff password 123"
HX = {"HX-Request": "true"}


@dataclass
class Office:
    http: httpx.AsyncClient
    app: Any
    client_a: int
    client_b: int


def statement(layout: str = "us_signed", seed: int = 7) -> tuple[bytes, list[TrueAccount]]:
    """A generated statement PDF and its ground truth (the extraction engine's own generator)."""
    return build(LAYOUTS_BY_NAME[layout], seed=seed)


async def _client_id(http: httpx.AsyncClient, name: str) -> int:
    response = await post_form(http, "/clients", {"name": name})
    match = re.fullmatch(r"/clients/(\d+)", response.headers["location"])
    assert match
    return int(match.group(1))


async def make_office(settings: Settings, *, worker: bool) -> AsyncIterator[Office]:
    app = create_app(settings)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://testserver"
    ) as http:
        await set_up_firm(http)
        client_a = await _client_id(http, "Acme Bakery")
        client_b = await _client_id(http, "Birch Dental")
        created = await post_form(
            http,
            "/users",
            {
                "name": "Sam Staff",
                "email": STAFF_EMAIL,
                "password": STAFF_PASSWORD,
                "role": "staff",
            },
            token_page="/users",
        )
        assert created.status_code == 303
        users = (await http.get("/users")).text
        staff_id = re.search(r"/users/(\d+)/deactivate", users).group(1)  # type: ignore[union-attr]
        assert (
            await post_form(http, f"/clients/{client_a}/staff", {"staff": staff_id})
        ).status_code == 303
        if worker:
            app.state.queue.start_worker(1)
        try:
            yield Office(http, app, client_a, client_b)
        finally:
            app.state.queue.close()


@pytest.fixture
async def office(settings: Settings) -> AsyncIterator[Office]:
    """Signed in as the owner, with a worker running extraction jobs."""
    async for office in make_office(settings, worker=True):
        yield office


@pytest.fixture
async def idle_office(settings: Settings) -> AsyncIterator[Office]:
    """Signed in as the owner, with no worker: jobs stay queued."""
    async for office in make_office(settings, worker=False):
        yield office


async def switch_to_staff(http: httpx.AsyncClient) -> None:
    await http.post("/logout", data={"_csrf_token": await csrf_token(http, "/")})
    assert (await sign_in(http, STAFF_EMAIL, STAFF_PASSWORD)).status_code == 303


async def upload(
    http: httpx.AsyncClient,
    client_id: int,
    files: list[tuple[str, bytes]],
    *,
    htmx: bool = False,
) -> httpx.Response:
    """POST the upload form as multipart, with the CSRF token from the client's page."""
    token = await csrf_token(http, f"/clients/{client_id}")
    headers = {**HX, "x-csrftoken": token} if htmx else {}
    return await http.post(
        f"/clients/{client_id}/documents",
        data={"_csrf_token": token},
        files=[("files", (name, data, "application/octet-stream")) for name, data in files],
        headers=headers,
    )


async def wait_for_jobs(client_id: int, timeout: float = 180) -> None:
    """Wait until every job of the client has finished (done or failed)."""
    deadline = time.monotonic() + timeout
    while True:
        rows = await Job.select(Job.state).where(Job.client_id == client_id).run()
        if rows and all(row["state"] in ("done", "failed") for row in rows):
            return
        assert time.monotonic() < deadline, f"jobs still running: {rows}"
        await asyncio.sleep(0.2)


def document_ids(page: str) -> list[int]:
    return [int(n) for n in re.findall(r'<tr id="document-(\d+)">', page)]


def batch_links(page: str, client_id: int) -> list[int]:
    return [int(n) for n in re.findall(rf'href="/clients/{client_id}/batches/(\d+)"', page)]


_CELL = re.compile(r"<td[^>]*>(.*?)</td>", re.S)
_TAG = re.compile(r"<[^>]+>")


def text(fragment: str) -> str:
    return " ".join(unescape(_TAG.sub(" ", fragment)).split())


def line_rows(page: str) -> list[list[str]]:
    """The review grid's rows as cell texts: date, description, amount, type, confidence,
    flags (the grid's own columns for selection, payee, account and status left out)."""
    rows = re.findall(r'<tr id="record-\d+"[^>]*>(.*?)</tr>', page, re.S)
    cells = [[text(cell) for cell in _CELL.findall(row)] for row in rows]
    return [[c[1], c[2], c[6], c[5], c[7], c[8]] for c in cells]


def line_ids(page: str) -> list[int]:
    """The statement line behind each row of the review grid, in order."""
    return [
        int(n) for n in re.findall(r'<tr id="record-\d+" data-record="\d+" data-line="(\d+)"', page)
    ]
