"""A real `zera serve` for the benchmarks: started in a temporary home, signed into, set up.

    with zera_serve(home, ZERA_WORKER_THREADS="1") as (process, url): ...

The server gets a clean environment (no inherited database, queue, port or other ZERA_*
settings), SQLite and the embedded queue in `home`, the fixed `SECRET_KEY` below and whatever
extra variables the benchmark passes.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from html import unescape
from pathlib import Path

import httpx

from zera.accounts.setup_token import setup_token

ROOT = Path(__file__).resolve().parents[1]
SECRET_KEY = "bench-secret-key-" + "x" * 32
_INHERITED = {"DATABASE_URL", "REDIS_URL", "PORT"}  # and every ZERA_* variable
_CSRF = re.compile(r'name="_csrf_token" value="([^"]+)"')


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def zera_serve(home: Path, **env: str) -> Iterator[tuple[subprocess.Popen[bytes], str]]:
    """`zera serve` at home in `home`; yields it and its URL once /healthz answers."""
    port = free_port()
    environment = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith("ZERA_") and name not in _INHERITED
    }
    environment.update(
        ZERA_BASE_DIR=str(home),
        ZERA_SECRET_KEY=SECRET_KEY,
        ZERA_LOG_LEVEL="WARNING",
        ZERA_SANDBOX_SEED_MONTHS="1",
    )
    environment.update(env)
    log_path = home / "serve.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "zera.cli", "serve", "--port", str(port)],
            env=environment,
            cwd=ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        url = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 120
            while True:
                try:
                    if httpx.get(url + "/healthz", timeout=2).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("zera serve did not start:\n" + log_path.read_text())
                time.sleep(0.1)
            yield process, url
        finally:
            process.terminate()
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _token(page: str, html: str) -> str:
    match = _CSRF.search(html)
    if match is None:
        raise RuntimeError(f"no CSRF token on {page}")
    return match.group(1)


def csrf(http: httpx.Client, page: str) -> str:
    """The CSRF token of the form on `page` (fetching it sets the client's CSRF cookie)."""
    return _token(page, http.get(page).text)


async def async_csrf(http: httpx.AsyncClient, page: str) -> str:
    return _token(page, (await http.get(page)).text)


def set_up_firm(http: httpx.Client, owner: dict[str, str]) -> None:
    """Create the firm and its owner (firm, name, email, password), leaving `http` signed in."""
    form = {**owner, "setup_token": setup_token(SECRET_KEY), "_csrf_token": csrf(http, "/setup")}
    answer = http.post("/setup", data=form)
    if answer.status_code != 303:
        raise RuntimeError(f"set-up answered {answer.status_code}:\n{answer.text}")


def connect_new_client(http: httpx.Client, name: str, control_token: str) -> tuple[int, str]:
    """Add a client and connect it, through the consent page, to the built-in sandbox's first
    company (the server runs with ZERA_SANDBOX_CONTROL_TOKEN=`control_token`); returns the
    client's id and the company's realm."""
    added = http.post("/clients", data={"name": name, "_csrf_token": csrf(http, "/")})
    client_id = int(added.headers["location"].rsplit("/", 1)[1])
    start = http.post(f"/clients/{client_id}/qbo/connect", data={"_csrf_token": csrf(http, "/")})
    companies = http.get("/_sandbox/api/companies", headers={"X-Sandbox-Token": control_token})
    realm = str(companies.json()["companies"][0]["realmId"])
    page = httpx.get(start.headers["location"], timeout=30)
    form = {
        field: unescape(value)
        for field, value in re.findall(
            r'<input type="hidden" name="([^"]+)" value="([^"]*)">', page.text
        )
    }
    form.update(realm_id=realm, decision="allow")
    consent_url = start.headers["location"].split("?", 1)[0]
    answer = httpx.post(consent_url, data=form, timeout=30)
    callback = answer.headers["location"]
    http.get(callback.replace(str(http.base_url).rstrip("/"), ""))
    return client_id, realm
