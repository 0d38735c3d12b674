"""A record's QuickBooks side: the push marks it pushing (with the batch requestid it is sent
in), then in QuickBooks (its Id, SyncToken and merge base: what QuickBooks answered) or failed
(with the reason in words). Each step is a new version of the record, kept in its history, so an
edit made while it was on its way is refused as stale rather than lost."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from typing import Any

from zera.accounts.audit import Actor
from zera.db.engine import write_transaction
from zera.db.tables import PushRun, Record, RecordChange
from zera.jsonmoney import dumps, loads
from zera.review.records import (
    APPROVED,
    CONFLICT,
    FAILED,
    IN_QUICKBOOKS,
    PUSHING,
    Flag,
    RecordView,
    derived_columns,
)
from zera.sync.lists import ReferenceLists
from zera.sync.merge import view
from zera.sync.names import with_names


async def start_run(client_id: int, actor: Actor) -> int:
    rows = (
        await PushRun.insert(PushRun(client_id=client_id, started_by=actor.email))
        .returning(PushRun.id)
        .run()
    )
    return int(rows[0]["id"])


async def finish_run(run_id: int, summary: dict[str, int], *, state: str = "done") -> None:
    await PushRun.update(
        {PushRun.finished_at: dt.datetime.now(dt.UTC), PushRun.state: state,
         PushRun.summary: dumps(summary)}
    ).where(PushRun.id == run_id).run()


async def _step(
    actor: Actor,
    record: RecordView,
    action: str,
    status: str,
    values: dict[Any, Any],
    *,
    payload: dict[str, Any] | None = None,
) -> RecordView | None:
    """Move `record` (as read) to `status` with `values` (and a new `payload`, its derived
    columns with it); None when it changed meanwhile."""
    now = dt.datetime.now(dt.UTC)
    update = {
        Record.status: status,
        Record.version: record.version + 1,
        Record.updated_at: now,
        Record.updated_by: actor.email,
        **values,
    }
    after = record.payload if payload is None else payload
    if payload is not None:
        update[Record.payload] = dumps(payload)
        amount = record.amount if record.from_statement else None
        for key, value in derived_columns(record.entity, payload, amount).items():
            update[getattr(Record, key)] = value
    async with write_transaction(Record._meta.db):
        done = (
            await Record.update(update)
            .where((Record.id == record.id) & (Record.version == record.version))
            .returning(Record.id)
            .run()
        )
        if not done:
            return None
        await RecordChange.insert(
            RecordChange(
                record_id=record.id,
                client_id=record.client_id,
                version=record.version + 1,
                user_id=actor.user_id,
                user_email=actor.email,
                action=action,
                before=dumps({"type": record.entity, "record": record.payload,
                              "status": record.status}),
                after=dumps({"type": record.entity, "record": after, "status": status}),
            )
        ).run()
    return replace(record, status=status, version=record.version + 1, updated_at=now,
                   payload=after)  # fmt: skip


async def sync_step(
    actor: Actor,
    record: RecordView,
    action: str,
    status: str,
    *,
    theirs: dict[str, Any] | None = None,
    payload: dict[str, Any] | None = None,
    keep_base: bool = False,
) -> RecordView | None:
    """Two-way sync moved the record to `status`: QuickBooks' version `theirs` becomes the new
    merge base (unless `keep_base`: a conflict keeps the last agreed version and stores
    `theirs` beside it for the Conflicts page)."""
    values: dict[Any, Any] = {Record.theirs: dumps(theirs) if status == CONFLICT else None}
    if theirs is not None and not keep_base:
        values[Record.merge_base] = dumps(theirs)
        values[Record.sync_token] = str(theirs.get("SyncToken", "0"))
    return await _step(actor, record, action, status, values, payload=payload)


async def mark_pushing(
    actor: Actor, record: RecordView, run_id: int, request: str
) -> RecordView | None:
    """Claim an approved (or failed, being retried) record for a batch sent as `request`."""
    if record.status not in (APPROVED, FAILED):
        return None
    return await _step(
        actor, record, "push", PUSHING,
        {Record.push_run_id: run_id, Record.push_request: request},
    )  # fmt: skip


async def mark_pushed(
    actor: Actor,
    record: RecordView,
    answer: dict[str, Any],
    names: ReferenceLists | None = None,
) -> RecordView | None:
    """QuickBooks has it: keep its Id, SyncToken and answer (the merge base)."""
    flags = [f for f in record.flags if f.kind != "push"]
    return await _step(
        actor,
        record,
        "pushed" if record.qbo_id is None else "update pushed",
        IN_QUICKBOOKS,
        {
            Record.qbo_id: str(answer["Id"]),
            Record.sync_token: str(answer.get("SyncToken", "0")),
            Record.merge_base: dumps(answer),
            Record.theirs: None,
            Record.flags: dumps([f.to_json() for f in flags]),
        },
        # From now on the record is QuickBooks' version of it (line Ids and all), so that
        # later edits on either side are merged line by line.
        payload=with_names(view(answer), names) if names is not None else view(answer),
    )


async def mark_failed(actor: Actor, record: RecordView, message: str) -> RecordView | None:
    """QuickBooks refused it: back to the user with the reason, shown on its row."""
    flags = [f for f in record.flags if f.kind != "push"] + [Flag("push", message)]
    return await _step(
        actor,
        record,
        "push failed",
        FAILED,
        {Record.flags: dumps([f.to_json() for f in flags]), Record.push_request: None},
    )


async def release(actor: Actor, record: RecordView) -> RecordView | None:
    """A record left pushing by an interrupted push that QuickBooks does not have: approved
    again, to be sent in this push."""
    return await _step(actor, record, "push resumed", APPROVED, {Record.push_request: None})


REVERSED = "reversed"  # the flag on a record undo reversed with a journal entry


async def mark_undone(actor: Actor, record: RecordView) -> RecordView | None:
    """The push that wrote it was undone and QuickBooks no longer has it: approved again, to
    be edited or pushed again, its QuickBooks Id, SyncToken and merge base cleared (its history
    keeps them)."""
    flags = [f for f in record.flags if f.kind not in ("push", REVERSED)]
    return await _step(
        actor,
        record,
        "push undone",
        APPROVED,
        {
            Record.qbo_id: None,
            Record.sync_token: None,
            Record.merge_base: None,
            Record.theirs: None,
            Record.push_request: None,
            Record.flags: dumps([f.to_json() for f in flags]),
        },
        payload=await _before_push(record),
    )


async def _before_push(record: RecordView) -> dict[str, Any] | None:
    """The record as it was just before its first push (names by name, as Zera wrote them):
    after an undo it is pushed again from there, not from QuickBooks' deleted version."""
    row = (
        await RecordChange.select(RecordChange.before)
        .where((RecordChange.record_id == record.id) & (RecordChange.action == "pushed"))
        .order_by(RecordChange.version, ascending=False)
        .first()
        .run()
    )
    if row is None:
        return None
    before = loads(row["before"]) if isinstance(row["before"], str) else row["before"]
    payload = (before or {}).get("record")
    return dict(payload) if isinstance(payload, dict) else None


