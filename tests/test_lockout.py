"""Sign-in lockout under concurrent guessing, expiry of its counters, and the audit of failures."""

from __future__ import annotations

import asyncio
import dataclasses
import html
import json
import re
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from tests.conftest import OWNER, csrf_token, running_zera, set_up_firm, sign_in
from zera.accounts.lockout import purge_stale
from zera.app import create_app
from zera.db.tables import LoginGuard, SignInSource
from zera.settings import Settings

pytestmark = pytest.mark.db


async def _guess(base: str, email: str, password: str) -> httpx.Response:
    """One browser: its own CSRF cookie and token, then one sign-in."""
    async with httpx.AsyncClient(base_url=base, timeout=60) as http:
        token = await csrf_token(http, "/login")
        return await http.post(
            "/login", data={"email": email, "password": password, "_csrf_token": token}
        )


def test_thirty_concurrent_wrong_guesses_check_at_most_the_limit(tmp_path: Path) -> None:
    """Given a real server allowing 5 failures, when 30 browsers guess the owner's password at
    the same moment, then no request fails, exactly 5 guesses are checked (answered "do not
    match"), the other 25 are answered "locked", and the right password is then refused too."""

    async def attack(base: str) -> tuple[list[httpx.Response], httpx.Response]:
        async with httpx.AsyncClient(base_url=base) as owner:
            assert (await set_up_firm(owner)).status_code == 303
        guesses = await asyncio.gather(
            *(_guess(base, OWNER["email"], f"wrong guess {n:02d}") for n in range(30))
        )
        return list(guesses), await _guess(base, OWNER["email"], OWNER["password"])

    with running_zera(tmp_path, ZERA_LOGIN_MAX_FAILURES="5") as base:
        guesses, right_password = asyncio.run(attack(base))
    statuses = [response.status_code for response in guesses]
    assert 500 not in statuses
    assert statuses.count(401) == 5, statuses
    assert statuses.count(429) == 25, statuses
    assert all("do not match" in r.text for r in guesses if r.status_code == 401)
    assert all("Too many failed sign-ins" in r.text for r in guesses if r.status_code == 429)
    assert right_password.status_code == 429
    assert "zera_session" not in right_password.cookies


