"""In a real browser: set up the firm, sign in, add a client and find it on the dashboard."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.conftest import printed_setup_url

pytestmark = pytest.mark.browser


def test_first_run_sign_in_and_create_a_client(
    live_server: str, page: Page, tmp_path: Path
) -> None:
    page.goto(live_server + "/")
    expect(page).to_have_url(live_server + "/setup")
    # The page asks for the token from the set-up URL the server printed at start-up.
    token = printed_setup_url(tmp_path / "serve.log").rsplit("=", 1)[1]
    page.get_by_label("Set-up token").fill(token)
    page.get_by_label("Firm name").fill("Ledger & Co")
    page.get_by_label("Your name").fill("Olive Owner")
    page.get_by_label("Email").fill("olive@example.com")
    page.get_by_label("Password").fill("correct horse battery")
    page.get_by_role("button", name="Create firm and owner").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Ledger & Co")

    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(live_server + "/login")
    page.get_by_label("Email").fill("olive@example.com")
    page.get_by_label("Password").fill("correct horse battery")
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(live_server + "/")

    page.get_by_label("New client").fill("Acme Bakery")
    page.get_by_role("button", name="Add client").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Acme Bakery")
    page.get_by_role("link", name="Review").click()  # an htmx partial swap
    expect(page.locator("#client-body")).to_contain_text("Nothing waiting for review")
    expect(page.get_by_role("link", name="Review")).to_have_attribute("aria-current", "page")
    page.get_by_role("link", name="Zera").click()
    expect(page.get_by_role("link", name="Acme Bakery")).to_be_visible()
    page.goto(live_server + "/setup")  # the one-time page is gone: a signed-in owner lands home
    expect(page).to_have_url(live_server + "/")
