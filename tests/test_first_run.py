"""First run: an empty install offers a one-time set-up page that creates the firm and owner."""

from __future__ import annotations

import httpx
import pytest

from tests.conftest import OWNER, csrf_token, set_up_firm

pytestmark = pytest.mark.db


async def test_empty_install_sends_every_page_to_setup(client: httpx.AsyncClient) -> None:
    for path in ("/", "/login", "/clients/1"):
        response = await client.get(path)
        assert response.status_code == 303, path
        assert response.headers["location"] == "/setup"


async def test_setup_creates_owner_and_signs_in(client: httpx.AsyncClient) -> None:
    response = await set_up_firm(client)
    assert response.status_code == 303
    assert response.headers["location"] == "/"
    cookie = response.headers["set-cookie"]
    assert "zera_session=" in cookie and "HttpOnly" in cookie and "SameSite=lax" in cookie
    dashboard = await client.get("/")
    assert dashboard.status_code == 200
    assert "Ledger &amp; Co" in dashboard.text
    assert OWNER["name"] in dashboard.text


async def test_setup_page_disappears_once_an_owner_exists(client: httpx.AsyncClient) -> None:
    await set_up_firm(client)
    assert (await client.get("/setup")).headers["location"] == "/login"
    token = await csrf_token(client, "/")
    again = await client.post(
        "/setup", data={**OWNER, "email": "mallory@example.com", "_csrf_token": token}
    )
    assert again.status_code == 409
    assert "already set up" in again.text


async def test_setup_rejects_a_short_password_and_keeps_the_form(client: httpx.AsyncClient) -> None:
    token = await csrf_token(client, "/setup")
    response = await client.post(
        "/setup", data={**OWNER, "password": "short", "_csrf_token": token}
    )
    assert response.status_code == 400
    assert "at least 10 characters" in response.text
    assert 'value="olive@example.com"' in response.text
    assert (await client.get("/setup")).status_code == 200  # nothing half-written


async def test_setup_with_missing_fields_answers_400_without_a_trace(
    client: httpx.AsyncClient,
) -> None:
    token = await csrf_token(client, "/setup")
    response = await client.post("/setup", data={"firm": "X", "_csrf_token": token})
    assert response.status_code == 400
    assert "Traceback" not in response.text
    assert "missing or malformed" in response.text
