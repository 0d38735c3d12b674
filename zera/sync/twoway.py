"""Two-way sync of records: what QuickBooks changed, brought into Zera's records through the merge.

After an apply pass has brought the transaction mirror up to date (CDC, `zera.sync.history`),
every record linked to a QuickBooks transaction whose SyncToken moved past the record's, or
that QuickBooks deleted, is merged: `merge(base, ours, theirs)` with base the last version both
sides agreed on, ours the record, theirs QuickBooks' version now. Reading "what moved" from
the mirror rather than from the notices makes the pass idempotent: a repeated, late or lost
notice changes nothing twice and misses nothing the CDC read saw.

- Only QuickBooks changed: the record takes QuickBooks' version (deleted or voided there: the
  record says so, and stays what it was).
- Zera changed too (an edit waiting to be pushed): the merge of both, still waiting to be
  pushed; the push sends it as a sparse update.
- Both changed the same field or line: a conflict. Nothing is written on either side until a
  person chooses on the Conflicts page.

A Merge notice (two names merged in QuickBooks) repoints Zera's records not yet in QuickBooks to
the surviving name; QuickBooks repoints its own transactions, which then come back as changes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from zera.accounts.audit import Actor
from zera.db.bulk import upsert
from zera.db.tables import QBOSyncState, QBOTransaction, Record
from zera.jsonmoney import dumps, loads
from zera.qbo.webhooks import ChangeNotice
from zera.review import payloads
from zera.review.records import (
    APPROVED,
    CONFLICT,
    DELETED,
    EXCLUDED,
    FAILED,
    IN_QUICKBOOKS,
    TO_REVIEW,
    VOIDED,
    RecordView,
    get_records_by_id,
)
from zera.sync import records as synced
from zera.sync.lists import ReferenceLists, reference_lists
from zera.sync.merge import merge
from zera.sync.names import with_names

QUICKBOOKS = Actor(None, "QuickBooks")
# Records whose QuickBooks side is followed: in QuickBooks, or edited since and not yet pushed.
FOLLOWED = (IN_QUICKBOOKS, APPROVED, TO_REVIEW, FAILED, EXCLUDED, CONFLICT)
LAG_KIND = "changes"  # QBOSyncState row: the newest QuickBooks change applied, and when


@dataclass
class SyncSummary:
    applied: int = 0  # records that took QuickBooks' changes
    merged: int = 0  # records whose pending Zera edit was merged with QuickBooks' changes
    conflicts: int = 0
    deleted: int = 0
    voided: int = 0
    repointed: int = 0  # records moved to a surviving name by a Merge notice
    newest_change: dt.datetime | None = None
    touched: list[int] = field(default_factory=list)


def _json(raw: Any) -> Any:
    return loads(raw) if isinstance(raw, str | bytes) else raw


def is_voided(doc: dict[str, Any]) -> bool:
    """Intuit voids a transaction by zeroing it and noting "Voided" (QBO-API.md §2)."""
    try:
        total = Decimal(str(doc.get("TotalAmt", doc.get("Amount", "0"))))
    except InvalidOperation:
        return False
    return total == 0 and str(doc.get("PrivateNote") or "").startswith("Voided")


def _changed_at(doc: dict[str, Any] | None) -> dt.datetime | None:
    raw = ((doc or {}).get("MetaData") or {}).get("LastUpdatedTime")
    try:
        return dt.datetime.fromisoformat(str(raw)) if raw else None
    except ValueError:
        return None


def _newer(token: str | None, than: str | None) -> bool:
    """QuickBooks' SyncToken counts up with every change: only a higher one is news. (The
    mirror may still hold an older version than the answer to Zera's own last write.)"""
    try:
        return int(str(token)) > int(str(than))
    except ValueError:
        return token != than


async def _moved(client_id: int) -> list[tuple[int, dict[str, Any] | None]]:
    """(record id, QuickBooks' document or None when deleted) for every followed record whose
    QuickBooks side changed since the record last agreed with it."""
    records = (
        await Record.select(Record.id, Record.entity, Record.qbo_id, Record.sync_token)
        .where(
            (Record.client_id == client_id)
            & Record.qbo_id.is_not_null()
            & Record.status.is_in(list(FOLLOWED))
        )
        .run()
    )
    if not records:
        return []
    ids = sorted({r["qbo_id"] for r in records})
    mirror: dict[tuple[str, str], dict[str, Any]] = {}
    for start in range(0, len(ids), 500):
        rows = (
            await QBOTransaction.select(
                QBOTransaction.entity,
                QBOTransaction.qbo_id,
                QBOTransaction.sync_token,
                QBOTransaction.deleted,
                QBOTransaction.payload,
            )
            .where(
                (QBOTransaction.client_id == client_id)
                & QBOTransaction.qbo_id.is_in(ids[start : start + 500])
            )
            .run()
        )
        mirror.update({(row["entity"], row["qbo_id"]): row for row in rows})
    moved: list[tuple[int, dict[str, Any] | None]] = []
    for record in records:
        row = mirror.get((record["entity"], record["qbo_id"]))
        if row is None:
            continue  # not read back from QuickBooks yet
        if row["deleted"]:
            moved.append((record["id"], None))
        elif _newer(row["sync_token"], record["sync_token"]):
            moved.append((record["id"], _json(row["payload"])))
    return moved


