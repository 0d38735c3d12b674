"""Webhook flood and replay against a real `zera serve` (issue 8, items 6 and 7).

    uv run python bench/abuse_webhooks.py

Starts `zera serve` (web, one worker thread, built-in sandbox) in a temporary folder, sets up the
firm, connects a client to a sandbox company, then keeps the worker busy with a user action: a
scanned six-page upload, read by OCR for several seconds (the case the issue describes: webhook
work piling up behind a busy worker). While that runs it sends 500 signed CloudEvents
deliveries for the client's realm, one after another on one connection as Intuit does per
realm, and times each acknowledgement. Then it sends one more body and five replays of it.

Figures: acknowledgement p50/p99, apply jobs those 500 deliveries created (job table), and how
many replays were stored (inbox). Prints them; asserts nothing.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import io
import json
import sqlite3
import statistics
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

import httpx
from zera_server import connect_new_client, csrf, set_up_firm, zera_serve

CONTROL_TOKEN = "bench-sandbox-control-token"  # noqa: S105 (a throwaway server's)
DELIVERIES = 500
REPLAYS = 5
OWNER = {
    "firm": "Bench & Co",
    "name": "Olive Owner",
    "email": "olive@example.com",
    "password": "correct horse battery",
}


def connect_client(http: httpx.Client) -> tuple[int, str]:
    """Set up the firm, add a client and connect it to the sandbox's first company."""
    set_up_firm(http, OWNER)
    return connect_new_client(http, "Flood Co", CONTROL_TOKEN)


def scanned_pdf(pages: int) -> bytes:
    """A scan: pages that are images of text, with no text layer, so extraction runs OCR."""
    from PIL import Image, ImageDraw, ImageFont

    font = ImageFont.load_default(size=28)
    images = []
    for page in range(pages):
        image = Image.new("L", (1700, 2200), 255)
        draw = ImageDraw.Draw(image)
        for line in range(60):
            day = 1 + (line % 28)
            draw.text(
                (120, 120 + line * 33),
                f"03/{day:02d}/2026  CARD PURCHASE {page}-{line} HARDWARE STORE   -{12 + line}.34",
                fill=0,
                font=font,
            )
        images.append(image)
    out = io.BytesIO()
    images[0].save(out, format="PDF", save_all=True, append_images=images[1:], resolution=200)
    return out.getvalue()


def jobs(home: Path, actor: str) -> list[tuple[str, str]]:
    with sqlite3.connect(home / "var" / "zera.db") as db:
        return db.execute("SELECT id, state FROM job WHERE actor = ?", (actor,)).fetchall()


def wait_for(check: object, what: str, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while not check():  # type: ignore[operator]
        if time.monotonic() > deadline:
            raise RuntimeError(f"timed out waiting for {what}")
        time.sleep(0.1)


def delivery(realm: str) -> bytes:
    event = {
        "specversion": "1.0",
        "id": str(uuid.uuid4()),
        "source": "intuit.bench",
        "type": "qbo.account.updated.v1",
        "datacontenttype": "application/json",
        "time": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
        "intuitentityid": "1",
        "intuitaccountid": realm,
        "data": {},
    }
    return json.dumps([event], separators=(",", ":")).encode()


def measure() -> dict[str, str]:
    with (
        tempfile.TemporaryDirectory() as tmp,
        zera_serve(
            Path(tmp),
            ZERA_SANDBOX_CONTROL_TOKEN=CONTROL_TOKEN,
            ZERA_WORKER_THREADS="1",
            OMP_THREAD_LIMIT="1",
        ) as (_, base),
    ):
        home = Path(tmp)
        http = httpx.Client(base_url=base, timeout=60)
        client_id, realm = connect_client(http)
        wait_for(
            lambda: (
                all(state in ("done", "failed") for _, state in jobs(home, "pull_reference_data"))
                and all(
                    state in ("done", "failed")
                    for _, state in jobs(home, "pull_transaction_history")
                )
            ),
            "the first pull",
        )
        # Keep the only worker thread busy with a user action: OCR of a scanned upload.
        http.post(
            f"/clients/{client_id}/documents",
            data={"_csrf_token": csrf(http, f"/clients/{client_id}")},
            files=[("files", ("scan.pdf", scanned_pdf(6), "application/pdf"))],
        )
        wait_for(
            lambda: any(state == "running" for _, state in jobs(home, "extract_document_job")),
            "the extraction to start",
        )
        verifier = (home / "var" / "sandbox_verifier_token").read_text().strip()

        def post(body: bytes) -> httpx.Response:
            signature = base64.b64encode(
                hmac.new(verifier.encode(), body, hashlib.sha256).digest()
            ).decode()
            return http.post(
                "/qbo/webhooks",
                content=body,
                headers={"intuit-signature": signature, "content-type": "application/json"},
            )

        timings = []
        for _ in range(DELIVERIES):
            body = delivery(realm)
            began = time.perf_counter()
            answer = post(body)
            timings.append((time.perf_counter() - began) * 1000)
            assert answer.status_code == 200, answer.text
        busy = any(state == "running" for _, state in jobs(home, "extract_document_job"))
        created = len(jobs(home, "apply_quickbooks_changes"))

        original = delivery(realm)
        answers = [post(original).json()["status"] for _ in range(1 + REPLAYS)]
        event_id = json.loads(original)[0]["id"]
        with sqlite3.connect(home / "var" / "zera.db") as db:
            (stored,) = db.execute(
                "SELECT count(*) FROM qbo_webhook_inbox WHERE body LIKE ?", (f"%{event_id}%",)
            ).fetchone()
        http.close()

    cuts = statistics.quantiles(timings, n=100)
    return {
        "webhook ack p50/p99 (500 deliveries, worker busy; goal p99 < 50 ms)": (
            f"{statistics.median(timings):.1f} ms / {cuts[98]:.1f} ms"
            + ("" if busy else " (worker finished early)")
        ),
        "jobs created by 500 deliveries (goal 1-2)": str(created),
        "replays accepted (goal 0)": f"{stored - 1} (answers: {', '.join(answers)})",
    }


if __name__ == "__main__":
    for label, value in measure().items():
        print(f"{label}: {value}")
