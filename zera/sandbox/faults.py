"""Intuit's fault envelopes and codes (QBO-API.md §3, §7) as exceptions carrying their status."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from xml.sax.saxutils import escape


@dataclass
class FaultError:
    code: str
    message: str
    detail: str
    element: str = ""

    def as_json(self) -> dict[str, str]:
        return {"Message": self.message, "Detail": self.detail, "code": self.code,
                "element": self.element}


@dataclass
class QboFault(Exception):
    """A fault in Intuit's envelope. Validation faults are HTTP 400 (QBO-API.md §3)."""

    errors: list[FaultError]
    type: str = "ValidationFault"
    status: int = 400
    headers: dict[str, str] = field(default_factory=dict)

    def __str__(self) -> str:
        return "; ".join(f"{e.code} {e.message}: {e.detail}" for e in self.errors)

    def envelope(self) -> dict[str, Any]:
        """The `Fault` object (without `time`), as it also appears inside a batch item."""
        return {"Error": [e.as_json() for e in self.errors], "type": self.type}

    def as_xml(self, time: str) -> str:
        errors = "".join(
            f'<Error code="{escape(e.code)}" element="{escape(e.element)}">'
            f"<Message>{escape(e.message)}</Message><Detail>{escape(e.detail)}</Detail></Error>"
            for e in self.errors
        )
        return (
            f'<IntuitResponse xmlns="http://schema.intuit.com/finance/v3" time="{time}">'
            f'<Fault type="{escape(self.type)}">{errors}</Fault></IntuitResponse>'
        )


def _fault(code: str, message: str, detail: str, *, element: str = "", status: int = 400,
           kind: str = "ValidationFault") -> QboFault:
    return QboFault([FaultError(code, message, detail, element)], type=kind, status=status)


def stale_object(entity: str, user: str = "API API") -> QboFault:
    # Intuit's template names the other user; API writers appear as "API API" (QBO-API.md §3).
    return _fault(
        "5010",
        "Stale Object Error",
        f"Stale Object Error : You and {user} were working on this at the same time. {user} "
        f"finished before you did, so your work was not saved. Entity={entity}",
    )


def object_not_found(entity: str, entity_id: str) -> QboFault:
    return _fault(
        "610",
        "Object Not Found",
        "Object Not Found : Something you're trying to use has been made inactive. Check the "
        f"fields with accounts, customers, items, vendors or employees. {entity}={entity_id}",
    )


def deleted_transaction(entity: str, entity_id: str) -> QboFault:
    return _fault("610", "Object Not Found",
                  f"Object Not Found : Another user has deleted this transaction. "
                  f"{entity}={entity_id}")


def required_param(path: str) -> QboFault:
    return _fault("2020", "Required param missing, need to supply the required value for the API",
                  f"Required parameter {path} is missing in the request", element=path)


def unsupported_property(name: str) -> QboFault:
    return _fault("2010", "Request has invalid or unsupported property",
                  f"Property Name:{name} specified is unsupported or invalid", element=name)


def invalid_enum(value: str, element: str) -> QboFault:
    return _fault("2170", "Invalid Enumeration", f"Invalid Enumeration : {value}",
                  element=element)


def invalid_number(element: str, value: object) -> QboFault:
    return _fault("2040", "Invalid Number", f"Invalid Number : {value!r} for {element}",
                  element=element)


def invalid_reference(element: str, ref_id: str, why: str = "") -> QboFault:
    reason = why or "the object it refers to does not exist or has been made inactive"
    return _fault("2500", "Invalid Reference Id",
                  f"Invalid Reference Id : {element} {ref_id}: {reason}", element=element)


def business(detail: str, element: str = "") -> QboFault:
    return _fault("6000", "A business validation error has occurred while processing your request",
                  f"Business Validation Error: {detail}", element=element)


def duplicate_doc_number(doc_number: str, entity: str, txn_id: str) -> QboFault:
    return _fault(
        "6140",
        "Duplicate Document Number Error",
        "Duplicate Document Number Error : You must specify a different number. This number has "
        f"already been used. DocNumber={doc_number} is assigned to TxnType={entity} with "
        f"TxnId={txn_id}",
    )


def period_closed(close_date: str) -> QboFault:
    return _fault("6210", "Account Period Closed, cannot update through Services API",
                  f"The account period has closed and the books are closed as of {close_date}. "
                  "You cannot create or change transactions dated on or before that date.")


def duplicate_name(name: str, other_entity: str, other_id: str) -> QboFault:
    return _fault(
        "6240",
        "Duplicate Name Exists Error",
        "The name supplied already exists. : Another customer, vendor or employee is already "
        f"using this name. Please use a different name. Id={other_id} ({other_entity}: {name})",
    )


def query_parse(detail: str) -> QboFault:
    return _fault("4000", "Error parsing query", f"QueryParserError: {detail}")


def query_invalid(detail: str) -> QboFault:
    # Intuit's text for these (OR, MAXRESULTS > 1000, unknown property) was not found
    # (QBO-API.md §10); 4001 "Invalid query" is our strict reading.
    return _fault("4001", "Invalid query", f"QueryValidationError: {detail}")


def unsupported_operation(detail: str, status: int = 400) -> QboFault:
    return _fault("500", "Unsupported Operation", f"Operation {detail} is not supported.",
                  status=status)


def bad_request(detail: str) -> QboFault:
    return _fault("2030", "Invalid ID", detail)


def realm_forbidden(realm_id: str) -> QboFault:
    # The token was issued for another company: Intuit answers 403 ApplicationAuthorizationFailed.
    return _fault(
        "3100",
        "message=ApplicationAuthorizationFailed; errorCode=003100; statusCode=403",
        f"The access token does not grant access to realm {realm_id}",
        status=403,
        kind="AUTHENTICATION",
    )


class AuthenticationFailed(Exception):
    """A 401 with Intuit's lower-camel body, unlike every other fault (QBO-API.md §3)."""

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail

    def body(self, epoch_millis: int) -> dict[str, Any]:
        return {
            "warnings": None, "intuitObject": None,
            "fault": {"error": [{
                "message": "message=AuthenticationFailed; errorCode=003200; statusCode=401",
                "detail": self.detail, "code": "3200", "element": None}],
                "type": "AUTHENTICATION"},
            "report": None, "queryResponse": None, "batchItemResponse": [],
            "attachableResponse": [], "syncErrorResponse": None, "requestId": None,
            "time": epoch_millis, "status": None, "cdcresponse": [],
        }


WWW_AUTHENTICATE = 'Bearer realm="Intuit", error="invalid_token"'


def throttle_xml(time: str) -> str:
    """Intuit's 429 body: XML even when JSON was asked for (QBO-API.md §7)."""
    return (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        f'<IntuitResponse xmlns="http://schema.intuit.com/finance/v3" time="{time}">'
        '<Fault type="SERVICE"><Error code="3001">'
        "<Message>message=ThrottleExceeded; errorCode=003001; statusCode=429</Message>"
        "<Detail>The request limit was reached.  Try again later</Detail>"
        "</Error></Fault></IntuitResponse>"
    )
