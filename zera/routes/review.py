"""Review: the editable grid of a document's proposed records (inline edits, splits, approval,
bulk actions), the question of which QuickBooks account a statement is, and a line's source page.

Each handler checks access once, with `clients.get_client` (404 for a client the user may not
see), then reads the record through `records.get_record(client, id)` (404 for another client's).
A row's answers are one `<tr>` for an HTMX request and the whole batch page otherwise."""

from __future__ import annotations

from typing import Any

from litestar import get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery
from litestar.plugins.htmx import HTMXRequest
from litestar.response import Template

from zera import clients, review
from zera.accounts import Actor, CurrentUser
from zera.clients import ClientSummary
from zera.errors import Conflict, NotFound, ZeraError
from zera.queue import JobQueue
from zera.review import edits, proposals, records
from zera.review.batches import BatchView, batch_for_document, batch_header
from zera.review.choices import SPLIT_TYPES, Choices
from zera.review.records import InvalidRecord, RecordView, StaleEdit
from zera.routes.review_grid import DEFAULT_SHOW, SHOW, Ask, Bulk, Grid, counts_of, readable, shown
from zera.routes.sections import render_section
from zera.sync.lists import ReferenceLists, reference_lists
from zera.tasks.qbo import push_records


async def _asks(client: ClientSummary, choices: Choices) -> list[Ask]:
    return [
        Ask(key, label, choices.statement_accounts.get(proposals.account_kind(key), []))
        for key, label in await proposals.statement_accounts_to_ask(client)
    ]


async def _batch_grid(
    client: ClientSummary,
    batch: BatchView,
    show: str,
    *,
    lists: ReferenceLists | None = None,
    **state: Any,
) -> Grid:
    """The whole grid of a batch's document: its rows (filtered), counts, lists and question."""
    show = show if show in SHOW else DEFAULT_SHOW
    found = await records.list_records(client, document_id=batch.document_id)
    choices = Choices.of(lists if lists is not None else await reference_lists(client.id))
    return Grid(
        client_id=client.id,
        batch_id=batch.id,
        records=shown(found, show),
        counts=counts_of(found),
        show=show,
        choices=choices,
        asks=await _asks(client, choices),
        **state,
    )


async def _page(
    request: HTMXRequest,
    user: CurrentUser,
    client: ClientSummary,
    batch: BatchView,
    grid: Grid,
    status: int = 200,
) -> Template:
    return await render_section(request, user, client, "review", status, batch=batch, grid=grid)


@get("/clients/{client_id:int}/batches/{batch_id:int}")
async def batch_page(
    request: HTMXRequest,
    user: NamedDependency[CurrentUser],
    client_id: FromPath[int],
    batch_id: FromPath[int],
    show: FromQuery[str] = DEFAULT_SHOW,
) -> Template:
    client = await clients.get_client(user, client_id)
    batch = await batch_header(client, batch_id)
    return await _page(request, user, client, batch, await _batch_grid(client, batch, show))


@get("/clients/{client_id:int}/batches/{batch_id:int}/lines/{line_id:int}")
async def line_source(
    request: HTMXRequest,
    user: NamedDependency[CurrentUser],
    client_id: FromPath[int],
    batch_id: FromPath[int],
    line_id: FromPath[int],
) -> Template:
    client = await clients.get_client(user, client_id)
    source = await review.source_page(client, batch_id, line_id)
    return await render_section(request, user, client, "review", source=source)


