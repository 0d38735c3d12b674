"""Baseline figures for the web app in its embedded mode (`zera serve`): start-up time, memory,
and dashboard latency with 200 clients. Prints its results; asserts nothing.

    uv run python bench/web_baseline.py [--starts 5] [--requests 500]
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

from zera.accounts.setup_token import setup_token

ROOT = Path(__file__).resolve().parents[1]
ZERA = [sys.executable, "-m", "zera.cli", "serve"]
PASSWORD = "benchmark password"  # noqa: S105 (a throwaway benchmark account)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def rss_mb(pid: int) -> float:
    status = Path(f"/proc/{pid}/status").read_text()
    return int(re.search(r"VmRSS:\s+(\d+) kB", status).group(1)) / 1024  # type: ignore[union-attr]


def start(base_dir: Path) -> tuple[subprocess.Popen[bytes], str, float]:
    """Start `zera serve`; return the process, its URL and seconds until /healthz said ok."""
    port = free_port()
    env = {**os.environ, "ZERA_BASE_DIR": str(base_dir), "ZERA_LOG_LEVEL": "WARNING"}
    for name in ("DATABASE_URL", "ZERA_QUEUE_URL", "REDIS_URL"):
        env.pop(name, None)
    began = time.perf_counter()
    process = subprocess.Popen(
        [*ZERA, "--port", str(port)],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    while True:
        try:
            if httpx.get(url + "/healthz", timeout=1).status_code == 200:
                return process, url, time.perf_counter() - began
        except httpx.TransportError:
            pass
        if process.poll() is not None or time.perf_counter() - began > 60:
            raise RuntimeError("zera serve did not start")
        time.sleep(0.01)


def install(base_dir: Path) -> None:
    env = {**os.environ, "ZERA_BASE_DIR": str(base_dir), "ZERA_LOG_LEVEL": "WARNING"}
    subprocess.run(
        [sys.executable, "-m", "zera.cli", "migrate"],
        env=env,
        cwd=ROOT,
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    process.wait(timeout=30)


def csrf(http: httpx.Client, path: str) -> str:
    return re.search(r'name="_csrf_token" value="([^"]+)"', http.get(path).text).group(1)  # type: ignore[union-attr]


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(pct / 100 * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--starts", type=int, default=5)
    parser.add_argument("--requests", type=int, default=500)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="zera-bench-"))
    try:
        first_starts, warm_starts = [], []
        for i in range(args.starts):
            base = work / f"start-{i}"
            install(base)  # what scripts/run does before serving: migrations, sandbox company
            process, _, seconds = start(base)  # first start after install
            first_starts.append(seconds)
            stop(process)
            process, _, seconds = start(base)  # a restart
            warm_starts.append(seconds)
            stop(process)

        install(work / "load")
        process, url, _ = start(work / "load")
        time.sleep(2)
        idle = rss_mb(process.pid)
        with httpx.Client(base_url=url, timeout=10) as http:
            http.post(
                "/setup",
                data={
                    "firm": "Bench & Co",
                    "name": "Owner",
                    "email": "o@example.com",
                    "password": PASSWORD,
                    "setup_token": setup_token(
                        (work / "load" / "var" / "secret_key").read_text().strip()
                    ),
                    "_csrf_token": csrf(http, "/setup"),
                },
            )
            token = csrf(http, "/")
            for n in range(200):
                http.post("/clients", data={"name": f"Client {n:03d}", "_csrf_token": token})
            mixed = [
                "/",
                "/clients/1",
                "/clients/2/review",
                "/healthz",
                "/audit",
                "/users",
                "/clients/3/connection",
                "/?archived=true",
            ]
            for n in range(200):
                path = mixed[n % len(mixed)]
                http.get(path, headers={"HX-Request": "true"} if "review" in path else {})
            after_mixed = rss_mb(process.pid)

            timings = []
            for _ in range(20):  # warm-up
                http.get("/")
            for _ in range(args.requests):
                began = time.perf_counter()
                response = http.get("/")
                timings.append((time.perf_counter() - began) * 1000)
                assert response.status_code == 200 and "Client 199" in response.text
        peak = rss_mb(process.pid)
        stop(process)
    finally:
        shutil.rmtree(work, ignore_errors=True)

    print(f"machine: {os.cpu_count()} cores, Python {sys.version.split()[0]}")
    print(
        "command to first /healthz ok, first start after install: "
        f"median {statistics.median(first_starts):.2f} s"
        f" (min {min(first_starts):.2f}, max {max(first_starts):.2f}, n={len(first_starts)})"
    )
    print(
        f"command to first /healthz ok, restart: median {statistics.median(warm_starts):.2f} s"
        f" (min {min(warm_starts):.2f}, max {max(warm_starts):.2f}, n={len(warm_starts)})"
    )
    print(
        f"RSS of zera serve: idle {idle:.1f} MB; after 200 client creations + 200 mixed requests "
        f"{after_mixed:.1f} MB; after the latency run {peak:.1f} MB"
    )
    print(
        f"dashboard with 200 clients, {len(timings)} sequential requests: median "
        f"{statistics.median(timings):.1f} ms, p99 {percentile(timings, 99):.1f} ms, "
        f"max {max(timings):.1f} ms"
    )


if __name__ == "__main__":
    main()