async def mark_reversed(actor: Actor, record: RecordView, message: str) -> RecordView | None:
    """QuickBooks would not delete it (closed books, deposited): it stays in QuickBooks with a
    reversing journal entry, flagged with `message` so its row says so."""
    flags = [f for f in record.flags if f.kind != REVERSED] + [Flag(REVERSED, message)]
    return await _step(
        actor,
        record,
        "push reversed",
        IN_QUICKBOOKS,
        {Record.flags: dumps([f.to_json() for f in flags])},
    )


@dataclass(frozen=True)
class PushRunView:
    id: int
    started_by: str
    started_at: dt.datetime
    finished_at: dt.datetime | None
    state: str  # running, done, failed, undone, partly undone
    summary: dict[str, int]

    @property
    def undoable(self) -> bool:
        return self.state in ("done", "failed") and bool(self.summary.get("created"))


async def last_run(client_id: int) -> PushRunView | None:
    """The client's most recent push, for the Push page (and its Undo)."""
    row = (
        await PushRun.select()
        .where(PushRun.client_id == client_id)
        .order_by(PushRun.id, ascending=False)
        .first()
        .run()
    )
    if row is None:
        return None
    summary = loads(row["summary"]) if isinstance(row["summary"], str) else row["summary"]
    return PushRunView(
        id=row["id"],
        started_by=row["started_by"],
        started_at=row["started_at"],
        finished_at=row["finished_at"],
        state=row["state"],
        summary=dict(summary or {}),
    )


async def push_interrupted(client_id: int) -> bool:
    """Records were left on their way to QuickBooks (a push stopped by a lost connection or a
    crash): reconnecting should resume it."""
    return bool(
        await Record.exists()
        .where((Record.client_id == client_id) & (Record.status == PUSHING))
        .run()
    )
