"""In a real browser on a phone-sized screen, against `zera serve` and its built-in sandbox: a
record pushed to QuickBooks is changed there (memo and date, through the sandbox's control
surface, as a QuickBooks user would) and in Zera (the same two fields, differently). Sending
Zera's edit reads QuickBooks first, finds the clash and writes nothing. The user opens
Conflicts, keeps Zera's memo and QuickBooks' date, resolves, and QuickBooks then has exactly
that."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import add_client_in_browser, set_up_firm_in_browser
from tests.conftest import SANDBOX_CONTROL_TOKEN, SECRET_KEY, running_zera

pytestmark = pytest.mark.browser
ROOT = Path(__file__).resolve().parents[2]
HTMX = {"HX-Request": "true"}
ZERA_MEMO = "Mower fuel <b>Zera</b>"  # markup typed into a memo must come back as text
ZERA_DATE = "2026-03-05"
QUICKBOOKS_MEMO = "Fuel for the crew's trucks"
QUICKBOOKS_DATE = "2026-03-06"
PURCHASE = {"type": "Purchase", "record": {
    "PaymentType": "Cash", "AccountRef": {"name": "Business Checking"},
    "EntityRef": {"name": "Shell Oil", "type": "Vendor"}, "TxnDate": "2026-03-04",
    "PrivateNote": "fuel",
    "Line": [{"Amount": "41.20", "DetailType": "AccountBasedExpenseLineDetail",
              "AccountBasedExpenseLineDetail": {"AccountRef": {"name": "Fuel"}}}]}}  # fmt: skip


@pytest.fixture
def server(tmp_path: Path) -> Iterator[str]:
    """`zera serve` whose sandbox sends no webhooks: QuickBooks' change must not be taken in
    before Zera's edit (it would then merge, not clash); the push of Zera's edit finds it."""
    with running_zera(tmp_path, ZERA_SANDBOX_WEBHOOKS="false") as base:
        yield base


def zera_cli(home: Path, *args: str) -> str:
    """`zera ARGS...` on the running server's installation (its database in `home`)."""
    env = {**os.environ, "ZERA_BASE_DIR": str(home), "ZERA_SECRET_KEY": SECRET_KEY,
           "ZERA_LOG_LEVEL": "WARNING"}  # fmt: skip
    for name in ("DATABASE_URL", "ZERA_QUEUE_URL", "REDIS_URL"):
        env.pop(name, None)
    done = subprocess.run([sys.executable, "-m", "zera.cli", *args], env=env, cwd=ROOT,
                          capture_output=True, text=True, timeout=60, check=False)  # fmt: skip
    assert done.returncode == 0, done.stderr
    return done.stdout


def as_quickbooks_user(base: str, realm: str, payload: dict[str, Any]) -> dict[str, Any]:
    """A change made in QuickBooks (an update naming only the Id changes nothing and answers
    the Purchase as QuickBooks has it)."""
    answer = httpx.post(f"{base}/_sandbox/api/companies/{realm}/records/Purchase",
                        json={"operation": "update", "payload": payload},
                        headers={"X-Sandbox-Token": SANDBOX_CONTROL_TOKEN}, timeout=30)  # fmt: skip
    assert answer.status_code == 200, answer.text
    return dict(answer.json()["Purchase"])


def tab(page: Page, name: str) -> None:
    page.locator("nav.tabs").get_by_role("link", name=name).click()


def wait_for(page: Page, url: str, text: str, timeout: float = 30) -> None:
    """Poll `url` (with the browser's session) until its answer contains `text`."""
    deadline = time.monotonic() + timeout
    while text not in page.request.get(url).text():
        assert time.monotonic() < deadline, f"{text!r} never appeared on {url}"
        time.sleep(0.25)


def edit_in_zera(page: Page, base: str, record_id: int, memo: str, date: str) -> None:
    """The review grid's row edit, as its form posts it."""
    url = f"{base}/clients/1/records/{record_id}/edit"
    form = page.request.get(url, headers=HTMX).text()
    version = re.search(r'name="version" value="(\d+)"', form)
    token = re.search(r'name="_csrf_token" value="([^"]+)"', page.content())
    assert version and token
    saved = page.request.post(url, headers=HTMX, form={
        "_csrf_token": token.group(1), "version": version.group(1), "date": date,
        "payee": "Shell Oil", "account": "Fuel", "memo": memo})  # fmt: skip
    assert saved.status == 200, saved.text()


