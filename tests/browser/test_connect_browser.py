"""In a real browser: connect a client to the built-in sandbox and see its chart of accounts."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser


def test_connect_quickbooks_through_the_consent_page(live_server: str, page: Page) -> None:
    page.goto(live_server + "/setup")
    page.get_by_label("Firm name").fill("Ledger & Co")
    page.get_by_label("Your name").fill("Olive Owner")
    page.get_by_label("Email").fill("olive@example.com")
    page.get_by_label("Password").fill("correct horse battery")
    page.get_by_role("button", name="Create firm and owner").click()
    page.get_by_label("New client").fill("Acme Bakery")
    page.get_by_role("button", name="Add client").click()

    page.get_by_role("link", name="Connection").click()
    page.get_by_role("button", name="Connect QuickBooks Online").click()
    expect(page.get_by_role("heading", name="Connect your QuickBooks company")).to_be_visible()
    page.get_by_role("button", name="Connect", exact=True).click()

    expect(page).to_have_url(f"{live_server}/clients/1/connection")
    expect(page.locator("dl.facts")).to_contain_text("Connected")
    # The chart of accounts arrives when the background pull finishes; the section refreshes.
    expect(page.locator("table.coa tbody tr").first).to_be_visible(timeout=60_000)
    expect(page.locator("#coa-stamp")).to_contain_text("seconds ago")
    page.get_by_role("link", name="Zera").click()
    expect(page.get_by_role("cell", name="QuickBooks Connected")).to_be_visible()
