"""Pushing 1,000 records to QuickBooks: Zera's push against the bound Intuit's limits set,
python-quickbooks creating the same records one by one, the peak memory of the worker doing the
push, and a push whose worker is killed (SIGKILL) half-way.

    uv run python bench/push.py [--records 1000] [--one-by-one 200] [--crash-records 300]

Runs `zera sandbox` with Intuit's limits on (500 requests a minute per company, each batch item
metered as one call; 10 concurrent; 120 batch requests a minute) and `zera worker` processes on
a temporary home (SQLite, the embedded queue). This process plays the web process: it connects
each client through the consent page, stores the approved Purchases and enqueues the
`push_records` job; a fresh worker runs it. Each run gets its own sandbox company, so no run
spends another's minute. Prints its figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
import warnings
from collections import Counter
from datetime import UTC, datetime
from decimal import Decimal
from html import unescape
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import zera.tasks  # noqa: E402, F401  (declares every task before the queue is built)
from zera.accounts import SYSTEM  # noqa: E402
from zera.accounts.audit import Actor  # noqa: E402
from zera.clients import client_by_reference  # noqa: E402
from zera.db import bind_tables, engine_for, migrate  # noqa: E402
from zera.db.tables import Client, Job, PushRun, Record  # noqa: E402
from zera.qbo import QBOClient, RateLimiter, VaultAuth  # noqa: E402
from zera.qbo.ratelimit import RateLimits  # noqa: E402
from zera.qbo.service import QuickBooks  # noqa: E402
from zera.queue import JobQueue  # noqa: E402
from zera.review import records  # noqa: E402
from zera.settings import Settings  # noqa: E402
from zera.sync import mirror  # noqa: E402
from zera.sync.lists import reference_lists  # noqa: E402
from zera.tasks.qbo import push_records  # noqa: E402

CLIENT_ID, CLIENT_SECRET, VERIFIER = "bench-app", "bench-secret-value", "bench-verifier"
CONTROL_TOKEN = "bench-control-token"  # noqa: S105 (a throwaway sandbox's X-Sandbox-Token)
REDIRECT = "http://127.0.0.1:9/qbo/callback"
PER_MINUTE, CONCURRENT, BATCHES_PER_MINUTE, BATCH = 500, 10, 120, 30
WINDOW = 60.0
NEW_PAYEES = [f"Bench Payee {n}" for n in range(10)]
ACTOR = Actor(None, "bench@example.com")
MARKER = re.compile(r"\[zera (\d+)\]")
_REQUEST = re.compile(
    r'"at": "([^"]+)".*HTTP Request: (\w+) \S+/v3/company/\d+/(\w+)\S* \S*HTTP/1.1 (\d+)'
)


# -- the sandbox ----------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def control(base: str, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
    answer = httpx.request(
        method, f"{base}/_sandbox/api{path}", json=body, timeout=120,
        headers={"X-Sandbox-Token": CONTROL_TOKEN},
    )  # fmt: skip
    answer.raise_for_status()
    return answer.json()


def consent(base: str, realm: str) -> dict[str, str]:
    """Act as the person on Intuit's consent page; return the callback's query."""
    page = httpx.get(
        f"{base}/connect/oauth2",
        params={"client_id": CLIENT_ID, "response_type": "code", "redirect_uri": REDIRECT,
                "scope": "com.intuit.quickbooks.accounting", "state": "bench"},
        timeout=30,
    )  # fmt: skip
    form = {
        n: unescape(v)
        for n, v in re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', page.text)
    }
    answer = httpx.post(
        f"{base}/connect/oauth2", timeout=30, data={**form, "realm_id": realm, "decision": "allow"}
    )
    return {k: v[0] for k, v in parse_qs(urlsplit(answer.headers["location"]).query).items()}


def amount(n: int) -> Decimal:
    """The n-th record's amount: no two alike among 500, so none looks like a duplicate."""
    return Decimal(10 + n % 500) + Decimal(n % 100) / 100


