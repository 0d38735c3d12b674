"""The sandbox mounted inside a host Litestar app with CSRF on, as `zera serve` will run it."""

from __future__ import annotations

import socket
import threading
import time
import warnings
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import uvicorn
from litestar import Litestar, get
from litestar.config.csrf import CSRFConfig
from quickbooks.objects.customer import Customer
from sandbox_harness import CONTROL, connect, make_config

from zera.sandbox.app import mount_sandbox


@get("/")
async def host_home() -> str:
    return "zera"


@pytest.fixture(scope="module")
def mounted(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    config = make_config(Path(tmp_path_factory.mktemp("mounted")),
                         public_url=f"http://127.0.0.1:{port}")
    mount = mount_sandbox(config, "/qbo-sandbox")
    host = Litestar([host_home, mount.handler], on_startup=mount.on_startup,
                    on_shutdown=mount.on_shutdown, csrf_config=CSRFConfig(secret="s" * 32))
    server = uvicorn.Server(uvicorn.Config(host, host="127.0.0.1", port=port, log_config=None))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        assert thread.is_alive()
        time.sleep(0.02)
    yield f"http://127.0.0.1:{port}/qbo-sandbox"
    server.should_exit = True
    thread.join(timeout=15)


def test_discovery_names_the_mounted_prefix(mounted: str) -> None:
    doc = httpx.get(f"{mounted}/.well-known/openid_sandbox_configuration").json()
    assert doc["token_endpoint"] == f"{mounted}/oauth2/v1/tokens/bearer"


def test_python_quickbooks_works_through_the_mount_despite_host_csrf(mounted: str) -> None:
    companies = httpx.get(f"{mounted}/_sandbox/api/companies", headers=CONTROL).json()
    realm = companies["companies"][0]["realmId"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        qb = connect(mounted, realm)
        created = Customer()
        created.DisplayName = "Mounted Customer"
        saved = created.save(qb=qb)
    assert Customer.get(saved.Id, qb=qb).DisplayName == "Mounted Customer"
