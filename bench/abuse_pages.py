"""Page images of a hostile page size: the peak memory of a real `zera serve` while it draws the
largest page a valid statement may carry (8,600 points a side, just under the 120-inch limit).

Before page images were bounded this took the web process from 150 MB to 1.33 GB (a 13,139 px
square PNG). Prints its results; asserts nothing.

    uv run python bench/abuse_pages.py
"""

from __future__ import annotations

import io
import os
import re
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.extract.corpus import LAYOUTS_BY_NAME, build  # noqa: E402  (the statement generator)

SECRET_KEY = "abuse-benchmark-secret-key-" + "x" * 32
PASSWORD = "benchmark password"  # noqa: S105 (a throwaway benchmark account)
HUGE = 8600.0  # points a side
_CSRF = re.compile(r'name="_csrf_token" value="([^"]+)"')


def statement_with_huge_page() -> bytes:
    """A generated statement that reads, followed by an 8600x8600-point page of text."""
    from pypdf import PdfReader, PdfWriter
    from reportlab.pdfgen.canvas import Canvas

    pdf, _ = build(LAYOUTS_BY_NAME["us_signed"], seed=8)
    extra = io.BytesIO()
    canvas = Canvas(extra, pagesize=(HUGE, HUGE), invariant=True)
    canvas.drawString(72, HUGE - 72, "This page is left large on purpose, with no transactions.")
    canvas.showPage()
    canvas.save()
    writer = PdfWriter()
    for source in (pdf, extra.getvalue()):
        for page in PdfReader(io.BytesIO(source)).pages:
            writer.add_page(page)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


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


@contextmanager
def zera_serve(home: Path) -> Iterator[tuple[subprocess.Popen[bytes], str]]:
    port = _free_port()
    env = {
        **os.environ,
        "ZERA_BASE_DIR": str(home),
        "ZERA_SECRET_KEY": SECRET_KEY,
        "ZERA_LOG_LEVEL": "WARNING",
        "ZERA_SANDBOX_SEED_MONTHS": "1",
    }
    for name in ("DATABASE_URL", "ZERA_QUEUE_URL", "REDIS_URL"):
        env.pop(name, None)
    log = (home / "serve.log").open("wb")
    process = subprocess.Popen(
        [sys.executable, "-m", "zera.cli", "serve", "--port", str(port)],
        env=env,
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                if httpx.get(url + "/healthz", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("zera serve did not start:\n" + (home / "serve.log").read_text())
            time.sleep(0.1)
        yield process, url
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()


def _csrf(http: httpx.Client, page: str) -> str:
    match = _CSRF.search(http.get(page).text)
    if match is None:
        raise RuntimeError(f"no CSRF token on {page}")
    return match.group(1)


def _set_up_and_add_client(http: httpx.Client) -> int:
    """The firm, its owner (signed in) and one client; returns the client's id."""
    try:
        from zera.accounts.setup_token import setup_token

        token = setup_token(SECRET_KEY)
    except ImportError:  # an installation from before set-up tokens
        token = ""
    form = {
        "firm": "Benchmark & Co",
        "name": "Bea Bench",
        "email": "bea@example.com",
        "password": PASSWORD,
        "setup_token": token,
        "_csrf_token": _csrf(http, f"/setup?token={token}"),
    }
    if http.post("/setup", data=form).status_code != 303:
        raise RuntimeError("set-up failed")
    created = http.post("/clients", data={"name": "Acme", "_csrf_token": _csrf(http, "/")})
    return int(created.headers["location"].rsplit("/", 1)[1])


def _upload_and_read(http: httpx.Client, client_id: int, pdf: bytes) -> int:
    """Upload `pdf`, wait until it is read; returns the document's id."""
    answer = http.post(
        f"/clients/{client_id}/documents",
        data={"_csrf_token": _csrf(http, f"/clients/{client_id}")},
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