def new_payee(n: int) -> str:
    """Every fourth record names a payee QuickBooks does not have yet ("" for the others)."""
    return NEW_PAYEES[n // 4 % len(NEW_PAYEES)] if n % 4 == 0 else ""


def day(n: int) -> str:
    return f"2026-03-{1 + n % 28:02d}"


class FreeLedger:
    """A rate-limit ledger that always has a slot: counting what QuickBooks holds after a run
    must not wait out the minute the run just used (the sandbox's limits are lifted meanwhile)."""

    async def try_acquire(
        self, realm_id: str, batch: bool, limits: RateLimits
    ) -> tuple[int | None, float]:
        return 1, 0.0

    async def release(self, slot_id: int) -> None:
        return None


# -- Zera's side ----------------------------------------------------------------------------------


class Worker:
    """One `zera worker` process with its log; its peak resident memory read from /proc."""

    def __init__(self, env: dict[str, str], log_path: Path) -> None:
        self.log_path = log_path
        with log_path.open("wb") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "zera.cli", "worker"],
                env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT,
            )  # fmt: skip
        deadline = time.monotonic() + 60
        while "worker started" not in log_path.read_text(errors="replace"):
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("zera worker did not start:\n" + log_path.read_text())
            time.sleep(0.05)
        self.started_rss_mb = self.memory_mb()[0]

    def memory_mb(self) -> tuple[float, float]:
        """Resident memory now and at its peak (VmRSS, VmHWM), in MB."""
        status = Path(f"/proc/{self.process.pid}/status").read_text()
        now, peak = (
            int(re.search(rf"{k}:\s+(\d+) kB", status).group(1))  # type: ignore[union-attr]
            for k in ("VmRSS", "VmHWM")
        )
        return now / 1024, peak / 1024

    def kill(self) -> None:
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=30)

    def stop(self) -> None:
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def requests(self) -> list[tuple[float, str, str, int]]:
        """(time, method, endpoint, status) of every API request the worker made."""
        found = []
        for line in self.log_path.read_text(errors="replace").splitlines():
            match = _REQUEST.search(line)
            if match:
                at = datetime.fromisoformat(match.group(1)).timestamp()
                found.append((at, match.group(2), match.group(3), int(match.group(4))))
        return found


