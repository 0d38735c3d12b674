"""Full reference + 12-month history pull of the seeded sandbox company: Zera against the bound
the rate limits set, and against python-quickbooks doing the same pull its natural way.

    uv run python bench/qbo_pull.py

Runs `zera sandbox` (Intuit's limits on: 500 requests/min, 10 concurrent per realm) on a free
loopback port, connects through the OAuth consent flow, then times both pulls in one run.
Prints its figures; asserts nothing.
"""

from __future__ import annotations

import asyncio
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import warnings
from datetime import UTC, datetime, timedelta
from html import unescape
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from zera.accounts import SYSTEM  # noqa: E402
from zera.db import engine_for, migrate  # noqa: E402
from zera.qbo.service import QuickBooks  # noqa: E402
from zera.settings import Settings  # noqa: E402
from zera.sync import history, mirror  # noqa: E402

CLIENT_ID, CLIENT_SECRET, VERIFIER = "bench-app", "bench-secret-value", "bench-verifier"
CONTROL_TOKEN = "bench-control-token"  # noqa: S105 (the bench sandbox's X-Sandbox-Token)
REDIRECT = "http://127.0.0.1:9/qbo/callback"
WINDOW, PER_MINUTE, CONCURRENT = 60.0, 500, 10
ROUNDS = 3


class TimedTransport(httpx.AsyncBaseTransport):
    """Counts requests and adds up the time each spent in flight."""

    def __init__(self) -> None:
        self.inner = httpx.AsyncHTTPTransport()
        self.count = 0
        self.busy = 0.0
        self.requests: list[tuple[str, str, dict[str, str]]] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        began = time.perf_counter()
        response = await self.inner.handle_async_request(request)
        await response.aread()
        self.busy += time.perf_counter() - began
        if "/v3/company/" in str(request.url):
            self.count += 1
            self.requests.append((request.method, str(request.url), dict(request.headers)))
        return response


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def consent(base: str, realm: str) -> dict[str, str]:
    page = httpx.get(
        f"{base}/connect/oauth2",
        params={
            "client_id": CLIENT_ID,
            "response_type": "code",
            "redirect_uri": REDIRECT,
            "scope": "com.intuit.quickbooks.accounting",
            "state": "bench",
        },
        timeout=30,
    )
    form = {
        n: unescape(v)
        for n, v in re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', page.text)
    }
    answer = httpx.post(
        f"{base}/connect/oauth2", timeout=30, data={**form, "realm_id": realm, "decision": "allow"}
    )
    return {k: v[0] for k, v in parse_qs(urlsplit(answer.headers["location"]).query).items()}


def server_floor(requests: list[tuple[str, str, dict[str, str]]]) -> float:
    """The same API requests replayed one at a time with nothing done with the answers: how
    fast the server alone can hand over this data."""
    began = time.perf_counter()
    with httpx.Client(timeout=60) as http:
        for method, url, headers in requests:
            http.request(method, url, headers=headers).raise_for_status()
    return time.perf_counter() - began


async def zera_pull(
    settings: Settings, base: str, realm: str
) -> tuple[float, int, float, int, float]:
    """A first pull into an empty Zera database (a new install connecting its first client)."""
    await migrate(engine_for(settings.database_url))
    transport = TimedTransport()
    quickbooks = QuickBooks(settings, transport=transport)
    tokens = await quickbooks.oauth.exchange_code(consent(base, realm)["code"])
    await quickbooks.vault.store_connection(SYSTEM, 1, realm, tokens, "bench")
    began = time.perf_counter()
    async with quickbooks.client_for(1) as qbo:
        refs, txns = await asyncio.gather(
            mirror.pull_reference(qbo, 1), history.pull_history(qbo, 1)
        )
    wall = time.perf_counter() - began
    return wall, transport.count, transport.busy, refs + txns, server_floor(transport.requests)


def zera_settings(home: Path, base: str) -> Settings:
    return Settings.from_env(
        {
            "ZERA_BASE_DIR": str(home),
            "ZERA_SANDBOX_URL": base,
            "ZERA_SANDBOX_CLIENT_ID": CLIENT_ID,
            "ZERA_SANDBOX_CLIENT_SECRET": CLIENT_SECRET,
            "ZERA_SANDBOX_VERIFIER_TOKEN": VERIFIER,
            "ZERA_PUBLIC_URL": "http://127.0.0.1:9",
        }
    )


