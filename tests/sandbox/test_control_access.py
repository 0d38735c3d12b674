"""Who may use the control surface: the X-Sandbox-Token header or the sign-in cookie, from this
sandbox's own host and origin; webhooks only to Zera's own URL; a fixed verifier token while
connected. (A signed-in firm owner of `zera serve`: tests/test_sandbox_in_zera.py.)"""

from __future__ import annotations

import re
from collections.abc import Iterator

import httpx
import pytest
from sandbox_harness import CONTROL, CONTROL_TOKEN, Api, Sandbox, make_config, serve, tokens_for

OWN_WEBHOOK_URL = "http://127.0.0.1:9/qbo/webhooks"
COOKIE = "zera_sandbox_control"


@pytest.fixture(scope="module")
def strict(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Sandbox]:
    """A sandbox as `zera serve` configures it: webhooks only to Zera's own URL."""
    config = make_config(tmp_path_factory.mktemp("strict"), seed=None,
                         webhook_url=OWN_WEBHOOK_URL, allow_any_webhook_url=False)
    for base in serve(config):
        sandbox = Sandbox(base, config, "", "")
        sandbox.realm = sandbox.control("GET", "/companies").json()["companies"][0]["realmId"]
        yield sandbox


def _offset(sandbox: Sandbox) -> float:
    return float(sandbox.control("GET", "/clock").json()["offsetSeconds"])


@pytest.mark.parametrize("headers", [{}, {"X-Sandbox-Token": "not-the-token"},
                                     {"X-Sandbox-Token": ""}])
def test_without_the_right_token_nothing_changes(sandbox: Sandbox,
                                                  headers: dict[str, str]) -> None:
    """Given a connected client, when someone without the token revokes and moves the clock,
    then both are refused (401 without a token, 403 with a wrong one) and nothing changed."""
    api = Api(sandbox.base, sandbox.realm)
    before = _offset(sandbox)
    control = f"{sandbox.base}/_sandbox/api"

    revoked = httpx.post(f"{control}/tokens/revoke", json={"realmId": sandbox.realm},
                         headers=headers)
    moved = httpx.post(f"{control}/clock", json={"advanceSeconds": 86400}, headers=headers)
    read = httpx.get(f"{control}/companies", headers=headers)

    expected = 403 if headers else 401
    assert [revoked.status_code, moved.status_code, read.status_code] == [expected] * 3
    assert api.get("/preferences").status_code == 200  # the grant still works
    assert _offset(sandbox) == before


def test_the_right_token_is_accepted(sandbox: Sandbox) -> None:
    answer = httpx.get(f"{sandbox.base}/_sandbox/api/clock", headers=CONTROL)
    assert answer.status_code == 200 and "offsetSeconds" in answer.json()


def test_another_host_name_is_refused_even_with_the_token(sandbox: Sandbox) -> None:
    """A page on another name that resolves here (DNS rebinding) gets nothing."""
    answer = httpx.get(f"{sandbox.base}/_sandbox/api/companies",
                       headers={**CONTROL, "Host": "attacker.example"})
    assert answer.status_code == 421


def test_localhost_names_the_same_sandbox_as_127_0_0_1(sandbox: Sandbox) -> None:
    port = sandbox.base.rsplit(":", 1)[1]
    answer = httpx.get(f"{sandbox.base}/_sandbox/api/companies",
                       headers={**CONTROL, "Host": f"localhost:{port}"})
    assert answer.status_code == 200


def test_a_read_from_another_origin_is_refused_even_with_the_token(sandbox: Sandbox) -> None:
    answer = httpx.get(f"{sandbox.base}/_sandbox/api/webhooks",
                       headers={**CONTROL, "Origin": "http://127.0.0.1:1"})
    assert answer.status_code == 403


def test_a_person_signs_in_with_the_token_and_gets_a_strict_cookie(sandbox: Sandbox) -> None:
    """Given a browser with no credential, the views answer with the sign-in form; a wrong
    token is refused; the right one sets an HttpOnly SameSite=Strict cookie that opens them."""
    with httpx.Client(base_url=sandbox.base) as browser:
        page = browser.get("/_sandbox/")
        assert page.status_code == 401 and 'name="token"' in page.text

        wrong = browser.post("/_sandbox/sign-in", data={"token": "guess", "next": "/_sandbox/"})
        assert wrong.status_code == 403 and COOKIE not in browser.cookies

        right = browser.post("/_sandbox/sign-in",
                             data={"token": CONTROL_TOKEN, "next": "https://evil.example/"})
        assert right.status_code == 303 and right.headers["location"] == "/_sandbox/"
        cookie = right.headers["set-cookie"].lower()
        assert "httponly" in cookie and "samesite=strict" in cookie
        assert CONTROL_TOKEN not in cookie
        assert sandbox.realm in browser.get("/_sandbox/").text
        assert browser.get("/_sandbox/api/clock").status_code == 200
        # The cookie does not help a page on another site.
        assert browser.get("/_sandbox/", headers={"Sec-Fetch-Site": "cross-site"}
                           ).status_code == 403



def test_webhooks_go_only_to_zeras_own_url(strict: Sandbox) -> None:
    """An internal address is refused (the sandbox would POST signed bodies there); Zera's own
    webhook URL, and unsubscribing, are fine."""
    refused = strict.control("POST", "/webhooks",
                             json={"endpoint_url": "http://169.254.169.254/latest/meta-data"})
    assert refused.status_code == 403
    assert "ZERA_SANDBOX_ALLOW_ANY_WEBHOOK_URL" in refused.text
    state = strict.control("GET", "/webhooks").json()
    assert state["settings"]["endpoint_url"] == OWN_WEBHOOK_URL

    assert strict.control("POST", "/webhooks",
                          json={"endpoint_url": None}).status_code == 200
    assert strict.control("POST", "/webhooks",
                          json={"endpoint_url": OWN_WEBHOOK_URL}).status_code == 200


def test_the_development_setting_lets_webhooks_go_elsewhere(sandbox: Sandbox) -> None:
    other = "http://127.0.0.1:9/elsewhere"
    answer = sandbox.control("POST", "/webhooks", json={"endpoint_url": other})
    try:
        assert answer.status_code == 200
        assert answer.json()["settings"]["endpoint_url"] == other
    finally:
        sandbox.control("POST", "/webhooks", json={"endpoint_url": None})


def test_the_verifier_token_is_fixed_while_a_company_is_connected(strict: Sandbox) -> None:
    """Given no grant, the verifier token may change; once the app is connected it is refused
    with 409 naming the realm; after the user disconnects it may change again."""
    assert strict.control("POST", "/webhooks",
                          json={"verifier_token": "before-connecting"}).status_code == 200
    tokens_for(strict.base, strict.realm)

    refused = strict.control("POST", "/webhooks", json={"verifier_token": "silently-broken"})
    same = strict.control("POST", "/webhooks", json={"verifier_token": "before-connecting"})

    assert refused.status_code == 409
    assert strict.realm in refused.text and "Disconnect" in refused.text
    assert same.status_code == 200  # naming the current token changes nothing
    strict.control("POST", "/tokens/revoke", json={"realmId": strict.realm})
    assert strict.control("POST", "/webhooks",
                          json={"verifier_token": "after-disconnecting"}).status_code == 200


def test_the_sign_in_form_names_no_secret(sandbox: Sandbox) -> None:
    page = httpx.get(f"{sandbox.base}/_sandbox/sign-in").text
    assert page.count("<form") == 1
    assert CONTROL_TOKEN not in page and not re.search(r'value="[^"]{30,}"', page)

