"""Errors a user should read: each carries its HTTP status, a page title and its message.

`zera.routes.errors` turns any of them into a page or fragment in one place; a route that wants
to show the message inside its own form catches `ZeraError` instead."""

from __future__ import annotations

from typing import ClassVar


class ZeraError(Exception):
    """Base class. `message` (and `str(error)`) is safe to show to the user."""

    status_code: ClassVar[int] = 400
    title: ClassVar[str] = "Check your input"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class InvalidInput(ZeraError):
    """A form field the user must correct; `field` names it."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


class Forbidden(ZeraError):
    """The user may see the thing but not do this to it (e.g. staff disconnecting QuickBooks)."""

    status_code = 403
    title = "Not allowed"


class NotFound(ZeraError):
    """Also used for records the user may not see, so they cannot tell the two apart."""

    status_code = 404
    title = "Not found"


class Conflict(ZeraError):
    """The thing is already in the state the request asks for, or has moved on since."""

    status_code = 409
    title = "Already done"


class TooManyAttempts(ZeraError):
    status_code = 429
    title = "Slow down"


__all__ = ["Conflict", "Forbidden", "InvalidInput", "NotFound", "TooManyAttempts", "ZeraError"]
