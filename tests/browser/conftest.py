"""Debian's Chromium driven by Playwright (the `live_server` fixture is in tests/conftest.py)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from tests.conftest import SETUP_TOKEN

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


@pytest.fixture
def browser() -> Iterator[Browser]:
    # Function-scoped: Playwright's sync API keeps an event loop running in this thread while it
    # is open, which would break the asyncio tests that run after the browser tests.
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 390, "height": 844})  # a phone
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def set_up_firm_in_browser(page: Page, base: str) -> None:
    """Fill in the one-time set-up page as the firm's owner; lands on the dashboard."""
    page.goto(f"{base}/setup?token={SETUP_TOKEN}")  # the URL `zera serve` prints
    page.get_by_label("Firm name").fill("Ledger & Co")
    page.get_by_label("Your name").fill("Olive Owner")
    page.get_by_label("Email").fill("olive@example.com")
    page.get_by_label("Password").fill("correct horse battery")
    page.get_by_role("button", name="Create firm and owner").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Ledger & Co")


def add_client_in_browser(page: Page, name: str) -> None:
    """On the dashboard, add a client; lands on its page."""
    page.get_by_label("New client").fill(name)
    page.get_by_role("button", name="Add client").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(name)
