"""Records: every transaction Zera will write to QuickBooks (or has seen there), its status and
the version each edit must name.

An edit names the version it was made against; the write is one compare-and-set
(`UPDATE ... WHERE version = ?`), so of two edits made against the same version one is applied and
the other is refused with `StaleEdit`, never applied over the first. Every version is kept in
`record_change` (who, when, before, after) and each edit is written to the audit log.

Functions for a user take the client as `zera.clients.get_client` returned it (access checked
once, by the route)."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any, ClassVar

from zera.accounts.audit import Actor
from zera.accounts.audit import record as audit
from zera.clients import ClientSummary
from zera.db.engine import write_transaction
from zera.db.tables import Record, RecordChange
from zera.errors import Conflict, InvalidInput, NotFound, ZeraError
from zera.jsonmoney import dumps, loads
from zera.review import payloads
from zera.review.payloads import Problem
from zera.sync.lists import ReferenceLists, reference_lists

TO_REVIEW = "to_review"
APPROVED = "approved"
EXCLUDED = "excluded"
PUSHING = "pushing"
IN_QUICKBOOKS = "in_quickbooks"
CONFLICT = "conflict"
FAILED = "failed"
DELETED = "deleted"  # deleted in QuickBooks
VOIDED = "voided"  # voided in QuickBooks
STATUSES = (
    TO_REVIEW, APPROVED, EXCLUDED, PUSHING, IN_QUICKBOOKS, CONFLICT, FAILED, DELETED, VOIDED
)
STATUS_LABELS = {
    TO_REVIEW: "To review",
    APPROVED: "Approved",
    EXCLUDED: "Excluded",
    PUSHING: "Pushing",
    IN_QUICKBOOKS: "In QuickBooks",
    CONFLICT: "Conflict",
    FAILED: "Failed",
    DELETED: "Deleted in QuickBooks",
    VOIDED: "Voided in QuickBooks",
}
# A user may edit, approve or exclude a record only before it is on its way to QuickBooks (a
# failed push comes back to be fixed); later changes go through two-way sync.
EDITABLE = (TO_REVIEW, APPROVED, EXCLUDED, FAILED)
SOURCES = ("document", "manual", "import", "quickbooks")
LOW_CONFIDENCE = 0.6


class StaleEdit(Conflict):
    title = "Changed by someone else"


class InvalidRecord(ZeraError):
    """The record would be refused; `problems` says where and why."""

    status_code: ClassVar[int] = 422
    title: ClassVar[str] = "Check the record"

    def __init__(self, problems: Sequence[Problem]) -> None:
        super().__init__("; ".join(str(p) for p in problems))
        self.problems = list(problems)


@dataclass(frozen=True)
class Suggestion:
    account_id: str
    account: str
    confidence: float

    def to_json(self) -> dict[str, Any]:
        return {"account_id": self.account_id, "account": self.account,
                "confidence": self.confidence}  # fmt: skip

    @classmethod
    def from_json(cls, raw: dict[str, Any]) -> Suggestion:
        return cls(str(raw["account_id"]), str(raw["account"]), float(raw["confidence"]))


@dataclass(frozen=True)
class Flag:
    kind: str  # a statement row flag's kind, "duplicate", "account"
    message: str

    def to_json(self) -> dict[str, str]:
        return {"kind": self.kind, "message": self.message}


@dataclass(frozen=True)
class RecordView:
    id: int
    client_id: int
    entity: str
    status: str
    payload: dict[str, Any]
    version: int
    source: str
    document_id: int | None
    line_id: int | None
    statement_key: str
    period_start: dt.date | None
    period_end: dt.date | None
    bank_text: str
    suggestions: list[Suggestion]
    confidence: float
    explanation: str
    flags: list[Flag]
    txn_date: dt.date | None
    amount: Decimal
    payee: str
    account: str
    qbo_id: str | None
    sync_token: str | None
    created_at: dt.datetime
    updated_at: dt.datetime
    updated_by: str
    merge_base: dict[str, Any] | None = None  # what QuickBooks last answered (both sides agreed)
    theirs: dict[str, Any] | None = None  # QuickBooks' side of an open conflict

    @property
    def label(self) -> str:
        return payloads.TYPES[self.entity].label

    @property
    def editable(self) -> bool:
        return self.status in EDITABLE

    @property
    def can_edit(self) -> bool:
        """Its fields may be edited: before it is on its way to QuickBooks, or once it is there
        (the edit is then pushed back as an update through the merge)."""
        return self.status in EDITABLE or self.status == IN_QUICKBOOKS

    @property
    def card(self) -> bool:
        return self.statement_key.startswith("credit_card:")

    @property
    def from_statement(self) -> bool:
        return self.source == "document" and self.line_id is not None

    @property
    def low_confidence(self) -> bool:
        return self.confidence < LOW_CONFIDENCE

    @property
    def memo(self) -> str:
        return str(self.payload.get("PrivateNote") or "")


@dataclass(frozen=True)
class NewRecord:
    entity: str
    payload: dict[str, Any]
    source: str = "manual"
    status: str = TO_REVIEW
    document_id: int | None = None
    line_id: int | None = None
    statement_key: str = ""
    period_start: dt.date | None = None
    period_end: dt.date | None = None
    bank_text: str = ""
    suggestions: Sequence[Suggestion] = ()
    confidence: float = 0.0
    explanation: str = ""
    flags: Sequence[Flag] = ()
    amount: Decimal | None = None  # the statement's signed amount; else from the payload


@dataclass(frozen=True)
class Change:
    version: int
    at: dt.datetime
    user_email: str
    action: str
    before: dict[str, Any] | None
    after: dict[str, Any]


@dataclass(frozen=True)
class Counts:
    by_status: dict[str, int] = field(default_factory=dict)
    low_confidence: int = 0
    flagged: int = 0

    @property
    def total(self) -> int:
        return sum(self.by_status.values())

    def __getitem__(self, status: str) -> int:
        return self.by_status.get(status, 0)


# -- reading -------------------------------------------------------------------------------------


def _json(raw: Any) -> Any:
    return loads(raw) if isinstance(raw, str | bytes) else raw


_COLUMNS = (
    Record.id, Record.client_id, Record.entity, Record.status, Record.payload, Record.version,
    Record.source, Record.document_id, Record.line_id, Record.statement_key, Record.period_start,
    Record.period_end, Record.bank_text, Record.suggestions, Record.confidence,
    Record.explanation, Record.flags, Record.txn_date, Record.amount, Record.payee,
    Record.account, Record.qbo_id, Record.sync_token, Record.created_at, Record.updated_at,
    Record.updated_by, Record.merge_base, Record.theirs,
)  # fmt: skip


def _view(row: dict[str, Any]) -> RecordView:
    return RecordView(
        id=row["id"],
        client_id=row["client_id"],
        entity=row["entity"],
        status=row["status"],
        payload=_json(row["payload"]) or {},
        version=row["version"],
        source=row["source"],
        document_id=row["document_id"],
        line_id=row["line_id"],
        statement_key=row["statement_key"],
        period_start=row["period_start"],
        period_end=row["period_end"],
        bank_text=row["bank_text"],
        suggestions=[Suggestion.from_json(s) for s in _json(row["suggestions"]) or []],
        confidence=float(row["confidence"]),
        explanation=row["explanation"],
        flags=[Flag(f["kind"], f["message"]) for f in _json(row["flags"]) or []],
        txn_date=row["txn_date"],
        amount=Decimal(row["amount"]),
        payee=row["payee"],
        account=row["account"],
        qbo_id=row["qbo_id"],
        sync_token=row["sync_token"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
        updated_by=row["updated_by"],
        merge_base=_json(row["merge_base"]),
        theirs=_json(row["theirs"]),
    )


async def get_record(client: ClientSummary, record_id: int) -> RecordView:
    """The client's record; NotFound for a record of another client."""
    row = (
        await Record.select(*_COLUMNS)
        .where((Record.id == record_id) & (Record.client_id == client.id))
        .first()
        .run()
    )
    if row is None:
        raise NotFound("No such record.")
    return _view(row)


