"""Errors the accounts domain raises; each carries the message a user should read."""

from __future__ import annotations


class AccountError(Exception):
    """Base class. `str(error)` is safe to show to the user."""

    status_code = 400


class InvalidInput(AccountError):
    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


class SignInFailed(AccountError):
    status_code = 401


class LockedOut(AccountError):
    status_code = 429


class AlreadySetUp(AccountError):
    status_code = 409


class Forbidden(AccountError):
    """The user may see the thing but not do this to it (e.g. staff disconnecting QuickBooks)."""

    status_code = 403


class NotFound(AccountError):
    """Also used for records the user may not see, so they cannot tell the two apart."""

    status_code = 404
