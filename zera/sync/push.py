"""Push: a client's approved records written to QuickBooks as native records, exactly once.

1. Live checks first: the chart and name lists are refreshed by CDC, then every record is checked
   again with Intuit's rules against them (an account deleted or made inactive since approval
   blocks its record with the reason, never a silent remap), and against the company's closing
   date. Likely duplicates of QuickBooks transactions are held back and reported.
2. Names the records need are found or created once (`zera.sync.names`).
3. Records go 30 to a batch request. Before a batch is sent its records are marked pushing with
   the batch's requestid (derived from the records and their versions). Each answer item is
   matched back by its bId: the record is then in QuickBooks (with Id, SyncToken and merge base)
   or failed with Intuit's reason; the rest of the batch is still written.
4. After a crash, records left pushing are looked up in QuickBooks by the marker every pushed
   record carries in its PrivateNote ("[zera 123]") on its transaction date (every page of that
   day, read once per type and day); those found are recorded as pushed, the others sent again.
   Nothing is ever created twice.

`push(..., dry_run=True)` returns the plan and writes nothing to QuickBooks or to any record."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from zera.accounts.audit import Actor
from zera.accounts.audit import record as audit
from zera.clients import ClientSummary
from zera.qbo import QBOClient, QBOError, batch_fault
from zera.qbo.client import BATCH_LIMIT
from zera.qbo.errors import ObjectNotFound
from zera.qbo.mapping import MappingError, NameIds, to_intuit
from zera.qbo.mapping.common import fold, outgoing
from zera.review import payloads
from zera.review.records import (
    APPROVED,
    CLOSING_OVERRIDE,
    CONFLICT,
    PUSHING,
    RecordView,
    list_records,
)
from zera.sync import records as pushed
from zera.sync.attachments import attach_sources
from zera.sync.lists import PEOPLE, ReferenceLists, reference_lists
from zera.sync.merge import merge, sparse_update
from zera.sync.mirror import refresh_reference
from zera.sync.names import ensure_names, with_names

JOB_TITLE = "Push approved records to QuickBooks"  # the push job's title (zera.tasks.qbo)
CREATED = "created"
UPDATED = "updated"
DUPLICATE = "duplicate"
BLOCKED = "blocked"
FAILED = "failed"
WILL_CREATE = "will create"
WILL_UPDATE = "will update"
CONFLICTED = "conflict"
UNCHANGED = "unchanged"

Progress = Callable[[int, int], Awaitable[None]]  # (done, total)


@dataclass(frozen=True)
class Outcome:
    id: int
    type: str
    outcome: str
    qbo_id: str | None = None
    message: str = ""

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "type": self.type, "outcome": self.outcome,
                "qbo_id": self.qbo_id, "message": self.message}  # fmt: skip


@dataclass
class Plan:
    """What a push will do: records to send, and those held back with why."""

    send: list[RecordView] = field(default_factory=list)
    held: list[Outcome] = field(default_factory=list)
    resume: list[RecordView] = field(default_factory=list)  # left pushing by a crash
    update: list[RecordView] = field(default_factory=list)  # in QuickBooks, edited since
    closing_date: dt.date | None = None
    warnings: dict[int, str] = field(default_factory=dict)  # record id -> what to know

    def outcomes(self) -> list[Outcome]:
        planned = [
            Outcome(r.id, r.entity, WILL_CREATE, message=" ".join(
                [f"will create a {r.entity}.", self.warnings.get(r.id, "")]).strip())
            for r in self.resume + self.send
        ] + [
            Outcome(r.id, r.entity, WILL_UPDATE, r.qbo_id,
                    f"will update {r.entity} {r.qbo_id} with the changes made in Zera.")
            for r in self.update
        ]  # fmt: skip
        return sorted(planned + self.held, key=lambda o: o.id)


def marker(record_id: int) -> str:
    return f"[zera {record_id}]"


def _closing_date(preferences: dict[str, Any]) -> dt.date | None:
    raw = (preferences.get("AccountingInfoPrefs") or {}).get("BookCloseDate")
    try:
        return dt.date.fromisoformat(str(raw)[:10]) if raw else None
    except ValueError:
        return None


def _live_problems(record: RecordView, lists: ReferenceLists, closing: dt.date | None) -> str:
    """Why QuickBooks, as it is now, would refuse the record ("" when it would not)."""
    payload = payloads.normalize(record.payload)[0]
    for key, _path, ref in payloads.references(payload):
        value = payloads.ref_value(ref)
        if payloads.REF_LISTS.get(key) != "Account" or not value:
            continue
        entry = lists.get("Account", value)
        name = payloads.ref_name(ref) or f"Id {value}"
        if entry is None:
            return (
                f"Account '{name}' is no longer in QuickBooks (deleted or merged): choose another."
            )
        if not entry.active:
            on = f" on {entry.changed_on}" if entry.changed_on else ""
            return (
                f"Account '{entry.name}' was made inactive or deleted in QuickBooks{on}: "
                "choose another."
            )
    problems = payloads.resolve(record.entity, payload, lists)
    problems += payloads.check(record.entity, payload, lists)
    if problems:
        return "; ".join(str(p) for p in problems)
    when = payloads.summarize(record.entity, payload).txn_date
    overridden = any(f.kind == CLOSING_OVERRIDE for f in record.flags)
    if closing is not None and when is not None and when <= closing and not overridden:
        return (
            f"Dated {when}, on or before the books' closing date {closing}: QuickBooks would "
            "refuse it (6210). Push it anyway only with a reason."
        )
    return ""


@dataclass(frozen=True)
class Company:
    """What the company's Preferences say that a push must respect."""

    closing_date: dt.date | None
    multicurrency: bool
    home_currency: str
    automated_sales_tax: bool

    @classmethod
    def of(cls, preferences: dict[str, Any]) -> Company:
        currency = preferences.get("CurrencyPrefs") or {}
        tax = preferences.get("TaxPrefs") or {}
        return cls(
            closing_date=_closing_date(preferences),
            multicurrency=bool(currency.get("MultiCurrencyEnabled")),
            home_currency=str((currency.get("HomeCurrency") or {}).get("value") or ""),
            automated_sales_tax=bool(tax.get("PartnerTaxEnabled")),
        )


