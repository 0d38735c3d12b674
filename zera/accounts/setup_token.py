"""The set-up token: proof that whoever creates the firm's owner can read the server's output.

Until an owner exists, `/setup` would hand the firm to the first visitor. The token is derived
from the secret key, so every process of an installation (web, worker, a restart) knows the same
one with nothing stored; it is printed at start-up and is worthless once the owner exists.
"""

from __future__ import annotations

import hashlib
import hmac

from zera.errors import Forbidden


class SetupTokenRefused(Forbidden):
    pass


def setup_token(secret_key: str) -> str:
    return hmac.new(secret_key.encode(), b"zera set-up token", hashlib.sha256).hexdigest()[:32]


def is_setup_token(given: str, secret_key: str) -> bool:
    return hmac.compare_digest(given.strip().encode(), setup_token(secret_key).encode())


def check_setup_token(given: str, secret_key: str) -> None:
    """Raise `SetupTokenRefused` unless `given` is this installation's set-up token."""
    if not is_setup_token(given, secret_key):
        raise SetupTokenRefused(
            "The set-up token is missing or wrong. Open the set-up URL that `zera serve`"
            " (or `zera web`) printed when it started, or copy its token here."
        )
