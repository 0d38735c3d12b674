"""In a real browser: connect a client to the built-in sandbox and see its chart of accounts."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import add_client_in_browser, set_up_firm_in_browser

pytestmark = pytest.mark.browser


def test_connect_quickbooks_through_the_consent_page(live_server: str, page: Page) -> None:
    set_up_firm_in_browser(page, live_server)
    add_client_in_browser(page, "Acme Bakery")

    page.get_by_role("link", name="Connection").click()
    page.get_by_role("button", name="Connect QuickBooks Online").click()
    expect(page.get_by_role("heading", name="Connect your QuickBooks company")).to_be_visible()
    page.get_by_role("button", name="Connect", exact=True).click()

    expect(page).to_have_url(f"{live_server}/clients/1/connection")
    expect(page.locator("dl.facts").first).to_contain_text("Connected")
    # The chart of accounts arrives when the background pull finishes; the section refreshes.
    expect(page.locator("table.coa tbody tr").first).to_be_visible(timeout=60_000)
    expect(page.locator("#coa-stamp")).to_contain_text("seconds ago")
    page.get_by_role("link", name="Zera").click()
    expect(page.get_by_role("cell", name="QuickBooks Connected")).to_be_visible()
