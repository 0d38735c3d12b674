"""Signing in and out, sessions, lockout and CSRF."""

from __future__ import annotations

import httpx
import pytest

from tests.conftest import OWNER, csrf_token, set_up_firm, sign_in

pytestmark = pytest.mark.db


def put_session_cookie(http: httpx.AsyncClient, value: str) -> None:
    """Replace the session cookie the way an attacker (or a stale browser) would."""
    http.cookies.delete("zera_session")
    http.cookies.set("zera_session", value, domain="testserver.local", path="/")


@pytest.fixture
async def firm(client: httpx.AsyncClient) -> httpx.AsyncClient:
    """A set-up firm, signed out."""
    await set_up_firm(client)
    await client.post("/logout", data={"_csrf_token": await csrf_token(client, "/")})
    return client


async def test_sign_in_issues_a_new_session_id(firm: httpx.AsyncClient) -> None:
    put_session_cookie(firm, "fixed-by-an-attacker")
    response = await sign_in(firm, OWNER["email"], OWNER["password"])
    assert response.status_code == 303
    new_id = response.cookies.get("zera_session")
    assert new_id and new_id != "fixed-by-an-attacker"
    assert (await firm.get("/")).status_code == 200


async def test_wrong_password_is_refused_with_a_clear_message(firm: httpx.AsyncClient) -> None:
    response = await sign_in(firm, OWNER["email"], "not the password")
    assert response.status_code == 401
    assert "do not match" in response.text
    assert (await firm.get("/")).headers["location"] == "/login"


async def test_unknown_email_gets_the_same_answer(firm: httpx.AsyncClient) -> None:
    response = await sign_in(firm, "nobody@example.com", "whatever password")
    assert response.status_code == 401
    assert "do not match" in response.text


async def test_repeated_failures_lock_the_address(firm: httpx.AsyncClient) -> None:
    for _ in range(3):  # the test settings allow three failures
        assert (await sign_in(firm, OWNER["email"], "wrong password")).status_code == 401
    locked = await sign_in(firm, OWNER["email"], OWNER["password"])
    assert locked.status_code == 429
    assert "Too many failed sign-ins" in locked.text
    assert (await firm.get("/")).status_code == 303  # still signed out


async def test_sign_out_ends_the_session_on_the_server(firm: httpx.AsyncClient) -> None:
    await sign_in(firm, OWNER["email"], OWNER["password"])
    stolen = firm.cookies.get("zera_session")
    await firm.post("/logout", data={"_csrf_token": await csrf_token(firm, "/")})
    put_session_cookie(firm, stolen or "")
    assert (await firm.get("/")).headers["location"] == "/login"


async def test_expired_or_garbage_session_cookie_means_sign_in(firm: httpx.AsyncClient) -> None:
    put_session_cookie(firm, "x" * 500)
    response = await firm.get("/")
    assert response.status_code == 303
    assert response.headers["location"] == "/login"


async def test_htmx_request_without_session_gets_hx_redirect(firm: httpx.AsyncClient) -> None:
    response = await firm.get("/clients/1/review", headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert response.headers["hx-redirect"] == "/login"


async def test_post_without_csrf_token_is_refused(client: httpx.AsyncClient) -> None:
    await client.get("/setup")
    response = await client.post("/setup", data=OWNER)
    assert response.status_code == 403
    assert "Reload the page" in response.text
    assert (await client.get("/setup")).status_code == 200  # nothing was created


async def test_post_with_forged_csrf_token_is_refused(firm: httpx.AsyncClient) -> None:
    await sign_in(firm, OWNER["email"], OWNER["password"])
    await firm.get("/")
    response = await firm.post("/clients", data={"name": "Forged", "_csrf_token": "f" * 128})
    assert response.status_code == 403
    assert "Forged" not in (await firm.get("/")).text


async def test_htmx_post_may_carry_the_token_in_a_header(firm: httpx.AsyncClient) -> None:
    await sign_in(firm, OWNER["email"], OWNER["password"])
    token = await csrf_token(firm, "/")
    response = await firm.post(
        "/clients",
        data={"name": "Via header"},
        headers={"HX-Request": "true", "x-csrftoken": token},
    )
    assert response.status_code == 303
    assert "Via header" in (await firm.get("/")).text


async def test_a_token_minted_without_a_session_is_refused_with_the_owners_session(
    firm: httpx.AsyncClient,
) -> None:
    """Given an owner signed in, when a request carries the owner's session cookie with a
    token pair minted for an anonymous visitor, then it is refused and changes nothing."""
    await sign_in(firm, OWNER["email"], OWNER["password"])
    async with httpx.AsyncClient(transport=firm._transport, base_url="http://testserver") as other:
        anonymous_token = await csrf_token(other, "/login")
        anonymous_cookie = other.cookies.get("csrftoken") or ""
    assert anonymous_cookie
    firm.cookies.set("csrftoken", anonymous_cookie, domain="testserver.local", path="/")
    as_field = await firm.post("/clients", data={"name": "Planted", "_csrf_token": anonymous_token})
    as_header = await firm.post(
        "/clients", data={"name": "Planted"}, headers={"x-csrftoken": anonymous_token}
    )
    assert as_field.status_code == 403 and as_header.status_code == 403
    assert "Planted" not in (await firm.get("/")).text


async def test_a_token_from_another_session_is_refused(firm: httpx.AsyncClient) -> None:
    """Given the owner signed in twice (two sessions), a token from one does not work with the
    other: the token is bound to its session."""
    await sign_in(firm, OWNER["email"], OWNER["password"])
    async with httpx.AsyncClient(transport=firm._transport, base_url="http://testserver") as other:
        await sign_in(other, OWNER["email"], OWNER["password"])
        other_token = await csrf_token(other, "/")
    own_token = await csrf_token(firm, "/")
    assert own_token != other_token
    refused = await firm.post("/clients", data={"name": "Crossed", "_csrf_token": other_token})
    assert refused.status_code == 403
    accepted = await firm.post("/clients", data={"name": "Own", "_csrf_token": own_token})
    assert accepted.status_code == 303


async def test_signing_in_again_gives_a_new_token(firm: httpx.AsyncClient) -> None:
    """A token seen before signing in (or in an earlier session) is no good afterwards."""
    before = await csrf_token(firm, "/login")
    await sign_in(firm, OWNER["email"], OWNER["password"])
    first = await csrf_token(firm, "/")
    assert (
        await firm.post("/clients", data={"name": "X", "_csrf_token": before})
    ).status_code == 403
    await firm.post("/logout", data={"_csrf_token": first})
    await sign_in(firm, OWNER["email"], OWNER["password"])
    assert (
        await firm.post("/clients", data={"name": "X", "_csrf_token": first})
    ).status_code == 403
