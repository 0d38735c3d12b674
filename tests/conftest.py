"""Shared fixtures. The database is SQLite in a temporary folder unless ZERA_TEST_DATABASE_URL
names a PostgreSQL server (CI does), in which case each test session gets a database of its own.
The queue likewise follows ZERA_TEST_QUEUE_URL (postgresql:// or redis://) when it is set."""

from __future__ import annotations

import asyncio
import os
import re
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from zera.accounts.setup_token import setup_token
from zera.app import create_app
from zera.db import engine_for, migrate
from zera.db.tables import ALL_TABLES
from zera.settings import Settings

PG_ADMIN_URL = os.environ.get("ZERA_TEST_DATABASE_URL", "")
SECRET_KEY = "test-secret-key-" + "x" * 32
# What `zera serve` prints in the set-up URL of an installation with SECRET_KEY.
SETUP_TOKEN = setup_token(SECRET_KEY)
QUEUE_URL = os.environ.get("ZERA_TEST_QUEUE_URL", "")


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str | None]:
    """A fresh PostgreSQL database for this session, or None when testing on SQLite."""
    if not PG_ADMIN_URL:
        yield None
        return
    import psycopg

    name = f"zera_test_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    url = PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    asyncio.run(migrate(engine_for(url)))
    yield url
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE "{name}" WITH (FORCE)')


def _reset_postgres(url: str) -> None:
    import psycopg

    names = ", ".join(table._meta.tablename for table in ALL_TABLES)
    with psycopg.connect(url, autocommit=True) as conn:
        # TRUNCATE does not fire the audit log's row-level append-only trigger.
        conn.execute(f"TRUNCATE {names} RESTART IDENTITY CASCADE")


@pytest.fixture
def settings(tmp_path: Path, postgres_url: str | None) -> Settings:
    """Settings for an empty installation in a temporary folder."""
    env = {
        "ZERA_BASE_DIR": str(tmp_path),
        "ZERA_SECRET_KEY": SECRET_KEY,
        "ZERA_TOKEN_KEYS": "dGVzdC10b2tlbi1rZXktMzItYnl0ZXMtbG9uZyEhISE=",
        "ZERA_LOGIN_MAX_FAILURES": "3",
    }
    if postgres_url:
        _reset_postgres(postgres_url)
        env["DATABASE_URL"] = postgres_url
    if QUEUE_URL:
        env["ZERA_QUEUE_URL"] = QUEUE_URL
    settings = Settings.from_env(env)
    if not postgres_url:
        asyncio.run(migrate(engine_for(settings.database_url)))
    return settings


@pytest.fixture
async def client(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    """An HTTP client talking to a fresh app in-process (no worker threads)."""
    app = create_app(settings)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        yield http
    app.state.queue.close()


_CSRF = re.compile(r'name="_csrf_token" value="([^"]+)"')


async def csrf_token(http: httpx.AsyncClient, page: str = "/login") -> str:
    """Load `page` (which sets the CSRF cookie) and return the form token it renders."""
    response = await http.get(page)
    match = _CSRF.search(response.text)
    assert match, f"no CSRF token on {page}: {response.status_code}"
    return match.group(1)


async def post_form(
    http: httpx.AsyncClient, url: str, data: dict[str, str], *, token_page: str = "/"
) -> httpx.Response:
    """POST a form the way a browser does: with the CSRF token from a page of the app."""
    token = await csrf_token(http, token_page)
    return await http.post(url, data={**data, "_csrf_token": token})


OWNER = {
    "firm": "Ledger & Co",
    "name": "Olive Owner",
    "email": "olive@example.com",
    "password": "correct horse battery",
}


async def set_up_firm(http: httpx.AsyncClient) -> httpx.Response:
    return await post_form(
        http, "/setup", {**OWNER, "setup_token": SETUP_TOKEN}, token_page="/setup"
    )


async def sign_in(http: httpx.AsyncClient, email: str, password: str) -> httpx.Response:
    return await post_form(
        http, "/login", {"email": email, "password": password}, token_page="/login"
    )


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_until_serving(
    url: str, process: subprocess.Popen[bytes], log_path: Path, timeout: float = 90
) -> None:
    """Poll `url` until it answers 200; fail with the server's log if it exits or times out."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"the server behind {url} did not start:\n" + log_path.read_text())
        time.sleep(0.1)


@contextmanager
def serving(command: str, home: Path, env: dict[str, str], ready_path: str) -> Iterator[str]:
    """Run `zera COMMAND --port P` with `env`; yield its base URL once `ready_path` answers 200.
    Its output goes to home/COMMAND.log; the process is stopped however the block ends."""
    port = free_port()
    log_path = home / f"{command}.log"
    log = log_path.open("w")  # a file, not a pipe: a full pipe would stall the server
    process = subprocess.Popen(
        [sys.executable, "-m", "zera.cli", command, "--port", str(port)],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        cwd=Path(__file__).parents[1],
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_serving(base + ready_path, process, log_path)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()


SANDBOX_CONTROL_TOKEN = "zera-test-sandbox-control-token"


@contextmanager
def running_zera(home: Path, **env: str) -> Iterator[str]:
    """Run `zera serve` (web, worker and the built-in sandbox) with its home in `home`; yield its
    base URL once /healthz answers. Its output goes to home/serve.log."""
    environ = {
        **os.environ,
        "ZERA_BASE_DIR": str(home),
        "ZERA_LOG_LEVEL": "WARNING",
        "ZERA_SECRET_KEY": SECRET_KEY,  # so that SETUP_TOKEN is this server's set-up token
        # A month of sandbox history is plenty for tests and seeds in a fraction of a year's time.
        "ZERA_SANDBOX_SEED_MONTHS": "1",
        # Fixed, so tests can send it as X-Sandbox-Token (and nothing is printed at start-up).
        "ZERA_SANDBOX_CONTROL_TOKEN": SANDBOX_CONTROL_TOKEN,
        **env,
    }
    for name in ("DATABASE_URL", "ZERA_QUEUE_URL", "REDIS_URL"):
        environ.pop(name, None)
    with serving("serve", home, environ, "/healthz") as base:
        yield base


def printed_setup_url(log_path: Path) -> str:
    """The set-up URL a server printed at start-up (read from its log file)."""
    match = re.search(r"open (\S+/setup\?token=\w+)", log_path.read_text())
    assert match, "no set-up URL in " + log_path.read_text()
    return match.group(1)


@pytest.fixture
def live_server(tmp_path: Path) -> Iterator[str]:
    """`zera serve` in an empty folder (see `running_zera`)."""
    with running_zera(tmp_path) as base:
        yield base
