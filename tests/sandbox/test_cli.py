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
                 "ZERA_SANDBOX_VERIFIER_TOKEN", "ZERA_SANDBOX_DB", "ZERA_SANDBOX_CONTROL_TOKEN",
                 "ZERA_MODE"):
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
        token_file = tmp_path / "var" / "sandbox_control_token"
        token = token_file.read_text()
        assert token_file.stat().st_mode & 0o077 == 0  # owner-only
        companies = f"{base}/_sandbox/api/companies"
        assert httpx.get(companies, timeout=5).status_code == 401
        assert httpx.get(companies, headers={"X-Sandbox-Token": token}, timeout=5
                         ).status_code == 200
    finally:
        process.terminate()
        process.wait(timeout=30)
        log.close()
    output = (tmp_path / "out.log").read_text()
    assert "client id:" in output and "client secret:" in output
    assert token in output and "X-Sandbox-Token" in output


def test_zera_sandbox_refuses_to_run_in_production_mode(tmp_path: Path) -> None:
    env = {**os.environ, "ZERA_BASE_DIR": str(tmp_path), "ZERA_MODE": "production"}
    result = subprocess.run([sys.executable, "-m", "zera.cli", "sandbox", "--port", "9"],
                            env=env, capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 2
    assert "ZERA_MODE is production" in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / "var").exists()
