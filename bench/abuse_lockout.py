"""Sign-in lockout under concurrent guessing: how many wrong guesses a real `zera serve` checks
for one address when 30 browsers (each with its own CSRF cookie) guess at the same moment.

Before the attempt was counted atomically, 28 of 30 answered 500 (`UNIQUE constraint failed:
login_guard.email`), those were never counted, and about 88 guesses got through a limit of 5.
Prints its results; asserts nothing.

    uv run python bench/abuse_lockout.py
"""

from __future__ import annotations

import asyncio
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import httpx

from zera.accounts.setup_token import setup_token

ROOT = Path(__file__).resolve().parents[1]
SECRET_KEY = "lockout-benchmark-secret-key-" + "x" * 32
EMAIL = "owner@example.com"
PASSWORD = "benchmark password"  # noqa: S105 (a throwaway benchmark account)
MAX_FAILURES = 5
GUESSERS = 30
_CSRF = re.compile(r'name="_csrf_token" value="([^"]+)"')


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _serve(home: Path) -> tuple[subprocess.Popen[bytes], str]:
    """`zera serve` at home in `home` (SQLite, embedded queue); return it and its URL once up."""
    port = _free_port()
    env = {
        **os.environ,
        "ZERA_BASE_DIR": str(home),
        "ZERA_SECRET_KEY": SECRET_KEY,
        "ZERA_LOGIN_MAX_FAILURES": str(MAX_FAILURES),
        "ZERA_LOG_LEVEL": "WARNING",
        "ZERA_SANDBOX_SEED_MONTHS": "1",
    }
    for name in ("DATABASE_URL", "ZERA_QUEUE_URL", "REDIS_URL", "PORT"):
        env.pop(name, None)
    log = (home / "serve.log").open("w")
    process = subprocess.Popen(
        [sys.executable, "-m", "zera.cli", "serve", "--port", str(port)],
        env=env,
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while True:
        try:
            if httpx.get(url + "/healthz", timeout=2).status_code == 200:
                return process, url
        except httpx.TransportError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            raise RuntimeError("zera serve did not start:\n" + (home / "serve.log").read_text())
        time.sleep(0.1)


async def _token(http: httpx.AsyncClient, page: str) -> str:
    match = _CSRF.search((await http.get(page)).text)
    if match is None:
        raise RuntimeError(f"no CSRF token on {page}")
    return match.group(1)


async def _set_up(url: str) -> None:
    async with httpx.AsyncClient(base_url=url, timeout=60) as http:
        form = {
            "firm": "Lockout & Co",
            "name": "Owner",
            "email": EMAIL,
            "password": PASSWORD,
            "setup_token": setup_token(SECRET_KEY),
            "_csrf_token": await _token(http, "/setup"),
        }
        if (await http.post("/setup", data=form)).status_code != 303:
            raise RuntimeError("set-up failed")


async def _sign_in(url: str, password: str, ready: asyncio.Barrier) -> int:
    """One browser: load the sign-in page, wait for the others, then sign in."""
    async with httpx.AsyncClient(base_url=url, timeout=120) as http:
        token = await _token(http, "/login")
        await ready.wait()
        form = {"email": EMAIL, "password": password, "_csrf_token": token}
        return (await http.post("/login", data=form)).status_code


async def _attack(url: str) -> tuple[Counter[int], int]:
    await _set_up(url)
    ready = asyncio.Barrier(GUESSERS)
    statuses = await asyncio.gather(
        *(_sign_in(url, f"wrong guess {n}", ready) for n in range(GUESSERS))
    )
    right = await _sign_in(url, PASSWORD, asyncio.Barrier(1))
    return Counter(statuses), right


def measure() -> dict[str, str]:
    with tempfile.TemporaryDirectory(prefix="zera-lockout-") as home:
        process, url = _serve(Path(home))
        try:
            statuses, right = asyncio.run(_attack(url))
        finally:
            process.terminate()
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
    errors = sum(count for status, count in statuses.items() if status >= 500)
    accepted = f"wrong guesses accepted before lockout ({GUESSERS}-way concurrency, goal 5)"
    return {
        accepted: str(statuses[401]),
        "answered locked (429)": str(statuses[429]),
        "server errors": str(errors),
        "right password while locked": "refused" if right == 429 else f"answered {right}",
    }


if __name__ == "__main__":
    for label, value in measure().items():
        print(f"{label}: {value}")
