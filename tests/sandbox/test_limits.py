"""Intuit's throttles (QBO-API.md §7): 429 with Intuit's XML body, per realm, configurable."""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from quickbooks.exceptions import QuickbooksException
from quickbooks.objects.customer import Customer
from sandbox_harness import Api, Sandbox, connect, make_config, serve

from zera.sandbox.config import Limits
from zera.sandbox.limits import Limiter, Throttled
from zera.sandbox.store import SandboxStore

LOW = Limits(enabled=True, requests_per_minute=5, concurrent_per_realm=10, batch_per_minute=2)


@pytest.fixture(scope="module")
def limited(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Sandbox]:
    config = replace(make_config(tmp_path_factory.mktemp("limited")), limits=LOW, seed=None)
    for base in serve(config):
        yield Sandbox(base, config, realm="", seeded_realm="")


def _fresh_api(sandbox: Sandbox) -> Api:
    realm = sandbox.control("POST", "/companies", json={"name": "Limits"}).json()["realmId"]
    return Api(sandbox.base, realm)


def test_the_request_over_the_per_minute_limit_gets_429_in_xml(limited: Sandbox) -> None:
    api = _fresh_api(limited)
    answers = [api.get("/preferences") for _ in range(6)]
    assert [a.status_code for a in answers[:5]] == [200] * 5
    throttled = answers[5]
    assert throttled.status_code == 429
    assert throttled.headers["content-type"].startswith("application/xml")  # JSON was asked for
    assert "message=ThrottleExceeded; errorCode=003001; statusCode=429" in throttled.text
    assert '<Error code="3001">' in throttled.text


def test_limits_are_per_realm(limited: Sandbox) -> None:
    first, second = _fresh_api(limited), _fresh_api(limited)
    for _ in range(5):
        first.get("/preferences")
    assert first.get("/preferences").status_code == 429
    assert second.get("/preferences").status_code == 200


def test_batch_requests_have_their_own_per_minute_limit(limited: Sandbox) -> None:
    api = _fresh_api(limited)
    batch = {"BatchItemRequest": [{"bId": "1", "Query": "SELECT * FROM Term"}]}
    assert [api.post("/batch", batch).status_code for _ in range(3)] == [200, 200, 429]


def test_each_batch_item_is_metered_like_a_call(limited: Sandbox) -> None:
    api = _fresh_api(limited)
    batch = {"BatchItemRequest": [{"bId": str(i), "Query": "SELECT * FROM Term"}
                                  for i in range(6)]}
    assert api.post("/batch", batch).status_code == 429


def test_forced_throttle_from_the_control_surface(sandbox: Sandbox) -> None:
    realm = sandbox.control("POST", "/companies", json={"name": "Forced"}).json()["realmId"]
    api = Api(sandbox.base, realm)
    assert api.get("/preferences").status_code == 200
    sandbox.control("POST", f"/companies/{realm}/throttle", json={"seconds": 30})
    assert api.get("/preferences").status_code == 429


def test_python_quickbooks_meets_the_xml_throttle_as_in_its_issue_83(limited: Sandbox) -> None:
    """The library cannot parse the XML body: Intuit's known pain point, reproduced."""
    realm = limited.control("POST", "/companies", json={"name": "Lib"}).json()["realmId"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        qb = connect(limited.base, realm)
        with pytest.raises(QuickbooksException) as caught:
            for _ in range(6):
                Customer.all(qb=qb)
    assert caught.value.error_code == 10000 and "IntuitResponse" in caught.value.message


def test_the_eleventh_concurrent_request_is_throttled(tmp_path: Path) -> None:
    limiter = Limiter(Limits(concurrent_per_realm=10), SandboxStore(tmp_path / "s.db"))
    held = [limiter.admit("r") for _ in range(10)]
    for context in held:
        context.__enter__()
    with pytest.raises(Throttled), limiter.admit("r"):
        pass
    held[0].__exit__(None, None, None)
    with limiter.admit("r"):
        pass  # one finished, so there is room again
