"""Intuit webhooks as Zera receives them: verified over the raw body, then read in either format.

Intuit signs the exact body with the app's verifier token: `intuit-signature` is
base64(HMAC-SHA256(key=verifier token, message=body)) (QBO-API.md §6). The comparison is
constant-time, and nothing in the body is trusted before it passes.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

# A webhook body lists changed entities; even a busy realm's batch is far below this.
MAX_BODY_BYTES = 1024 * 1024


@dataclass(frozen=True)
class ChangeNotice:
    """One change a body announces. `occurred_at` is the event's time (CloudEvents `time`, legacy
    `lastUpdated`), None when absent or unreadable; `event_id` is the CloudEvents `id` ("" in
    the legacy format, which has none)."""

    realm_id: str
    entity: str
    entity_id: str
    operation: str
    occurred_at: datetime | None = None
    event_id: str = ""
    deleted_id: str = ""  # a Merge: the Id of the name merged into `entity_id`


def signature_is_valid(body: bytes, signature: str | None, verifier_token: str) -> bool:
    if not signature or not verifier_token:
        return False
    expected = base64.b64encode(hmac.new(verifier_token.encode(), body, hashlib.sha256).digest())
    return hmac.compare_digest(expected, signature.strip().encode("utf-8", "replace"))


def parse_notices(body: bytes) -> list[ChangeNotice]:
    """The changes a (verified) body announces, legacy or CloudEvents; [] if it names none."""
    try:
        payload: Any = json.loads(body)
    except ValueError:
        return []
    notices: list[ChangeNotice] = []
    if isinstance(payload, dict):  # legacy: {"eventNotifications": [...]}
        for notification in payload.get("eventNotifications") or []:
            realm = str(notification.get("realmId", ""))
            entities = (notification.get("dataChangeEvent") or {}).get("entities") or []
            for entity in entities:
                notices.append(
                    ChangeNotice(
                        realm,
                        str(entity.get("name", "")),
                        str(entity.get("id", "")),
                        str(entity.get("operation", "")),
                        _timestamp(entity.get("lastUpdated")),
                        deleted_id=str(entity.get("deletedId") or ""),
                    )
                )
    elif isinstance(payload, list):  # CloudEvents: [{"type": "qbo.invoice.updated.v1", ...}]
        for event in payload:
            if not isinstance(event, dict):
                continue
            parts = str(event.get("type", "")).split(".")
            notices.append(
                ChangeNotice(
                    str(event.get("intuitaccountid", "")),
                    parts[1] if len(parts) > 2 else "",
                    str(event.get("intuitentityid", "")),
                    parts[2] if len(parts) > 2 else "",
                    _timestamp(event.get("time")),
                    str(event.get("id") or ""),
                    _deleted_id(event.get("data")),
                )
            )
    return [n for n in notices if n.realm_id]


def _deleted_id(data: Any) -> str:
    return str(data.get("deletedId") or "") if isinstance(data, dict) else ""


def _timestamp(value: Any) -> datetime | None:
    """An ISO 8601 time with its offset (`...Z`, `-0700`, nanoseconds trimmed); None otherwise."""
    if not isinstance(value, str):
        return None
    # CloudEvents times carry nanoseconds; datetime keeps microseconds.
    text = re.sub(r"(\.\d{6})\d+", r"\1", value.strip())
    try:
        stamp = datetime.fromisoformat(text)
    except ValueError:
        return None
    return stamp if stamp.tzinfo is not None else None  # a time without a zone proves nothing