@post("/clients/{client_id:int}/batches/{batch_id:int}/statement-account")
async def answer_statement_account(
    request: HTMXRequest,
    user: NamedDependency[CurrentUser],
    actor: NamedDependency[Actor],
    client_id: FromPath[int],
    batch_id: FromPath[int],
) -> Template:
    """Which QuickBooks account a statement account is: remembered, and its rows booked to it."""
    client = await clients.get_client(user, client_id)
    batch = await batch_header(client, batch_id)
    form = await request.form()
    key, account_id = str(form.get("key") or ""), str(form.get("account") or "")
    lists = await reference_lists(client.id)
    account = lists.get("Account", account_id)
    kind = proposals.account_kind(key)
    asked = {k for k, _ in await proposals.statement_accounts_to_ask(client)}
    status, message = 200, ""
    if key not in asked:
        status, message = 409, "That statement account has been answered already."
    elif account is None or not account.active or account.kind != kind:
        status, message = 422, f"Choose one of the active {kind} accounts in QuickBooks."
    else:
        try:
            changed = await proposals.remember_statement_account(actor, client, key, account.qbo_id)
        except NotFound:
            raise
        except ZeraError as exc:
            status, message = 422, str(exc)
        else:
            label = proposals.statement_label(key)
            rows = "row" if changed == 1 else "rows"
            message = f"{label} is {account.name} in QuickBooks; {changed} {rows} updated."
    grid = await _batch_grid(client, batch, str(form.get("show") or DEFAULT_SHOW))
    grid.message, grid.refused = message, status != 200
    return await _page(request, user, client, batch, grid, status)


@post("/clients/{client_id:int}/batches/{batch_id:int}/bulk")
async def bulk_action(
    request: HTMXRequest,
    user: NamedDependency[CurrentUser],
    actor: NamedDependency[Actor],
    client_id: FromPath[int],
    batch_id: FromPath[int],
) -> Template:
    """Approve every row at or above a confidence, or approve or exclude the ticked rows."""
    client = await clients.get_client(user, client_id)
    batch = await batch_header(client, batch_id)
    form = await request.form()
    action = str(form.get("action") or "")
    show = str(form.get("show") or DEFAULT_SHOW)
    before = {r.id: r for r in await records.list_records(client, document_id=batch.document_id)}
    status, outcome, bulk = 200, None, None
    if action == "approve_confident":
        raw = str(form.get("min_confidence") or "").strip().rstrip("%")
        try:
            percent = float(raw)
        except ValueError:
            percent = -1.0
        if not 0 <= percent <= 100:
            status, bulk = 400, Bulk("approve", 0, [], "Give a confidence from 0 to 100%.")
        else:
            outcome = await records.set_status_many(
                actor, client, records.APPROVED, document_id=batch.document_id,
                min_confidence=percent / 100,
            )  # fmt: skip
    elif action in ("approve", "exclude"):
        ids = edits.posted_ids(form)
        if not ids:
            status, bulk = 400, Bulk(action, 0, [], "Tick the rows first.")
        else:
            wanted = records.APPROVED if action == "approve" else records.EXCLUDED
            outcome = await records.set_status_many(
                actor, client, wanted, ids=ids, document_id=batch.document_id
            )
    else:
        status, bulk = 400, Bulk("change", 0, [], "Choose what to do with the rows.")
    if outcome is not None:
        verb = "exclude" if action == "exclude" else "approve"
        bulk = Bulk(verb, outcome.changed, [(before.get(i), why) for i, why in outcome.skipped])
    grid = await _batch_grid(client, batch, show, bulk=bulk)
    return await _page(request, user, client, batch, grid, status)


# -- one row -------------------------------------------------------------------------------------