class Bench:
    def __init__(self, work: Path, base: str) -> None:
        self.work = work
        self.base = base
        self.env = {
            **{k: v for k, v in os.environ.items()
               if not k.startswith("ZERA_") and k not in {"DATABASE_URL", "REDIS_URL"}},
            "ZERA_BASE_DIR": str(work / "zera"),
            "ZERA_SANDBOX_URL": base,
            "ZERA_SANDBOX_CLIENT_ID": CLIENT_ID,
            "ZERA_SANDBOX_CLIENT_SECRET": CLIENT_SECRET,
            "ZERA_SANDBOX_VERIFIER_TOKEN": VERIFIER,
            "ZERA_PUBLIC_URL": "http://127.0.0.1:9",
            "ZERA_LOG_LEVEL": "INFO",  # httpx logs each request: the figures count them
            "ZERA_WORKER_THREADS": "2",
        }  # fmt: skip
        (work / "zera").mkdir()
        self.settings = Settings.from_env(self.env)
        # A killed worker's job comes back after 5 s rather than the default 30.
        self.env["ZERA_QUEUE_URL"] = f"{self.settings.queue_url}?lease_seconds=5"
        self.quickbooks = QuickBooks(self.settings)
        self.queue: JobQueue | None = None
        self.workers = 0

    async def start(self) -> None:
        await migrate(engine_for(self.settings.database_url))
        bind_tables(engine_for(self.settings.database_url))
        self.queue = JobQueue(self.settings.queue_url)
        self.queue.init_storage()

    def worker(self) -> Worker:
        self.workers += 1
        return Worker(self.env, self.work / f"worker-{self.workers}.log")

    async def client(self, name: str) -> tuple[int, str]:
        """A client connected to a new seeded company, its lists pulled; (client id, realm)."""
        company = {"name": name, "seed": 7, "months": 1}
        realm = str(control(self.base, "POST", "/companies", company)["realmId"])
        rows = await Client.insert(Client(name=name)).returning(Client.id).run()
        client_id = int(rows[0]["id"])
        tokens = await self.quickbooks.oauth.exchange_code(consent(self.base, realm)["code"])
        await self.quickbooks.vault.store_connection(SYSTEM, client_id, realm, tokens, name)
        async with self.quickbooks.client_for(client_id) as qbo:
            await mirror.pull_reference(qbo, client_id)
        return client_id, realm

    async def approve(self, client_id: int, count: int) -> list[int]:
        """`count` approved Purchases: cash from the bank account, one expense each, every
        fourth naming a payee QuickBooks does not have yet."""
        lists = await reference_lists(client_id)
        bank = next(e.name for e in lists.of("Account") if e.active and e.kind == "Bank")
        expense = next(e.name for e in lists.of("Account") if e.active and e.kind == "Expense")
        known = [e.name for e in lists.of("Vendor") if e.active][:3]
        drafts = []
        for n in range(count):
            payee = new_payee(n) or known[n % len(known)]
            line = {
                "Amount": str(amount(n)),
                "DetailType": "AccountBasedExpenseLineDetail",
                "AccountBasedExpenseLineDetail": {"AccountRef": {"name": expense}},
            }
            drafts.append(records.Draft("Purchase", {
                "PaymentType": "Cash", "AccountRef": {"name": bank}, "TxnDate": day(n),
                "EntityRef": {"name": payee, "type": "Vendor"}, "Line": [line]}))  # fmt: skip
        client = await client_by_reference(str(client_id))
        stored = []
        for start in range(0, count, 250):
            stored += await records.create_records(
                ACTOR, client, drafts[start : start + 250], approve=True
            )
        return [r.id for r in stored]

    async def enqueue_push(self, client_id: int) -> Any:
        assert self.queue is not None
        return await push_records.send(self.queue, client_id=client_id, started_by=ACTOR.email)

    async def job_done(self, job_id: Any) -> dict[str, Any]:
        deadline = time.monotonic() + 900
        while True:
            job = await Job.select().where(Job.id == job_id).first().run()
            if job and job["state"] in ("done", "failed"):
                return dict(job)
            if time.monotonic() > deadline:
                raise RuntimeError(f"the push job did not finish: {job}")
            await asyncio.sleep(0.1)

    async def in_quickbooks(self, client_id: int, realm: str) -> Counter[int]:
        """How many Purchases in the company carry each record's marker."""
        vault = self.quickbooks.vault

        async def token(stale: str | None) -> str:
            return str(await vault.access_token(client_id, stale=stale))

        control(self.base, "POST", "/limits", {"enabled": False})
        found: Counter[int] = Counter()
        try:
            async with httpx.AsyncClient() as http:
                qbo = QBOClient(http, api_base=self.base, realm_id=realm, auth=VaultAuth(token),
                                limiter=RateLimiter(FreeLedger()))  # fmt: skip
                async for page in qbo.query_all("Purchase"):
                    for txn in page:
                        found.update(int(t) for t in MARKER.findall(str(txn.get("PrivateNote"))))
        finally:
            control(self.base, "POST", "/limits", {"enabled": True})
        return found


async def states(ids: list[int]) -> Counter[str]:
    rows = await Record.select(Record.status).where(Record.id.is_in(ids)).run()
    return Counter(row["status"] for row in rows)


# -- the runs -------------------------------------------------------------------------------------


