"""Sandbox throughput: single-entity reads/s and creates/s with limits lifted, and server RSS
with the seeded company (12 months of history) loaded. Prints figures; asserts nothing.

    .venv/bin/python bench/sandbox_throughput.py [--seconds 10] [--clients 8]
"""

from __future__ import annotations

import argparse
import os
import re
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import httpx

CLIENT_ID, SECRET, REDIRECT = "ABbench", "bench-secret", "http://127.0.0.1:9/cb"
CONTROL_TOKEN = "bench-control-token"  # noqa: S105 (the bench sandbox's X-Sandbox-Token)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def rss_mb(pid: int) -> float:
    text = Path(f"/proc/{pid}/status").read_text()
    match = re.search(r"VmRSS:\s+(\d+) kB", text)
    return int(match.group(1)) / 1024 if match else float("nan")


def cpu_seconds(pid: int) -> float:
    """User + system CPU the server has used (load-independent, unlike wall-clock rates)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def token(base: str, realm: str) -> str:
    params = {"client_id": CLIENT_ID, "response_type": "code", "redirect_uri": REDIRECT,
              "scope": "com.intuit.quickbooks.accounting", "state": "b"}
    page = httpx.get(f"{base}/connect/oauth2", params=params).text
    form = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', page))
    answer = httpx.post(f"{base}/connect/oauth2", data={**form, "realm_id": realm,
                                                        "decision": "allow"})
    code = parse_qs(urlparse(answer.headers["location"]).query)["code"][0]
    tokens = httpx.post(f"{base}/oauth2/v1/tokens/bearer", auth=(CLIENT_ID, SECRET),
                        data={"grant_type": "authorization_code", "code": code,
                              "redirect_uri": REDIRECT}).json()
    return str(tokens["access_token"])


def hammer(make_request: object, seconds: float, clients: int) -> tuple[int, int]:
    """Run `make_request(client, n)` from `clients` threads for `seconds`: (ok, failed)."""
    counts = [[0, 0] for _ in range(clients)]
    stop = time.monotonic() + seconds

    def worker(index: int) -> None:
        with httpx.Client(timeout=30) as client:
            n = 0
            while time.monotonic() < stop:
                n += 1
                ok = make_request(client, f"{index}-{n}")  # type: ignore[operator]
                counts[index][0 if ok else 1] += 1

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sum(c[0] for c in counts), sum(c[1] for c in counts)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--clients", type=int, default=8)
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="sandbox-bench-"))
    port = free_port()
    env = {**os.environ, "ZERA_SANDBOX_DB": str(workdir / "sandbox.db"),
           "ZERA_SANDBOX_CLIENT_ID": CLIENT_ID, "ZERA_SANDBOX_CLIENT_SECRET": SECRET,
           "ZERA_SANDBOX_REDIRECT_URIS": REDIRECT, "ZERA_SANDBOX_LIMITS": "false",
           "ZERA_SANDBOX_WEBHOOKS": "false", "ZERA_SANDBOX_CONTROL_TOKEN": CONTROL_TOKEN}
    started = time.monotonic()
    server = subprocess.Popen([sys.executable, "-m", "zera.cli", "sandbox", "--port", str(port)],
                              env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        while True:
            try:
                companies = httpx.get(f"{base}/_sandbox/api/companies", timeout=2,
                                      headers={"X-Sandbox-Token": CONTROL_TOKEN}).json()
                break
            except httpx.HTTPError:
                if server.poll() is not None or time.monotonic() - started > 180:
                    raise SystemExit("the sandbox did not start") from None
                time.sleep(0.2)
        print(f"start-up incl. seeding 12 months: {time.monotonic() - started:.1f} s")
        realm = companies["companies"][0]["realmId"]
        headers = {"Authorization": f"Bearer {token(base, realm)}", "Accept": "application/json"}
        api = f"{base}/v3/company/{realm}"
        count = httpx.post(f"{api}/query", headers={**headers, "Content-Type": "application/text"},
                           content=b"SELECT COUNT(*) FROM Invoice").json()
        print(f"seeded invoices: {count['QueryResponse']['totalCount']}")
        print(f"RSS with the seeded company loaded: {rss_mb(server.pid):.1f} MB")

        def read(client: httpx.Client, tag: str) -> bool:
            answer = client.get(f"{api}/invoice/{(hash(tag) % 300) + 1}",
                                params={"minorversion": 75}, headers=headers)
            return answer.status_code == 200

        def create(client: httpx.Client, tag: str) -> bool:
            answer = client.post(f"{api}/customer", params={"minorversion": 75},
                                 headers=headers, json={"DisplayName": f"Bench {tag} {port}"})
            return answer.status_code == 200

        for label, action in (("reads", read), ("creates", create)):
            cpu_before = cpu_seconds(server.pid)
            ok, failed = hammer(action, args.seconds, args.clients)
            per_request = (cpu_seconds(server.pid) - cpu_before) / max(ok + failed, 1)
            print(f"{label}: {ok / args.seconds:.0f}/s ({ok} ok, {failed} failed, "
                  f"{args.clients} clients, {args.seconds:.0f} s); server CPU "
                  f"{per_request * 1000:.2f} ms per request = {1 / per_request:.0f}/s per core")
        print(f"load average during the run: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
        print(f"RSS after the run: {rss_mb(server.pid):.1f} MB")
    finally:
        server.terminate()
        server.wait(timeout=30)


if __name__ == "__main__":
    main()
