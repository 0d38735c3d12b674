"""Intuit-style webhooks for the QBO sandbox: signing, both payload formats, and delivery.

Wiring: build one `WebhookDispatcher(db_path, settings)` per app, call `record_change(...)` on
every write the sandbox makes (API or control surface), and run `await dispatcher.run(stop)` as a
background task. The control surface maps to `update_settings(...)` and `set_controls(...)`.
"""

from __future__ import annotations

from .dispatcher import WebhookDispatcher
from .outbox import Delivery, Outbox, enqueue_change, ensure_schema
from .payloads import (
    OPERATIONS,
    ChangeEvent,
    PayloadFormat,
    cloudevents_body,
    cloudevents_source,
    cloudevents_type,
    legacy_body,
    render_body,
)
from .settings import RETRY_SCHEDULE_S, WebhookControls, WebhookSettings, retry_delay_s
from .signing import SIGNATURE_HEADER, sign, verify

__all__ = [
    "OPERATIONS",
    "RETRY_SCHEDULE_S",
    "SIGNATURE_HEADER",
    "ChangeEvent",
    "Delivery",
    "Outbox",
    "PayloadFormat",
    "WebhookControls",
    "WebhookDispatcher",
    "WebhookSettings",
    "cloudevents_body",
    "cloudevents_source",
    "cloudevents_type",
    "enqueue_change",
    "ensure_schema",
    "legacy_body",
    "render_body",
    "retry_delay_s",
    "sign",
    "verify",
]