async def _answer(
    request: HTMXRequest,
    user: CurrentUser,
    client: ClientSummary,
    record: RecordView,
    *,
    mode: str = "row",
    status: int = 200,
    form: Any = None,
    problems: dict[str, list[str]] | None = None,
    message: str = "",
    lists: ReferenceLists | None = None,
    recount: bool = False,
) -> Template:
    """The record's row in `mode` (with its form, problems or message): the row (and, when
    `recount`, the new counts) for an HTMX request, else the batch page with that row open."""
    batch_id = (
        await batch_for_document(client.id, record.document_id) if record.document_id else None
    )
    state: dict[str, Any] = {"focus": record.id, "mode": mode, "form": form,
                             "problems": problems or {}, "message": message}  # fmt: skip
    if not request.htmx:
        if batch_id is None:
            raise NotFound("This record is not on a statement's review page.")
        batch = await batch_header(client, batch_id)
        grid = await _batch_grid(client, batch, "all", lists=lists, **state)
        return await _page(request, user, client, batch, grid, status)
    choices = None
    if mode != "row":
        lists = lists if lists is not None else await reference_lists(client.id)
        choices = Choices.of(lists, datalists=False)
    grid = Grid(
        client_id=client.id,
        batch_id=batch_id,
        records=[record],
        counts=await records.count_records(client, document_id=record.document_id)
        if recount
        else None,
        choices=choices,
        **state,
    )
    context = {"client": client, "grid": grid, "r": record}
    return Template("client/_grid_answer.html", context=context, status_code=status)


async def _record(
    user: CurrentUser, client_id: int, record_id: int
) -> tuple[ClientSummary, RecordView]:
    client = await clients.get_client(user, client_id)
    return client, await records.get_record(client, record_id)


@get("/clients/{client_id:int}/records/{record_id:int}/row")
async def record_row(
    request: HTMXRequest,
    user: NamedDependency[CurrentUser],
    client_id: FromPath[int],
    record_id: FromPath[int],
) -> Template:
    client, record = await _record(user, client_id, record_id)
    return await _answer(request, user, client, record)


@get("/clients/{client_id:int}/records/{record_id:int}/edit")
async def edit_row(
    request: HTMXRequest,
    user: NamedDependency[CurrentUser],
    client_id: FromPath[int],
    record_id: FromPath[int],
) -> Template:
    client, record = await _record(user, client_id, record_id)
    if not record.can_edit:
        return await _answer(request, user, client, record, status=409,
                             message=_not_editable(record))  # fmt: skip
    form = edits.EditForm.of_record(record)
    return await _answer(request, user, client, record, mode="edit", form=form)


def _not_editable(record: RecordView) -> str:
    status = records.STATUS_LABELS[record.status].lower()
    return f"This record is {status}; it can no longer be edited here."


async def _refused(
    request: HTMXRequest, user: CurrentUser, client: ClientSummary, record_id: int, exc: ZeraError
) -> Template:
    """A stale or no-longer-editable change: the fresh row, with why nothing was saved."""
    fresh = await records.get_record(client, record_id)
    return await _answer(request, user, client, fresh, status=409, message=str(exc), recount=True)


@post("/clients/{client_id:int}/records/{record_id:int}/edit")
async def save_edit(
    request: HTMXRequest,
    user: NamedDependency[CurrentUser],
    actor: NamedDependency[Actor],
    queue: NamedDependency[JobQueue],
    client_id: FromPath[int],
    record_id: FromPath[int],
) -> Template:
    client, record = await _record(user, client_id, record_id)
    form = edits.EditForm.parse(await request.form(), record)
    lists = await reference_lists(client.id)
    try:
        saved = await edits.save_edit(actor, client, record, form, lists)
    except edits.RefusedForm as exc:
        return await _answer(request, user, client, record, mode="edit", status=422, form=form,
                             problems=exc.by_field, lists=lists)  # fmt: skip
    except (StaleEdit, Conflict) as exc:
        return await _refused(request, user, client, record.id, exc)
    message = ""
    if record.status == records.IN_QUICKBOOKS and saved.status == records.APPROVED:
        # Edited after it was pushed: sent back at once as an update, through the merge.
        await push_records.send(queue, client_id=client.id, started_by=user.email,
                                record_ids=[saved.id])  # fmt: skip
        message = "Saved; sending the change to QuickBooks."
    return await _answer(request, user, client, saved, recount=saved.status != record.status,
                         message=message)  # fmt: skip


