"""Page images of a hostile page size: the peak memory of a real `zera serve` while it draws the
largest page a valid statement may carry (8,600 points a side, just under the 120-inch limit).

Before page images were bounded this took the web process from 150 MB to 1.33 GB (a 13,139 px
square PNG). Prints its results; asserts nothing.

    uv run python bench/abuse_pages.py
"""

from __future__ import annotations

import re
import struct
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx
from zera_server import csrf, set_up_firm, zera_serve

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.extract.corpus import LAYOUTS_BY_NAME, build  # noqa: E402  (the statement generator)
from tests.extract.render_statement import with_huge_page  # noqa: E402

PASSWORD = "benchmark password"  # noqa: S105 (a throwaway benchmark account)


def statement_with_huge_page() -> bytes:
    """A generated statement whose last page is 8,600 points square."""
    return with_huge_page(build(LAYOUTS_BY_NAME["us_signed"], seed=8)[0])


def _rss_kb(pid: int) -> int:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:  # gone between listing and reading
        return 0
    match = re.search(r"VmRSS:\s+(\d+) kB", status)
    return int(match.group(1)) if match else 0


def _descendants(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            children = (task / "children").read_text().split()
        except OSError:
            continue
        for child in children:
            found.append(int(child))
            found.extend(_descendants(int(child)))
    return found


class RssSampler:
    """Samples a process's RSS, alone and with its children, every 10 ms in a thread."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.peak_alone = 0
        self.peak_with_children = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            alone = _rss_kb(self.pid)
            total = alone + sum(_rss_kb(child) for child in _descendants(self.pid))
            self.peak_alone = max(self.peak_alone, alone)
            self.peak_with_children = max(self.peak_with_children, total)
            time.sleep(0.01)

    def __enter__(self) -> RssSampler:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()


def _set_up_and_add_client(http: httpx.Client) -> int:
    """The firm, its owner (signed in) and one client; returns the client's id."""
    owner = {
        "firm": "Benchmark & Co",
        "name": "Bea Bench",
        "email": "bea@example.com",
        "password": PASSWORD,
    }
    set_up_firm(http, owner)
    created = http.post("/clients", data={"name": "Acme", "_csrf_token": csrf(http, "/")})
    return int(created.headers["location"].rsplit("/", 1)[1])


def _upload_and_read(http: httpx.Client, client_id: int, pdf: bytes) -> int:
    """Upload `pdf`, wait until it is read; returns the document's id."""
    answer = http.post(
        f"/clients/{client_id}/documents",
        data={"_csrf_token": csrf(http, f"/clients/{client_id}")},
        files=[("files", ("huge.pdf", pdf, "application/pdf"))],
    )
    document_id = int(re.findall(r'<tr id="document-(\d+)">', answer.text)[0])
    deadline = time.monotonic() + 300
    while "doc-ok" not in (page := http.get(f"/clients/{client_id}/documents/{document_id}").text):
        if "doc-message" in page or time.monotonic() > deadline:
            raise RuntimeError("the statement was not read")
        time.sleep(0.2)
    return document_id


def _mb(kb: int) -> str:
    return f"{kb / 1024:.0f} MB"


def measure() -> dict[str, str]:
    pdf = statement_with_huge_page()
    with (
        tempfile.TemporaryDirectory(prefix="zera-abuse-pages-") as home,
        zera_serve(Path(home)) as (process, url),
        httpx.Client(base_url=url, timeout=120, follow_redirects=False) as http,
    ):
        client_id = _set_up_and_add_client(http)
        document_id = _upload_and_read(http, client_id, pdf)
        page_url = f"/clients/{client_id}/documents/{document_id}/pages/2"
        before = _rss_kb(process.pid)
        with RssSampler(process.pid) as sampler:
            began = time.perf_counter()
            first = http.get(page_url)
            drawn_s = time.perf_counter() - began
        began = time.perf_counter()
        again = http.get(page_url)
        kept_s = time.perf_counter() - began
    if first.status_code != 200 or not first.content.startswith(b"\x89PNG"):
        raise RuntimeError(f"page image request answered {first.status_code}")
    width, height = struct.unpack(">II", first.content[16:24])
    return {
        "web RSS before the request": _mb(before),
        "peak web RSS requesting the largest page image (goal < 200 MB)": _mb(sampler.peak_alone),
        "peak RSS of web + its render child": _mb(sampler.peak_with_children),
        "page image size": f"{width}x{height} px ({len(first.content) / 1024:.0f} kB PNG)",
        "first request (drawn in a child)": f"{drawn_s * 1000:.0f} ms",
        "second request (kept in the database)": f"{kept_s * 1000:.0f} ms"
        + ("" if again.content == first.content else " (different bytes!)"),
    }


if __name__ == "__main__":
    for label, value in measure().items():
        print(f"{label}: {value}")
