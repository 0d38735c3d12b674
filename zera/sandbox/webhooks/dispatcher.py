"""Delivers recorded changes to the app's endpoint the way Intuit does.

One step (`deliver_due`) bundles each realm's waiting events once the aggregation window has
passed, then POSTs every due delivery with its `intuit-signature`. Anything but HTTP 200 within
the response timeout is a failure, retried on Intuit's schedule (settings.RETRY_SCHEDULE_S); a
realm's later events wait until its earlier delivery is acknowledged. `run()` repeats the step
until stopped. All state is in the outbox tables, so a restarted dispatcher resumes where the
last one stopped, and settings changed by another process apply at the next step.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sqlite3
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx

from .outbox import Delivery, Outbox
from .payloads import ChangeEvent
from .settings import WebhookControls, WebhookSettings, retry_delay_s
from .signing import SIGNATURE_HEADER, sign

__all__ = ["WebhookDispatcher"]

log = logging.getLogger(__name__)

# Both of Intuit's formats are posted as JSON (a CloudEvents batch is a JSON array).
_CONTENT_TYPE = "application/json"


class WebhookDispatcher:
    """Signs and delivers one app's webhooks from a persistent SQLite outbox.

    `db` is a SQLite file path (preferred: the dispatcher opens its own connection) or an open
    connection the dispatcher may use and commit on. `settings`, when given, replace the stored
    ones (start-up configuration wins); when None the stored settings (or the defaults) apply.
    `clock` returns epoch seconds: hand in the sandbox's movable clock so "move the clock" also
    brings retries forward.
    """

    def __init__(
        self,
        db: str | Path | sqlite3.Connection,
        settings: WebhookSettings | None = None,
        http: httpx.AsyncClient | None = None,
        *,
        app_id: str | None = None,
        clock: Callable[[], float] = time.time,
        poll_interval_s: float = 0.25,
    ) -> None:
        resolved_app = app_id or (settings.app_id if settings else WebhookSettings().app_id)
        self.outbox = Outbox(db, app_id=resolved_app, clock=clock)
        if settings is not None:
            self.outbox.store_settings(settings.changed(app_id=resolved_app))
        self._http = http
        self._owns_http = http is None
        self._poll_interval_s = poll_interval_s
        self._loop: asyncio.AbstractEventLoop | None = None
        self._wake: asyncio.Event | None = None

    # configuration -------------------------------------------------------------------

    @property
    def settings(self) -> WebhookSettings:
        return self.outbox.load()[0]

    def update_settings(self, **changes: Any) -> WebhookSettings:
        """Change endpoint_url, verifier_token, format, aggregation_window_s ... at run time."""
        settings = self.settings.changed(**changes)
        self.outbox.store_settings(settings)
        self.wake()
        return settings

    @property
    def controls(self) -> WebhookControls:
        return self.outbox.load()[1]

    def set_controls(
        self,
        *,
        drop_next: int | None = None,
        delay_s: float | None = None,
        duplicate_next: int | None = None,
    ) -> WebhookControls:
        """Set any of the fault controls; the others keep their current values."""
        current = self.controls
        controls = WebhookControls(
            drop_next=current.drop_next if drop_next is None else drop_next,
            delay_s=current.delay_s if delay_s is None else delay_s,
            duplicate_next=current.duplicate_next if duplicate_next is None else duplicate_next,
        )
        self.outbox.store_controls(controls)
        return controls

    # recording -----------------------------------------------------------------------

    def record_change(
        self,
        realm_id: str,
        entity: str,
        entity_id: str,
        operation: str,
        last_updated: datetime | str,
        *,
        deleted_id: str | None = None,
    ) -> bool:
        """Queue a webhook event for a write; cheap and synchronous. False if not subscribed."""
        event = ChangeEvent(realm_id, entity, entity_id, operation, last_updated, deleted_id)
        recorded = self.outbox.record(event)
        if recorded:
            self.wake()
        return recorded

    def deliveries(self, realm_id: str | None = None) -> list[Delivery]:
        return self.outbox.deliveries(realm_id)

    # delivering ----------------------------------------------------------------------

    async def deliver_due(self) -> int:
        """Bundle what is ready and attempt every due delivery once. Returns attempts made."""
        settings = self.settings
        if not settings.endpoint_url:
            return 0
        self.outbox.bundle_ready()
        # The lease outlives the request, so a crash mid-send frees the delivery for a retry.
        due = self.outbox.claim_due(lease_s=settings.response_timeout_s + 30.0)
        if not due:
            return 0
        http = self._client()
        await asyncio.gather(*(self._attempt(http, delivery, settings) for delivery in due))
        return len(due)

    async def _attempt(
        self, http: httpx.AsyncClient, delivery: Delivery, settings: WebhookSettings
    ) -> None:
        status: int | None = None
        try:
            status = await self._post(http, delivery, settings)
        except (httpx.HTTPError, TimeoutError) as exc:
            error = f"{type(exc).__name__}: {exc}"
        else:
            if status == 200:
                self.outbox.mark_delivered(delivery.id, status)
                if delivery.duplicate:
                    # A repeated delivery of the same body: the receiver must be idempotent.
                    with contextlib.suppress(httpx.HTTPError, TimeoutError):
                        await self._post(http, delivery, settings)
                return
            error = f"HTTP {status}"
        attempts = delivery.attempts + 1
        give_up = settings.max_attempts is not None and attempts >= settings.max_attempts
        retry_in = None if give_up else retry_delay_s(attempts, settings.time_scale)
        log.info("webhook delivery %s to realm %s failed (%s), attempt %s, retry in %s s",
                 delivery.id, delivery.realm_id, error, attempts, retry_in)  # fmt: skip
        self.outbox.mark_failed(delivery.id, status, error, retry_in)

    async def _post(
        self, http: httpx.AsyncClient, delivery: Delivery, settings: WebhookSettings
    ) -> int:
        assert settings.endpoint_url
        headers = {
            SIGNATURE_HEADER: sign(delivery.body, settings.verifier_token),
            "Content-Type": _CONTENT_TYPE,
        }
        timeout = settings.response_timeout_s
        response = await asyncio.wait_for(
            http.post(settings.endpoint_url, content=delivery.body, headers=headers,
                      timeout=timeout),
            timeout=timeout,
        )  # fmt: skip
        return response.status_code

    def _client(self) -> httpx.AsyncClient:
        if self._http is None:
            # Our own client ignores proxy variables: the endpoint is usually this very machine.
            self._http = httpx.AsyncClient(trust_env=False)
        return self._http

    # running -------------------------------------------------------------------------

    def wake(self) -> None:
        """Nudge a running `run()` loop to look at the outbox now; safe from any thread."""
        loop, event = self._loop, self._wake
        if loop is None or event is None or loop.is_closed():
            return
        with contextlib.suppress(RuntimeError):
            loop.call_soon_threadsafe(event.set)

    async def run(self, stop: asyncio.Event | None = None) -> None:
        """Deliver until `stop` is set (or the task is cancelled)."""
        self._loop = asyncio.get_running_loop()
        self._wake = asyncio.Event()
        stop = stop or asyncio.Event()
        try:
            while not stop.is_set():
                try:
                    await self.deliver_due()
                except Exception:  # one bad step must not end delivery for every realm
                    log.exception("webhook delivery step failed")
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), timeout=self._poll_interval_s)
                self._wake.clear()
        finally:
            self._loop = None
            self._wake = None

    async def aclose(self) -> None:
        """Close the HTTP client if the dispatcher made it, and the outbox connection."""
        if self._owns_http and self._http is not None:
            await self._http.aclose()
            self._http = None
        self.outbox.close()
