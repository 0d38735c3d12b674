"""Clients, roles and per-client isolation, and the audit trail they leave."""

from __future__ import annotations

import re
from dataclasses import dataclass

import httpx
import pytest

from tests.conftest import OWNER, csrf_token, post_form, set_up_firm, sign_in

pytestmark = pytest.mark.db

STAFF_PASSWORD = "staff password 123"


@dataclass
class Firm:
    http: httpx.AsyncClient
    client_a: int
    client_b: int
    staff_id: int


def _client_id(response: httpx.Response) -> int:
    match = re.fullmatch(r"/clients/(\d+)", response.headers["location"])
    assert match, response.headers.get("location")
    return int(match.group(1))


async def _switch_to(http: httpx.AsyncClient, email: str, password: str) -> None:
    await http.post("/logout", data={"_csrf_token": await csrf_token(http, "/")})
    assert (await sign_in(http, email, password)).status_code == 303


@pytest.fixture
async def firm(client: httpx.AsyncClient) -> Firm:
    """Owner with clients A and B; a staff member assigned to A only; signed in as the owner."""
    await set_up_firm(client)
    client_a = _client_id(await post_form(client, "/clients", {"name": "Acme Bakery"}))
    client_b = _client_id(await post_form(client, "/clients", {"name": "Birch Dental"}))
    created = await post_form(
        client,
        "/users",
        {
            "name": "Sam Staff",
            "email": "sam@example.com",
            "password": STAFF_PASSWORD,
            "role": "staff",
        },
        token_page="/users",
    )
    assert created.status_code == 303
    users_page = (await client.get("/users")).text
    staff_id = int(re.search(r"/users/(\d+)/deactivate", users_page).group(1))  # type: ignore[union-attr]
    assigned = await post_form(client, f"/clients/{client_a}/staff", {"staff": str(staff_id)})
    assert assigned.status_code == 303
    return Firm(client, client_a, client_b, staff_id)


async def test_owner_sees_every_client_on_the_dashboard(firm: Firm) -> None:
    page = (await firm.http.get("/")).text
    assert "Acme Bakery" in page and "Birch Dental" in page
    assert "Not connected yet" in page


async def test_staff_sees_only_assigned_clients(firm: Firm) -> None:
    await _switch_to(firm.http, "sam@example.com", STAFF_PASSWORD)
    page = (await firm.http.get("/")).text
    assert "Acme Bakery" in page
    assert "Birch Dental" not in page
    assert (await firm.http.get(f"/clients/{firm.client_a}")).status_code == 200


async def test_unticking_every_staff_box_removes_the_last_staff_member(firm: Firm) -> None:
    """Given staff assigned to client A, when the owner saves the form with no box ticked,
    then nobody is assigned and the staff member gets 404 for client A."""
    response = await post_form(
        firm.http, f"/clients/{firm.client_a}/staff", {}, token_page=f"/clients/{firm.client_a}"
    )
    assert response.status_code == 303
    await _switch_to(firm.http, "sam@example.com", STAFF_PASSWORD)
    assert "Acme Bakery" not in (await firm.http.get("/")).text
    assert (await firm.http.get(f"/clients/{firm.client_a}")).status_code == 404


@pytest.mark.parametrize(
    "path",
    [
        "/clients/{id}",
        "/clients/{id}/documents",
        "/clients/{id}/connection",
        "/clients/{id}/settings",
    ],
)
async def test_staff_gets_404_for_another_clients_pages(firm: Firm, path: str) -> None:
    await _switch_to(firm.http, "sam@example.com", STAFF_PASSWORD)
    for headers in ({}, {"HX-Request": "true"}):
        response = await firm.http.get(path.format(id=firm.client_b), headers=headers)
        assert response.status_code == 404, (path, headers)
        assert "Birch Dental" not in response.text


@pytest.mark.parametrize(
    "action,form",
    [
        ("rename", {"name": "Hijacked"}),
        ("archive", {}),
        ("restore", {}),
        ("staff", {"staff": "1"}),
    ],
)
async def test_staff_gets_404_for_another_clients_forms(
    firm: Firm, action: str, form: dict[str, str]
) -> None:
    await _switch_to(firm.http, "sam@example.com", STAFF_PASSWORD)
    response = await post_form(firm.http, f"/clients/{firm.client_b}/{action}", form)
    assert response.status_code == 404
    await _switch_to(firm.http, OWNER["email"], OWNER["password"])
    page = (await firm.http.get(f"/clients/{firm.client_b}")).text
    assert "Birch Dental" in page and "Hijacked" not in page and "archived" not in page


