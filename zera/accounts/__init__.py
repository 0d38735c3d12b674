"""Firm accounts: set-up, sign-in, sessions, roles and the audit log."""

from zera.accounts.audit import SYSTEM, Actor
from zera.accounts.errors import (
    AccountError,
    AlreadySetUp,
    InvalidInput,
    LockedOut,
    NotFound,
    SignInFailed,
)
from zera.accounts.users import CurrentUser

__all__ = [
    "SYSTEM",
    "AccountError",
    "Actor",
    "AlreadySetUp",
    "CurrentUser",
    "InvalidInput",
    "LockedOut",
    "NotFound",
    "SignInFailed",
]
