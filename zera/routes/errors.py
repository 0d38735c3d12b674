"""The one place where errors become responses: a clear page or fragment, never a stack trace."""

from __future__ import annotations

import logging
from typing import Any

from litestar import Response
from litestar.exceptions import (
    HTTPException,
    NotFoundException,
    PermissionDeniedException,
    ValidationException,
)
from litestar.plugins.htmx import HTMXRequest
from litestar.response import Redirect, Template

from zera.errors import ZeraError
from zera.routes.deps import SignInRequired

log = logging.getLogger(__name__)


def error_page(request: HTMXRequest, status: int, title: str, message: str) -> Response[Any]:
    template = "_error.html" if request.htmx else "error.html"
    return Template(
        template,
        context={"status": status, "title": title, "message": message},
        status_code=status,
    )


def sign_in_required(request: HTMXRequest, exc: SignInRequired) -> Response[Any]:
    target = exc.target
    if request.htmx:
        # htmx follows HX-Redirect with a full page load; a 3xx would be swapped into the page.
        return Response(content="", status_code=200, headers={"HX-Redirect": target})
    return Redirect(path=target, status_code=303)


def zera_error(request: HTMXRequest, exc: ZeraError) -> Response[Any]:
    """Every error a user should read: its own status, title and message."""
    return error_page(request, exc.status_code, exc.title, exc.message)


def not_found(request: HTMXRequest, _: NotFoundException) -> Response[Any]:
    return error_page(request, 404, "Not found", "There is no such page, or you may not see it.")


def permission_denied(
    request: HTMXRequest, _: PermissionDeniedException
) -> Response[Any]:
    # Litestar raises this when the CSRF token is missing or does not match.
    return error_page(
        request,
        403,
        "Form expired",
        "This form has expired or did not come from Zera. Reload the page and try again.",
    )


def invalid_request(request: HTMXRequest, _: ValidationException) -> Response[Any]:
    return error_page(
        request,
        400,
        "Check your input",
        "Some fields were missing or malformed. Go back, check the form and try again.",
    )


def http_error(request: HTMXRequest, exc: HTTPException) -> Response[Any]:
    return error_page(request, exc.status_code, "Request refused", str(exc.detail))


def unexpected(request: HTMXRequest, exc: Exception) -> Response[Any]:
    log.exception("unhandled error on %s %s", request.method, request.url.path)
    return error_page(
        request,
        500,
        "Something went wrong",
        "Zera hit an unexpected error. Nothing was half-saved; try again, and if it "
        "keeps happening tell your administrator the time it happened.",
    )


EXCEPTION_HANDLERS: dict[Any, Any] = {
    SignInRequired: sign_in_required,
    ZeraError: zera_error,
    NotFoundException: not_found,
    PermissionDeniedException: permission_denied,
    ValidationException: invalid_request,
    HTTPException: http_error,
    Exception: unexpected,
}
