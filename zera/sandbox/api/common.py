"""Response helpers shared by the sandbox routes."""

from __future__ import annotations

import secrets
from typing import Any

from litestar import Request, Response

from zera.sandbox import jsonio
from zera.sandbox.clock import intuit_time
from zera.sandbox.runtime import SandboxRuntime

JSON = "application/json"


def runtime_of(request: Request[Any, Any, Any]) -> SandboxRuntime:
    runtime: SandboxRuntime = request.app.state["sandbox"]
    return runtime


def json_response(body: object, status: int = 200,
                  headers: dict[str, str] | None = None) -> Response[bytes]:
    return Response(content=jsonio.dumps(body).encode(), status_code=status, media_type=JSON,
                    headers={"intuit_tid": new_tid(), **(headers or {})})


def wants_xml(request: Request[Any, Any, Any]) -> bool:
    """Only XML accepted: JSON stays the default, as for Intuit's SDKs."""
    accept = request.headers.get("accept", "")
    return "xml" in accept and "json" not in accept


def respond(request: Request[Any, Any, Any], body: dict[str, Any],
            status: int = 200) -> Response[bytes]:
    """An API body as JSON, or as Intuit's XML when the client accepts only XML."""
    if wants_xml(request):
        from zera.sandbox.api import xml

        return Response(content=xml.render(body).encode(), status_code=status,
                        media_type="application/xml", headers={"intuit_tid": new_tid()})
    return json_response(body, status)


def with_time(runtime: SandboxRuntime, body: dict[str, Any]) -> dict[str, Any]:
    body["time"] = intuit_time(runtime.clock.now(), millis=True)
    return body


def new_tid() -> str:
    """An `intuit_tid` trace id, as Intuit puts on every response."""
    return "1-" + secrets.token_hex(12)


def base_url(request: Request[Any, Any, Any]) -> str:
    """The sandbox's own base URL as the client reached it (mount prefix included)."""
    return str(request.base_url).rstrip("/")