def _currency_problem(record: RecordView, lists: ReferenceLists, company: Company) -> str:
    """Currencies must agree: the record's, its bank or card account's and its payee's."""
    own = str((record.payload.get("CurrencyRef") or {}).get("value") or "")
    home = company.home_currency
    if not company.multicurrency:
        if own and home and own != home:
            return (
                f"The record is in {own} but the company works only in {home} (multicurrency "
                "is off in QuickBooks)."
            )
        return ""
    bank = payloads.bank_ref(record.entity, record.payload)
    account = lists.get("Account", payloads.ref_value(bank)) if bank else None
    payee = payloads.payee_ref(record.entity, record.payload)
    person = lists.person(payloads.ref_value(payee)) if payee else None
    wanted = own or home
    for what, entry in (("account", account), ("payee", person)):
        if entry is not None and entry.currency and wanted and entry.currency != wanted:
            return (
                f"Currencies disagree: the record is in {wanted} but its {what} "
                f"'{entry.name}' is in {entry.currency}."
            )
    return ""


def _carries_tax(payload: dict[str, Any]) -> bool:
    if payload.get("TxnTaxDetail"):
        return True
    return any(key == "TaxCodeRef" for key, _path, _ref in payloads.references(payload))


def _duplicate_of_quickbooks(record: RecordView) -> str:
    for flag in record.flags:
        if flag.kind == "duplicate" and "QuickBooks" in flag.message:
            return flag.message
    return ""