async def zera_push(bench: Bench, count: int) -> dict[str, Any]:
    client_id, realm = await bench.client("Bench Push Co")
    ids = await bench.approve(client_id, count)
    # Start with the company's minute empty (connecting used part of it), as the bound assumes.
    print(f"  {count} approved records stored; waiting out the minute connecting used ...")
    await asyncio.sleep(WINDOW + 1)
    worker = bench.worker()
    began = time.time()
    job = await bench.job_done(await bench.enqueue_push(client_id))
    wall = time.time() - began
    _, peak = worker.memory_mb()
    worker.stop()
    run = await PushRun.select().where(PushRun.client_id == client_id).first().run()
    assert run is not None
    found = await bench.in_quickbooks(client_id, realm)
    requests = [r for r in worker.requests() if r[0] >= began - 1]
    admitted = [r for r in requests if r[3] < 400]
    batches = [r for r in admitted if r[2] == "batch"]
    calls = sum(1 for r in admitted if r[2] != "batch") + count  # each batch item is a call
    # The burst before the limit holds the push: batches until the first pause of over 5 s.
    burst_end = next((b for a, b in itertools.pairwise(batches) if b[0] - a[0] > 5), None)
    burst = [b for b in batches if burst_end is None or b[0] < burst_end[0]]
    burst_items = min(count, BATCH * len(burst))
    burst_seconds = burst[-1][0] - began if burst else 0.0
    return {
        "count": count, "wall": wall, "job": job["state"],
        "push_seconds": (run["finished_at"] - run["started_at"]).total_seconds(),
        "calls": calls, "batches": len(batches), "throttled": sum(r[3] == 429 for r in requests),
        "start_mb": worker.started_rss_mb, "peak_mb": peak, "states": await states(ids),
        "once": sum(found[i] == 1 for i in ids), "twice": sum(found[i] > 1 for i in ids),
        "burst_items": burst_items, "burst_seconds": burst_seconds,
    }  # fmt: skip


def python_quickbooks_one_by_one(base: str, realm: str, count: int) -> tuple[float, int]:
    """python-quickbooks creating `count` of the same Purchases one request each (and the new
    payees they name first); returns (seconds, requests)."""
    os.environ["OAUTHLIB_INSECURE_TRANSPORT"] = "1"  # requests-oauthlib insists on https
    from intuitlib.client import AuthClient
    from quickbooks import QuickBooks as PyQuickBooks
    from quickbooks.objects.account import Account
    from quickbooks.objects.detailline import (
        AccountBasedExpenseLine,
        AccountBasedExpenseLineDetail,
    )
    from quickbooks.objects.purchase import Purchase
    from quickbooks.objects.vendor import Vendor

    auth = AuthClient(CLIENT_ID, CLIENT_SECRET, REDIRECT,
                      environment=f"{base}/.well-known/openid_sandbox_configuration")  # fmt: skip
    auth.get_bearer_token(consent(base, realm)["code"], realm_id=realm)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        qb = PyQuickBooks(auth_client=auth, refresh_token=auth.refresh_token, company_id=realm,
                          minorversion=75)  # fmt: skip
    qb.api_url_v3 = qb.sandbox_api_url_v3 = f"{base}/v3"
    bank = Account.where("AccountType = 'Bank'", qb=qb)[0].to_ref()
    expense = Account.where("AccountType = 'Expense'", qb=qb)[0].to_ref()
    known = [v.to_ref() for v in Vendor.all(max_results=3, qb=qb)]
    began = time.perf_counter()
    requests = 0
    payees: dict[str, Any] = {}
    for n in range(count):
        name = new_payee(n)
        if name:
            if name not in payees:
                vendor = Vendor()
                vendor.DisplayName = name
                payees[name] = vendor.save(qb=qb).to_ref()
                requests += 1
            payee = payees[name]
        else:
            payee = known[n % len(known)]
        line = AccountBasedExpenseLine()
        line.Amount = amount(n)
        line.AccountBasedExpenseLineDetail = AccountBasedExpenseLineDetail()
        line.AccountBasedExpenseLineDetail.AccountRef = expense
        purchase = Purchase()
        purchase.PaymentType, purchase.AccountRef, purchase.EntityRef = "Cash", bank, payee
        purchase.TxnDate = day(n)
        purchase.Line = [line]
        purchase.save(qb=qb)
        requests += 1
    return time.perf_counter() - began, requests


