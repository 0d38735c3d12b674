"""OAuth edge cases as Intuit behaves (QBO-API.md §1), over HTTP."""

from __future__ import annotations

from typing import Any

import httpx
from sandbox_harness import (
    CLIENT_ID,
    CLIENT_SECRET,
    REDIRECT,
    SCOPE,
    Api,
    Sandbox,
    consent,
    tokens_for,
)


def _token(sandbox: Sandbox, data: dict[str, str], **kwargs: Any) -> httpx.Response:
    kwargs.setdefault("auth", (CLIENT_ID, CLIENT_SECRET))
    return httpx.post(f"{sandbox.base}/oauth2/v1/tokens/bearer", data=data,
                      headers={"Accept": "application/json", **kwargs.pop("headers", {})},
                      **kwargs)


def _refresh(sandbox: Sandbox, refresh_token: str) -> httpx.Response:
    return _token(sandbox, {"grant_type": "refresh_token", "refresh_token": refresh_token})


def test_discovery_document_points_every_endpoint_at_the_sandbox(sandbox: Sandbox) -> None:
    doc = httpx.get(f"{sandbox.base}/.well-known/openid_configuration").json()
    assert doc["authorization_endpoint"] == f"{sandbox.base}/connect/oauth2"
    assert doc["token_endpoint"] == f"{sandbox.base}/oauth2/v1/tokens/bearer"
    assert doc["revocation_endpoint"] == f"{sandbox.base}/v2/oauth2/tokens/revoke"
    assert doc["token_endpoint_auth_methods_supported"] == ["client_secret_post",
                                                             "client_secret_basic"]


def test_consent_page_is_a_plain_form_with_a_company_choice(sandbox: Sandbox) -> None:
    page = httpx.get(f"{sandbox.base}/connect/oauth2", params={
        "client_id": CLIENT_ID, "response_type": "code", "scope": SCOPE,
        "redirect_uri": REDIRECT, "state": "<script>"})
    assert page.status_code == 200
    assert '<form method="post"' in page.text and 'type="submit"' in page.text
    assert f'value="{sandbox.seeded_realm}"' in page.text and "<script>" not in page.text
    assert "&lt;script&gt;" in page.text  # state echoed escaped, in a hidden input


def test_unregistered_redirect_uri_is_refused_on_the_page(sandbox: Sandbox) -> None:
    page = httpx.get(f"{sandbox.base}/connect/oauth2", params={
        "client_id": CLIENT_ID, "response_type": "code", "scope": SCOPE,
        "redirect_uri": "https://evil.example/cb", "state": "s"})
    assert page.status_code == 400 and "redirect_uri" in page.text


def test_cancel_on_the_consent_page_redirects_with_access_denied(sandbox: Sandbox) -> None:
    answer = httpx.post(f"{sandbox.base}/connect/oauth2", data={
        "client_id": CLIENT_ID, "response_type": "code", "scope": SCOPE,
        "redirect_uri": REDIRECT, "state": "s1", "realm_id": sandbox.realm, "decision": "deny"})
    assert answer.status_code == 302
    assert answer.headers["location"] == f"{REDIRECT}?error=access_denied&state=s1"


def test_client_secret_post_is_accepted_and_hard_expiry_is_returned_on_request(
    sandbox: Sandbox,
) -> None:
    code = consent(sandbox.base, realm=sandbox.realm)["code"]
    answer = _token(sandbox, {"grant_type": "authorization_code", "code": code,
                              "redirect_uri": REDIRECT, "client_id": CLIENT_ID,
                              "client_secret": CLIENT_SECRET},
                    auth=None, headers={"x-include-refresh-token-hard-expires-in": "true"})
    body = answer.json()
    assert answer.status_code == 200, body
    assert body["token_type"] == "bearer" and body["expires_in"] == 3600
    assert body["x_refresh_token_expires_in"] == 100 * 86400
    assert body["x_refresh_token_hard_expires_in"] > body["x_refresh_token_expires_in"]


def test_hard_expiry_is_absent_unless_asked_for(sandbox: Sandbox) -> None:
    assert "x_refresh_token_hard_expires_in" not in tokens_for(sandbox.base, sandbox.realm)


def test_wrong_client_secret_is_invalid_client(sandbox: Sandbox) -> None:
    code = consent(sandbox.base, realm=sandbox.realm)["code"]
    answer = _token(sandbox, {"grant_type": "authorization_code", "code": code,
                              "redirect_uri": REDIRECT}, auth=(CLIENT_ID, "wrong"))
    assert answer.status_code == 401 and answer.json()["error"] == "invalid_client"


