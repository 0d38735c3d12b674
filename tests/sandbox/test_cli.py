"""`zera sandbox --port P` serves Intuit's layout at the root from its own store."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx


def test_zera_sandbox_serves_discovery_and_prints_generated_credentials(tmp_path: Path) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    env = {**os.environ, "ZERA_BASE_DIR": str(tmp_path), "ZERA_SANDBOX_SEED": "none"}
    for name in ("ZERA_SANDBOX_CLIENT_ID", "ZERA_SANDBOX_CLIENT_SECRET",
                 "ZERA_SANDBOX_VERIFIER_TOKEN", "ZERA_SANDBOX_DB"):
        env.pop(name, None)
    log = (tmp_path / "out.log").open("w")
    process = subprocess.Popen([sys.executable, "-m", "zera.cli", "sandbox", "--port", str(port)],
                               env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                answer = httpx.get(f"{base}/.well-known/openid_configuration", timeout=2)
                break
            except httpx.HTTPError:
                assert process.poll() is None and time.monotonic() < deadline
                time.sleep(0.1)
        assert answer.json()["token_endpoint"] == f"{base}/oauth2/v1/tokens/bearer"
        assert (tmp_path / "var" / "qbo-sandbox.db").exists()
    finally:
        process.terminate()
        process.wait(timeout=30)
        log.close()
    output = (tmp_path / "out.log").read_text()
    assert "client id:" in output and "client secret:" in output