async def crash_run(bench: Bench, count: int) -> dict[str, Any]:
    """Push `count` records and SIGKILL the worker while it records QuickBooks's answers to a
    batch (the rest of that batch is in QuickBooks, still pushing in Zera: lost answers), start
    another, let the job finish; count what QuickBooks holds."""
    client_id, realm = await bench.client("Bench Crash Co")
    ids = await bench.approve(client_id, count)
    job_id = await bench.enqueue_push(client_id)
    first = bench.worker()
    deadline = time.monotonic() + 600
    while True:
        now = await states(ids)
        done = now[records.IN_QUICKBOOKS]
        if done > BATCH and done % BATCH and now[records.PUSHING]:
            break
        if time.monotonic() > deadline or done == count:
            raise RuntimeError(f"the kill never found the push recording answers: {now}")
        await asyncio.sleep(0.01)
    first.kill()
    at_kill = await states(ids)
    left = await Record.select(Record.id).where(
        Record.id.is_in(ids) & (Record.status == records.PUSHING)
    ).run()  # fmt: skip
    held = await bench.in_quickbooks(client_id, realm)
    lost = sum(1 for row in left if held[row["id"]])
    second = bench.worker()
    job = await bench.job_done(job_id)
    second.stop()
    found = await bench.in_quickbooks(client_id, realm)
    return {
        "count": count, "at_kill": at_kill, "lost": lost, "job": job["state"],
        "after": await states(ids), "in_quickbooks": sum(1 for i in ids if found[i]),
        "duplicates": sum(found[i] - 1 for i in ids if found[i] > 1),
        "missing": sum(1 for i in ids if not found[i]),
    }  # fmt: skip


async def run(args: argparse.Namespace, work: Path, base: str) -> None:
    bench = Bench(work, base)
    await bench.start()
    print(f"Zera's push of {args.records} Purchases (a fresh `zera worker`, the push_records job)")
    ours = await zera_push(bench, args.records)
    print(f"python-quickbooks, {args.one_by_one} of the same Purchases one by one")
    _, realm = await bench.client("Bench One By One Co")  # connected only for its seeded company
    theirs, their_requests = await asyncio.to_thread(
        python_quickbooks_one_by_one, base, realm, args.one_by_one
    )
    print(f"crash run: {args.crash_records} Purchases, the worker SIGKILLed mid-push")
    crash = await crash_run(bench, args.crash_records)
    report(args, ours, theirs, their_requests, crash)


