"""Documents: uploads, a document's page and its page images (Review is `zera.routes.review`).

Each handler checks access once, with `clients.get_client` (404 for a client the user may not
see), and hands the client it got to the `zera.documents` and `zera.review` functions."""

from __future__ import annotations

from collections.abc import Awaitable
from typing import Any

from litestar import Request, Response, get, post
from litestar.datastructures import UploadFile
from litestar.di import NamedDependency
from litestar.exceptions.http_exceptions import RequestEntityTooLarge
from litestar.params import FromPath
from litestar.plugins.htmx import HTMXRequest
from litestar.response import Template

from zera import clients, documents, review
from zera.accounts import CurrentUser
from zera.clients import ClientSummary
from zera.crypto import TokenCipher
from zera.errors import NotFound, ZeraError
from zera.extract import Limits
from zera.queue import JobQueue
from zera.routes.errors import error_page
from zera.routes.sections import render_section
from zera.settings import Settings


def _megabytes(n: int) -> str:
    return f"{n / 1_048_576:.0f} MB" if n >= 1_048_576 else f"{n / 1024:.0f} kB"


def upload_too_large(request: Request[Any, Any, Any], _: RequestEntityTooLarge) -> Response[Any]:
    """The whole request is over the limit: nothing was read, nothing is stored."""
    assert isinstance(request, HTMXRequest)  # create_app makes every request one
    limit = request.app.state.settings.max_upload_bytes
    response = error_page(
        request,
        413,
        "Upload too large",
        f"The upload is larger than the {_megabytes(limit)} limit, so nothing was stored."
        " Upload large files one at a time, or split the document.",
    )
    if request.htmx:
        response.headers["HX-Retarget"] = "#upload-status"
        response.headers["HX-Reswap"] = "innerHTML"
    return response


@post(
    "/clients/{client_id:int}/documents",
    exception_handlers={RequestEntityTooLarge: upload_too_large},
)
async def upload_documents(
    request: HTMXRequest,
    user: NamedDependency[CurrentUser],
    queue: NamedDependency[JobQueue],
    settings: NamedDependency[Settings],
    client_id: FromPath[int],
) -> Template:
    form = await request.form()
    uploads = [
        documents.Upload(item.filename or "", await item.read())
        for item in form.getall("files", [])
        if isinstance(item, UploadFile)
    ]
    client = await clients.get_client(user, client_id)
    limits = Limits(max_bytes=settings.max_upload_bytes)
    results = await documents.upload(user, queue, client, uploads, limits)
    status = 200 if any(r.stored or r.duplicate_of for r in results) else 400
    return await render_section(request, user, client, "documents", status, results=results)


@get("/clients/{client_id:int}/documents")
async def documents_section(
    request: HTMXRequest, user: NamedDependency[CurrentUser], client_id: FromPath[int]
) -> Template:
    # The upload POST claims this path, so the GET of the section must be declared here too.
    client = await clients.get_client(user, client_id)
    return await render_section(request, user, client, "documents")


@get("/clients/{client_id:int}/documents/{document_id:int}")
async def document_page(
    request: HTMXRequest,
    user: NamedDependency[CurrentUser],
    client_id: FromPath[int],
    document_id: FromPath[int],
) -> Template:
    client = await clients.get_client(user, client_id)
    detail = await review.document_detail(client, document_id)
    return await render_section(request, user, client, "documents", detail=detail)


@post("/clients/{client_id:int}/documents/{document_id:int}/password")
async def submit_password(
    request: HTMXRequest,
    user: NamedDependency[CurrentUser],
    queue: NamedDependency[JobQueue],
    settings: NamedDependency[Settings],
    client_id: FromPath[int],
    document_id: FromPath[int],
) -> Template:
    form = await request.form()
    password = form.get("password", "")
    client = await clients.get_client(user, client_id)
    action = documents.retry_with_password(
        queue,
        client,
        document_id,
        password if isinstance(password, str) else "",
        TokenCipher(settings.token_keys),
    )
    return await _document_action(
        request, user, client, document_id, action, refused=400, error_field="password_error"
    )


@post("/clients/{client_id:int}/documents/{document_id:int}/cancel")
async def cancel_reading(
    request: HTMXRequest,
    user: NamedDependency[CurrentUser],
    client_id: FromPath[int],
    document_id: FromPath[int],
) -> Template:
    client = await clients.get_client(user, client_id)
    action = documents.cancel_reading(user, client, document_id)
    return await _document_action(request, user, client, document_id, action)


@post("/clients/{client_id:int}/documents/{document_id:int}/read-again")
async def read_again(
    request: HTMXRequest,
    user: NamedDependency[CurrentUser],
    queue: NamedDependency[JobQueue],
    client_id: FromPath[int],
    document_id: FromPath[int],
) -> Template:
    client = await clients.get_client(user, client_id)
    action = documents.read_again(queue, client, document_id)
    return await _document_action(request, user, client, document_id, action)


async def _document_action(
    request: HTMXRequest,
    user: CurrentUser,
    client: ClientSummary,
    document_id: int,
    action: Awaitable[object],
    *,
    refused: int = 409,
    error_field: str = "action_error",
) -> Template:
    """Run a document's button or form; show the document again, with the refusal (answered
    with status `refused`, shown as `error_field`) if there is one."""
    error = ""
    try:
        await action
    except NotFound:
        raise
    except ZeraError as exc:
        error = str(exc)
    detail = await review.document_detail(client, document_id)
    status = refused if error else 200
    return await render_section(
        request, user, client, "documents", status, detail=detail, **{error_field: error}
    )


@get("/clients/{client_id:int}/documents/{document_id:int}/pages/{page:int}")
async def page_image(
    request: HTMXRequest,
    user: NamedDependency[CurrentUser],
    client_id: FromPath[int],
    document_id: FromPath[int],
    page: FromPath[int],
) -> Response[Any]:
    client = await clients.get_client(user, client_id)
    try:
        png = await documents.page_image(client, document_id, page)
    except documents.PageUnavailable as exc:
        return error_page(request, 404, "Page not available", str(exc))
    return Response(
        png,
        media_type="image/png",
        headers={"Cache-Control": "private, max-age=3600", "X-Content-Type-Options": "nosniff"},
    )


ROUTES = [
    documents_section,
    upload_documents,
    document_page,
    submit_password,
    cancel_reading,
    read_again,
    page_image,
]