async def get_records_by_id(client_id: int, record_ids: Iterable[int]) -> list[RecordView]:
    """The client's records among `record_ids` (for background work; no user to check)."""
    wanted = sorted(set(record_ids))
    found: list[RecordView] = []
    for start in range(0, len(wanted), 500):
        rows = (
            await Record.select(*_COLUMNS)
            .where((Record.client_id == client_id) & Record.id.is_in(wanted[start : start + 500]))
            .run()
        )
        found += [_view(row) for row in rows]
    return found


async def list_records(
    client: ClientSummary,
    *,
    status: str | None = None,
    entity: str | None = None,
    document_id: int | None = None,
    limit: int | None = None,
) -> list[RecordView]:
    """The client's records in date order (a document's in statement order)."""
    query = Record.select(*_COLUMNS).where(Record.client_id == client.id)
    if status:
        query = query.where(Record.status == status)
    if entity:
        query = query.where(Record.entity == entity)
    if document_id is not None:
        query = query.where(Record.document_id == document_id).order_by(Record.line_id)
    else:
        query = query.order_by(Record.txn_date, ascending=False).order_by(Record.id)
    if limit:
        query = query.limit(limit)
    return [_view(row) for row in await query.run()]


async def count_records(client: ClientSummary, *, document_id: int | None = None) -> Counts:
    query = Record.select(Record.status, Record.confidence, Record.flags).where(
        Record.client_id == client.id
    )
    if document_id is not None:
        query = query.where(Record.document_id == document_id)
    rows = await query.run()
    by_status = Counter(row["status"] for row in rows)
    return Counts(
        by_status=dict(by_status),
        low_confidence=sum(
            1 for r in rows if r["status"] == TO_REVIEW and r["confidence"] < LOW_CONFIDENCE
        ),
        flagged=sum(1 for r in rows if _json(r["flags"])),
    )


