"""Webhook bodies in Intuit's legacy and CloudEvents shapes."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone

import pytest

from zera.sandbox.webhooks import (
    ChangeEvent,
    PayloadFormat,
    cloudevents_body,
    cloudevents_source,
    cloudevents_type,
    legacy_body,
    render_body,
)

SENT = datetime(2026, 11, 24, 21, 31, 25, 179851, tzinfo=UTC)


def test_legacy_body_groups_entities_per_realm_in_recorded_order() -> None:
    events = [
        ChangeEvent("111", "Invoice", "7", "Create", "2026-01-01T00:00:00.000Z"),
        ChangeEvent("222", "Vendor", "3", "Update", "2026-01-01T00:00:01.000Z"),
        ChangeEvent("111", "Payment", "9", "Delete", "2026-01-01T00:00:02.000Z"),
    ]
    document = json.loads(legacy_body(events))
    assert document == {"eventNotifications": [
        {"realmId": "111", "dataChangeEvent": {"entities": [
            {"name": "Invoice", "id": "7", "operation": "Create",
             "lastUpdated": "2026-01-01T00:00:00.000Z"},
            {"name": "Payment", "id": "9", "operation": "Delete",
             "lastUpdated": "2026-01-01T00:00:02.000Z"}]}},
        {"realmId": "222", "dataChangeEvent": {"entities": [
            {"name": "Vendor", "id": "3", "operation": "Update",
             "lastUpdated": "2026-01-01T00:00:01.000Z"}]}},
    ]}  # fmt: skip


def test_a_datetime_last_updated_is_written_in_utc_with_milliseconds() -> None:
    pacific = timezone(timedelta(hours=-8))
    event = ChangeEvent("1", "Bill", "4", "Update", datetime(2026, 3, 1, 9, 30, 5, 123456, pacific))
    assert event.last_updated_text == "2026-03-01T17:30:05.123Z"


def test_merge_carries_the_id_of_the_record_merged_away() -> None:
    event = ChangeEvent("1", "Customer", "5", "Merge", "2026-01-01T00:00:00.000Z", deleted_id="6")
    [entity] = json.loads(legacy_body([event]))["eventNotifications"][0]["dataChangeEvent"][
        "entities"
    ]
    assert entity["deletedId"] == "6"
    [cloud] = json.loads(cloudevents_body([event], source="intuit.x", sent_at=SENT))
    assert cloud["data"] == {"deletedId": "6"}


def test_cloudevents_body_is_an_array_of_intuit_shaped_events() -> None:
    events = [
        ChangeEvent("310687", "Account", "1234", "Create", "2026-01-01T00:00:00.000Z", None, "e-1"),
        ChangeEvent("310687", "Invoice", "88", "Void", "2026-01-01T00:00:00.000Z", None, "e-2"),
    ]
    documents = json.loads(cloudevents_body(events, source="intuit.abc=", sent_at=SENT))
    assert documents[0] == {
        "specversion": "1.0",
        "id": "e-1",
        "source": "intuit.abc=",
        "type": "qbo.account.created.v1",
        "datacontenttype": "application/json",
        "time": "2026-11-24T21:31:25.179851Z",
        "intuitentityid": "1234",
        "intuitaccountid": "310687",
        "data": {},
    }
    assert documents[1]["type"] == "qbo.invoice.voided.v1"
    assert documents[1]["id"] == "e-2"


@pytest.mark.parametrize(
    ("entity", "operation", "expected"),
    [
        ("Account", "Create", "qbo.account.created.v1"),
        ("Class", "Create", "qbo.class.created.v1"),
        ("Invoice", "Create", "qbo.invoice.created.v1"),
        ("BillPayment", "Update", "qbo.billpayment.updated.v1"),
        ("JournalEntry", "Delete", "qbo.journalentry.deleted.v1"),
        ("Vendor", "Merge", "qbo.vendor.merged.v1"),
        ("Invoice", "Emailed", "qbo.invoice.emailed.v1"),
    ],
)
def test_cloudevents_types_follow_the_pattern(entity: str, operation: str, expected: str) -> None:
    assert cloudevents_type(entity, operation) == expected


def test_each_event_gets_its_own_cloudevents_id() -> None:
    first = ChangeEvent("1", "Item", "2", "Create", "2026-01-01T00:00:00.000Z")
    second = ChangeEvent("1", "Item", "2", "Create", "2026-01-01T00:00:00.000Z")
    assert first.event_id != second.event_id


def test_source_is_stable_per_app_and_shaped_like_intuits() -> None:
    source = cloudevents_source("app-1")
    assert source == cloudevents_source("app-1") != cloudevents_source("app-2")
    assert source.startswith("intuit.") and source.endswith("=")


@pytest.mark.parametrize("operation", ["create", "Created", "Insert", ""])
def test_operations_outside_intuits_list_are_refused(operation: str) -> None:
    with pytest.raises(ValueError, match="operation"):
        ChangeEvent("1", "Invoice", "1", operation, "2026-01-01T00:00:00.000Z")


def test_render_body_picks_the_format() -> None:
    events = [ChangeEvent("1", "Term", "3", "Update", "2026-01-01T00:00:00.000Z")]
    legacy = render_body(events, PayloadFormat.LEGACY, source="intuit.x", sent_at=SENT)
    cloud = render_body(events, PayloadFormat.CLOUDEVENTS, source="intuit.x", sent_at=SENT)
    assert "eventNotifications" in json.loads(legacy)
    assert json.loads(cloud)[0]["type"] == "qbo.term.updated.v1"
