"""Intuit's throttles per realm (QBO-API.md §7): 500 requests/min, 10 concurrent, 120 batch/min.

Windows and the in-flight count are per process (the sandbox runs as one process); a throttle
forced from the control surface is kept in the store so every process honours it.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from zera.sandbox.config import Limits
from zera.sandbox.store import SandboxStore


class Throttled(Exception):
    """The request is over a limit: answered 429 with Intuit's XML body."""


@dataclass
class _Realm:
    requests: deque[float] = field(default_factory=deque)
    batches: deque[float] = field(default_factory=deque)
    in_flight: int = 0


class Limiter:
    def __init__(self, limits: Limits, store: SandboxStore) -> None:
        self.limits = limits
        self.enabled = limits.enabled
        self.store = store
        self._realms: dict[str, _Realm] = {}
        self._lock = threading.Lock()
        # realm -> (forced-until epoch, monotonic expiry of this cached value)
        self._forced: dict[str, tuple[float, float]] = {}

    def force(self, realm: str, seconds: float) -> float:
        """Throttle every request to `realm` for the next `seconds` of real time."""
        until = time.time() + seconds
        self.store.meta_set(f"throttle_until:{realm}", repr(until))
        self._forced[realm] = (until, time.monotonic() + 0.5)
        return until

    def forced(self, realm: str) -> bool:
        """Read through a half-second cache: another process's forcing shows up that soon."""
        cached = self._forced.get(realm)
        if cached is None or time.monotonic() >= cached[1]:
            raw = self.store.meta_get(f"throttle_until:{realm}")
            cached = (float(raw) if raw else 0.0, time.monotonic() + 0.5)
            self._forced[realm] = cached
        return cached[0] > time.time()

    @contextmanager
    def admit(self, realm: str, *, calls: int = 1, batch: bool = False) -> Iterator[None]:
        """Count one request (a batch meters each item as a call) while it runs."""
        if self.forced(realm):
            raise Throttled(realm)
        if not self.enabled:
            yield
            return
        now = time.monotonic()
        with self._lock:
            state = self._realms.setdefault(realm, _Realm())
            for window in (state.requests, state.batches):
                while window and window[0] <= now - 60:
                    window.popleft()
            if (
                state.in_flight >= self.limits.concurrent_per_realm
                or len(state.requests) + calls > self.limits.requests_per_minute
                or (batch and len(state.batches) >= self.limits.batch_per_minute)
            ):
                raise Throttled(realm)
            state.requests.extend([now] * calls)
            if batch:
                state.batches.append(now)
            state.in_flight += 1
        try:
            yield
        finally:
            with self._lock:
                state.in_flight -= 1

    def reset(self, realm: str | None = None) -> None:
        with self._lock:
            if realm is None:
                self._realms.clear()
            else:
                self._realms.pop(realm, None)
        for name in [realm] if realm else list(self._forced):
            self.store.meta_set(f"throttle_until:{name}", "0")
            self._forced.pop(name, None)
