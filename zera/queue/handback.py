"""Server brokers whose consumers hand back, on a graceful stop, what they claimed but never
passed to a worker thread.

Dramatiq's Worker requeues the messages waiting in its own work queue when it stops, but the
dramatiq-postgres and Redis consumers claim in batches and keep the rest in a buffer the Worker
cannot see. Without this, those messages wait until the stopped process's heartbeat goes stale
(`lease_seconds`, 30 s by default) before any other worker may run them.
"""

from __future__ import annotations

from typing import Any

from dramatiq.broker import Consumer
from dramatiq.brokers.redis import RedisBroker, _RedisConsumer
from dramatiq.message import Message
from dramatiq_postgres.broker import PostgresBroker, PostgresConsumer


class _HandbackPostgresConsumer(PostgresConsumer):  # type: ignore[misc]
    buffer: list[Message[Any]]  # claimed, not yet handed to the Worker

    def close(self) -> None:
        unclaimed: list[Message[Any]] = self.buffer
        self.buffer = []
        if unclaimed:
            self.requeue(unclaimed)
        super().close()


class HandbackPostgresBroker(PostgresBroker):  # type: ignore[misc]
    """dramatiq-postgres, unchanged but for the hand-back on close."""

    def consume(self, queue_name: str, prefetch: int = 1, timeout: int = 30000) -> Consumer:
        return _HandbackPostgresConsumer(
            broker=self, queue_name=queue_name, prefetch=prefetch, timeout=timeout
        )


class _HandbackRedisConsumer(_RedisConsumer):
    def close(self) -> None:
        cached, self.message_cache = self.message_cache, []
        unclaimed = [Message.decode(data) for data in cached if data is not None]
        if unclaimed:
            self.requeue(unclaimed)  # type: ignore[no-untyped-call]
        super().close()


class HandbackRedisBroker(RedisBroker):
    """Dramatiq's RedisBroker, unchanged but for the hand-back on close."""

    @property
    def consumer_class(self) -> Any:
        return _HandbackRedisConsumer