async def history(client: ClientSummary, record_id: int) -> list[Change]:
    await get_record(client, record_id)
    rows = (
        await RecordChange.select()
        .where(RecordChange.record_id == record_id)
        .order_by(RecordChange.version)
        .run()
    )
    return [
        Change(
            version=row["version"],
            at=row["at"],
            user_email=row["user_email"],
            action=row["action"],
            before=_json(row["before"]),
            after=_json(row["after"]) or {},
        )
        for row in rows
    ]


# -- writing -------------------------------------------------------------------------------------


def derived_columns(entity: str, payload: dict[str, Any], amount: Decimal | None) -> dict[str, Any]:
    summary = payloads.summarize(entity, payload)
    return {
        "txn_date": summary.txn_date,
        "amount": amount if amount is not None else payloads.signed_total(entity, payload),
        "payee": summary.payee,
        "account": summary.account,
    }


def _state(entity: str, status: str, payload: dict[str, Any]) -> dict[str, Any]:
    """What a record_change keeps of one version."""
    return {"type": entity, "status": status, "record": payload}


async def add_records(actor: Actor, client_id: int, new: Iterable[NewRecord]) -> list[int]:
    """Store records in one transaction (all or none); their first version is kept."""
    items = list(new)
    if not items:
        return []
    now = dt.datetime.now(dt.UTC)
    rows = [
        Record(
            client_id=client_id,
            entity=item.entity,
            status=item.status,
            payload=dumps(item.payload),
            source=item.source,
            document_id=item.document_id,
            line_id=item.line_id,
            statement_key=item.statement_key,
            period_start=item.period_start,
            period_end=item.period_end,
            bank_text=item.bank_text,
            suggestions=dumps([s.to_json() for s in item.suggestions]),
            confidence=round(item.confidence, 3),
            explanation=item.explanation,
            flags=dumps([f.to_json() for f in item.flags]),
            updated_at=now,
            updated_by=actor.email,
            **derived_columns(item.entity, item.payload, item.amount),
        )
        for item in items
    ]
    ids: list[int] = []
    async with write_transaction(Record._meta.db):
        for start in range(0, len(rows), 200):
            chunk = rows[start : start + 200]
            inserted = await Record.insert(*chunk).returning(Record.id).run()
            ids += [int(r["id"]) for r in inserted]
        await RecordChange.insert(
            *[
                RecordChange(
                    record_id=record_id,
                    client_id=client_id,
                    version=1,
                    user_id=actor.user_id,
                    user_email=actor.email,
                    action="create",
                    before=None,
                    after=dumps(_state(item.entity, item.status, item.payload)),
                )
                for record_id, item in zip(ids, items, strict=True)
            ]
        ).run()
    return ids


