"""The review grid on a big batch: a real `zera serve` (built-in sandbox, SQLite, embedded queue)
with a client connected to the sandbox's seeded company reads a 1,000-row statement, then this
times the grid and inline edits over HTTP on loopback. Prints its results; asserts nothing.

    uv run python bench/review.py [--rows 1000] [--renders 30] [--edits 300]

- render: the whole grid page (every row), the server's time to first byte measured from here
  on loopback (an upper bound on render time), p50 and p99;
- edit: one inline edit round trip (the memo of a row, as the grid's form posts it, answered
  with the row's fragment), p50 and p99;
- memory: the server's resident memory before and after rendering the grid (and its peak).
"""

from __future__ import annotations

import argparse
import dataclasses
import re
import statistics
import sys
import tempfile
import time
from html import unescape
from pathlib import Path

import httpx
from zera_server import connect_new_client, csrf, set_up_firm, zera_serve

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from tests.extract.corpus import LAYOUTS_BY_NAME, build  # noqa: E402  (the statement generator)

CONTROL_TOKEN = "bench-sandbox-control-token"  # noqa: S105 (a throwaway server's)
OWNER = {
    "firm": "Bench & Co",
    "name": "Olive Owner",
    "email": "olive@example.com",
    "password": "correct horse battery",
}


def memory_mb(pid: int) -> tuple[float, float]:
    """The process's resident memory now and at its peak, in MB."""
    status = Path(f"/proc/{pid}/status").read_text()

    def field(name: str) -> float:
        return int(re.search(rf"{name}:\s+(\d+) kB", status).group(1)) / 1024  # type: ignore[union-attr]

    return field("VmRSS"), field("VmHWM")


def wait_for(what: str, check: object, timeout: float = 600) -> None:
    deadline = time.monotonic() + timeout
    while not check():  # type: ignore[operator]
        if time.monotonic() > deadline:
            raise RuntimeError(f"timed out waiting for {what}")
        time.sleep(0.5)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


_INPUT = re.compile(r'<input([^>]*)>')
_SELECT = re.compile(r'<select name="([^"]+)"[^>]*>(.*?)</select>', re.S)
_ATTR = re.compile(r'(\w[\w-]*)="([^"]*)"')


def form_fields(fragment: str) -> dict[str, str]:
    """What the browser would submit from the edit row: its inputs and selected options."""
    fields: dict[str, str] = {}
    for attrs in _INPUT.findall(fragment):
        found = dict(_ATTR.findall(attrs))
        if "name" in found and found.get("type") not in ("checkbox", "submit"):
            fields[found["name"]] = unescape(found.get("value", ""))
    for name, options in _SELECT.findall(fragment):
        chosen = re.search(r'<option value="([^"]*)"[^>]*selected', options)
        fields[name] = unescape(chosen.group(1)) if chosen else ""
    return fields


def time_edits(http: httpx.Client, client_id: int, ids: list[int], count: int) -> list[float]:
    """Open a row's editor, change its memo and save, as the grid does; time each save."""
    token = csrf(http, f"/clients/{client_id}")
    hx = {"HX-Request": "true", "x-csrftoken": token}
    times = []
    for n in range(count):
        base = f"/clients/{client_id}/records/{ids[n % len(ids)]}"
        fields = form_fields(http.get(f"{base}/edit", headers=hx).text)
        fields["memo"] = f"checked by the bench, edit {n}"
        began = time.perf_counter()
        answer = http.post(f"{base}/edit", data=fields, headers=hx)
        times.append((time.perf_counter() - began) * 1000)
        if answer.status_code != 200:
            raise RuntimeError(f"edit answered {answer.status_code}: {answer.text[:500]}")
    return times


def statement(rows: int) -> bytes:
    layout = dataclasses.replace(LAYOUTS_BY_NAME["us_signed"], n_tx=rows)
    pdf, _ = build(layout, seed=11)
    return pdf


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1000)
    parser.add_argument("--renders", type=int, default=30)
    parser.add_argument("--edits", type=int, default=300)
    args = parser.parse_args()
    with (
        tempfile.TemporaryDirectory() as home,
        zera_serve(Path(home), ZERA_SANDBOX_CONTROL_TOKEN=CONTROL_TOKEN) as (server, url),
        httpx.Client(base_url=url, timeout=300) as http,
    ):
        set_up_firm(http, OWNER)
        client_id, _ = connect_new_client(http, "Big Batch Co", CONTROL_TOKEN)
        wait_for(
            "the chart of accounts",
            lambda: "every 2s" not in http.get(f"/clients/{client_id}/connection").text
            and "Business Checking" in http.get(f"/clients/{client_id}/connection").text,
        )
        pdf = statement(args.rows)
        began = time.perf_counter()
        token = csrf(http, f"/clients/{client_id}")
        http.post(
            f"/clients/{client_id}/documents",
            data={"_csrf_token": token},
            files=[("files", ("big-statement.pdf", pdf, "application/pdf"))],
        )
        batch_link = re.compile(rf"/clients/{client_id}/batches/(\d+)")
        wait_for(
            "the statement to be read",
            lambda: batch_link.search(http.get(f"/clients/{client_id}/review").text),
        )
        read_s = time.perf_counter() - began
        match = batch_link.search(http.get(f"/clients/{client_id}/review").text)
        assert match is not None
        grid = f"/clients/{client_id}/batches/{match.group(1)}?show=all"
        before = memory_mb(server.pid)
        renders = []
        for _ in range(args.renders):
            began = time.perf_counter()
            page = http.get(grid)
            renders.append((time.perf_counter() - began) * 1000)
        after = memory_mb(server.pid)
        rows = len(re.findall(r'<tr id="record-\d+"', page.text))
        print(f"statement of {args.rows} rows read and proposed in {read_s:.1f} s")
        print(f"grid page: {rows} rows, {len(page.content) / 1024:.0f} kB")
        print(
            f"render (loopback, whole page): p50 {statistics.median(renders):.1f} ms,"
            f" p99 {percentile(renders, 0.99):.1f} ms  (goal < 150 ms)"
        )
        ids = [int(n) for n in re.findall(r'<tr id="record-(\d+)"', page.text)]
        edits = time_edits(http, client_id, ids, args.edits)
        print(
            f"inline edit round trip ({len(edits)} edits): p50 {statistics.median(edits):.1f} ms,"
            f" p99 {percentile(edits, 0.99):.1f} ms  (goal p99 < 50 ms)"
        )
        print(
            f"server memory: {before[0]:.0f} MB before, {after[0]:.0f} MB after"
            f" {args.renders} renders (peak {after[1]:.0f} MB; page request adds"
            f" {max(0.0, after[1] - before[1]):.1f} MB to the peak)"
        )


if __name__ == "__main__":
    main()