def earliest(calls: int, per_minute: int) -> float:
    """When the last of `calls` can go at the earliest, `per_minute` fitting in any sliding
    minute that starts empty."""
    return WINDOW * ((calls - 1) // per_minute) if calls else 0.0


def report(
    args: argparse.Namespace,
    ours: dict[str, Any],
    theirs: float,
    their_requests: int,
    crash: dict[str, Any],
) -> None:
    n = ours["count"]
    rate = WINDOW * max(ours["calls"] / PER_MINUTE, ours["batches"] / BATCHES_PER_MINUTE)
    bound = max(earliest(ours["calls"], PER_MINUTE), earliest(ours["batches"], BATCHES_PER_MINUTE))
    batch_only = WINDOW * -(-n // BATCH) / BATCHES_PER_MINUTE
    versus = f"{ours['wall'] / bound:.2f}x the bound" if bound else "the bound is 0 s"
    print()
    print(f"sandbox limits: {PER_MINUTE} requests/min per company (each batch item metered as "
          f"one), {CONCURRENT} concurrent, {BATCHES_PER_MINUTE} batch requests/min")  # fmt: skip
    print(f"Zera push of {n} Purchases: {ours['wall']:.1f} s wall from enqueue to job done "
          f"(the push itself {ours['push_seconds']:.1f} s); job {ours['job']}; "
          f"{ours['batches']} batch requests, {ours['calls']} metered calls, "
          f"{ours['throttled']} answered 429")  # fmt: skip
    print(f"  bound: the last of {ours['calls']} metered calls fits the company's sliding minute "
          f"(empty at the start) no earlier than {bound:.0f} s ({rate:.1f} s at the steady "
          f"{PER_MINUTE}/min); Zera is {versus} (goal: within 1.2x)")  # fmt: skip
    print(f"  (counting a batch request as one call, as the brief assumed, the bound would be "
          f"{-(-n // BATCH)} batches at {BATCHES_PER_MINUTE}/min = {batch_only:.1f} s; Intuit "
          f"meters each item, QBO-API.md §4, §7)")  # fmt: skip
    pace = ours["burst_items"] / max(ours["burst_seconds"], 1e-9)
    print(f"  before the limit held it: {ours['burst_items']} records in "
          f"{ours['burst_seconds']:.1f} s ({pace:.0f} records/s)")  # fmt: skip
    print(f"  worker resident memory: {ours['start_mb']:.0f} MB at start, peak "
          f"{ours['peak_mb']:.0f} MB (goal: under 150 MB)")  # fmt: skip
    print(f"  in QuickBooks once: {ours['once']}/{n}, twice or more: {ours['twice']}; records "
          f"now {dict(ours['states'])}")  # fmt: skip
    per = theirs / their_requests
    vendors = their_requests - args.one_by_one
    one_calls = n + len({new_payee(i) for i in range(0, n, 4)})  # each Purchase, each vendor
    linear = per * one_calls
    their_bound = earliest(one_calls, PER_MINUTE)
    extrapolated = max(linear, their_bound)
    ours_per = ours["burst_seconds"] / max(ours["burst_items"], 1)
    print(f"python-quickbooks one by one: {args.one_by_one} Purchases (+{vendors} new vendors) "
          f"measured in {theirs:.2f} s, {1000 * per:.1f} ms per request")  # fmt: skip
    print(f"  EXTRAPOLATED to {n} (not measured): {linear:.1f} s at that pace, but its "
          f"{one_calls} calls need at least {their_bound:.1f} s under {PER_MINUTE}/min "
          f"(and the library does not retry a 429): {extrapolated:.1f} s")  # fmt: skip
    print(f"  one by one / Zera = {extrapolated / ours['wall']:.2f}x (goal: at least 5x)")
    print(f"  pace per record with the limits aside (loopback, no network latency): one by one "
          f"{1000 * per:.1f} ms, Zera's push {1000 * ours_per:.1f} ms (its batch of 30 plus "
          "marking each record pushing, then in QuickBooks)")  # fmt: skip
    print(f"crash run: {crash['count']} records expected; at the kill {dict(crash['at_kill'])}, "
          f"{crash['lost']} of those pushing already in QuickBooks (answers lost with the "
          f"worker); job {crash['job']}; after {dict(crash['after'])}")  # fmt: skip
    print(f"  in QuickBooks: {crash['in_quickbooks']}, duplicates: {crash['duplicates']}, "
          f"missing: {crash['missing']} (goal: 0 duplicates)")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--records", type=int, default=1000)
    parser.add_argument(
        "--one-by-one",
        type=int,
        default=200,
        help="python-quickbooks creates this many, then it is extrapolated",
    )
    parser.add_argument("--crash-records", type=int, default=300)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="zera-bench-push-"))
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("ZERA_")},
        "ZERA_BASE_DIR": str(work / "sandbox"),
        "ZERA_SANDBOX_CLIENT_ID": CLIENT_ID,
        "ZERA_SANDBOX_CLIENT_SECRET": CLIENT_SECRET,
        "ZERA_SANDBOX_VERIFIER_TOKEN": VERIFIER,
        "ZERA_SANDBOX_REDIRECT_URIS": REDIRECT,
        "ZERA_SANDBOX_WEBHOOKS": "false",
        "ZERA_SANDBOX_CONTROL_TOKEN": CONTROL_TOKEN,
        "ZERA_SANDBOX_SEED_MONTHS": "1",
        "ZERA_SANDBOX_LIMITS": "true",
        "ZERA_SANDBOX_REQUESTS_PER_MINUTE": str(PER_MINUTE),
        "ZERA_SANDBOX_CONCURRENT_PER_REALM": str(CONCURRENT),
        "ZERA_SANDBOX_BATCH_PER_MINUTE": str(BATCHES_PER_MINUTE),
    }  # fmt: skip
    (work / "sandbox").mkdir()
    with (work / "sandbox.log").open("wb") as log:
        server = subprocess.Popen(
            [sys.executable, "-m", "zera.cli", "sandbox", "--port", str(port)],
            env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                control(base, "GET", "/app")
                break
            except (httpx.TransportError, httpx.HTTPStatusError):
                if server.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError((work / "sandbox.log").read_text()) from None
                time.sleep(0.1)
        asyncio.run(run(args, work, base))
    finally:
        server.terminate()
        server.wait(timeout=30)
    print(f"(logs in {work}; {datetime.now(UTC):%Y-%m-%d %H:%M} UTC)")


if __name__ == "__main__":
    main()
