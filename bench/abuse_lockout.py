"""Sign-in lockout under concurrent guessing: how many wrong guesses a real `zera serve` checks
for one address when 30 browsers (each with its own CSRF cookie) guess at the same moment.

Before the attempt was counted atomically, 28 of 30 answered 500 (`UNIQUE constraint failed:
login_guard.email`), those were never counted, and about 88 guesses got through a limit of 5.
Prints its results; asserts nothing.

    uv run python bench/abuse_lockout.py
"""

from __future__ import annotations

import asyncio
import tempfile
from collections import Counter
from pathlib import Path

import httpx
from zera_server import async_csrf, set_up_firm, zera_serve

EMAIL = "owner@example.com"
PASSWORD = "benchmark password"  # noqa: S105 (a throwaway benchmark account)
MAX_FAILURES = 5
GUESSERS = 30


async def _sign_in(url: str, password: str, ready: asyncio.Barrier) -> int:
    """One browser: load the sign-in page, wait for the others, then sign in."""
    async with httpx.AsyncClient(base_url=url, timeout=120) as http:
        token = await async_csrf(http, "/login")
        await ready.wait()
        form = {"email": EMAIL, "password": password, "_csrf_token": token}
        return (await http.post("/login", data=form)).status_code


async def _attack(url: str) -> tuple[Counter[int], int]:
    ready = asyncio.Barrier(GUESSERS)
    statuses = await asyncio.gather(
        *(_sign_in(url, f"wrong guess {n}", ready) for n in range(GUESSERS))
    )
    right = await _sign_in(url, PASSWORD, asyncio.Barrier(1))
    return Counter(statuses), right


def measure() -> dict[str, str]:
    with (
        tempfile.TemporaryDirectory(prefix="zera-lockout-") as home,
        zera_serve(Path(home), ZERA_LOGIN_MAX_FAILURES=str(MAX_FAILURES)) as (_, url),
    ):
        with httpx.Client(base_url=url, timeout=60) as http:
            owner = {"firm": "Lockout & Co", "name": "Owner", "email": EMAIL, "password": PASSWORD}
            set_up_firm(http, owner)
        statuses, right = asyncio.run(_attack(url))
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
