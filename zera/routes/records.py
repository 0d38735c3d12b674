"""Records: the client's records by status and type, one record with its lines, source and
history, and records typed by hand.

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
from zera.errors import NotFound
from zera.review import forms, records
from zera.review.batches import batch_for_document
from zera.review.payloads import TYPES
from zera.routes.sections import render_section
from zera.sync.lists import reference_lists

LIST_LIMIT = 500  # a list longer than this asks for a filter instead


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
        "amount_text": forms.amount_text,
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
    request: HTMXRequest, user: CurrentUser, client: ClientSummary, record_id: int
) -> Template:
    record = await records.get_record(client, record_id)
    changes = await records.history(client, record_id)
    return await render_section(
        request,
        user,
        client,
        "records",
        record=record,
        record_source=await _source(client, record),
        changes=[
            (c, forms.changed_fields(c.before, c.after, records.STATUS_LABELS))
            for c in reversed(changes)
        ],
        facts=forms.facts(record.entity, record.payload),
        lines=forms.line_texts(record.payload),
        total=forms.total_text(record.entity, record.payload),
        status_labels=records.STATUS_LABELS,
    )


@get("/clients/{client_id:int}/records/{record_id:int}")
async def record_page(
    request: HTMXRequest,
    user: NamedDependency[CurrentUser],
    client_id: FromPath[int],
    record_id: FromPath[int],
) -> Template:
    client = await clients.get_client(user, client_id)
    return await _record_page(request, user, client, record_id)


async def _form_page(
    request: HTMXRequest,
    user: CurrentUser,
    client: ClientSummary,
    form: forms.RecordForm,
    status: int = 200,
) -> Template:
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


ROUTES = [records_section, record_page, new_record, create_record]
