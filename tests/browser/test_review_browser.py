"""In a real browser on a phone-sized screen: connect a client to the built-in sandbox, upload a
statement, say which QuickBooks account it is, then review it from the keyboard: edit a row's
payee and account, approve it, split another row, and approve the rest at a confidence, the
counts changing as rows move."""

from __future__ import annotations

import base64
import re

import pytest
from playwright.sync_api import Locator, Page, expect

from tests.browser.conftest import add_client_in_browser, set_up_firm_in_browser
from tests.browser.test_upload_browser import DROP
from tests.documents.helpers import statement

pytestmark = pytest.mark.browser


def _connect(page: Page, base: str) -> None:
    page.get_by_role("link", name="Connection").click()
    page.get_by_role("button", name="Connect QuickBooks Online").click()
    expect(page.get_by_role("heading", name="Connect your QuickBooks company")).to_be_visible()
    page.get_by_role("button", name="Connect", exact=True).click()
    expect(page).to_have_url(f"{base}/clients/1/connection")
    # The lists arrive when the background pull finishes; the section refreshes itself.
    expect(page.locator("table.coa tbody tr").first).to_be_visible(timeout=60_000)


def _upload(page: Page, pdf: bytes) -> None:
    page.get_by_role("link", name="Documents").click()  # an htmx swap: wait for it
    expect(page.locator(".dropzone")).to_be_visible()
    status = page.locator("#upload-status")
    # The drop zone's script binds to the swapped-in section a moment after it shows: drop
    # again until it has taken the file.
    for _ in range(40):
        page.evaluate(DROP, ["january.pdf", base64.b64encode(pdf).decode()])
        if "Ready to upload: january.pdf" in status.inner_text():
            break
        page.wait_for_timeout(250)
    expect(status).to_contain_text("Ready to upload: january.pdf")
    page.get_by_role("button", name="Upload").click()
    row = page.locator("#document-list tr", has_text="january.pdf")
    expect(row.locator(".badge.doc-ok")).to_have_text("Read", timeout=60_000)


def _count(page: Page, show: str) -> int:
    return int(page.locator(f"#count-{show}").inner_text())


def _row(page: Page, index: int) -> Locator:
    return page.locator("#grid tbody tr[data-record]").nth(index)


def _unbooked_index(page: Page) -> int:
    """The first expense row that has no account yet."""
    rows = page.locator("#grid tbody tr[data-record]")
    for i in range(rows.count()):
        row = rows.nth(i)
        account = row.locator('td[data-label="Account"]').inner_text().strip()
        if not account and row.locator('td[data-label="Type"]').inner_text() == "Expense":
            return i
    raise AssertionError("no expense row without an account")


def _press(page: Page, key: str, times: int = 1) -> None:
    for _ in range(times):
        page.keyboard.press(key)