async def delete_proposals(document_id: int) -> int:
    """Forget a document's records nobody has acted on (before it is read again); approved,
    pushed and edited ones stay."""
    rows = (
        await Record.delete()
        .where(
            (Record.document_id == document_id)
            & (Record.status == TO_REVIEW)
            & (Record.version == 1)
        )
        .returning(Record.id)
        .run()
    )
    return len(rows)


async def _write(
    actor: Actor,
    before: RecordView,
    *,
    action: str,
    entity: str | None = None,
    payload: dict[str, Any] | None = None,
    status: str | None = None,
    flags: list[Flag] | None = None,
) -> RecordView:
    """Apply one change to the version `before` was read at, or raise StaleEdit."""
    entity = entity or before.entity
    payload = before.payload if payload is None else payload
    status = status or before.status
    amount = before.amount if before.from_statement else None
    now = dt.datetime.now(dt.UTC)
    values: dict[Any, Any] = {
        Record.entity: entity,
        Record.payload: dumps(payload),
        Record.status: status,
        Record.version: before.version + 1,
        Record.updated_at: now,
        Record.updated_by: actor.email,
    }
    for key, value in derived_columns(entity, payload, amount).items():
        values[getattr(Record, key)] = value
    if flags is not None:
        values[Record.flags] = dumps([f.to_json() for f in flags])
    async with write_transaction(Record._meta.db):
        done = (
            await Record.update(values)
            .where(
                (Record.id == before.id)
                & (Record.client_id == before.client_id)
                & (Record.version == before.version)
            )
            .returning(Record.id)
            .run()
        )
        if not done:
            raise await _stale(before)
        await RecordChange.insert(
            RecordChange(
                record_id=before.id,
                client_id=before.client_id,
                version=before.version + 1,
                user_id=actor.user_id,
                user_email=actor.email,
                action=action,
                before=dumps(_state(before.entity, before.status, before.payload)),
                after=dumps(_state(entity, status, payload)),
            )
        ).run()
    await audit(
        actor,
        f"record.{action}",
        client_id=before.client_id,
        record=before.id,
        version=before.version + 1,
        before=_diff(_state(before.entity, before.status, before.payload),
                     _state(entity, status, payload)),
        after=_diff(_state(entity, status, payload),
                    _state(before.entity, before.status, before.payload)),
    )
    return replace(
        before,
        entity=entity,
        payload=payload,
        status=status,
        version=before.version + 1,
        updated_at=now,
        updated_by=actor.email,
        flags=before.flags if flags is None else flags,
        **derived_columns(entity, payload, amount),
    )


def _diff(state: dict[str, Any], other: dict[str, Any]) -> Any:
    """The parts of `state` that differ from `other` (whole top-level payload fields)."""
    out: dict[str, Any] = {k: state[k] for k in ("type", "status") if state[k] != other[k]}
    mine, theirs = state["record"], other["record"]
    changed = {k: mine.get(k) for k in set(mine) | set(theirs) if mine.get(k) != theirs.get(k)}
    if changed:
        out["record"] = changed
    return dumps(out)


async def _stale(before: RecordView) -> ZeraError:
    row = (
        await Record.select(Record.version, Record.updated_by, Record.updated_at)
        .where((Record.id == before.id) & (Record.client_id == before.client_id))
        .first()
        .run()
    )
    if row is None:
        return NotFound("No such record.")
    when = row["updated_at"].strftime("%H:%M:%S UTC")
    return StaleEdit(
        f"This record was changed by {row['updated_by'] or 'someone'} at {when} (version "
        f"{row['version']}) after you opened version {before.version}. Your change was not "
        "applied; reload it to see theirs, then edit again."
    )


async def _current(
    client: ClientSummary, record_id: int, version: int, *, fields: bool = False
) -> RecordView:
    """The record at `version`, if it may be changed (`fields`: an edit of its fields, which a
    record already in QuickBooks allows too)."""
    record = await get_record(client, record_id)
    if record.version != version:
        raise await _stale(replace(record, version=version))
    if not (record.can_edit if fields else record.editable):
        raise Conflict(
            f"This record is {STATUS_LABELS[record.status].lower()}; it can no longer be "
            "edited here."
        )
    return record