async def plan_push(
    qbo: QBOClient, client: ClientSummary, only: set[int] | None = None
) -> Plan:
    """Refresh the lists, then sort the client's approved records (or those of them in
    `only`) into what will be sent and what is held back (blocked, likely duplicate)."""
    await refresh_reference(qbo, client.id)
    company = Company.of(await qbo.preferences())
    lists = await reference_lists(client.id)
    plan = Plan(closing_date=company.closing_date)
    plan.resume = await list_records(client, status=PUSHING)
    for record in await list_records(client, status=APPROVED):
        if only is not None and record.id not in only:
            continue
        reason = _live_problems(record, lists, company.closing_date)
        if record.qbo_id:
            if reason:
                plan.held.append(Outcome(record.id, record.entity, BLOCKED, message=reason))
            else:
                plan.update.append(record)
            continue
        reason = reason or _currency_problem(record, lists, company)
        duplicate = _duplicate_of_quickbooks(record)
        if company.automated_sales_tax and _carries_tax(record.payload):
            plan.warnings[record.id] = (
                "The company uses automated sales tax: QuickBooks computes the tax itself and "
                "may change the amounts given here."
            )
        if reason:
            plan.held.append(Outcome(record.id, record.entity, BLOCKED, message=reason))
        elif duplicate:
            plan.held.append(Outcome(record.id, record.entity, DUPLICATE, message=duplicate))
        else:
            plan.send.append(record)
    return plan


def _names_needed(record: RecordView) -> list[tuple[str, str]]:
    spec = payloads.TYPES[record.entity]
    wanted = []
    for key, _path, ref in payloads.references(record.payload):
        if key not in ("VendorRef", "CustomerRef", "EntityRef", "Entity"):
            continue
        if payloads.ref_value(ref) or not payloads.ref_name(ref):
            continue
        kind = ref.get("type") if ref.get("type") in PEOPLE else None
        entity = kind or {"VendorRef": "Vendor", "CustomerRef": "Customer"}.get(key)
        entity = entity or spec.party_entity or "Vendor"
        wanted.append((entity, payloads.ref_name(ref)))
    return wanted


def _body(record: RecordView, names: NameIds, run_day: dt.date) -> dict[str, Any]:
    body = to_intuit(record.entity, payloads.normalize(record.payload)[0], names)
    body.setdefault("TxnDate", run_day.isoformat())
    note = str(body.get("PrivateNote") or "")
    tag = marker(record.id)
    if tag not in note:
        # The memo gives way, never the marker: the marker is how a lost answer is found.
        body["PrivateNote"] = f"{note[: payloads.MAX_NOTE - len(tag) - 1]} {tag}".strip()
    return body


def _request(client_id: int, chunk: list[RecordView]) -> str:
    key = ",".join(f"{r.id}.{r.version}" for r in chunk)
    return "push:" + hashlib.sha256(f"{client_id}:{key}".encode()).hexdigest()[:40]


_MARKER = re.compile(r"\[zera (\d+)\]")


def _days_sent(record: RecordView) -> set[dt.date]:
    """The days QuickBooks may hold `record` on: its own date or, undated (sent dated the day
    its push started), the day it was claimed and the day before."""
    own = payloads.summarize(record.entity, record.payload).txn_date
    if own is not None:
        return {own}
    claimed = record.updated_at.astimezone(dt.UTC).date()
    return {claimed - dt.timedelta(days=1), claimed}


async def _found_by_marker(
    qbo: QBOClient, resumed: list[RecordView]
) -> dict[int, dict[str, Any]]:
    """The transactions lost answers created for `resumed` records, by record id: each type is
    read once per day they may be on, every page of it (a busy day has more than one)."""
    wanted: dict[tuple[str, dt.date], set[int]] = {}
    for record in resumed:
        for day in _days_sent(record):
            wanted.setdefault((record.entity, day), set()).add(record.id)
    found: dict[int, dict[str, Any]] = {}
    for (entity, day), ids in sorted(wanted.items()):
        async for page in qbo.query_all(entity, f"TxnDate = '{day.isoformat()}'"):
            for txn in page:
                for tag in _MARKER.findall(str(txn.get("PrivateNote") or "")):
                    if int(tag) in ids:
                        found[int(tag)] = dict(txn)
    return found


def _message(error: QBOError) -> str:
    return f"QuickBooks refused it: {error}"


