"""Two-way sync under a webhook burst, and how soon a QuickBooks edit shows in Zera (issue 12).

    uv run python bench/webhooks.py [--records 100] [--deliveries 5000] [--lag-edits 10]

Runs `zera serve` (web, two worker threads, the built-in sandbox delivering its webhooks to
Zera's own receiver) in a temporary home, sets up the firm, connects a client to the sandbox's
seeded company, imports approved Purchases with `zera records import` and pushes them with the
Push page's button. Then, acting as a QuickBooks user through the sandbox's control surface:

1. Burst: with the sandbox's own deliveries dropped, every pushed record's memo is changed in
   QuickBooks, then 5,000 signed CloudEvents deliveries announcing those changes (each with its
   own event id) are sent to /qbo/webhooks: a fifth one at a time (as Intuit sends a realm's),
   the rest over 8 connections at once. Figures: acknowledgement p50 and p99 of each, deliveries
   lost (sent minus notices stored), and the time from the last acknowledgement until every
   record shows QuickBooks' memo and every notice is processed.
2. Lag, webhooks on: one record at a time, its memo changed in QuickBooks; the time until
   Zera's record shows it (median, max).
3. Lag, webhooks dropped: a second server with the catch-up every minute (ZERA_CATCH_UP_MINUTES=1;
   the default is 15), every delivery dropped: the same edits are found by CDC alone.

Prints its figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import hashlib
import hmac
import json
import os
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
from zera_server import ROOT, SECRET_KEY, connect_new_client, csrf, set_up_firm, zera_serve

CONTROL_TOKEN = "bench-sandbox-control-token"  # noqa: S105 (a throwaway server's)
OWNER = {"firm": "Bench & Co", "name": "Olive Owner", "email": "olive@example.com",
         "password": "correct horse battery"}  # fmt: skip


class Books:
    """One running Zera with a connected client and pushed records, seen through its database
    (read-only) and driven through HTTP."""

    def __init__(self, home: Path, base: str, records: int) -> None:
        self.home, self.base = home, base
        self.http = httpx.Client(base_url=base, timeout=120)
        set_up_firm(self.http, OWNER)
        self.client_id, self.realm = connect_new_client(self.http, "Burst Co", CONTROL_TOKEN)
        self.wait(lambda: self.idle(), "the first pull", 300)
        self.verifier = (home / "var" / "sandbox_verifier_token").read_text().strip()
        self.import_records(records)
        self.http.post(f"/clients/{self.client_id}/push",
                       data={"_csrf_token": csrf(self.http, f"/clients/{self.client_id}/push")})
        self.wait(lambda: self.count("in_quickbooks") == records, "the push", 600)
        rows = self.query("SELECT qbo_id FROM record WHERE client_id = ? ORDER BY id",
                          self.client_id)  # fmt: skip
        self.ids = [str(row[0]) for row in rows]

    def query(self, sql: str, *args: Any) -> list[tuple[Any, ...]]:
        with sqlite3.connect(self.home / "var" / "zera.db", timeout=30) as db:
            return db.execute(sql, args).fetchall()

    def count(self, status: str) -> int:
        return int(self.query("SELECT count(*) FROM record WHERE client_id = ? AND status = ?",
                              self.client_id, status)[0][0])  # fmt: skip

    def jobs(self, actor: str) -> int:
        return int(self.query("SELECT count(*) FROM job WHERE actor = ?", actor)[0][0])

    def idle(self) -> bool:
        states = self.query("SELECT state FROM job WHERE client_id = ?", self.client_id)
        return bool(states) and all(s in ("done", "failed") for (s,) in states)

    @staticmethod
    def wait(check: Any, what: str, timeout: float = 120) -> None:
        deadline = time.monotonic() + timeout
        while not check():
            if time.monotonic() > deadline:
                raise RuntimeError(f"timed out waiting for {what}")
            time.sleep(0.05)

    def import_records(self, count: int) -> None:
        items = [{"type": "Purchase", "record": {
            "PaymentType": "Cash", "TxnDate": f"2026-03-{1 + n % 28:02d}",
            "AccountRef": {"name": "Business Checking"},
            "EntityRef": {"name": f"Burst Supplier {n % 5}", "type": "Vendor"},
            "PrivateNote": f"bench {n}",
            "Line": [{"Amount": f"{10 + n}.{n % 100:02d}",
                      "DetailType": "AccountBasedExpenseLineDetail",
                      "AccountBasedExpenseLineDetail": {"AccountRef": {"name": "Fuel"}}}]}}
            for n in range(count)]  # fmt: skip
        path = self.home / "records.json"
        path.write_text(json.dumps(items))
        env = {k: v for k, v in os.environ.items() if not k.startswith("ZERA_")}
        env.update(ZERA_BASE_DIR=str(self.home), ZERA_SECRET_KEY=SECRET_KEY,
                   ZERA_LOG_LEVEL="WARNING")  # fmt: skip
        done = subprocess.run(
            [sys.executable, "-m", "zera.cli", "records", "import", "--client",
             str(self.client_id), "--approve", str(path)],
            cwd=ROOT, env=env, capture_output=True, text=True, timeout=300, check=False,
        )  # fmt: skip
        if done.returncode:
            raise RuntimeError(f"zera records import failed:\n{done.stdout}\n{done.stderr}")

    def control(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        answer = self.http.request(method, f"/_sandbox/api{path}", json=body,
                                   headers={"X-Sandbox-Token": CONTROL_TOKEN})  # fmt: skip
        answer.raise_for_status()
        return answer.json()

    def edit_in_quickbooks(self, qbo_id: str, memo: str) -> None:
        self.control("POST", f"/companies/{self.realm}/records/Purchase",
                     {"operation": "update", "payload": {"Id": qbo_id, "PrivateNote": memo}})

    def shows(self, qbo_id: str, memo: str) -> bool:
        rows = self.query("SELECT payload FROM record WHERE client_id = ? AND qbo_id = ?",
                          self.client_id, qbo_id)  # fmt: skip
        return bool(rows) and json.loads(rows[0][0]).get("PrivateNote") == memo

    def sign(self, body: bytes) -> str:
        digest = hmac.new(self.verifier.encode(), body, hashlib.sha256).digest()
        return base64.b64encode(digest).decode()

    def close(self) -> None:
        self.http.close()


def event(realm: str, qbo_id: str) -> bytes:
    return json.dumps([{
        "specversion": "1.0", "id": str(uuid.uuid4()), "source": "intuit.bench",
        "type": "qbo.purchase.updated.v1", "datacontenttype": "application/json",
        "time": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
        "intuitentityid": qbo_id, "intuitaccountid": realm, "data": {}}]).encode()  # fmt: skip


async def send_burst(books: Books, deliveries: int, connections: int) -> list[float]:
    bodies = [event(books.realm, books.ids[n % len(books.ids)]) for n in range(deliveries)]
    timings: list[float] = []
    queue: asyncio.Queue[bytes] = asyncio.Queue()
    for body in bodies:
        queue.put_nowait(body)

    async def sender() -> None:
        async with httpx.AsyncClient(base_url=books.base, timeout=60) as http:
            while not queue.empty():
                body = queue.get_nowait()
                began = time.perf_counter()
                answer = await http.post("/qbo/webhooks", content=body, headers={
                    "intuit-signature": books.sign(body), "content-type": "application/json"})
                timings.append((time.perf_counter() - began) * 1000)
                if answer.status_code != 200:
                    raise RuntimeError(f"delivery refused: {answer.status_code} {answer.text}")

    await asyncio.gather(*(sender() for _ in range(connections)))
    return timings


def burst(books: Books, deliveries: int) -> dict[str, str]:
    books.control("POST", "/webhooks", {"drop_next": 1_000_000})  # the sandbox's own: dropped
    for qbo_id in books.ids:
        books.edit_in_quickbooks(qbo_id, f"burst {qbo_id}")
    stored_before = int(books.query("SELECT count(*) FROM qbo_webhook_notice")[0][0])
    # In turn, as Intuit sends one realm's deliveries, for a fifth; then 8 at once.
    in_turn = asyncio.run(send_burst(books, deliveries // 5, connections=1))
    timings = asyncio.run(send_burst(books, deliveries - deliveries // 5, connections=8))
    sent_at = time.monotonic()
    books.wait(lambda: all(books.shows(i, f"burst {i}") for i in books.ids), "the burst", 900)
    shown = time.monotonic() - sent_at
    books.wait(lambda: books.query(
        "SELECT count(*) FROM qbo_webhook_notice WHERE processed = 0")[0][0] == 0,
        "every notice processed", 900)  # fmt: skip
    processed = time.monotonic() - sent_at
    stored = int(books.query("SELECT count(*) FROM qbo_webhook_notice")[0][0]) - stored_before
    jobs = books.query("SELECT count(*) FROM job WHERE actor = 'apply_quickbooks_changes'")[0][0]
    return {
        f"burst: acknowledgement p50 / p99, {len(in_turn)} deliveries one at a time"
        " (goal p99 < 50 ms)": percentiles(in_turn),
        f"burst: acknowledgement p50 / p99, {len(timings)} deliveries 8 at once": percentiles(
            timings),
        "burst: deliveries lost (goal 0)": str(deliveries - stored),
        f"burst: every one of {len(books.ids)} changed records shown / every notice processed,"
        " after the last acknowledgement": f"{shown:.1f} s / {processed:.1f} s",
        "burst: apply jobs run": str(jobs),
    }


def percentiles(timings: list[float]) -> str:
    cuts = statistics.quantiles(timings, n=100)
    return f"{statistics.median(timings):.1f} ms / {cuts[98]:.1f} ms"


def lags(books: Books, edits: int, *, together: bool) -> list[float]:
    """Seconds from a QuickBooks edit until Zera's record shows it: one edit at a time, or (on
    the slow CDC-only path) all made at once, then waited for together."""
    started: dict[str, tuple[float, str]] = {}
    found: list[float] = []
    for n, qbo_id in enumerate(books.ids[:edits]):
        memo = f"lag {n} {time.time():.0f}"
        started[qbo_id] = (time.monotonic(), memo)
        books.edit_in_quickbooks(qbo_id, memo)
        if not together:
            books.wait(lambda i=qbo_id, m=memo: books.shows(i, m), "the edit", 300)
            found.append(time.monotonic() - started.pop(qbo_id)[0])
    deadline = time.monotonic() + 600
    while started and time.monotonic() < deadline:
        for qbo_id, (at, memo) in list(started.items()):
            if books.shows(qbo_id, memo):
                found.append(time.monotonic() - at)
                del started[qbo_id]
        time.sleep(0.2)
    return found


def summary(values: list[float]) -> str:
    if not values:
        return "none shown"
    middle, most = statistics.median(values), max(values)
    return f"median {middle:.2f} s, max {most:.2f} s ({len(values)} edits)"


def measure(records: int, deliveries: int, lag_edits: int) -> dict[str, str]:
    figures: dict[str, str] = {}
    env = {"ZERA_SANDBOX_CONTROL_TOKEN": CONTROL_TOKEN, "ZERA_WORKER_THREADS": "2"}
    with tempfile.TemporaryDirectory() as tmp, zera_serve(Path(tmp), **env) as (_, base):
        books = Books(Path(tmp), base, records)
        figures.update(burst(books, deliveries))
        books.control("POST", "/webhooks", {"drop_next": 0})
        books.wait(books.idle, "the burst's apply jobs", 300)
        figures["lag from a QuickBooks edit to Zera, webhooks on (goal median < 5 s)"] = summary(
            lags(books, lag_edits, together=False))
        books.close()
    env["ZERA_CATCH_UP_MINUTES"] = "1"
    with tempfile.TemporaryDirectory() as tmp, zera_serve(Path(tmp), **env) as (_, base):
        books = Books(Path(tmp), base, min(records, lag_edits))
        books.control("POST", "/webhooks", {"drop_next": 1_000_000})
        time.sleep(3)  # the push's own webhooks start an apply job: let it run first
        books.wait(books.idle, "the push's apply job", 120)
        applies = books.jobs("apply_quickbooks_changes")
        figures["lag, every webhook dropped (CDC catch-up every 1 min)"] = summary(
            lags(books, lag_edits, together=True))
        figures["webhook-started apply jobs meanwhile (goal 0: all dropped)"] = str(
            books.jobs("apply_quickbooks_changes") - applies)
        books.close()
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--records", type=int, default=100)
    parser.add_argument("--deliveries", type=int, default=5000)
    parser.add_argument("--lag-edits", type=int, default=10)
    args = parser.parse_args()
    for label, value in measure(args.records, args.deliveries, args.lag_edits).items():
        print(f"{label}: {value}")


if __name__ == "__main__":
    main()
