"""Dead letters: messages whose job gave up (retries ran out, or a failure no retry can fix).

Every broker keeps them somewhere of its own: the embedded queue as `dead` rows, Redis in the
`<namespace>:<queue>.XQ` sorted set (ids scored by when they died) with the bodies in
`.XQ.msgs`, dramatiq-postgres as `rejected` rows of `dramatiq.queue`. This module lists and
purges them the same way for all three; the job row (same job id) says why the job failed.
"""

from __future__ import annotations

import json
import time
import uuid
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import Any

from dramatiq.broker import Broker
from dramatiq.message import Message

from zera.db.tables import Job
from zera.queue.sqlite_broker import SQLiteBroker


@dataclass(frozen=True)
class DeadLetter:
    message_id: str
    queue: str
    actor: str
    job_id: str | None
    client_id: int | None
    error: str
    dead_at: datetime

    def as_json(self) -> str:
        return json.dumps({**asdict(self), "dead_at": self.dead_at.isoformat()})


@dataclass(frozen=True)
class _Raw:
    message: dict[str, Any]  # the message as Dramatiq encodes it
    dead_at: float


async def list_dead_letters(broker: Broker, *, older_than_seconds: float = 0) -> list[DeadLetter]:
    """Every dead message that died at least `older_than_seconds` ago, oldest first."""
    raws = sorted(_dead(broker, time.time() - older_than_seconds), key=lambda r: r.dead_at)
    job_ids = [found for raw in raws if (found := _job_id(raw.message))]
    jobs: dict[str, dict[str, Any]] = {}
    if job_ids:
        rows = await Job.select(Job.id, Job.error, Job.client_id).where(Job.id.is_in(job_ids)).run()
        jobs = {str(row["id"]): row for row in rows}
    letters = []
    for raw in raws:
        job_id = _job_id(raw.message)
        job = jobs.get(str(job_id)) if job_id else None
        kwargs = raw.message.get("kwargs") or {}
        client_id = kwargs.get("client_id", job["client_id"] if job else None)
        traceback = str((raw.message.get("options") or {}).get("traceback") or "").strip()
        letters.append(
            DeadLetter(
                message_id=str(raw.message.get("message_id", "")),
                queue=str(raw.message.get("queue_name", "")),
                actor=str(raw.message.get("actor_name", "")),
                job_id=str(job_id) if job_id else None,
                client_id=client_id if isinstance(client_id, int) else None,
                error=(job["error"] if job else "") or traceback.rsplit("\n", 1)[-1],
                dead_at=datetime.fromtimestamp(raw.dead_at, UTC),
            )
        )
    return letters


def purge_dead_letters(broker: Broker, *, older_than_seconds: float = 0) -> int:
    """Delete every dead message that died at least `older_than_seconds` ago; return how many."""
    before = time.time() - older_than_seconds
    if isinstance(broker, SQLiteBroker):
        return broker.purge_dead_letters(died_before=before)
    if _is_redis(broker):
        return _redis_purge(broker, before)
    return _postgres_purge(broker, before)


def _job_id(message: dict[str, Any]) -> uuid.UUID | None:
    try:
        return uuid.UUID(str((message.get("kwargs") or {}).get("job_id")))
    except ValueError:
        return None


def _dead(broker: Broker, before: float) -> list[_Raw]:
    if isinstance(broker, SQLiteBroker):
        return [_Raw(_decoded(body), at) for body, at in broker.dead_letters(died_before=before)]
    if _is_redis(broker):
        return _redis_dead(broker, before)
    return _postgres_dead(broker, before)


def _decoded(body: bytes) -> dict[str, Any]:
    return dict(Message.decode(body).asdict())


# -- Redis: <namespace>:<queue>.XQ (ids scored by death time in ms) and <queue>.XQ.msgs ---------


def _is_redis(broker: Broker) -> bool:
    from dramatiq.brokers.redis import RedisBroker

    return isinstance(broker, RedisBroker)


def _redis_dead_sets(broker: Any) -> list[str]:
    # Every queue's, not only those this process declared: a worker may load other tasks.
    return sorted(
        key.decode() if isinstance(key, bytes) else str(key)
        for key in broker.client.scan_iter(match=f"{broker.namespace}:*.XQ")
    )


def _redis_dead(broker: Any, before: float) -> list[_Raw]:
    raws: list[_Raw] = []
    for dead_set in _redis_dead_sets(broker):
        scored = broker.client.zrangebyscore(dead_set, 0, before * 1000, withscores=True)
        if not scored:
            continue
        bodies = broker.client.hmget(dead_set + ".msgs", [member for member, _ in scored])
        raws.extend(
            _Raw(_decoded(body), score / 1000)
            for (_, score), body in zip(scored, bodies, strict=True)
            if body is not None
        )
    return raws


def _redis_purge(broker: Any, before: float) -> int:
    purged = 0
    for dead_set in _redis_dead_sets(broker):
        ids = broker.client.zrangebyscore(dead_set, 0, before * 1000)
        if not ids:
            continue
        with broker.client.pipeline() as pipe:
            pipe.zrem(dead_set, *ids)
            pipe.hdel(dead_set + ".msgs", *ids)
            removed, _ = pipe.execute()
        purged += int(removed)
    return purged


# -- dramatiq-postgres: rejected rows of dramatiq.queue (Zera builds it with the default schema
# and no prefix), `mtime` being when the message was rejected ---------------------------------


def _postgres_dead(broker: Any, before: float) -> list[_Raw]:
    from dramatiq_postgres.utils import transaction

    with transaction(broker.pool) as cursor:
        cursor.execute(
            "SELECT message, extract(epoch FROM mtime) FROM dramatiq.queue"
            " WHERE state = 'rejected' AND mtime < to_timestamp(%s)",
            (before,),
        )
        rows = cursor.fetchall()
    return [_Raw(dict(message), float(at)) for message, at in rows]


def _postgres_purge(broker: Any, before: float) -> int:
    from dramatiq_postgres.utils import transaction

    with transaction(broker.pool) as cursor:
        cursor.execute(
            "DELETE FROM dramatiq.queue WHERE state = 'rejected' AND mtime < to_timestamp(%s)",
            (before,),
        )
        return int(cursor.rowcount)