def test_a_conflict_is_resolved_field_by_field_and_quickbooks_gets_the_choice(
    server: str, page: Page, tmp_path: Path
) -> None:
    base = server
    set_up_firm_in_browser(page, base)
    add_client_in_browser(page, "Juniper Landscaping")
    tab(page, "Connection")
    page.get_by_role("button", name="Connect QuickBooks Online").click()
    page.get_by_role("button", name="Connect", exact=True).click()
    expect(page.locator("table.coa tbody tr").first).to_be_visible(timeout=30_000)
    realm = re.search(r"realm (\d+)", page.locator("dl.facts").first.inner_text())
    assert realm

    # Given a record in QuickBooks...
    path = tmp_path / "purchase.json"
    path.write_text(json.dumps([PURCHASE]))
    [made] = json.loads(zera_cli(tmp_path, "records", "import", "--client", "1", "--approve",
                                 str(path)))  # fmt: skip
    tab(page, "Push")
    page.get_by_role("button", name="Push 1 record to QuickBooks").click()
    expect(page.locator('li[data-outcome="created"] .count')).to_have_text("1", timeout=30_000)
    [pushed] = [
        json.loads(line)
        for line in zera_cli(
            tmp_path, "records", "list", "--client", "1", "--status", "in_quickbooks"
        ).splitlines()
    ]
    assert pushed["id"] == made["id"]
    # ...changed in QuickBooks, then in Zera, in the same two fields:
    as_quickbooks_user(base, realm.group(1), {"Id": pushed["qbo_id"],
                       "PrivateNote": QUICKBOOKS_MEMO, "TxnDate": QUICKBOOKS_DATE})  # fmt: skip
    edit_in_zera(page, base, made["id"], ZERA_MEMO, ZERA_DATE)
    wait_for(page, f"{base}/clients/1/conflicts", f'id="conflict-{made["id"]}"')

    # The user opens Conflicts and compares:
    tab(page, "Conflicts")
    listed = page.locator(f"#conflict-{made['id']}")
    expect(listed).to_contain_text(ZERA_MEMO)
    expect(listed).to_contain_text(QUICKBOOKS_MEMO)
    listed.get_by_role("link", name=re.compile("Compare and resolve")).click()
    memo, day = page.locator('tr[data-key="PrivateNote"]'), page.locator('tr[data-key="TxnDate"]')
    expect(memo).to_have_class("clash")
    expect(memo.locator('td[data-label="Base (as last agreed)"]')).to_have_text("fuel")
    expect(memo.locator('td[data-label="Zera"] .value')).to_have_text(ZERA_MEMO)
    expect(memo.locator('td[data-label="QuickBooks"] .value')).to_have_text(QUICKBOOKS_MEMO)
    expect(day.locator('td[data-label="QuickBooks"] .value')).to_have_text(QUICKBOOKS_DATE)
    # Resolving before choosing the date is stopped by the form itself.
    memo.get_by_label("Keep Zera's").check()
    page.get_by_role("button", name="Resolve with these choices").click()
    assert day.get_by_label("Keep QuickBooks'").evaluate("radio => radio.matches(':invalid')")
    expect(memo.get_by_label("Keep Zera's")).to_be_checked()  # still the same page
    day.get_by_label("Keep QuickBooks'").check()
    page.get_by_role("button", name="Resolve with these choices").click()

    expect(page.locator("#conflicts-message")).to_have_text(
        "Resolved: sending your choice to QuickBooks."
    )
    expect(page).to_have_url(f"{base}/clients/1/conflicts")
    expect(page.get_by_text("No conflicts between Zera and QuickBooks.")).to_be_visible()
    wait_for(page, f"{base}/clients/1/records?status=in_quickbooks", f'id="record-{made["id"]}"')
    there = as_quickbooks_user(base, realm.group(1), {"Id": pushed["qbo_id"]})
    assert there["PrivateNote"].startswith(ZERA_MEMO)  # Zera's memo (and its marker)
    assert there["TxnDate"] == QUICKBOOKS_DATE