def test_review_a_statement_from_the_keyboard(live_server: str, page: Page) -> None:
    pdf, truth = statement("us_signed", seed=81)
    lines = truth[0].transactions
    set_up_firm_in_browser(page, live_server)
    add_client_in_browser(page, "Acme Bakery")
    _connect(page, live_server)
    _upload(page, pdf)

    page.get_by_role("link", name="Review").click()
    page.locator("table.batches").get_by_role("link", name="january.pdf").click()
    expect(page.locator("#grid tbody tr[data-record]")).to_have_count(len(lines))
    question = page.get_by_label(
        re.compile(r"Which QuickBooks account is Bank account ····\d{4}\?")
    )
    if question.count():
        question.select_option(label="Business Checking")
        page.get_by_role("button", name="Save answer").click()
        expect(page.locator("#grid-message")).to_contain_text("is Business Checking in QuickBooks")
    expect(page.get_by_text("Which QuickBooks account is")).to_have_count(0)
    to_review = _count(page, "to_review")
    assert to_review == len(lines) and _count(page, "approved") == 0

    # Edit a row's payee and account without the mouse: move to it, e, type, Enter.
    target = _unbooked_index(page)
    _press(page, "j", target + 1)
    row = _row(page, target)
    expect(row).to_have_class(re.compile(r"\bcurrent\b"))
    record = row.get_attribute("id")
    _press(page, "e")
    payee = page.locator(f"#{record} input[name=payee]")
    expect(payee).to_be_focused()
    payee.fill("")
    page.keyboard.type("Juniper Corner Bakery")
    _press(page, "Tab")
    expect(page.locator(f"#{record} input[name=account]")).to_be_focused()
    page.keyboard.press("Control+A")
    page.keyboard.type("Fuel")
    _press(page, "Enter")
    edited = page.locator(f"#{record}")
    expect(edited.locator('td[data-label="Account"]')).to_have_text("Fuel")
    expect(edited.locator('td[data-label="Payee"]')).to_contain_text("Juniper Corner Bakery")
    expect(edited).to_have_class(re.compile(r"\bcurrent\b"))
    # Escape leaves an edit unsaved; a approves the current row.
    _press(page, "e")
    expect(page.locator(f"#{record} input[name=payee]")).to_be_focused()
    page.keyboard.type(" typo")
    _press(page, "Escape")
    expect(edited.locator('td[data-label="Payee"]')).not_to_contain_text("typo")
    expect(edited).to_have_class(re.compile(r"\bcurrent\b"))
    _press(page, "a")
    expect(edited.locator(".status-badge")).to_have_text("Approved")
    expect(page.locator("#count-approved")).to_have_text("1")
    expect(page.locator("#count-to_review")).to_have_text(str(to_review - 1))

    # Split another row into two lines that add up to its amount.
    target = _unbooked_index(page)
    split = _row(page, target)
    record = split.get_attribute("id")
    size = split.locator('td[data-label="Amount"]').inner_text().strip().lstrip("-")
    cents = round(float(size.replace(",", "")) * 100)
    split.get_by_role("link", name="Split").click()
    amounts = page.locator(f"#{record} input[name=amount]")
    accounts = page.locator(f"#{record} input[name=account]")
    expect(amounts).to_have_count(2)
    amounts.nth(0).fill(f"{(cents - 500) / 100:.2f}")
    accounts.nth(0).fill("Fuel")
    amounts.nth(1).fill("4.00")
    accounts.nth(1).fill("Meals")
    expect(page.locator(f"#{record} .split-total")).to_have_class(re.compile(r"\boff\b"))
    page.locator(f"#{record}").get_by_role("button", name="Save split", exact=True).click()
    expect(page.locator(f"#{record} .warnings")).to_contain_text("the lines add up to")
    amounts.nth(1).fill("5.00")
    expect(page.locator(f"#{record} .split-total")).not_to_have_class(re.compile(r"\boff\b"))
    page.locator(f"#{record}").get_by_role("button", name="Save split", exact=True).click()
    expect(page.locator(f'#{record} td[data-label="Account"]')).to_have_text("Split (2)")

    # Approve the rest at or above a confidence; rows that cannot be approved are reported.
    approved = _count(page, "approved")
    page.get_by_label("Approve every row at or above (% confidence)").fill("0")
    page.get_by_role("button", name="Approve at or above").click()
    report = page.locator("#bulk-report")
    expect(report).to_contain_text("Approved")
    changed = int(re.search(r"Approved (\d+) row", report.inner_text()).group(1))  # type: ignore[union-attr]
    assert changed >= 1  # the split row at least
    expect(page.locator("#count-approved")).to_have_text(str(approved + changed))
    expect(page.locator("#count-to_review")).to_have_text(str(to_review - 1 - changed))
    if _count(page, "to_review"):
        expect(report).to_contain_text("Skipped")
    # The filters swap the grid: approved rows are all there.
    page.locator(".filters").get_by_role("link", name=re.compile("^Approved")).click()
    expect(page.locator("#grid tbody tr[data-record]")).to_have_count(approved + changed)
    expect(page).to_have_url(re.compile(r"\?show=approved$"))
