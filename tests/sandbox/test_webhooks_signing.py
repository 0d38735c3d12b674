"""`intuit-signature`: Intuit's published test vectors, a fresh body, and what must not verify."""

from __future__ import annotations

import pytest

from zera.sandbox.webhooks import legacy_body, sign, verify
from zera.sandbox.webhooks.payloads import ChangeEvent

# Intuit's Java SDK test (WebhooksServiceTest.java), as recorded in QBO-API.md §6.
JAVA_TOKEN = "b5771f19b12ddb4bcdb9f08bdc50bc63878a"
JAVA_BODY = (
    b'{"eventNotifications":[{"realmId":"1185883450","dataChangeEvent":{"entities":[{"name":'
    b'"Customer","id":"1","operation":"Create","lastUpdated":"2015-10-05T14:42:19-0700"}]}}]}'
)
JAVA_SIGNATURE = "JC2GUwciPmRBwEO7WvrRmKqu9tGOKL8FFallocTFi8Q="

# Intuit's .NET SDK test (WebhooksServiceTest.cs with its AppSettings.json token).
DOTNET_TOKEN = "00faeec4-08d0-4996-bb37-698ae19f0149"
DOTNET_BODY = (
    b'{"eventNotifications":[{"realmId":"1269959970","dataChangeEvent":{"entities":[{"name":'
    b'"Vendor","id":"40","operation":"Update","lastUpdated":"2016-10-05T03:09:04.000Z"},{"name":'
    b'"Customer","id":"43","operation":"Create","lastUpdated":"2016-10-05T03:07:04.000Z"}]}}]}'
)
DOTNET_SIGNATURE = "6q+xGyMirJupwKTh2/WBl2NcdxzxqdIbk3sneKTxLWM="

VECTORS = [
    (JAVA_BODY, JAVA_TOKEN, JAVA_SIGNATURE),
    (DOTNET_BODY, DOTNET_TOKEN, DOTNET_SIGNATURE),
]


@pytest.mark.parametrize(("body", "token", "signature"), VECTORS, ids=["java", "dotnet"])
def test_sign_reproduces_intuits_published_vectors(body: bytes, token: str, signature: str) -> None:
    assert sign(body, token) == signature
    assert verify(body, signature, token)


def test_the_sandbox_builds_the_dotnet_vector_body_byte_for_byte() -> None:
    """Given the .NET sample's two changes, when rendered legacy, then Intuit's signature fits."""
    body = legacy_body([
        ChangeEvent("1269959970", "Vendor", "40", "Update", "2016-10-05T03:09:04.000Z"),
        ChangeEvent("1269959970", "Customer", "43", "Create", "2016-10-05T03:07:04.000Z"),
    ])  # fmt: skip
    assert body == DOTNET_BODY
    assert verify(body, DOTNET_SIGNATURE, DOTNET_TOKEN)


def test_the_sandbox_builds_the_java_vector_body_byte_for_byte() -> None:
    body = legacy_body([ChangeEvent("1185883450", "Customer", "1", "Create",
                                    "2015-10-05T14:42:19-0700")])  # fmt: skip
    assert body == JAVA_BODY
    assert sign(body, JAVA_TOKEN) == JAVA_SIGNATURE


def test_a_fresh_body_signed_by_the_sandbox_verifies_with_the_same_token() -> None:
    event = ChangeEvent("4620816365", "Invoice", "130", "Void", "2026-11-24T10:00:00.000Z")
    body = legacy_body([event])
    signature = sign(body, "fresh-verifier-token")
    assert verify(body, signature, "fresh-verifier-token")
    assert not verify(body, signature, "another-token")


def test_a_body_changed_by_one_byte_or_reserialised_does_not_verify() -> None:
    assert not verify(JAVA_BODY.replace(b'"id":"1"', b'"id":"2"'), JAVA_SIGNATURE, JAVA_TOKEN)
    reserialised = JAVA_BODY.replace(b":", b": ")
    assert not verify(reserialised, JAVA_SIGNATURE, JAVA_TOKEN)


@pytest.mark.parametrize("signature", [None, "", "not base64 at all", "é" * 44])
def test_missing_or_garbage_signatures_are_refused_without_raising(signature: str | None) -> None:
    assert not verify(JAVA_BODY, signature, JAVA_TOKEN)


def test_an_empty_verifier_token_never_verifies() -> None:
    assert not verify(JAVA_BODY, sign(JAVA_BODY, ""), "")
