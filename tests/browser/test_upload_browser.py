"""In a real browser on a phone-sized screen: drop a statement on the Documents section, watch
it upload and get read, find its batch on Review, and open a row's source page."""

from __future__ import annotations

import base64

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import add_client_in_browser, set_up_firm_in_browser
from tests.documents.helpers import statement

pytestmark = pytest.mark.browser

DROP = """([name, b64]) => {
  const bytes = Uint8Array.from(atob(b64), c => c.charCodeAt(0));
  const transfer = new DataTransfer();
  transfer.items.add(new File([bytes], name, {type: "application/pdf"}));
  const zone = document.querySelector(".dropzone");
  for (const type of ["dragenter", "dragover", "drop"]) {
    const init = {bubbles: true, cancelable: true, dataTransfer: transfer};
    zone.dispatchEvent(new DragEvent(type, init));
  }
}"""


def _set_up(page: Page, base: str) -> None:
    set_up_firm_in_browser(page, base)
    add_client_in_browser(page, "Acme Bakery")


def test_upload_a_statement_and_open_a_rows_source_page(live_server: str, page: Page) -> None:
    pdf, truth = statement("us_signed", seed=71)
    first = truth[0].transactions[0]
    _set_up(page, live_server)

    page.evaluate(
        "() => { window.uploadProgress = [];"
        " document.addEventListener('htmx:xhr:progress', e => window.uploadProgress.push("
        "e.detail.loaded / e.detail.total)); }"
    )
    page.evaluate(DROP, ["january.pdf", base64.b64encode(pdf).decode()])
    expect(page.locator("#upload-status")).to_contain_text("Ready to upload: january.pdf")
    page.get_by_role("button", name="Upload").click()

    results = page.get_by_role("list", name="Upload results")
    expect(results).to_contain_text("january.pdf: reading it now")
    assert page.evaluate("Math.max(...window.uploadProgress)") == 1
    # The list polls until the job is done: no reload needed to see the document read.
    row = page.locator("#document-list tr", has_text="january.pdf")
    expect(row.locator(".badge.doc-ok")).to_have_text("Read", timeout=60_000)

    page.get_by_role("link", name="Review").click()  # an htmx swap: wait for it before going on
    batches = page.locator("table.batches")
    expect(batches).to_be_visible()
    batches.get_by_role("link", name="january.pdf").click()
    expect(page.locator(".proof.ok")).to_contain_text("✓ reconciles")
    expect(page.locator("table.lines tbody tr")).to_have_count(len(truth[0].transactions))

    page.get_by_role("link", name=first.description, exact=True).first.click()
    image = page.get_by_role("img", name="Page 1 of january.pdf")
    expect(image).to_be_visible()
    loaded = "img => img.complete && img.naturalWidth > 0"
    page.wait_for_function(loaded, arg=image.element_handle())
    box = page.locator(".page-view .highlight").bounding_box()
    frame = image.bounding_box()
    assert box and frame
    assert frame["width"] <= 390  # the page fits the phone's screen
    assert frame["x"] <= box["x"] and box["x"] + box["width"] <= frame["x"] + frame["width"] + 1
    assert frame["y"] < box["y"] < frame["y"] + frame["height"]
    assert box["height"] < frame["height"] / 20