async def push(
    qbo: QBOClient,
    client: ClientSummary,
    actor: Actor,
    *,
    dry_run: bool = False,
    progress: Progress | None = None,
    only: set[int] | None = None,
) -> list[Outcome]:
    """Write the client's approved records (or those in `only`) to QuickBooks: new ones
    created, those already there updated through the merge; one outcome per record
    considered."""
    plan = await plan_push(qbo, client, only)
    if dry_run:
        return plan.outcomes()
    run_id = await pushed.start_run(client.id, actor)
    run_day = dt.datetime.now(dt.UTC).date()
    outcomes = list(plan.held)
    total = len(plan.resume) + len(plan.send) + len(plan.update)
    done = 0
    try:
        for record in [r for r in plan.resume if r.qbo_id]:
            # An update interrupted: merge again with what QuickBooks has now (sending it
            # twice is harmless, the merge finds it there).
            back = await pushed.release(actor, record)
            if back is not None:
                plan.update.append(back)
        plan.resume = [r for r in plan.resume if not r.qbo_id]
        written = await _found_by_marker(qbo, plan.resume)
        for record in plan.resume:
            found = written.get(record.id)
            if found is not None:
                await pushed.mark_pushed(actor, record, found, await reference_lists(client.id))
                outcomes.append(Outcome(record.id, record.entity, CREATED, str(found["Id"])))
                done += 1
            else:
                back = await pushed.release(actor, record)
                if back is not None:
                    plan.send.append(back)
        lists = await reference_lists(client.id)
        wanted = [name for r in plan.send + plan.update for name in _names_needed(r)]
        names, refused = await ensure_names(qbo, client.id, wanted, lists, push_run_id=run_id)
        sendable = []
        for record in plan.send:
            keys = [(e, fold(n)) for e, n in _names_needed(record)]
            why = next((refused[key] for key in keys if key in refused), "")
            if why:
                # QuickBooks refused the name (6240): the record shows why, as any refusal.
                await pushed.mark_failed(actor, record, why)
                outcomes.append(Outcome(record.id, record.entity, FAILED, message=why))
            else:
                sendable.append(record)
        sendable.sort(key=lambda r: r.id)
        for start in range(0, len(sendable), BATCH_LIMIT):
            outcomes += await _send_chunk(
                qbo, client, actor, run_id, sendable[start : start + BATCH_LIMIT], names,
                run_day, lists,
            )  # fmt: skip
            done = min(total, done + len(sendable[start : start + BATCH_LIMIT]))
            if progress is not None:
                await progress(done, total)
        if plan.update:
            outcomes += await update_records(qbo, actor, run_id, plan.update, names, lists)
            if progress is not None:
                await progress(total, total)
        created = [o.id for o in outcomes if o.outcome == CREATED]
        if created:  # the source documents, once each, linked to what they produced
            await attach_sources(qbo, client.id, created)
    except BaseException:
        await pushed.finish_run(run_id, _summary(outcomes), state="failed")
        raise
    await pushed.finish_run(run_id, _summary(outcomes))
    await audit(actor, "push", client_id=client.id, run=run_id, **_summary(outcomes))
    return sorted(outcomes, key=lambda o: o.id)


