"""One place that turns the sandbox's errors into Intuit's response bodies."""

from __future__ import annotations

import logging
from typing import Any

from litestar import Request, Response
from litestar.exceptions import HTTPException, NotFoundException, ValidationException

from zera.sandbox import faults
from zera.sandbox.api.common import json_response, runtime_of, wants_xml, with_time
from zera.sandbox.clock import intuit_time
from zera.sandbox.limits import Throttled
from zera.sandbox.oauth import OAuthError

log = logging.getLogger("zera.sandbox")


def qbo_fault(request: Request[Any, Any, Any], exc: faults.QboFault) -> Response[Any]:
    runtime = runtime_of(request)
    if wants_xml(request):
        body = exc.as_xml(intuit_time(runtime.clock.now(), millis=True))
        return Response(content=body.encode(), status_code=exc.status,
                        media_type="application/xml", headers=exc.headers)
    return json_response(with_time(runtime, {"Fault": exc.envelope()}), exc.status, exc.headers)


def authentication_failed(request: Request[Any, Any, Any],
                          exc: faults.AuthenticationFailed) -> Response[Any]:
    millis = int(runtime_of(request).clock.now().timestamp() * 1000)
    return json_response(exc.body(millis), 401, {"www-authenticate": faults.WWW_AUTHENTICATE})


def throttled(request: Request[Any, Any, Any], _: Throttled) -> Response[Any]:
    # XML even when JSON was asked for, as Intuit does (QBO-API.md §7).
    body = faults.throttle_xml(intuit_time(runtime_of(request).clock.now(), millis=True))
    return Response(content=body.encode(), status_code=429, media_type="application/xml")


def oauth_error(_: Request[Any, Any, Any], exc: OAuthError) -> Response[Any]:
    return json_response(exc.body(), exc.status)


def not_found(request: Request[Any, Any, Any], _: NotFoundException) -> Response[Any]:
    fault = faults.unsupported_operation(f"{request.method} {request.url.path}", status=404)
    return qbo_fault(request, fault)


def invalid_input(request: Request[Any, Any, Any], exc: ValidationException) -> Response[Any]:
    return qbo_fault(request, faults.bad_request(f"Invalid request: {exc.detail}"))


def http_error(request: Request[Any, Any, Any], exc: HTTPException) -> Response[Any]:
    fault = faults.QboFault([faults.FaultError(str(exc.status_code), "Request failed",
                                               str(exc.detail))], status=exc.status_code)
    return qbo_fault(request, fault)


def unexpected(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    log.exception("sandbox request failed: %s %s", request.method, request.url.path)
    fault = faults.QboFault(
        [faults.FaultError("10000", "An application error has occurred while processing your "
                           "request", f"System Failure Error: {type(exc).__name__}")],
        type="SystemFault", status=500)
    return qbo_fault(request, fault)


EXCEPTION_HANDLERS: dict[type[Exception] | int, Any] = {
    faults.QboFault: qbo_fault,
    faults.AuthenticationFailed: authentication_failed,
    Throttled: throttled,
    OAuthError: oauth_error,
    NotFoundException: not_found,
    ValidationException: invalid_input,
    HTTPException: http_error,
    Exception: unexpected,
}
