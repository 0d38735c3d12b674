"""The built-in sandbox inside Zera: never in production; in development its control surface
answers a signed-in firm owner (or the X-Sandbox-Token header), never staff or strangers."""

from __future__ import annotations

import dataclasses
import json
import os
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from tests.conftest import post_form, serving, set_up_firm, sign_in
from zera.app import create_app
from zera.combined import owner_authorizer, sandbox_config_for, with_sandbox
from zera.sandbox.app import create_sandbox_app
from zera.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
TOKEN = "in-zera-control-token"
STAFF = {"email": "sam@example.com", "password": "staff password 123"}


def _production_env(home: Path, **extra: str) -> dict[str, str]:
    env = {
        **os.environ,
        "ZERA_MODE": "production",
        "ZERA_BASE_DIR": str(home),
        "DATABASE_URL": f"sqlite:///{home}/zera.db",
        "ZERA_SECRET_KEY": "production-secret-key-" + "p" * 32,
        "ZERA_TOKEN_KEYS": "dGVzdC10b2tlbi1rZXktMzItYnl0ZXMtbG9uZyEhISE=",
        "ZERA_LOG_LEVEL": "WARNING",
        **extra,
    }
    for name in ("ZERA_QUEUE_URL", "REDIS_URL", "INTUIT_CLIENT_ID", "INTUIT_CLIENT_SECRET",
                 "INTUIT_WEBHOOK_VERIFIER_TOKEN"):
        if name not in extra:
            env.pop(name, None)
    return env


def test_production_without_intuit_client_id_stops_and_names_it(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "zera.cli", "migrate"], env=_production_env(tmp_path), cwd=ROOT,
        capture_output=True, text=True, timeout=60, check=False,
    )
    assert result.returncode == 2
    assert "INTUIT_CLIENT_ID is required in production mode" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "var" / "qbo-sandbox.db").exists()


def test_zera_serve_in_production_has_no_sandbox(tmp_path: Path) -> None:
    """Given production with Intuit's credentials, the sandbox's control surface, views,
    consent page and token endpoint are simply not there, token or not."""
    env = _production_env(
        tmp_path,
        INTUIT_CLIENT_ID="ABprodClient",
        INTUIT_CLIENT_SECRET="prod-secret",
        INTUIT_WEBHOOK_VERIFIER_TOKEN="prod-verifier",
        ZERA_SANDBOX_CONTROL_TOKEN=TOKEN,
    )
    with serving("serve", tmp_path, env, "/healthz") as base:
        headers = {"X-Sandbox-Token": TOKEN}
        answers = [
            httpx.get(f"{base}/_sandbox/api/companies", headers=headers),
            httpx.post(f"{base}/_sandbox/api/clock", json={"advanceSeconds": 60},
                       headers=headers),
            httpx.get(f"{base}/_sandbox/", headers=headers),
            httpx.get(f"{base}/connect/oauth2"),
            httpx.post(f"{base}/oauth2/v1/tokens/bearer"),
        ]
    assert [a.status_code for a in answers] == [404, 404, 404, 404, 404]
    assert not (tmp_path / "var" / "qbo-sandbox.db").exists()


def test_zera_serve_generates_the_control_token_and_prints_it_as_a_json_line(
    tmp_path: Path,
) -> None:
    """Given no ZERA_SANDBOX_CONTROL_TOKEN, `zera serve` keeps one in var/ (owner-only) and
    prints it once per start in the server's JSON-lines shape; it opens the control surface."""
    env = {**os.environ, "ZERA_BASE_DIR": str(tmp_path), "ZERA_LOG_LEVEL": "WARNING",
           "ZERA_SANDBOX_SEED": "none"}
    for name in ("DATABASE_URL", "ZERA_QUEUE_URL", "REDIS_URL", "ZERA_MODE", "INTUIT_CLIENT_ID",
                 "ZERA_SANDBOX_CONTROL_TOKEN"):
        env.pop(name, None)
    with serving("serve", tmp_path, env, "/healthz") as base:
        token_file = tmp_path / "var" / "sandbox_control_token"
        token = token_file.read_text()
        companies = f"{base}/_sandbox/api/companies"
        anonymous = httpx.get(companies).status_code
        scripted = httpx.get(companies, headers={"X-Sandbox-Token": token}).status_code
    assert (anonymous, scripted) == (401, 200)
    assert token_file.stat().st_mode & 0o077 == 0
    lines = [json.loads(line) for line in (tmp_path / "serve.log").read_text().splitlines()
             if line.strip()]
    assert any(token in line["message"] and "X-Sandbox-Token" in line["message"]
               for line in lines)


@pytest.fixture
async def combined(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    """Zera and the sandbox in one ASGI app, as `zera serve` builds them; signed in as owner."""
    settings = dataclasses.replace(settings, public_url="http://testserver")
    environ = {"ZERA_SANDBOX_CONTROL_TOKEN": TOKEN, "ZERA_SANDBOX_SEED": "none",
               "ZERA_SANDBOX_WEBHOOKS": "false"}
    zera = create_app(settings)
    sandbox = create_sandbox_app(sandbox_config_for(settings, environ),
                                 authorize=owner_authorizer())
    app = with_sandbox(zera, sandbox)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://testserver"
    ) as http:
        await set_up_firm(http)
        created = await post_form(
            http, "/users", {"name": "Sam Staff", "role": "staff", **STAFF}, token_page="/users"
        )
        assert created.status_code == 303
        yield http
    zera.state.queue.close()
    sandbox.state["sandbox"].close()


@pytest.mark.db
async def test_a_signed_in_owner_uses_the_control_surface(
    combined: httpx.AsyncClient,
) -> None:
    moved = await combined.post("/_sandbox/api/clock", json={"advanceSeconds": 3600})
    assert moved.status_code == 200 and moved.json()["offsetSeconds"] == 3600
    assert (await combined.get("/_sandbox/")).status_code == 200


@pytest.mark.db
async def test_staff_and_strangers_are_refused_and_nothing_changes(
    combined: httpx.AsyncClient,
) -> None:
    transport = combined._transport
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as staff:
        assert (await sign_in(staff, STAFF["email"], STAFF["password"])).status_code == 303
        by_staff = await staff.post("/_sandbox/api/clock", json={"advanceSeconds": 60})
        staff_view = await staff.get("/_sandbox/")
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as stranger:
        by_stranger = await stranger.post("/_sandbox/api/tokens/revoke", json={})

    assert [by_staff.status_code, staff_view.status_code, by_stranger.status_code] == [401] * 3
    clock = await combined.get("/_sandbox/api/clock")
    assert clock.json()["offsetSeconds"] == 0


@pytest.mark.db
async def test_a_script_uses_the_token_and_the_owners_cookie_does_not_help_another_site(
    combined: httpx.AsyncClient,
) -> None:
    async with httpx.AsyncClient(
        transport=combined._transport, base_url="http://testserver"
    ) as script:
        by_script = await script.get("/_sandbox/api/companies", headers={"X-Sandbox-Token": TOKEN})
    cross_site = await combined.post(
        "/_sandbox/api/clock", json={"advanceSeconds": 60},
        headers={"Origin": "https://evil.example"},
    )
    assert by_script.status_code == 200
    assert cross_site.status_code == 403