async def take_changes(client_id: int, notices: Iterable[ChangeNotice] = ()) -> SyncSummary:
    """Bring every record QuickBooks changed into step (the mirror must be fresh); see the
    module's docstring for the rules."""
    summary = SyncSummary()
    notices = list(notices)
    lists = await reference_lists(client_id)
    await _repoint_merged_names(client_id, notices, lists, summary)
    moved = await _moved(client_id)
    by_id = {r.id: r for r in await get_records_by_id(client_id, [m[0] for m in moved])}
    for record_id, theirs in moved:
        record = by_id.get(record_id)
        if record is None or record.merge_base is None or _known_conflict(record, theirs):
            continue
        if theirs is not None:
            theirs = with_names(theirs, lists)
        voided = theirs is not None and is_voided(theirs)
        await _take(record, theirs, voided, summary)
        changed = _changed_at(theirs)
        if changed and (summary.newest_change is None or changed > summary.newest_change):
            summary.newest_change = changed
    if summary.newest_change is not None:
        await _note_lag(client_id, summary.newest_change)
    return summary


def _known_conflict(record: RecordView, theirs: dict[str, Any] | None) -> bool:
    """An open conflict already holds this version of QuickBooks' side: nothing new to merge."""
    if record.status != CONFLICT:
        return False
    if theirs is None or record.theirs is None:
        return theirs is None and record.theirs is None
    return str(theirs.get("SyncToken")) == str(record.theirs.get("SyncToken"))


async def _take(
    record: RecordView, theirs: dict[str, Any] | None, voided: bool, summary: SyncSummary
) -> None:
    base = record.merge_base or {}
    # A record in QuickBooks has no edit of Zera's waiting: its side is the base itself.
    ours = base if record.status == IN_QUICKBOOKS else record.payload
    result = merge(base, ours, None if voided else theirs)
    if not result.clean:
        done = await synced.sync_step(
            QUICKBOOKS, record, "conflict with QuickBooks", CONFLICT, theirs=theirs,
            keep_base=True,
        )  # fmt: skip
        if done is not None and record.status != CONFLICT:
            summary.conflicts += 1
            summary.touched.append(record.id)
        return
    if result.merged is None:  # deleted (or voided) there, unchanged here: say so, keep it
        status, action = (VOIDED, "voided in QuickBooks") if voided else (
            DELETED, "deleted in QuickBooks")  # fmt: skip
        if await synced.sync_step(QUICKBOOKS, record, action, status, theirs=theirs):
            summary.voided += voided
            summary.deleted += not voided
            summary.touched.append(record.id)
        return
    pending = result.push_needed
    if record.status in (IN_QUICKBOOKS, CONFLICT):
        status = APPROVED if pending else IN_QUICKBOOKS
    else:
        status = record.status
    action = "merged with QuickBooks' changes" if pending else "changed in QuickBooks"
    done = await synced.sync_step(
        QUICKBOOKS, record, action, status, theirs=theirs, payload=result.merged
    )
    if done is not None:
        if pending:
            summary.merged += 1
        else:
            summary.applied += 1
        summary.touched.append(record.id)


async def _note_lag(client_id: int, newest: dt.datetime) -> None:
    row = {
        "client_id": client_id,
        "kind": LAG_KIND,
        "cursor": newest.isoformat(),
        "synced_at": dt.datetime.now(dt.UTC),
    }
    await upsert(QBOSyncState, [row], key=("client_id", "kind"), update=("cursor", "synced_at"))


# -- names merged in QuickBooks ------------------------------------------------------------------

NOT_PUSHED = (TO_REVIEW, APPROVED, FAILED, EXCLUDED)


def _repointed(payload: dict[str, Any], entity: str, gone: str, into: str, name: str) -> bool:
    changed = False
    for key, _path, ref in payloads.references(payload):
        kind = payloads.REF_LISTS.get(key)
        person = key in ("EntityRef", "Entity", "VendorRef", "CustomerRef")
        fits = kind == entity or (person and entity in ("Vendor", "Customer", "Employee"))
        if fits and payloads.ref_value(ref) == gone:
            ref["value"] = into
            if name:
                ref["name"] = name
            changed = True
    return changed


async def _repoint_merged_names(
    client_id: int, notices: list[ChangeNotice], lists: ReferenceLists, summary: SyncSummary
) -> None:
    merges = [n for n in notices if n.operation.lower().startswith("merge") and n.deleted_id]
    if not merges:
        return
    rows = (
        await Record.select(Record.id)
        .where(
            (Record.client_id == client_id)
            & Record.status.is_in(list(NOT_PUSHED))
            & Record.qbo_id.is_null()
        )
        .run()
    )
    records = await get_records_by_id(client_id, [r["id"] for r in rows])
    for record in records:
        payload = loads(dumps(record.payload))
        touched = False
        for notice in merges:
            survivor = lists.get(notice.entity, notice.entity_id)
            name = survivor.name if survivor else ""
            touched |= _repointed(payload, notice.entity, notice.deleted_id, notice.entity_id,
                                  name)  # fmt: skip
        if touched:
            done = await synced.sync_step(
                QUICKBOOKS, record, "name merged in QuickBooks", record.status,
                payload=payload, keep_base=True,
            )  # fmt: skip
            if done is not None:
                summary.repointed += 1
                summary.touched.append(record.id)