def _problems(
    record: RecordView, entity: str, payload: dict[str, Any], lists: ReferenceLists
) -> list[Problem]:
    problems = payloads.resolve(entity, payload, lists)
    expected = record.amount if record.from_statement else None
    problems += payloads.check(entity, payload, lists, expected_total=expected)
    if record.from_statement and record.period_start and record.period_end:
        summary = payloads.summarize(entity, payload)
        if summary.txn_date and not (
            record.period_start <= summary.txn_date <= record.period_end
        ):
            problems.append(
                Problem(
                    "TxnDate",
                    f"{summary.txn_date} is outside the statement period "
                    f"({record.period_start} to {record.period_end}).",
                )
            )
    return problems


async def edit_record(
    actor: Actor,
    client: ClientSummary,
    record_id: int,
    version: int,
    payload: dict[str, Any],
    *,
    entity: str | None = None,
    lists: ReferenceLists | None = None,
) -> RecordView:
    """Save a new payload (and type) made against `version`. Refused with InvalidRecord when
    anything in it is wrong; only fields still to fill in may be missing."""
    record = await _current(client, record_id, version, fields=True)
    if record.qbo_id and entity and entity != record.entity:
        raise InvalidRecord([Problem("type", "A record already in QuickBooks keeps its type.")])
    entity = entity or record.entity
    if entity not in payloads.TYPES:
        raise InvalidRecord([Problem("type", f"'{entity}' is not a record type Zera writes.")])
    payload, problems = payloads.normalize(payload)
    lists = lists if lists is not None else await reference_lists(client.id)
    problems += _problems(record, entity, payload, lists)
    wrong = [p for p in problems if not p.missing]
    if wrong:
        raise InvalidRecord(wrong)
    status = TO_REVIEW if record.status == APPROVED and problems else record.status
    if record.status == IN_QUICKBOOKS:  # to be sent back as an update
        status = TO_REVIEW if problems else APPROVED
    return await _write(actor, record, action="edit", entity=entity, payload=payload,
                        status=status)  # fmt: skip


async def set_status(
    actor: Actor,
    client: ClientSummary,
    record_id: int,
    version: int,
    status: str,
    *,
    lists: ReferenceLists | None = None,
) -> RecordView:
    """Approve, exclude or send back to review. Approval needs a complete, valid record."""
    if status not in (TO_REVIEW, APPROVED, EXCLUDED):
        raise ZeraError(f"'{status}' cannot be set by hand.")
    record = await _current(client, record_id, version)
    if record.status == status:
        return record
    if status == APPROVED:
        lists = lists if lists is not None else await reference_lists(client.id)
        payload = dict(record.payload)
        problems = _problems(record, record.entity, payload, lists)
        if problems:
            raise InvalidRecord(problems)
    action = {APPROVED: "approve", EXCLUDED: "exclude", TO_REVIEW: "reopen"}[status]
    return await _write(actor, record, action=action, status=status)


@dataclass(frozen=True)
class BulkOutcome:
    changed: int
    skipped: list[tuple[int, str]]  # (record id, why)


async def set_status_many(
    actor: Actor,
    client: ClientSummary,
    status: str,
    *,
    ids: Sequence[int] | None = None,
    document_id: int | None = None,
    min_confidence: float | None = None,
) -> BulkOutcome:
    """Approve or exclude the chosen records (or, with `min_confidence`, every record still to
    review at or above it). A record that cannot be approved is skipped with its reason."""
    if ids is not None:
        wanted = set(ids)
        chosen = [r for r in await list_records(client, document_id=document_id)
                  if r.id in wanted]  # fmt: skip
    else:
        chosen = [
            r
            for r in await list_records(client, status=TO_REVIEW, document_id=document_id)
            if min_confidence is not None and r.confidence >= min_confidence
        ]
    lists = await reference_lists(client.id)
    changed, skipped = 0, []
    for record in chosen:
        if record.status == status:
            continue
        try:
            await set_status(actor, client, record.id, record.version, status, lists=lists)
            changed += 1
        except ZeraError as exc:
            skipped.append((record.id, str(exc)))
    return BulkOutcome(changed, skipped)


async def record_flags(
    actor: Actor, client: ClientSummary, record_id: int, version: int, flags: list[Flag]
) -> RecordView:
    record = await _current(client, record_id, version)
    return await _write(actor, record, action="flags", flags=flags)


CLOSING_OVERRIDE = "closing_override"


