"""Errors the accounts domain raises, on the app-wide `zera.errors` base.

`AccountError` is the older name of `ZeraError`; the common classes are re-exported so
`zera.accounts` keeps offering them."""

from __future__ import annotations

from zera.errors import Conflict, Forbidden, InvalidInput, NotFound, TooManyAttempts, ZeraError

AccountError = ZeraError


class SignInFailed(ZeraError):
    status_code = 401


class LockedOut(TooManyAttempts):
    pass


class AlreadySetUp(Conflict):
    pass


__all__ = [
    "AccountError",
    "AlreadySetUp",
    "Forbidden",
    "InvalidInput",
    "LockedOut",
    "NotFound",
    "SignInFailed",
]