def test_second_exchange_of_a_code_fails_and_kills_the_first_tokens(sandbox: Sandbox) -> None:
    code = consent(sandbox.base, realm=sandbox.realm)["code"]
    form = {"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT}
    first = _token(sandbox, form).json()
    api = Api(sandbox.base, sandbox.realm, first["access_token"])
    assert api.get("/companyinfo/" + sandbox.realm).status_code == 200

    replay = _token(sandbox, form)

    assert replay.status_code == 400 and replay.json()["error"] == "invalid_grant"
    assert api.get("/companyinfo/" + sandbox.realm).status_code == 401
    assert _refresh(sandbox, first["refresh_token"]).json()["error"] == "invalid_grant"


def test_redirect_uri_must_match_the_authorization(sandbox: Sandbox) -> None:
    code = consent(sandbox.base, realm=sandbox.realm)["code"]
    answer = _token(sandbox, {"grant_type": "authorization_code", "code": code,
                              "redirect_uri": REDIRECT + "/other"})
    assert answer.json()["error"] == "invalid_grant"


def test_unknown_grant_type_is_unsupported(sandbox: Sandbox) -> None:
    answer = _token(sandbox, {"grant_type": "password", "username": "u"})
    assert answer.status_code == 400 and answer.json()["error"] == "unsupported_grant_type"


def test_refresh_rotates_after_the_window_and_the_old_value_dies_at_once(
    sandbox: Sandbox, clock: Any
) -> None:
    tokens = tokens_for(sandbox.base, sandbox.realm)
    clock(25 * 3600)  # past the default 24 h rotation window

    rotated = _refresh(sandbox, tokens["refresh_token"]).json()

    assert rotated["refresh_token"] != tokens["refresh_token"]
    stale = _refresh(sandbox, tokens["refresh_token"])
    assert stale.status_code == 400
    assert stale.json() == {"error_description": "Incorrect or invalid refresh token",
                            "error": "invalid_grant"}
    assert _refresh(sandbox, rotated["refresh_token"]).status_code == 200


def test_refresh_token_expires_after_100_days_unused(sandbox: Sandbox, clock: Any) -> None:
    tokens = tokens_for(sandbox.base, sandbox.realm)
    clock(101 * 86400)
    assert _refresh(sandbox, tokens["refresh_token"]).json()["error"] == "invalid_grant"


def test_access_token_expires_after_an_hour_with_intuits_401_body(
    sandbox: Sandbox, clock: Any
) -> None:
    api = Api(sandbox.base, sandbox.realm)
    clock(3601)
    answer = api.get("/companyinfo/" + sandbox.realm)
    assert answer.status_code == 401
    assert answer.headers["www-authenticate"] == 'Bearer realm="Intuit", error="invalid_token"'
    error = answer.json()["fault"]["error"][0]
    assert error["code"] == "3200" and error["detail"].startswith("Token expired: ")


def test_missing_and_malformed_tokens_get_different_401_details(sandbox: Sandbox) -> None:
    url = f"{sandbox.base}/v3/company/{sandbox.realm}/companyinfo/{sandbox.realm}"
    missing = httpx.get(url)
    malformed = httpx.get(url, headers={"Authorization": "Bearer abc"})
    assert missing.status_code == malformed.status_code == 401
    details = {missing.json()["fault"]["error"][0]["detail"],
               malformed.json()["fault"]["error"][0]["detail"]}
    assert "Malformed bearer token: too short or too long" in details and len(details) == 2


def test_revoke_with_json_body_disconnects_the_grant(sandbox: Sandbox) -> None:
    tokens = tokens_for(sandbox.base, sandbox.realm)
    answer = httpx.post(f"{sandbox.base}/v2/oauth2/tokens/revoke", auth=(CLIENT_ID, CLIENT_SECRET),
                        json={"token": tokens["refresh_token"]})
    assert answer.status_code == 200
    api = Api(sandbox.base, sandbox.realm, tokens["access_token"])
    assert api.get("/companyinfo/" + sandbox.realm).status_code == 401
    assert _refresh(sandbox, tokens["refresh_token"]).json()["error"] == "invalid_grant"


def test_revoke_with_form_body_works_too(sandbox: Sandbox) -> None:
    tokens = tokens_for(sandbox.base, sandbox.realm)
    answer = httpx.post(f"{sandbox.base}/v2/oauth2/tokens/revoke", auth=(CLIENT_ID, CLIENT_SECRET),
                        data={"token": tokens["access_token"]})
    assert answer.status_code == 200
    assert _refresh(sandbox, tokens["refresh_token"]).json()["error"] == "invalid_grant"


def test_a_token_can_only_address_its_own_realm(sandbox: Sandbox) -> None:
    api = Api(sandbox.base, sandbox.realm)
    other = api.http.get(f"{sandbox.base}/v3/company/{sandbox.seeded_realm}/companyinfo/"
                         f"{sandbox.seeded_realm}", headers=api._auth())
    assert other.status_code == 403
    assert other.json()["Fault"]["Error"][0]["code"] == "3100"
