"""First run: an empty install offers a one-time set-up page that creates the firm and owner."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from tests.conftest import (
    OWNER,
    SETUP_TOKEN,
    csrf_token,
    printed_setup_url,
    serving,
    set_up_firm,
)

ROOT = Path(__file__).resolve().parents[1]

pytestmark = pytest.mark.db


async def test_empty_install_sends_every_page_to_setup(client: httpx.AsyncClient) -> None:
    for path in ("/", "/login", "/clients/1"):
        response = await client.get(path)
        assert response.status_code == 303, path
        assert response.headers["location"] == "/setup"


async def test_setup_creates_owner_and_signs_in(client: httpx.AsyncClient) -> None:
    response = await set_up_firm(client)
    assert response.status_code == 303
    assert response.headers["location"] == "/"
    cookie = response.headers["set-cookie"]
    assert "zera_session=" in cookie and "HttpOnly" in cookie and "SameSite=lax" in cookie
    dashboard = await client.get("/")
    assert dashboard.status_code == 200
    assert "Ledger &amp; Co" in dashboard.text
    assert OWNER["name"] in dashboard.text


async def test_setup_page_disappears_once_an_owner_exists(client: httpx.AsyncClient) -> None:
    await set_up_firm(client)
    assert (await client.get("/setup")).headers["location"] == "/login"
    token = await csrf_token(client, "/")
    again = await client.post(
        "/setup",
        data={
            **OWNER,
            "email": "mallory@example.com",
            "setup_token": SETUP_TOKEN,
            "_csrf_token": token,
        },
    )
    assert again.status_code == 409
    assert "already set up" in again.text


async def test_setup_rejects_a_short_password_and_keeps_the_form(client: httpx.AsyncClient) -> None:
    token = await csrf_token(client, "/setup")
    response = await client.post(
        "/setup",
        data={**OWNER, "password": "short", "setup_token": SETUP_TOKEN, "_csrf_token": token},
    )
    assert response.status_code == 400
    assert "at least 10 characters" in response.text
    assert 'value="olive@example.com"' in response.text
    assert (await client.get("/setup")).status_code == 200  # nothing half-written


async def test_setup_with_missing_fields_answers_400_without_a_trace(
    client: httpx.AsyncClient,
) -> None:
    token = await csrf_token(client, "/setup")
    response = await client.post("/setup", data={"firm": "X", "_csrf_token": token})
    assert response.status_code == 400
    assert "Traceback" not in response.text
    assert "missing or malformed" in response.text


@pytest.mark.parametrize("given", ["", "0" * 32, SETUP_TOKEN[:-1]])
async def test_setup_without_the_right_token_is_refused_and_creates_nothing(
    client: httpx.AsyncClient, given: str
) -> None:
    """Given an empty install reachable by strangers, when someone posts the set-up form without
    the token the server printed, then no firm or owner is created."""
    token = await csrf_token(client, "/setup")
    response = await client.post(
        "/setup", data={**OWNER, "setup_token": given, "_csrf_token": token}
    )
    assert response.status_code == 403
    assert "set-up token is missing or wrong" in response.text
    assert 'value="olive@example.com"' in response.text  # the form is kept
    assert (await client.get("/setup")).status_code == 200  # still not set up
    assert (await client.get("/")).headers["location"] == "/setup"


async def test_setup_link_carries_the_token_so_the_page_does_not_ask_for_it(
    client: httpx.AsyncClient,
) -> None:
    asked = (await client.get("/setup")).text
    assert "Set-up token" in asked and SETUP_TOKEN not in asked
    linked = (await client.get(f"/setup?token={SETUP_TOKEN}")).text
    assert f'<input type="hidden" name="setup_token" value="{SETUP_TOKEN}">' in linked
    assert "Set-up token" not in linked
    wrong = (await client.get("/setup?token=guessed")).text
    assert "Set-up token" in wrong  # a wrong link still asks


def _zera_env(home: Path, **extra: str) -> dict[str, str]:
    """The environment of a `zera` process at home in `home` (SQLite), plus `extra`."""
    environ = {**os.environ, "ZERA_BASE_DIR": str(home), "ZERA_SANDBOX_SEED_MONTHS": "1"}
    for name in ("DATABASE_URL", "ZERA_QUEUE_URL", "REDIS_URL", "PORT", "ZERA_HOST"):
        environ.pop(name, None)
    return {**environ, **extra}


def test_zera_web_listens_on_loopback_and_prints_the_set_up_url(tmp_path: Path) -> None:
    """Given an installation with no owner, `zera web` (no PORT, no --host) listens on 127.0.0.1
    only and prints a set-up URL whose token the set-up page accepts."""
    env = _zera_env(tmp_path, ZERA_LOG_LEVEL="INFO")
    migrate = subprocess.run(
        [sys.executable, "-m", "zera.cli", "migrate"], env=env, cwd=ROOT, timeout=120, check=False
    )
    assert migrate.returncode == 0
    with serving("web", tmp_path, env, "/healthz") as base:
        url = printed_setup_url(tmp_path / "web.log")
        assert url.startswith(base + "/setup?token=")
        with httpx.Client(base_url=base) as http:
            page = http.get(url.removeprefix(base)).text
            fields = dict(re.findall(r'name="(_csrf_token|setup_token)" value="([^"]+)"', page))
            created = http.post("/setup", data={**OWNER, **fields})
            assert created.status_code == 303 and created.headers["location"] == "/"
    assert "Uvicorn running on http://127.0.0.1:" in (tmp_path / "web.log").read_text()


def test_zera_web_listens_on_every_interface_where_the_platform_sets_port(
    tmp_path: Path,
) -> None:
    env = _zera_env(tmp_path, ZERA_LOG_LEVEL="INFO", PORT="8000")  # `serving` adds --port
    with serving("web", tmp_path, env, "/static/app.css"):
        pass
    assert "Uvicorn running on http://0.0.0.0:" in (tmp_path / "web.log").read_text()
