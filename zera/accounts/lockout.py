"""Counting sign-in attempts per address and failures per source, each in one atomic statement.

An attempt is reserved (counted) before its password is verified, by one upsert that also reads
the lock: however many sign-ins for an address arrive at once, only the first `max_failures`
of a window are ever verified. A window is `window_seconds` of quiet after an address's last
attempt, or the end of its lock; a row whose window is over counts as no row at all, so the
periodic purge may delete it at any time.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from zera.db.tables import LoginGuard, SignInSource

# One statement for SQLite >= 3.35 and PostgreSQL alike. In ON CONFLICT DO UPDATE each
# `login_guard.x` is the row as it was before this attempt. A row is stale (its window is over)
# when its lock has ended, or when it is unlocked and quiet since the window's start; a stale
# row restarts at attempt 1. The lock is kept while it lasts, else set by the attempt that
# reaches the limit. Placeholders: email, insert's lock, now | now, window start | now |
# now, window start, limit, lock end | now.
_RESERVE_ATTEMPT = """
INSERT INTO login_guard (email, failures, locked_until, last_attempt_at) VALUES ({}, 1, {}, {})
ON CONFLICT (email) DO UPDATE SET
  failures = CASE
    WHEN login_guard.locked_until <= {} OR (login_guard.locked_until IS NULL AND (
      login_guard.last_attempt_at IS NULL OR login_guard.last_attempt_at < {})) THEN 1
    ELSE login_guard.failures + 1 END,
  locked_until = CASE
    WHEN login_guard.locked_until > {} THEN login_guard.locked_until
    WHEN (CASE
      WHEN login_guard.locked_until <= {} OR (login_guard.locked_until IS NULL AND (
        login_guard.last_attempt_at IS NULL OR login_guard.last_attempt_at < {})) THEN 1
      ELSE login_guard.failures + 1 END) >= {} THEN {}
    ELSE NULL END,
  last_attempt_at = {}
RETURNING failures
"""
_COUNT_SOURCE_FAILURE = (
    "INSERT INTO sign_in_source (ip, failures, last_failure_at) VALUES ({}, 1, {})"
    " ON CONFLICT (ip) DO UPDATE SET"
    " failures = CASE WHEN sign_in_source.last_failure_at < {} THEN 1"
    "  ELSE sign_in_source.failures + 1 END,"
    " last_failure_at = {}"
    " RETURNING failures"
)


@dataclass(frozen=True)
class Attempt:
    """An attempt's place in its address's window: attempt `number`, allowed or not."""

    number: int
    allowed: bool


async def reserve_attempt(email: str, *, max_failures: int, window_seconds: int) -> Attempt:
    """Count one sign-in attempt for `email`; allowed only while the address is not locked.

    The attempt that brings the count to `max_failures` locks the address for `window_seconds`
    in the same statement; a correct password then clears it (see `clear`).
    """
    now = datetime.now(UTC)
    window_start = now - timedelta(seconds=window_seconds)
    lock_until = now + timedelta(seconds=window_seconds)
    rows = await LoginGuard.raw(
        _RESERVE_ATTEMPT,
        *(email, lock_until if max_failures <= 1 else None, now),
        *(now, window_start),
        now,
        *(now, window_start, max_failures, lock_until),
        now,
    ).run()
    number = int(rows[0]["failures"])
    return Attempt(number=number, allowed=number <= max_failures)


async def clear(email: str) -> None:
    """Forget an address's attempts: its owner just proved the password."""
    await LoginGuard.delete().where(LoginGuard.email == email).run()


async def count_source_failure(ip: str, *, window_seconds: int) -> int:
    """Count a failed sign-in from `ip`; return its number within the source's window."""
    now = datetime.now(UTC)
    rows = await SignInSource.raw(
        _COUNT_SOURCE_FAILURE, ip[:64], now, now - timedelta(seconds=window_seconds), now
    ).run()
    return int(rows[0]["failures"])


async def purge_stale(window_seconds: int, *, now: datetime | None = None) -> int:
    """Delete guard and source rows whose window is over; return how many.

    Such rows change nothing (the next attempt starts afresh), so made-up addresses and
    passing sources leave nothing behind for longer than a window and an hour.
    """
    now = now or datetime.now(UTC)
    window_start = now - timedelta(seconds=window_seconds)
    guards = (
        await LoginGuard.delete()
        .where(
            (LoginGuard.locked_until <= now)
            | (
                LoginGuard.locked_until.is_null()
                & (
                    LoginGuard.last_attempt_at.is_null()
                    | (LoginGuard.last_attempt_at < window_start)
                )
            )
        )
        .returning(LoginGuard.id)
        .run()
    )
    sources = (
        await SignInSource.delete()
        .where(SignInSource.last_failure_at < window_start)
        .returning(SignInSource.id)
        .run()
    )
    return len(guards) + len(sources)


def worth_auditing(number: int, always_first: int) -> bool:
    """Whether the `number`-th failure of a window goes to the audit log.

    The first `always_first` do; after them only those numbered by a power of two (16, 32,
    64...), each row carrying its number, so a flood of guesses writes a handful of rows that
    still say how big it was.
    """
    return number <= always_first or number & (number - 1) == 0
