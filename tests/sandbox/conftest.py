"""Fixtures: a real sandbox on a free 127.0.0.1 port, and python-quickbooks connected to it."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sandbox_harness import Api, Sandbox, connect, make_config, serve


@pytest.fixture(scope="session")
def sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Sandbox]:
    config = make_config(tmp_path_factory.mktemp("sandbox"))
    for base in serve(config):
        sandbox = Sandbox(base, config, "", seeded_realm="")
        companies = sandbox.control("GET", "/companies").json()["companies"]
        sandbox.seeded_realm = companies[0]["realmId"]
        # A blank company keeps these tests independent of the seeded history.
        created = sandbox.control("POST", "/companies", json={"name": "Test Co"}, timeout=60)
        assert created.status_code == 201, created.text
        sandbox.realm = created.json()["realmId"]
        yield sandbox


@pytest.fixture
def qb(sandbox: Sandbox):  # type: ignore[no-untyped-def]
    return connect(sandbox.base, sandbox.realm)


@pytest.fixture
def clock(sandbox: Sandbox) -> Iterator[Any]:
    """Move the sandbox clock in a test; it is set back afterwards."""

    def move(seconds: float) -> None:
        answer = sandbox.control("POST", "/clock", json={"advanceSeconds": seconds})
        assert answer.status_code == 200, answer.text

    yield move
    sandbox.control("POST", "/clock", json={"reset": True})


@pytest.fixture
def api(sandbox: Sandbox) -> Api:
    """A fresh starter company of its own, and an authorised HTTP client for it."""
    created = sandbox.control("POST", "/companies", json={"name": "Fault Test Co"})
    assert created.status_code == 201, created.text
    return Api(sandbox.base, created.json()["realmId"])