@pytest.fixture
async def office(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    """A set-up firm whose owner is signed in; requests come from 10.0.0.1."""
    app = create_app(settings)
    transport = httpx.ASGITransport(app=app, client=("10.0.0.1", 40000))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        await set_up_firm(http)
        yield http
    app.state.queue.close()


def _visitor(office: httpx.AsyncClient, ip: str) -> httpx.AsyncClient:
    """Another browser on another machine, talking to the same app."""
    app = office._transport.app  # type: ignore[attr-defined]
    transport = httpx.ASGITransport(app=app, client=(ip, 50000))
    return httpx.AsyncClient(transport=transport, base_url="http://testserver")


async def test_concurrent_wrong_guesses_in_process_check_at_most_the_limit(
    office: httpx.AsyncClient,
) -> None:
    """The same race on this test run's database (PostgreSQL in CI): 20 guesses at once with
    3 failures allowed are answered 3 times "do not match" and 17 times "locked"."""
    visitors = [_visitor(office, f"192.0.2.{n}") for n in range(20)]
    tokens = [await csrf_token(visitor, "/login") for visitor in visitors]
    responses = await asyncio.gather(
        *(
            visitor.post(
                "/login",
                data={"email": OWNER["email"], "password": "wrong", "_csrf_token": token},
            )
            for visitor, token in zip(visitors, tokens, strict=True)
        )
    )
    for visitor in visitors:
        await visitor.aclose()
    statuses = sorted(response.status_code for response in responses)
    assert statuses == [401] * 3 + [429] * 17


async def _audited_failures(office: httpx.AsyncClient) -> list[dict[str, int]]:
    """The details of the failed sign-ins on the owner's audit page, newest first."""
    page = (await office.get("/audit")).text
    details = re.findall(
        r"<code>auth\.(?:sign_in_failed|locked_out_attempt)</code>.*?<code>(.*?)</code>",
        page,
        re.S,
    )
    return [json.loads(html.unescape(detail)) for detail in details]


async def test_failed_sign_ins_for_made_up_addresses_are_audited_a_few_times_per_source(
    office: httpx.AsyncClient,
) -> None:
    """Given one source trying 40 made-up addresses, the audit keeps the first 10 failures and
    then the 16th and the 32nd (each saying its number), not 40 rows; another source's first
    failure is still audited."""
    async with _visitor(office, "203.0.113.7") as attacker:
        for n in range(40):
            assert (await sign_in(attacker, f"nobody{n}@example.com", "guess")).status_code == 401
    audited = await _audited_failures(office)
    assert [row["failures_from_source"] for row in audited] == [32, 16, *range(10, 0, -1)]
    async with _visitor(office, "198.51.100.9") as someone_else:
        await sign_in(someone_else, "typo@example.com", "guess")
    assert len(await _audited_failures(office)) == 13


async def test_a_flood_on_one_address_is_audited_a_few_times(office: httpx.AsyncClient) -> None:
    """Given 3 failures allowed, when one address is tried 40 times, then the audit has its 3
    checked failures and the locked attempts numbered 4, 8, 16 and 32 (powers of two)."""
    async with _visitor(office, "203.0.113.8") as attacker:
        for _ in range(40):
            await sign_in(attacker, OWNER["email"], "wrong password")
    audited = await _audited_failures(office)
    assert [row["attempt"] for row in audited] == [32, 16, 8, 4, 3, 2, 1]
    assert [row["locked"] for row in audited] == [True] * 5 + [False] * 2


async def test_counters_of_made_up_addresses_expire_and_locks_are_kept_while_they_last(
    office: httpx.AsyncClient, settings: Settings
) -> None:
    """Given failures for made-up addresses and a locked address, the purge keeps everything
    within the window (the lock included), and forgets everything once the window is over."""
    async with _visitor(office, "203.0.113.9") as attacker:
        for n in range(5):
            await sign_in(attacker, f"made-up-{n}@example.com", "guess")
        for _ in range(3):
            await sign_in(attacker, OWNER["email"], "wrong password")
        assert (await sign_in(attacker, OWNER["email"], OWNER["password"])).status_code == 429
    window = settings.login_lockout_seconds
    assert await LoginGuard.count().run() == 6
    soon = datetime.now(UTC) + timedelta(seconds=60)
    assert await purge_stale(window, now=soon) == 0
    later = datetime.now(UTC) + timedelta(seconds=window + 1)
    assert await purge_stale(window, now=later) == 7  # 6 addresses and 1 source
    assert await LoginGuard.count().run() == 0
    assert await SignInSource.count().run() == 0


async def test_the_right_password_clears_the_count(office: httpx.AsyncClient) -> None:
    """Two failures, then the right password, then three more failures before a lock."""
    async with _visitor(office, "192.0.2.1") as owner:
        for _ in range(2):
            assert (await sign_in(owner, OWNER["email"], "wrong password")).status_code == 401
        assert (await sign_in(owner, OWNER["email"], OWNER["password"])).status_code == 303
        await owner.post("/logout", data={"_csrf_token": await csrf_token(owner, "/")})
        for _ in range(3):
            assert (await sign_in(owner, OWNER["email"], "wrong password")).status_code == 401
        assert (await sign_in(owner, OWNER["email"], "wrong password")).status_code == 429


async def test_a_lock_ends_after_its_window(settings: Settings) -> None:
    """With a one-second window, a locked address may sign in again once the second is over."""
    app = create_app(dataclasses.replace(settings, login_lockout_seconds=1))
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        await set_up_firm(http)
        await http.post("/logout", data={"_csrf_token": await csrf_token(http, "/")})
        for _ in range(3):
            await sign_in(http, OWNER["email"], "wrong password")
        assert (await sign_in(http, OWNER["email"], OWNER["password"])).status_code == 429
        await asyncio.sleep(1.1)
        assert (await sign_in(http, OWNER["email"], OWNER["password"])).status_code == 303
    app.state.queue.close()
