"""Records: the client's records by status and type, one record with its lines, source and
history, records typed by hand, and any record's fields and lines edited in the same form (a
record already in QuickBooks is then sent back at once as an update, through the merge).

Each handler checks access once, with `clients.get_client` (404 for a client the user may not
see); a record is only ever read through `records.get_record` for that client (404 for another
client's record)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from litestar import Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, QueryParameter
from litestar.plugins.htmx import HTMXRequest
from litestar.response import Redirect, Template

from zera import clients, documents
from zera.accounts import Actor, CurrentUser
from zera.clients import ClientSummary
from zera.documents import DocumentView
from zera.errors import Conflict, InvalidInput, NotFound
from zera.queue import JobQueue
from zera.review import forms, readback, records, refill
from zera.review.batches import batch_for_document
from zera.review.payloads import TYPES
from zera.routes.sections import render_section
from zera.sync.lists import reference_lists
from zera.tasks.qbo import push_records

LIST_LIMIT = 500  # a list longer than this asks for a filter instead
SAVED = {"saved": "Saved.", "sent": "Saved; sending the change to QuickBooks."}


@dataclass(frozen=True)
class RecordSource:
    """Where a record came from: its document (and statement line), or how it was made."""

    document: DocumentView | None
    batch_id: int | None


async def _source(client: ClientSummary, record: records.RecordView) -> RecordSource:
    document = batch = None
    if record.document_id is not None:
        try:
            document = await documents.get_document(client, record.document_id)
        except NotFound:
            document = None
        batch = await batch_for_document(client.id, record.document_id)
    return RecordSource(document, batch)


def _list_context(found: list[records.RecordView], status: str, entity: str) -> dict[str, Any]:
    return {
        "records": found[:LIST_LIMIT],
        "truncated": len(found) > LIST_LIMIT,
        "status_filter": status,
        "type_filter": entity,
        "status_labels": records.STATUS_LABELS,
        "types": TYPES,
        "amount_text": readback.amount_text,
    }


@get("/clients/{client_id:int}/records")
async def records_section(
    request: HTMXRequest,
    user: NamedDependency[CurrentUser],
    client_id: FromPath[int],
    status: FromQuery[str] = "",
    entity: Annotated[str, QueryParameter(name="type")] = "",
) -> Template:
    # POST /clients/{id}/records claims this path, so the GET of the section is declared here.
    client = await clients.get_client(user, client_id)
    status = status if status in records.STATUSES else ""
    entity = entity if entity in TYPES else ""
    found = await records.list_records(
        client, status=status or None, entity=entity or None, limit=LIST_LIMIT + 1
    )
    context = _list_context(found, status, entity)
    if request.htmx and request.htmx.target == "record-list":
        return Template("client/_record_list.html", context={"client": client, **context})
    counts = await records.count_records(client)
    return await render_section(request, user, client, "records", counts=counts, **context)


async def _record_page(
    request: HTMXRequest,
    user: CurrentUser,
    client: ClientSummary,
    record_id: int,
    status: int = 200,
    *,
    message: str = "",
    error: str = "",
) -> Template:
    record = await records.get_record(client, record_id)
    changes = await records.history(client, record_id)
    return await render_section(
        request,
        user,
        client,
        "records",
        status,
        record=record,
        message=message,
        error=error,
        record_source=await _source(client, record),
        changes=[
            (c, readback.changed_fields(c.before, c.after, records.STATUS_LABELS))
            for c in reversed(changes)
        ],
        facts=readback.facts(record.entity, record.payload),
        lines=readback.line_texts(record.payload),
        total=readback.total_text(record.entity, record.payload),
        status_labels=records.STATUS_LABELS,
    )


@get("/clients/{client_id:int}/records/{record_id:int}")
async def record_page(
    request: HTMXRequest,
    user: NamedDependency[CurrentUser],
    client_id: FromPath[int],
    record_id: FromPath[int],
    saved: FromQuery[str] = "",
) -> Template:
    client = await clients.get_client(user, client_id)
    return await _record_page(request, user, client, record_id, message=SAVED.get(saved, ""))


async def _form_page(
    request: HTMXRequest,
    user: CurrentUser,
    client: ClientSummary,
    form: forms.RecordForm,
    status: int = 200,
    *,
    editing: records.RecordView | None = None,
    version: int | None = None,
    refused: str = "",
) -> Template:
    """The New form, or with `editing` the Edit form of that record (made against `version`;
    `refused`: why the last save was not applied)."""
    lists = await reference_lists(client.id)
    return await render_section(
        request,
        user,
        client,
        "records",
        status,
        form=form,
        names=forms.choices(lists),
        lists_loaded=lists.loaded,
        types=TYPES,
        editing=editing,
        version=editing.version if editing and version is None else version,
        refused=refused,
    )


@get("/clients/{client_id:int}/records/new")
async def new_record(
    request: HTMXRequest,
    user: NamedDependency[CurrentUser],
    client_id: FromPath[int],
    entity: Annotated[str, QueryParameter(name="type")] = "",
) -> Template:
    client = await clients.get_client(user, client_id)
    if entity not in forms.FORMS:
        status = 400 if entity else 200
        return await render_section(
            request,
            user,
            client,
            "records",
            status,
            choose_type=True,
            types=TYPES,
            unknown_type=entity,
        )
    return await _form_page(request, user, client, forms.RecordForm(entity))


@post("/clients/{client_id:int}/records")
async def create_record(
    request: HTMXRequest,
    user: NamedDependency[CurrentUser],
    actor: NamedDependency[Actor],
    client_id: FromPath[int],
) -> Response[Any]:
    submitted = await request.form()
    client = await clients.get_client(user, client_id)
    entity = submitted.get("type")
    if not isinstance(entity, str) or entity not in forms.FORMS:
        return await render_section(
            request,
            user,
            client,
            "records",
            400,
            choose_type=True,
            types=TYPES,
            unknown_type=str(entity or "(none)"),
        )
    form = forms.read_form(entity, submitted.multi_items())
    payload = forms.to_payload(form, await reference_lists(client.id))
    try:
        [record] = await records.create_records(
            actor, client, [records.Draft(entity, payload)], source="manual"
        )
    except records.RefusedDrafts as exc:
        form.errors = forms.place(form, [problem for _, problem in exc.problems])
        return await _form_page(request, user, client, form, 422)
    url = f"/clients/{client.id}/records/{record.id}"
    if request.htmx:
        page = await _record_page(request, user, client, record.id)
        page.headers["HX-Push-Url"] = url
        return page
    return Redirect(path=url, status_code=303)


def _not_editable(record: records.RecordView) -> str:
    why = f"This record is “{records.STATUS_LABELS[record.status]}”: it cannot be edited"
    if record.status == records.CONFLICT:
        return f"{why} until its conflict is resolved on the Conflicts page."
    if record.status == records.PUSHING:
        return f"{why} while it is being sent to QuickBooks; try again when the push is done."
    return f"{why}."


@get("/clients/{client_id:int}/records/{record_id:int}/change")
async def change_record_form(
    request: HTMXRequest,
    user: NamedDependency[CurrentUser],
    client_id: FromPath[int],
    record_id: FromPath[int],
) -> Template:
    """The record's form, filled in, made against its current version. (`/edit` is the review
    grid's row edit.)"""
    client = await clients.get_client(user, client_id)
    record = await records.get_record(client, record_id)
    if not record.can_edit:
        return await _record_page(request, user, client, record.id, 409,
                                  error=_not_editable(record))  # fmt: skip
    form = refill.of_payload(record.entity, record.payload)
    return await _form_page(request, user, client, form, editing=record)


