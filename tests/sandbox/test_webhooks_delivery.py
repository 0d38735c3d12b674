"""Webhook delivery over real HTTP: signing, retry schedule, per-realm order, restart, faults.

A stdlib HTTP server on 127.0.0.1 plays the app's endpoint. Most tests drive the dispatcher one
step at a time against a hand-moved clock, so the schedule is checked exactly without timing.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import socket
import sqlite3
import threading
import time
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from zera.sandbox.webhooks import (
    RETRY_SCHEDULE_S,
    ChangeEvent,
    PayloadFormat,
    WebhookDispatcher,
    WebhookSettings,
    enqueue_change,
    ensure_schema,
    retry_delay_s,
    verify,
)

TOKEN = "verifier-token-for-tests"
STAMP = "2026-11-24T10:00:00.000Z"


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)

    def entity_ids(self) -> list[str]:
        document = self.json()
        if isinstance(document, list):
            return [event["intuitentityid"] for event in document]
        return [
            entity["id"]
            for note in document["eventNotifications"]
            for entity in note["dataChangeEvent"]["entities"]
        ]


class Receiver:
    """An HTTP endpoint that answers with scripted statuses and records every request."""

    def __init__(self) -> None:
        self.requests: list[Received] = []
        self.statuses: deque[int] = deque()
        self.stall_s = 0.0
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                body = self.rfile.read(length)
                headers = {key.lower(): value for key, value in self.headers.items()}
                receiver.requests.append(Received(self.path, headers, body))
                status = receiver.statuses.popleft() if receiver.statuses else 200
                if receiver.stall_s:
                    time.sleep(receiver.stall_s)
                # A stalled answer finds the sender gone: that is the case under test.
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                    self.send_response(status)
                    self.send_header("Content-Length", "2")
                    self.end_headers()
                    self.wfile.write(b"ok")

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/webhooks/intuit"
        # A short poll keeps shutdown (and so each test's teardown) quick.
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


class Clock:
    """Epoch seconds that move only when the test says so."""

    def __init__(self) -> None:
        self.now = 1_790_000_000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    server = Receiver()
    yield server
    server.close()


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "sandbox.sqlite3"


def dispatcher_for(db: Path, clock: Clock, url: str | None, **overrides: Any) -> WebhookDispatcher:
    options: dict[str, Any] = {"endpoint_url": url, "verifier_token": TOKEN,
                               "format": PayloadFormat.LEGACY, **overrides}  # fmt: skip
    return WebhookDispatcher(db, WebhookSettings(**options), clock=clock)


async def test_a_delivery_is_signed_over_the_exact_body(
    receiver: Receiver, clock: Clock, db_path: Path
) -> None:
    dispatcher = dispatcher_for(db_path, clock, receiver.url)
    assert dispatcher.record_change("4620816365", "Invoice", "130", "Create", STAMP)
    assert await dispatcher.deliver_due() == 1
    [request] = receiver.requests
    assert verify(request.body, request.headers["intuit-signature"], TOKEN)
    assert request.headers["content-type"] == "application/json"
    assert request.json() == {"eventNotifications": [{"realmId": "4620816365", "dataChangeEvent": {
        "entities": [{"name": "Invoice", "id": "130", "operation": "Create",
                      "lastUpdated": STAMP}]}}]}  # fmt: skip
    assert [d.state for d in dispatcher.deliveries()] == ["delivered"]
    await dispatcher.aclose()


async def test_a_500_is_retried_after_the_scaled_first_step_of_intuits_schedule(
    receiver: Receiver, clock: Clock, db_path: Path
) -> None:
    """Given an endpoint answering 500 then 200 and time_scale 0.5, the retry comes at 5 s."""
    dispatcher = dispatcher_for(db_path, clock, receiver.url, time_scale=0.5)
    receiver.statuses.extend([500, 500])
    dispatcher.record_change("1", "Bill", "9", "Update", STAMP)

    assert await dispatcher.deliver_due() == 1
    clock.advance(4.99)
    assert await dispatcher.deliver_due() == 0
    clock.advance(0.01)
    assert await dispatcher.deliver_due() == 1  # second failure: next wait is 20 s * 0.5
    clock.advance(9.99)
    assert await dispatcher.deliver_due() == 0
    clock.advance(0.01)
    assert await dispatcher.deliver_due() == 1

    assert len(receiver.requests) == 3
    assert len({r.body for r in receiver.requests}) == 1  # a retry repeats the same body
    [delivery] = dispatcher.deliveries()
    assert (delivery.state, delivery.attempts, delivery.last_status) == ("delivered", 3, 200)
    await dispatcher.aclose()


def test_the_schedule_is_intuits_then_every_six_hours() -> None:
    assert RETRY_SCHEDULE_S == (10, 20, 30, 300, 1200, 7200, 14400, 21600)
    assert [retry_delay_s(n) for n in range(1, 11)] == [
        10, 20, 30, 300, 1200, 7200, 14400, 21600, 21600, 21600,
    ]  # fmt: skip
    assert retry_delay_s(4, time_scale=0.001) == pytest.approx(0.3)


@pytest.mark.parametrize("status", [201, 202, 204, 302, 404, 503])
async def test_any_status_but_200_is_a_failure(
    receiver: Receiver, clock: Clock, db_path: Path, status: int
) -> None:
    dispatcher = dispatcher_for(db_path, clock, receiver.url)
    receiver.statuses.append(status)
    dispatcher.record_change("1", "Vendor", "2", "Create", STAMP)
    await dispatcher.deliver_due()
    [delivery] = dispatcher.deliveries()
    assert (delivery.state, delivery.attempts, delivery.last_status) == ("pending", 1, status)
    assert delivery.next_attempt_at == clock.now + 10
    await dispatcher.aclose()


async def test_an_answer_slower_than_the_timeout_is_a_failure(
    receiver: Receiver, clock: Clock, db_path: Path
) -> None:
    dispatcher = dispatcher_for(db_path, clock, receiver.url, response_timeout_s=0.2)
    receiver.stall_s = 1.5
    dispatcher.record_change("1", "Vendor", "2", "Create", STAMP)
    await dispatcher.deliver_due()
    [delivery] = dispatcher.deliveries()
    assert (delivery.state, delivery.attempts, delivery.last_status) == ("pending", 1, None)
    assert delivery.last_error and "Timeout" in delivery.last_error
    await dispatcher.aclose()


async def test_an_unreachable_endpoint_is_a_failure_not_a_crash(
    clock: Clock, db_path: Path
) -> None:
    with socket.socket() as probe:  # a port that was free a moment ago, now closed
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    dispatcher = dispatcher_for(db_path, clock, f"http://127.0.0.1:{port}/nothing-listens")
    dispatcher.record_change("1", "Vendor", "2", "Create", STAMP)
    assert await dispatcher.deliver_due() == 1
    [delivery] = dispatcher.deliveries()
    assert (delivery.state, delivery.attempts) == ("pending", 1)
    await dispatcher.aclose()


async def test_later_events_for_a_realm_wait_until_the_first_is_acknowledged(
    receiver: Receiver, clock: Clock, db_path: Path
) -> None:
    dispatcher = dispatcher_for(db_path, clock, receiver.url)
    receiver.statuses.append(500)
    dispatcher.record_change("A", "Invoice", "1", "Create", STAMP)
    await dispatcher.deliver_due()  # A's first delivery fails
    dispatcher.record_change("A", "Invoice", "2", "Update", STAMP)
    dispatcher.record_change("A", "Invoice", "3", "Update", STAMP)
    dispatcher.record_change("B", "Bill", "7", "Create", STAMP)

    await dispatcher.deliver_due()  # B is not held up by A; A's later events wait
    clock.advance(10)
    await dispatcher.deliver_due()  # A's first delivery succeeds on retry
    await dispatcher.deliver_due()  # then what gathered for A goes, together and in order

    sent = [(r.json()["eventNotifications"][0]["realmId"], r.entity_ids()) for r in
            receiver.requests]  # fmt: skip
    assert sent == [("A", ["1"]), ("B", ["7"]), ("A", ["1"]), ("A", ["2", "3"])]
    await dispatcher.aclose()


async def test_events_within_the_aggregation_window_go_out_together(
    receiver: Receiver, clock: Clock, db_path: Path
) -> None:
    dispatcher = dispatcher_for(db_path, clock, receiver.url, aggregation_window_s=60)
    dispatcher.record_change("A", "Customer", "1", "Create", STAMP)
    clock.advance(30)
    dispatcher.record_change("A", "Invoice", "2", "Create", STAMP)
    dispatcher.record_change("B", "Vendor", "3", "Update", STAMP)
    assert await dispatcher.deliver_due() == 0
    clock.advance(30)
    assert await dispatcher.deliver_due() == 1  # A's window is over; B's is not
    clock.advance(30)
    assert await dispatcher.deliver_due() == 1
    assert [r.entity_ids() for r in receiver.requests] == [["1", "2"], ["3"]]
    await dispatcher.aclose()


async def test_a_restarted_dispatcher_resumes_pending_deliveries_and_waiting_events(
    receiver: Receiver, clock: Clock, db_path: Path
) -> None:
    first = dispatcher_for(db_path, clock, receiver.url, aggregation_window_s=60)
    first.record_change("A", "Invoice", "1", "Create", STAMP)
    clock.advance(60)
    receiver.statuses.append(500)
    await first.deliver_due()  # fails, retry due in 10 s
    first.record_change("B", "Bill", "2", "Create", STAMP)  # still in its window
    await first.aclose()

    second = WebhookDispatcher(db_path, clock=clock)  # stored settings apply
    assert second.settings.endpoint_url == receiver.url
    clock.advance(60)
    assert await second.deliver_due() == 2
    assert sorted(r.entity_ids()[0] for r in receiver.requests[1:]) == ["1", "2"]
    assert {d.state for d in second.deliveries()} == {"delivered"}
    await second.aclose()


async def test_two_dispatchers_on_one_outbox_send_each_delivery_once(
    receiver: Receiver, clock: Clock, db_path: Path
) -> None:
    one = dispatcher_for(db_path, clock, receiver.url)
    two = WebhookDispatcher(db_path, clock=clock)
    for entity_id in ("1", "2", "3"):
        one.record_change(entity_id, "Item", entity_id, "Create", STAMP)
    await asyncio.gather(one.deliver_due(), two.deliver_due())
    assert sorted(r.entity_ids()[0] for r in receiver.requests) == ["1", "2", "3"]
    await one.aclose()
    await two.aclose()


async def test_drop_loses_the_next_n_deliveries_for_good(
    receiver: Receiver, clock: Clock, db_path: Path
) -> None:
    dispatcher = dispatcher_for(db_path, clock, receiver.url)
    dispatcher.set_controls(drop_next=2)
    for entity_id in ("1", "2", "3"):
        dispatcher.record_change("A", "Invoice", entity_id, "Update", STAMP)
        await dispatcher.deliver_due()
        clock.advance(86_400)
        await dispatcher.deliver_due()
    assert [r.entity_ids() for r in receiver.requests] == [["3"]]
    assert [d.state for d in dispatcher.deliveries()] == ["dropped", "dropped", "delivered"]
    assert dispatcher.controls.drop_next == 0
    await dispatcher.aclose()


async def test_delay_holds_each_delivery_back_by_the_given_seconds(
    receiver: Receiver, clock: Clock, db_path: Path
) -> None:
    dispatcher = dispatcher_for(db_path, clock, receiver.url)
    dispatcher.set_controls(delay_s=30)
    dispatcher.record_change("A", "Payment", "5", "Create", STAMP)
    assert await dispatcher.deliver_due() == 0
    clock.advance(29)
    assert await dispatcher.deliver_due() == 0
    clock.advance(1)
    assert await dispatcher.deliver_due() == 1
    assert dispatcher.controls.delay_s == 30  # stays until changed
    dispatcher.set_controls(delay_s=0)
    dispatcher.record_change("A", "Payment", "6", "Update", STAMP)
    assert await dispatcher.deliver_due() == 1
    await dispatcher.aclose()


async def test_duplicate_sends_the_next_n_deliveries_twice(
    receiver: Receiver, clock: Clock, db_path: Path
) -> None:
    dispatcher = dispatcher_for(db_path, clock, receiver.url)
    dispatcher.set_controls(duplicate_next=1)
    dispatcher.record_change("A", "Deposit", "8", "Create", STAMP)
    await dispatcher.deliver_due()
    dispatcher.record_change("A", "Deposit", "9", "Create", STAMP)
    await dispatcher.deliver_due()
    assert [r.entity_ids() for r in receiver.requests] == [["8"], ["8"], ["9"]]
    assert receiver.requests[0].body == receiver.requests[1].body
    assert verify(receiver.requests[1].body, receiver.requests[1].headers["intuit-signature"],
                  TOKEN)  # fmt: skip
    await dispatcher.aclose()


async def test_settings_changed_at_run_time_apply_to_the_next_delivery(
    receiver: Receiver, clock: Clock, db_path: Path
) -> None:
    other = Receiver()
    try:
        dispatcher = dispatcher_for(db_path, clock, receiver.url)
        dispatcher.update_settings(endpoint_url=other.url, verifier_token="rotated",
                                   format=PayloadFormat.CLOUDEVENTS)  # fmt: skip
        dispatcher.record_change("310687", "Account", "1234", "Create", STAMP)
        await dispatcher.deliver_due()
        assert receiver.requests == []
        [request] = other.requests
        assert verify(request.body, request.headers["intuit-signature"], "rotated")
        [event] = request.json()
        assert event["type"] == "qbo.account.created.v1"
        assert (event["intuitaccountid"], event["intuitentityid"]) == ("310687", "1234")
        await dispatcher.aclose()
    finally:
        other.close()


async def test_a_cloudevents_retry_repeats_the_same_event_ids(
    receiver: Receiver, clock: Clock, db_path: Path
) -> None:
    dispatcher = dispatcher_for(db_path, clock, receiver.url, format=PayloadFormat.CLOUDEVENTS)
    receiver.statuses.append(500)
    dispatcher.record_change("1", "Invoice", "3", "Create", STAMP)
    dispatcher.record_change("1", "Invoice", "3", "Void", STAMP)
    await dispatcher.deliver_due()
    clock.advance(10)
    await dispatcher.deliver_due()
    first, retry = (r.json() for r in receiver.requests)
    assert first == retry
    assert [e["type"] for e in first] == ["qbo.invoice.created.v1", "qbo.invoice.voided.v1"]
    assert first[0]["id"] != first[1]["id"]
    await dispatcher.aclose()


async def test_without_an_endpoint_no_events_are_kept(clock: Clock, db_path: Path) -> None:
    dispatcher = dispatcher_for(db_path, clock, None)
    assert not dispatcher.record_change("1", "Invoice", "3", "Create", STAMP)
    assert await dispatcher.deliver_due() == 0
    assert dispatcher.outbox.waiting_events() == 0
    await dispatcher.aclose()


async def test_max_attempts_gives_up_and_unblocks_the_realm(
    receiver: Receiver, clock: Clock, db_path: Path
) -> None:
    dispatcher = dispatcher_for(db_path, clock, receiver.url, max_attempts=2)
    receiver.statuses.extend([500, 500])
    dispatcher.record_change("A", "Term", "1", "Update", STAMP)
    await dispatcher.deliver_due()
    clock.advance(10)
    await dispatcher.deliver_due()
    dispatcher.record_change("A", "Term", "2", "Update", STAMP)
    await dispatcher.deliver_due()
    assert [d.state for d in dispatcher.deliveries()] == ["failed", "delivered"]
    await dispatcher.aclose()


async def test_the_run_loop_delivers_and_retries_on_a_fast_time_scale(
    receiver: Receiver, db_path: Path
) -> None:
    """Real clock: with time_scale 0.001 the 10 s retry comes after 10 ms."""
    settings = WebhookSettings(endpoint_url=receiver.url, verifier_token=TOKEN,
                               time_scale=0.001)  # fmt: skip
    dispatcher = WebhookDispatcher(db_path, settings, poll_interval_s=0.01)
    receiver.statuses.append(500)
    stop = asyncio.Event()
    task = asyncio.create_task(dispatcher.run(stop))
    dispatcher.record_change("9", "Estimate", "4", "Create", STAMP)
    for _ in range(1000):
        if [d.state for d in dispatcher.deliveries()] == ["delivered"]:
            break
        await asyncio.sleep(0.01)
    stop.set()
    await asyncio.wait_for(task, timeout=10)
    assert len(receiver.requests) == 2
    assert dispatcher.deliveries()[0].attempts == 2
    await dispatcher.aclose()


async def test_a_change_enqueued_in_the_writers_transaction_shares_its_fate(
    receiver: Receiver, clock: Clock, db_path: Path
) -> None:
    """Given the store's own connection, a rolled-back write leaves no webhook behind."""
    dispatcher = dispatcher_for(db_path, clock, receiver.url)
    store = sqlite3.connect(db_path)
    ensure_schema(store)
    with contextlib.suppress(RuntimeError), store:
        enqueue_change(store, dispatcher.outbox.app_id,
                       ChangeEvent("1", "Invoice", "10", "Create", STAMP), clock())  # fmt: skip
        raise RuntimeError("the write failed after the event was queued")
    with store:
        enqueue_change(store, dispatcher.outbox.app_id,
                       ChangeEvent("1", "Invoice", "11", "Create", STAMP), clock())  # fmt: skip
    store.close()
    await dispatcher.deliver_due()
    assert [r.entity_ids() for r in receiver.requests] == [["11"]]
    await dispatcher.aclose()


async def test_a_dispatcher_can_share_an_open_connection(
    receiver: Receiver, clock: Clock, db_path: Path
) -> None:
    connection = sqlite3.connect(db_path, check_same_thread=False, isolation_level=None)
    settings = WebhookSettings(endpoint_url=receiver.url, verifier_token=TOKEN)
    dispatcher = WebhookDispatcher(connection, settings, clock=clock)
    dispatcher.record_change("5", "Class", "2", "Update", STAMP)
    assert await dispatcher.deliver_due() == 1
    assert verify(receiver.requests[0].body, receiver.requests[0].headers["intuit-signature"],
                  TOKEN)  # fmt: skip
    await dispatcher.aclose()