@get("/clients/{client_id:int}/records/{record_id:int}/split")
async def split_row(
    request: HTMXRequest,
    user: NamedDependency[CurrentUser],
    client_id: FromPath[int],
    record_id: FromPath[int],
) -> Template:
    client, record = await _record(user, client_id, record_id)
    if not record.editable or record.entity not in SPLIT_TYPES:
        message = _not_editable(record) if not record.editable else (
            f"A {record.label.lower()} cannot be split; change its type to an expense or a "
            "deposit first.")  # fmt: skip
        return await _answer(request, user, client, record, status=409, message=message)
    form = edits.SplitForm.of_record(record)
    return await _answer(request, user, client, record, mode="split", form=form)


@post("/clients/{client_id:int}/records/{record_id:int}/split")
async def save_split(
    request: HTMXRequest,
    user: NamedDependency[CurrentUser],
    actor: NamedDependency[Actor],
    client_id: FromPath[int],
    record_id: FromPath[int],
) -> Template:
    """Save the split, or (with `change` = add or remove-N) show the form one line longer or
    shorter without saving."""
    client, record = await _record(user, client_id, record_id)
    submitted = await request.form()
    form = edits.SplitForm.parse(submitted)
    changed = form.changed(str(submitted.get("change") or ""))
    lists = await reference_lists(client.id)
    if changed is not None:
        return await _answer(request, user, client, record, mode="split", form=changed,
                             lists=lists)  # fmt: skip
    try:
        saved = await edits.save_split(actor, client, record, form, lists)
    except edits.RefusedForm as exc:
        return await _answer(request, user, client, record, mode="split", status=422, form=form,
                             problems=exc.by_field, lists=lists)  # fmt: skip
    except (StaleEdit, Conflict) as exc:
        return await _refused(request, user, client, record.id, exc)
    return await _answer(request, user, client, saved, recount=saved.status != record.status)


async def _set_status(
    request: HTMXRequest, user: CurrentUser, actor: Actor, client_id: int, record_id: int,
    status: str,
) -> Template:  # fmt: skip
    client, record = await _record(user, client_id, record_id)
    version = edits.version_of(await request.form())
    try:
        saved = await records.set_status(actor, client, record.id, version, status)
    except InvalidRecord as exc:
        why = "; ".join(readable(p) for p in exc.problems)
        return await _answer(request, user, client, record, status=422,
                             message=f"Not approved: {why}")  # fmt: skip
    except (StaleEdit, Conflict) as exc:
        return await _refused(request, user, client, record.id, exc)
    return await _answer(request, user, client, saved, recount=True)


@post("/clients/{client_id:int}/records/{record_id:int}/approve")
async def approve_record(
    request: HTMXRequest,
    user: NamedDependency[CurrentUser],
    actor: NamedDependency[Actor],
    client_id: FromPath[int],
    record_id: FromPath[int],
) -> Template:
    return await _set_status(request, user, actor, client_id, record_id, records.APPROVED)


@post("/clients/{client_id:int}/records/{record_id:int}/exclude")
async def exclude_record(
    request: HTMXRequest,
    user: NamedDependency[CurrentUser],
    actor: NamedDependency[Actor],
    client_id: FromPath[int],
    record_id: FromPath[int],
) -> Template:
    return await _set_status(request, user, actor, client_id, record_id, records.EXCLUDED)


@post("/clients/{client_id:int}/records/{record_id:int}/reopen")
async def reopen_record(
    request: HTMXRequest,
    user: NamedDependency[CurrentUser],
    actor: NamedDependency[Actor],
    client_id: FromPath[int],
    record_id: FromPath[int],
) -> Template:
    return await _set_status(request, user, actor, client_id, record_id, records.TO_REVIEW)


ROUTES = [
    batch_page,
    line_source,
    answer_statement_account,
    bulk_action,
    record_row,
    edit_row,
    save_edit,
    split_row,
    save_split,
    approve_record,
    exclude_record,
    reopen_record,
]
