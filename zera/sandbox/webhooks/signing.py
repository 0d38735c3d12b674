"""The `intuit-signature` header: base64 HMAC-SHA256 of the exact request body.

Intuit signs the raw bytes it sends with the app's webhook verifier token (not the OAuth client
secret); a receiver must verify those same bytes before parsing them, because re-serialised JSON
no longer matches. Sources: Intuit's Java and .NET SDK WebhooksService (see QBO-API.md §6).
"""

from __future__ import annotations

import base64
import hashlib
import hmac

__all__ = ["SIGNATURE_HEADER", "sign", "verify"]

SIGNATURE_HEADER = "intuit-signature"


def sign(body: bytes, verifier_token: str) -> str:
    """The signature Intuit would send for `body`: base64(HMAC-SHA256(key=token, msg=body))."""
    digest = hmac.new(verifier_token.encode("utf-8"), body, hashlib.sha256).digest()
    return base64.b64encode(digest).decode("ascii")


def verify(body: bytes, signature: str | None, verifier_token: str) -> bool:
    """True when `signature` is Intuit's signature of `body`; compared in constant time."""
    if not signature or not verifier_token:
        return False
    expected = sign(body, verifier_token)
    # compare_digest on bytes: a non-ASCII header must fail, not raise.
    return hmac.compare_digest(expected.encode("ascii"), signature.encode("utf-8"))