def _version(submitted: Any) -> int:
    try:
        return int(str(submitted.get("version") or ""))
    except ValueError:
        raise InvalidInput("version", "The form lost track of the record: reload it.") from None


@post("/clients/{client_id:int}/records/{record_id:int}/change")
async def change_record(
    request: HTMXRequest,
    user: NamedDependency[CurrentUser],
    actor: NamedDependency[Actor],
    queue: NamedDependency[JobQueue],
    client_id: FromPath[int],
    record_id: FromPath[int],
) -> Response[Any]:
    """Save the form over the version it was made against (its type stays); a record that was
    in QuickBooks goes back there at once as an update, merged with QuickBooks' own changes."""
    submitted = await request.form()
    client = await clients.get_client(user, client_id)
    record = await records.get_record(client, record_id)
    if not record.can_edit:
        return await _record_page(request, user, client, record.id, 409,
                                  error=_not_editable(record))  # fmt: skip
    version = _version(submitted)
    form = forms.read_form(record.entity, submitted.multi_items())
    form.kept = refill.kept_lines(record.entity, record.payload)
    lists = await reference_lists(client.id)
    payload = refill.edited(form, record.payload, lists)
    try:
        saved = await records.edit_record(actor, client, record.id, version, payload, lists=lists)
    except records.InvalidRecord as exc:
        form.errors = forms.place(form, exc.problems)
        return await _form_page(request, user, client, form, 422, editing=record,
                                version=version)  # fmt: skip
    except Conflict as exc:  # StaleEdit too: changed by someone else since the form was opened
        return await _form_page(request, user, client, form, 409, editing=record,
                                version=version, refused=str(exc))  # fmt: skip
    outcome = "saved"
    if record.status == records.IN_QUICKBOOKS and saved.status == records.APPROVED:
        await push_records.send(queue, client_id=client.id, started_by=user.email,
                                record_ids=[saved.id])  # fmt: skip
        outcome = "sent"
    url = f"/clients/{client.id}/records/{saved.id}"
    if not request.htmx:
        return Redirect(path=f"{url}?saved={outcome}", status_code=303)
    page = await _record_page(request, user, client, saved.id, message=SAVED[outcome])
    page.headers["HX-Push-Url"] = url
    return page


ROUTES = [
    records_section,
    record_page,
    new_record,
    create_record,
    change_record_form,
    change_record,
]
