"""Operating Zera: configuration errors, health checks and what the logs may contain."""

from __future__ import annotations

import asyncio
import dataclasses
import json
import os
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from tests.conftest import OWNER, csrf_token, free_port, running_zera, set_up_firm, sign_in
from zera.app import create_app
from zera.settings import Settings

ROOT = Path(__file__).resolve().parents[1]


def zera(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "zera.cli", *args],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_production_mode_without_a_secret_stops_and_names_it(tmp_path: Path) -> None:
    env = {
        "PATH": os.environ["PATH"],
        "ZERA_MODE": "production",
        "ZERA_BASE_DIR": str(tmp_path),
        "DATABASE_URL": f"sqlite:///{tmp_path}/zera.db",
    }
    result = zera("migrate", env=env)
    assert result.returncode == 2
    assert "ZERA_SECRET_KEY is required in production mode" in result.stderr
    assert "Traceback" not in result.stderr
    result = zera("migrate", env={**env, "ZERA_SECRET_KEY": "k" * 40})
    assert result.returncode == 2
    assert "ZERA_TOKEN_KEYS" in result.stderr


@pytest.mark.db
async def test_healthz_reports_database_and_queue(client: httpx.AsyncClient) -> None:
    response = await client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "queue": "ok"}


async def test_healthz_answers_503_when_the_database_is_unreachable(settings: Settings) -> None:
    broken = dataclasses.replace(
        settings, database_url=f"postgresql://zera:x@127.0.0.1:{free_port()}/nowhere"
    )
    app = create_app(broken)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://testserver"
    ) as http:
        response = await http.get("/healthz")
    app.state.queue.close()
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable" and body["database"].startswith("error")
    assert body["queue"] == "ok"


@pytest.mark.db
def test_logs_are_json_lines_without_passwords_or_session_ids(tmp_path: Path) -> None:
    async def use_the_app(base: str) -> str:
        async with httpx.AsyncClient(base_url=base) as http:
            await set_up_firm(http)
            session = http.cookies.get("zera_session") or ""
            await http.post("/logout", data={"_csrf_token": await csrf_token(http, "/")})
            await sign_in(http, OWNER["email"], "the wrong password!")
            await sign_in(http, OWNER["email"], OWNER["password"])
            return session

    with running_zera(tmp_path, ZERA_LOG_LEVEL="DEBUG") as base:
        session = asyncio.run(use_the_app(base))
    stderr = (tmp_path / "serve.log").read_text()
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert len(lines) > 5
    for line in lines:
        entry = json.loads(line)  # every line is one JSON object
        assert {"at", "level", "logger", "message"} <= entry.keys()
    for secret in (OWNER["password"], "the wrong password!", session):
        assert secret and secret not in stderr
