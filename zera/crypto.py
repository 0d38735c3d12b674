"""Secrets at rest: Fernet encryption with key rotation (ZERA_TOKEN_KEYS).

QuickBooks tokens and document passwords are stored, or queued, only as this ciphertext. What
a value that no key decrypts means is the caller's to say: the token vault asks for a reconnect,
a document asks for its password again."""

from __future__ import annotations

from cryptography.fernet import Fernet, InvalidToken, MultiFernet


class Undecryptable(Exception):
    """No configured key decrypts the value (the key was rotated out, or it is not ciphertext)."""


class TokenCipher:
    """Fernet encryption with rotation: the first key encrypts, every key decrypts."""

    def __init__(self, keys: tuple[str, ...]) -> None:
        if not keys:
            raise ValueError("at least one token key is needed")
        self._fernet = MultiFernet([Fernet(key.encode()) for key in keys])

    def encrypt(self, value: str) -> str:
        return self._fernet.encrypt(value.encode()).decode()

    def decrypt(self, value: str) -> str:
        """The clear text; `Undecryptable` when no configured key opens `value`."""
        try:
            return self._fernet.decrypt(value.encode()).decode()
        except InvalidToken:
            raise Undecryptable("no configured key decrypts this value") from None


__all__ = ["TokenCipher", "Undecryptable"]
