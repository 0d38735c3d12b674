"""Every broker the queue URL can name hands back, when a consumer closes, the messages it
claimed but never delivered: a stopping worker must not strand work until its lease runs out."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from dramatiq.broker import Broker, Consumer, MessageProxy
from dramatiq.message import Message

from zera.queue.brokers import build_broker, init_broker_storage

pytestmark = pytest.mark.queue


@pytest.fixture
def broker(queue_url: str) -> Iterator[Broker]:
    built = build_broker(queue_url)
    init_broker_storage(built)
    yield built
    built.close()


def next_message(consumer: Consumer, within: float = 30) -> MessageProxy:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        message = next(consumer)
        if message is not None:
            return message
    raise AssertionError(f"no message within {within} s")


# Leases far longer than any wait here: only a hand-back can make the messages available.
@pytest.mark.parametrize("lease_seconds", ["600"])
def test_a_closed_consumer_hands_back_the_messages_it_claimed_but_never_delivered(
    broker: Broker,
) -> None:
    queue_name = f"handback_{uuid.uuid4().hex[:8]}"
    broker.declare_queue(queue_name)
    for n in range(4):
        message: Message[Any] = Message(
            queue_name=queue_name, actor_name="noop", args=(n,), kwargs={}, options={}
        )
        broker.enqueue(message)
    first = broker.consume(queue_name, prefetch=4, timeout=100)
    delivered = next_message(first)
    first.ack(delivered)

    first.close()

    second = broker.consume(queue_name, prefetch=10, timeout=100)
    try:
        rest = [next_message(second) for _ in range(3)]
        assert sorted(m.args[0] for m in [delivered, *rest]) == [0, 1, 2, 3]
        for message in rest:
            second.ack(message)
    finally:
        second.close()