def _summary(outcomes: list[Outcome]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for outcome in outcomes:
        counts[outcome.outcome] = counts.get(outcome.outcome, 0) + 1
    return counts


async def _current(qbo: QBOClient, record: RecordView) -> dict[str, Any] | None:
    """QuickBooks' version of a record now; None when it was deleted there."""
    try:
        doc = await qbo.read(record.entity, str(record.qbo_id))
    except ObjectNotFound:
        return None
    return None if doc.get("status") == "Deleted" else doc


async def update_records(
    qbo: QBOClient,
    actor: Actor,
    run_id: int,
    records: list[RecordView],
    names: NameIds,
    lists: ReferenceLists,
) -> list[Outcome]:
    """Send Zera's edits of records already in QuickBooks: each merged with QuickBooks'
    version as it is now (read just before), then written as a sparse update with its current
    SyncToken. A change on both sides to the same field becomes a conflict: nothing is written.
    """
    outcomes: list[Outcome] = []
    items: list[dict[str, Any]] = []
    claimed: dict[str, RecordView] = {}
    request = _request(records[0].client_id, records) if records else ""
    for record in records:
        theirs = await _current(qbo, record)
        if theirs is not None:
            theirs = with_names(theirs, lists)
        result = merge(record.merge_base or {}, record.payload, theirs)
        if not result.clean or result.merged is None:
            await pushed.sync_step(
                actor, record, "conflict with QuickBooks", CONFLICT, theirs=theirs,
                keep_base=True,
            )  # fmt: skip
            what = "deleted it" if theirs is None else "changed the same fields"
            outcomes.append(Outcome(record.id, record.entity, CONFLICTED, record.qbo_id,
                                    f"QuickBooks {what} too: choose on the Conflicts page."))
            continue
        assert theirs is not None
        if not result.push_needed:
            await pushed.mark_pushed(actor, record, theirs, lists)
            outcomes.append(Outcome(record.id, record.entity, UNCHANGED, record.qbo_id,
                                    "QuickBooks already has these values."))
            continue
        try:
            body = sparse_update(theirs, outgoing(result.merged, names))
        except MappingError as exc:
            await pushed.mark_failed(actor, record, str(exc))
            outcomes.append(Outcome(record.id, record.entity, FAILED, message=str(exc)))
            continue
        if "PrivateNote" in body and marker(record.id) not in str(body["PrivateNote"]):
            note = str(body["PrivateNote"] or "")
            tag = marker(record.id)
            body["PrivateNote"] = f"{note[: payloads.MAX_NOTE - len(tag) - 1]} {tag}".strip()
        claim = await pushed.mark_pushing(actor, record, run_id, request)
        if claim is None:
            continue
        bid = str(len(items))
        claimed[bid] = claim
        items.append({"bId": bid, "operation": "update", record.entity: body})
    for start in range(0, len(items), BATCH_LIMIT):
        chunk = items[start : start + BATCH_LIMIT]
        answers = await qbo.batch(chunk, operation=f"{request}:{start}")
        # A stale SyncToken (5010) fails the record: the next push (or sync pass) merges again.
        outcomes += await _record_answers(actor, claimed, answers, lists, UPDATED)
    return outcomes


async def _record_answers(
    actor: Actor,
    claimed: dict[str, RecordView],
    answers: list[dict[str, Any]],
    lists: ReferenceLists,
    done: str,
) -> list[Outcome]:
    """Each batch answer matched back to its record by bId: in QuickBooks (`done`: created or
    updated) with QuickBooks' version, or failed with Intuit's reason."""
    outcomes: list[Outcome] = []
    for answer in answers:
        sent = claimed.get(str(answer.get("bId")))
        if sent is None:
            continue
        fault = batch_fault(answer)
        if fault is not None:
            await pushed.mark_failed(actor, sent, _message(fault))
            outcomes.append(Outcome(sent.id, sent.entity, FAILED, message=_message(fault)))
            continue
        written = answer.get(sent.entity) or answer.get(f"{sent.entity}Txn") or {}
        await pushed.mark_pushed(actor, sent, written, lists)
        outcomes.append(Outcome(sent.id, sent.entity, done, str(written.get("Id"))))
    return outcomes


async def _send_chunk(
    qbo: QBOClient,
    client: ClientSummary,
    actor: Actor,
    run_id: int,
    chunk: list[RecordView],
    names: NameIds,
    run_day: dt.date,
    lists: ReferenceLists,
) -> list[Outcome]:
    outcomes: list[Outcome] = []
    request = _request(client.id, chunk)
    items: list[dict[str, Any]] = []
    claimed: dict[str, RecordView] = {}
    for record in chunk:
        try:
            body = _body(record, names, run_day)
        except MappingError as exc:
            await pushed.mark_failed(actor, record, str(exc))
            outcomes.append(Outcome(record.id, record.entity, FAILED, message=str(exc)))
            continue
        claim = await pushed.mark_pushing(actor, record, run_id, request)
        if claim is None:
            continue  # edited or pushed by someone else since the plan: not ours to send
        bid = str(len(items))
        claimed[bid] = claim
        items.append({"bId": bid, "operation": "create", record.entity: body})
    if not items:
        return outcomes
    answers = await qbo.batch(items, operation=request)
    return outcomes + await _record_answers(actor, claimed, answers, lists, CREATED)
