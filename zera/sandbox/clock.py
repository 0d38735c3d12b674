"""The sandbox clock: real time plus an offset the control surface can move, kept in the store."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from typing import Protocol
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

# Intuit stamps MetaData and envelopes in Pacific time with the offset written out
# ("2015-05-14T10:35:04.856-07:00", QBO-API.md §2).
try:
    INTUIT_ZONE: tzinfo = ZoneInfo("America/Los_Angeles")
except ZoneInfoNotFoundError:  # a slim image without tz data: Pacific standard time, fixed
    INTUIT_ZONE = timezone(timedelta(hours=-8), "PST")


class OffsetStore(Protocol):
    def meta_get(self, key: str) -> str | None: ...
    def meta_set(self, key: str, value: str) -> None: ...


class SandboxClock:
    """Wall time shifted by a persisted offset, so every process sees the same moved clock."""

    _KEY = "clock_offset_seconds"
    # Another process's move is seen within this many seconds; this process's own at once.
    _TTL = 0.5

    def __init__(self, store: OffsetStore) -> None:
        self._store = store
        self._cached = (0.0, -1.0)  # (offset, monotonic expiry)

    def offset(self) -> float:
        value, expires = self._cached
        if time.monotonic() < expires:
            return value
        raw = self._store.meta_get(self._KEY)
        value = float(raw) if raw else 0.0
        self._cached = (value, time.monotonic() + self._TTL)
        return value

    def _store_offset(self, value: float) -> None:
        self._store.meta_set(self._KEY, repr(value))
        self._cached = (value, time.monotonic() + self._TTL)

    def now(self) -> datetime:
        """The sandbox's current time, timezone-aware (UTC)."""
        return datetime.now(UTC) + timedelta(seconds=self.offset())

    def advance(self, seconds: float) -> datetime:
        self._store_offset(self.offset() + seconds)
        return self.now()

    def set(self, when: datetime) -> datetime:
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        self._store_offset((when - datetime.now(UTC)).total_seconds())
        return self.now()

    def reset(self) -> datetime:
        self._store_offset(0.0)
        return self.now()


def intuit_time(when: datetime, *, millis: bool = False) -> str:
    """Format `when` as Intuit does: local Pacific time with its UTC offset."""
    local = when.astimezone(INTUIT_ZONE)
    if millis:
        return local.isoformat(timespec="milliseconds")
    return local.isoformat(timespec="seconds")


def parse_time(text: str) -> datetime:
    """Read an ISO date or date-time the way CDC's changedSince may be written."""
    value = text.strip().replace(" ", "+")
    if len(value) == 10:
        return datetime.fromisoformat(value).replace(tzinfo=INTUIT_ZONE)
    if value.endswith("Z"):
        value = value[:-1] + "+00:00"
    # "2015-10-05T14:42:19-0700" (no colon) is how Intuit writes webhook times.
    if len(value) > 5 and value[-5] in "+-" and value[-3] != ":":
        value = value[:-2] + ":" + value[-2:]
    parsed = datetime.fromisoformat(value)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=INTUIT_ZONE)
