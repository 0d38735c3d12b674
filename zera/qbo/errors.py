"""Intuit's failures as a small class tree, parsed from the three body shapes Intuit uses.

- Accounting faults: `{"Fault": {"Error": [{"Message", "Detail", "code"}], "type"}}` (QBO-API §3).
- 401 bodies: lower-camel `{"fault": {"error": [{"message", "detail", "code"}], "type": ...}}`.
- 429 throttling: XML `<IntuitResponse><Fault><Error code="3001">...` even when JSON was asked for.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass


@dataclass
class QBOError(Exception):
    """Any failure talking to QuickBooks. `message` is fit to show to a user."""

    message: str
    code: str = ""
    detail: str = ""
    status: int = 0
    intuit_tid: str = ""
    # Seconds Intuit asked us to wait (Retry-After), when it said; the job queue honours it.
    retry_after: float | None = None

    def __str__(self) -> str:
        extra = f" ({self.detail})" if self.detail and self.detail != self.message else ""
        code = f"[{self.code}] " if self.code else ""
        return f"{code}{self.message}{extra}"


class Transient(QBOError):
    """Worth retrying later: throttling, Intuit's 5xx, a network failure. The client retries
    these itself within its budget; one that escapes it is left for the job queue."""


class Throttled(Transient):
    pass


class ServerError(Transient):
    pass


class ConnectionFailed(Transient):
    pass


class AuthenticationFailed(QBOError):
    """The access token was refused (after one refresh-and-retry)."""


class NeedsReconnect(QBOError):
    """The refresh token is invalid or the app was disconnected: a person must reconnect."""


class ValidationFault(QBOError):
    """Intuit refused the request's content; `code` says why. Never retried as is."""


class ObjectNotFound(ValidationFault):  # 610: deleted, merged away or never there
    pass


class StaleObject(ValidationFault):  # 5010: someone changed the record since we read it
    pass


class DuplicateName(ValidationFault):  # 6240
    pass


class DuplicateDocNumber(ValidationFault):  # 6140
    pass


class ClosedPeriod(ValidationFault):  # 6210
    pass


_BY_CODE: dict[str, type[ValidationFault]] = {
    "610": ObjectNotFound,
    "5010": StaleObject,
    "6240": DuplicateName,
    "6140": DuplicateDocNumber,
    "6210": ClosedPeriod,
}

_XML_ERROR = re.compile(
    r'<Error[^>]*code="(\d+)"[^>]*>.*?<Message>(.*?)</Message>'
    r"(?:.*?<Detail>(.*?)</Detail>)?",
    re.S,
)


def fault_from_item(fault: dict[str, object], *, status: int = 400, tid: str = "") -> QBOError:
    """Turn one `Fault` object (from a response or a batch item) into the matching error."""
    errors = fault.get("Error") or fault.get("error") or [{}]
    first = errors[0] if isinstance(errors, list) and errors else {}
    assert isinstance(first, dict)
    code = str(first.get("code") or "")
    message = str(first.get("Message") or first.get("message") or "QuickBooks refused the request")
    detail = str(first.get("Detail") or first.get("detail") or "")
    kind = str(fault.get("type") or "")
    if status == 401 or kind.upper().startswith("AUTHENTICATION"):
        return AuthenticationFailed(message, code, detail, status or 401, tid)
    if status == 429 or code == "3001":
        return Throttled(message, code, detail, status or 429, tid)
    cls = _BY_CODE.get(code, ValidationFault)
    return cls(message, code, detail, status, tid)


def parse_error(status: int, body: bytes, content_type: str, tid: str = "") -> QBOError:
    """The error for a non-2xx response, whatever shape its body has."""
    text = body.decode("utf-8", "replace")
    if "xml" in content_type or text.lstrip().startswith("<"):
        match = _XML_ERROR.search(text)
        if match:
            code, message, detail = match.group(1), match.group(2), match.group(3) or ""
            if status == 429 or code == "3001":
                return Throttled(message, code, detail, status, tid)
            return fault_from_item(
                {"Error": [{"code": code, "Message": message, "Detail": detail}]},
                status=status,
                tid=tid,
            )
    else:
        try:
            payload = json.loads(text)
        except ValueError:
            payload = None
        if isinstance(payload, dict):
            fault = payload.get("Fault") or payload.get("fault")
            if isinstance(fault, dict):
                return fault_from_item(fault, status=status, tid=tid)
    if status == 429:
        return Throttled("QuickBooks is throttling requests", status=status, intuit_tid=tid)
    if status == 401:
        return AuthenticationFailed(
            "QuickBooks refused the access token", status=status, intuit_tid=tid
        )
    if status >= 500:
        return ServerError(f"QuickBooks answered HTTP {status}", status=status, intuit_tid=tid)
    return QBOError(
        f"QuickBooks answered HTTP {status}", detail=text[:500], status=status, intuit_tid=tid
    )