async def override_closing_date(
    actor: Actor, client: ClientSummary, record_id: int, version: int, reason: str
) -> RecordView:
    """Let the push send a record dated in the company's closed period, with the user's reason
    (kept on the record, in its history and in the audit log); QuickBooks may still refuse."""
    reason = " ".join(reason.split())[:500]
    if not reason:
        raise InvalidInput("reason", "Say why this record belongs in the closed period.")
    record = await _current(client, record_id, version)
    flags = [f for f in record.flags if f.kind != CLOSING_OVERRIDE]
    flags.append(Flag(CLOSING_OVERRIDE, f"Pushed into the closed period: {reason}"))
    return await _write(actor, record, action="closing override", flags=flags)


@dataclass(frozen=True)
class Draft:
    """A record typed by hand or read from an import file: its type and Intuit JSON."""

    entity: str
    payload: dict[str, Any]


class RefusedDrafts(ZeraError):
    """Nothing was stored: `problems` lists (position, problem) for every draft Intuit would
    refuse."""

    status_code: ClassVar[int] = 422
    title: ClassVar[str] = "Nothing was stored"

    def __init__(self, problems: Sequence[tuple[int, Problem]]) -> None:
        super().__init__("; ".join(f"record {i}: {p}" for i, p in problems))
        self.problems = list(problems)


def check_drafts(
    drafts: Sequence[Draft], lists: ReferenceLists
) -> tuple[list[Draft], list[tuple[int, Problem]]]:
    """Normalize and resolve every draft; collect every problem (with its position)."""
    ready: list[Draft] = []
    problems: list[tuple[int, Problem]] = []
    for position, draft in enumerate(drafts):
        if draft.entity not in payloads.TYPES:
            known = ", ".join(payloads.TYPES)
            problems.append(
                (position, Problem("type", f"'{draft.entity}' is not a record type ({known})."))
            )
            continue
        payload, found = payloads.normalize(draft.payload)
        found += payloads.resolve(draft.entity, payload, lists)
        found += payloads.check(draft.entity, payload, lists)
        problems += [(position, p) for p in found]
        ready.append(Draft(draft.entity, payload))
    return ready, problems


async def create_records(
    actor: Actor,
    client: ClientSummary,
    drafts: Sequence[Draft],
    *,
    source: str = "manual",
    approve: bool = False,
) -> list[RecordView]:
    """Store every draft, or none: any draft Intuit would refuse raises RefusedDrafts."""
    if not drafts:
        raise RefusedDrafts([(0, Problem("", "there are no records to store."))])
    ready, problems = check_drafts(drafts, await reference_lists(client.id))
    if problems:
        raise RefusedDrafts(problems)
    status = APPROVED if approve else TO_REVIEW
    ids = await add_records(
        actor,
        client.id,
        [NewRecord(d.entity, d.payload, source=source, status=status) for d in ready],
    )
    await audit(
        actor,
        "records.imported" if source == "import" else "record.created",
        client_id=client.id,
        records=ids,
        types=sorted({d.entity for d in ready}),
        status=status,
    )
    return [await get_record(client, record_id) for record_id in ids]


# -- for proposing a batch: its reads and writes of the record table -----------------------------
# `zera.review.proposals` reads and relinks records through these, so that this module stays the
# one place that writes the record table.


async def relink_line(record_id: int, line_id: int) -> None:
    """Point a record at its statement line's new row (the document was read again), so its
    source highlight finds the line. Not an edit: the version and the history stay as they are."""
    await Record.update({Record.line_id: line_id}).where(Record.id == record_id).run()


async def editable_statement_keys(client: ClientSummary) -> set[str]:
    """The statement accounts ("bank:1234") that the client's still editable records are on."""
    rows = (
        await Record.select(Record.statement_key)
        .where(
            (Record.client_id == client.id)
            & (Record.statement_key != "")
            & Record.status.is_in(list(EDITABLE))
        )
        .distinct()
        .run()
    )
    return {row["statement_key"] for row in rows}


async def records_near(
    client_id: int, document_id: int, start: dt.date, end: dt.date
) -> list[RecordView]:
    """The client's records dated from `start` to `end` (both included), and every record of
    the document whatever its date."""
    near = (Record.txn_date >= start) & (Record.txn_date <= end)
    rows = (
        await Record.select(*_COLUMNS)
        .where((Record.client_id == client_id) & (near | (Record.document_id == document_id)))
        .run()
    )
    return [_view(row) for row in rows]
