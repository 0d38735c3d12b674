"""Webhook bodies in both formats Intuit sends: legacy `eventNotifications` and CloudEvents.

Facts (QBO-API.md §6): legacy bodies carry one `eventNotifications` entry per realm with
`dataChangeEvent.entities[{name, id, operation, lastUpdated}]`; operations are Create, Update,
Delete, Merge, Void and Emailed. CloudEvents bodies are a JSON array of events with specversion,
id, source, type `qbo.<entity>.<past-tense operation>.v1`, datacontenttype, time,
intuitentityid (the entity Id), intuitaccountid (the realm) and data. Intuit published only
"created" type names; the other past tenses below are our reading of the same pattern.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any
from uuid import uuid4

__all__ = [
    "OPERATIONS",
    "ChangeEvent",
    "PayloadFormat",
    "cloudevents_body",
    "cloudevents_source",
    "cloudevents_type",
    "legacy_body",
    "render_body",
]

OPERATIONS: tuple[str, ...] = ("Create", "Update", "Delete", "Merge", "Void", "Emailed")

_PAST_TENSE = {
    "Create": "created",
    "Update": "updated",
    "Delete": "deleted",
    "Merge": "merged",
    "Void": "voided",
    "Emailed": "emailed",
}


class PayloadFormat(StrEnum):
    LEGACY = "legacy"
    CLOUDEVENTS = "cloudevents"


@dataclass(frozen=True, slots=True)
class ChangeEvent:
    """One change to one entity, as a webhook reports it.

    `last_updated` is the entity's MetaData.LastUpdatedTime; a string is sent verbatim (Intuit's
    samples use both `2015-10-05T14:42:19-0700` and `2016-10-05T03:09:04.000Z`). `event_id` is the
    CloudEvents id, fixed when the change is recorded so a retried delivery repeats it.
    """

    realm_id: str
    entity: str
    entity_id: str
    operation: str
    last_updated: datetime | str
    deleted_id: str | None = None
    event_id: str = field(default_factory=lambda: str(uuid4()))

    def __post_init__(self) -> None:
        if self.operation not in OPERATIONS:
            raise ValueError(f"unknown webhook operation {self.operation!r}; one of {OPERATIONS}")

    @property
    def last_updated_text(self) -> str:
        if isinstance(self.last_updated, str):
            return self.last_updated
        stamp = self.last_updated.astimezone(UTC)
        return stamp.strftime("%Y-%m-%dT%H:%M:%S.") + f"{stamp.microsecond // 1000:03d}Z"


def _dumps(document: Any) -> bytes:
    # Compact separators, as in Intuit's published bodies; the signature covers these exact bytes.
    return json.dumps(document, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def legacy_body(events: Sequence[ChangeEvent]) -> bytes:
    """A legacy body: one eventNotifications entry per realm, entities in recorded order."""
    by_realm: dict[str, list[dict[str, str]]] = {}
    for event in events:
        entity = {
            "name": event.entity,
            "id": event.entity_id,
            "operation": event.operation,
            "lastUpdated": event.last_updated_text,
        }
        if event.operation == "Merge" and event.deleted_id:
            # Seen only in a third-party listener's model of Intuit's Merge event.
            entity["deletedId"] = event.deleted_id
        by_realm.setdefault(event.realm_id, []).append(entity)
    notifications = [
        {"realmId": realm, "dataChangeEvent": {"entities": entities}}
        for realm, entities in by_realm.items()
    ]
    return _dumps({"eventNotifications": notifications})


def cloudevents_type(entity: str, operation: str) -> str:
    """`qbo.invoice.created.v1` for (Invoice, Create)."""
    return f"qbo.{entity.lower()}.{_PAST_TENSE[operation]}.v1"


def cloudevents_source(app_id: str) -> str:
    """An opaque per-app source in the shape of Intuit's (`intuit.` + a base64 digest)."""
    digest = hashlib.sha256(app_id.encode("utf-8")).digest()
    return "intuit." + base64.b64encode(digest).decode("ascii")


def cloudevents_body(events: Iterable[ChangeEvent], *, source: str, sent_at: datetime) -> bytes:
    """A CloudEvents body: a JSON array with one event per change."""
    time_text = sent_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    documents = []
    for event in events:
        data: dict[str, Any] = {}
        if event.operation == "Merge" and event.deleted_id:
            data["deletedId"] = event.deleted_id
        documents.append(
            {
                "specversion": "1.0",
                "id": event.event_id,
                "source": source,
                "type": cloudevents_type(event.entity, event.operation),
                "datacontenttype": "application/json",
                "time": time_text,
                "intuitentityid": event.entity_id,
                "intuitaccountid": event.realm_id,
                "data": data,
            }
        )
    return _dumps(documents)


def render_body(
    events: Sequence[ChangeEvent], payload_format: PayloadFormat, *, source: str, sent_at: datetime
) -> bytes:
    """The body for `events` in the given format."""
    if payload_format is PayloadFormat.CLOUDEVENTS:
        return cloudevents_body(events, source=source, sent_at=sent_at)
    return legacy_body(events)