def python_quickbooks_pull(base: str, realm: str) -> tuple[float, int]:
    os.environ["OAUTHLIB_INSECURE_TRANSPORT"] = "1"  # requests-oauthlib insists on https
    from intuitlib.client import AuthClient
    from quickbooks import QuickBooks as PyQuickBooks
    from quickbooks.objects import (
        account,
        bill,
        billpayment,
        company_info,
        creditmemo,
        customer,
        department,
        deposit,
        employee,
        estimate,
        invoice,
        item,
        journalentry,
        payment,
        paymentmethod,
        preferences,
        purchase,
        purchaseorder,
        salesreceipt,
        taxcode,
        taxrate,
        term,
        trackingclass,
        vendor,
        vendorcredit,
    )

    auth = AuthClient(
        CLIENT_ID,
        CLIENT_SECRET,
        REDIRECT,
        environment=f"{base}/.well-known/openid_sandbox_configuration",
    )
    callback = consent(base, realm)
    auth.get_bearer_token(callback["code"], realm_id=realm)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        qb = PyQuickBooks(
            auth_client=auth, refresh_token=auth.refresh_token, company_id=realm, minorversion=75
        )
    qb.api_url_v3 = qb.sandbox_api_url_v3 = f"{base}/v3"
    lists = [
        account.Account,
        vendor.Vendor,
        customer.Customer,
        employee.Employee,
        item.Item,
        taxcode.TaxCode,
        taxrate.TaxRate,
        term.Term,
        paymentmethod.PaymentMethod,
        trackingclass.Class,
        department.Department,
    ]
    txns = [
        purchase.Purchase,
        deposit.Deposit,
        bill.Bill,
        billpayment.BillPayment,
        invoice.Invoice,
        payment.Payment,
        journalentry.JournalEntry,
        creditmemo.CreditMemo,
        vendorcredit.VendorCredit,
        estimate.Estimate,
        purchaseorder.PurchaseOrder,
        salesreceipt.SalesReceipt,
    ]
    since = (datetime.now(UTC) - timedelta(days=12 * 31)).date().isoformat()
    began = time.perf_counter()
    records = 0
    for cls in lists + txns:
        start = 1
        while True:  # the library's own paging: all()/where() with start_position
            if cls in txns:
                page = cls.where(
                    f"TxnDate >= '{since}'", start_position=start, max_results=1000, qb=qb
                )
            else:
                page = cls.all(start_position=start, max_results=1000, qb=qb)
            records += len(page)
            start += len(page)
            if len(page) < 1000:
                break
    company_info.CompanyInfo.get(realm, qb=qb)
    preferences.Preferences.get(qb=qb)
    return time.perf_counter() - began, records + 2


def main() -> None:
    work = Path(tempfile.mkdtemp(prefix="zera-bench-pull-"))
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "ZERA_BASE_DIR": str(work / "sandbox"),
        "ZERA_SANDBOX_CLIENT_ID": CLIENT_ID,
        "ZERA_SANDBOX_CLIENT_SECRET": CLIENT_SECRET,
        "ZERA_SANDBOX_VERIFIER_TOKEN": VERIFIER,
        "ZERA_SANDBOX_REDIRECT_URIS": REDIRECT,
        "ZERA_SANDBOX_WEBHOOKS": "false",
        "ZERA_SANDBOX_CONTROL_TOKEN": CONTROL_TOKEN,
    }
    server = subprocess.Popen(
        [sys.executable, "-m", "zera.cli", "sandbox", "--port", str(port)],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(600):
            try:
                companies = httpx.get(
                    f"{base}/_sandbox/api/companies",
                    headers={"X-Sandbox-Token": CONTROL_TOKEN},
                    timeout=2,
                ).json()
                break
            except (httpx.TransportError, ValueError):
                time.sleep(0.1)
        realm = companies["companies"][0]["realmId"]
        # Alternate the two clients, three rounds each, after one warm-up pull, so neither gains
        # from the sandbox's caches being warmed by the other.
        python_quickbooks_pull(base, realm)
        ours_runs: list[float] = []
        theirs_runs: list[float] = []
        floors: list[float] = []
        for round_no in range(ROUNDS):
            ours, requests_made, busy, stored, floor = asyncio.run(
                zera_pull(zera_settings(work / f"zera-{round_no}", base), base, realm)
            )
            ours_runs.append(ours)
            floors.append(floor)
            theirs, their_records = python_quickbooks_pull(base, realm)
            theirs_runs.append(theirs)
    finally:
        server.terminate()
        server.wait(timeout=30)
    ours, theirs = statistics.median(ours_runs), statistics.median(theirs_runs)
    rate_bound = ((requests_made - 1) // PER_MINUTE) * WINDOW
    floor = statistics.median(floors)
    bound = max(rate_bound, floor)
    print(
        f"seeded sandbox company (realm {realm}): {stored} records stored by Zera, "
        f"{their_records} read by python-quickbooks"
    )
    runs = ", ".join(f"{t:.2f}" for t in ours_runs)
    print(
        f"Zera: median {ours:.2f} s wall of {ROUNDS} ({runs}), {requests_made} API requests, "
        f"{busy:.2f} s of request time"
    )
    print(
        f"bound: max({rate_bound:.1f} s that Intuit's 500/min forces on {requests_made} requests, "
        f"{floor:.2f} s for the server to answer them one by one) = {bound:.2f} s; "
        f"Zera is {ours / bound:.2f}x the bound"
    )
    print(
        f"python-quickbooks (sequential, its own paging): median {theirs:.2f} s wall "
        f"({', '.join(f'{t:.2f}' for t in theirs_runs)}); "
        f"python-quickbooks / Zera = {theirs / ours:.2f}x"
    )


if __name__ == "__main__":
    main()