async def test_staff_cannot_reach_owner_pages(firm: Firm) -> None:
    await _switch_to(firm.http, "sam@example.com", STAFF_PASSWORD)
    assert (await firm.http.get("/users")).status_code == 404
    assert (await firm.http.get("/audit")).status_code == 404
    assert (await post_form(firm.http, "/clients", {"name": "Sneaky"})).status_code == 404
    assert (
        await post_form(
            firm.http,
            "/users",
            {"name": "X", "email": "x@example.com", "password": "long enough pw", "role": "owner"},
        )
    ).status_code == 404


async def test_section_partial_and_full_page_render_the_same_section(firm: Firm) -> None:
    full = await firm.http.get(f"/clients/{firm.client_a}/records")
    partial = await firm.http.get(
        f"/clients/{firm.client_a}/records", headers={"HX-Request": "true"}
    )
    assert full.status_code == partial.status_code == 200
    assert "<html" in full.text and "<html" not in partial.text
    for body in (full.text, partial.text):
        assert 'data-section="records"' in body
        assert "No records for Acme Bakery yet." in body


async def test_unknown_section_and_unknown_client_are_404(firm: Firm) -> None:
    assert (await firm.http.get(f"/clients/{firm.client_a}/secrets")).status_code == 404
    assert (await firm.http.get("/clients/999999")).status_code == 404
    assert (await firm.http.get("/clients/not-a-number")).status_code in (400, 404)


async def test_rename_archive_and_restore(firm: Firm) -> None:
    assert (
        await post_form(
            firm.http, f"/clients/{firm.client_a}/rename", {"name": "Acme Bakery & Café"}
        )
    ).status_code == 303
    assert "Acme Bakery &amp; Café" in (await firm.http.get("/")).text
    await post_form(firm.http, f"/clients/{firm.client_a}/archive", {})
    assert "Acme Bakery" not in (await firm.http.get("/")).text
    assert "Acme Bakery" in (await firm.http.get("/?archived=true")).text
    await post_form(firm.http, f"/clients/{firm.client_a}/restore", {})
    assert "Acme Bakery" in (await firm.http.get("/")).text


async def test_blank_client_name_is_refused_with_a_message(firm: Firm) -> None:
    response = await post_form(firm.http, "/clients", {"name": "   "})
    assert response.status_code == 400
    assert "the client&#39;s name" in response.text


async def test_client_names_are_escaped(firm: Firm) -> None:
    await post_form(firm.http, "/clients", {"name": "<script>alert(1)</script>"})
    page = (await firm.http.get("/")).text
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


async def test_deactivated_staff_is_signed_out(firm: Firm) -> None:
    staff_http = httpx.AsyncClient(transport=firm.http._transport, base_url="http://testserver")
    async with staff_http:
        assert (await sign_in(staff_http, "sam@example.com", STAFF_PASSWORD)).status_code == 303
        assert (await staff_http.get("/")).status_code == 200
        await post_form(firm.http, f"/users/{firm.staff_id}/deactivate", {}, token_page="/users")
        assert (await staff_http.get("/")).status_code == 303


async def test_audit_log_records_sign_ins_user_and_client_changes(firm: Firm) -> None:
    await post_form(firm.http, f"/clients/{firm.client_b}/rename", {"name": "Birch Dental LLC"})
    async with httpx.AsyncClient(
        transport=firm.http._transport, base_url="http://testserver"
    ) as other:
        assert (await sign_in(other, OWNER["email"], "a wrong password")).status_code == 401
    page = (await firm.http.get("/audit")).text
    for action in (
        "firm.set_up",
        "client.created",
        "user.created",
        "client.staff_changed",
        "client.renamed",
        "auth.sign_in_failed",
    ):
        assert action in page, action
    assert STAFF_PASSWORD not in page and OWNER["password"] not in page
