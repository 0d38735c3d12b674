"""Intuit's OAuth endpoints: discovery, consent page, token exchange and revocation (§1)."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qsl, urlencode

from litestar import Request, Response, get, post
from litestar.response import Redirect, Template

from zera.sandbox.api.common import base_url, json_response, runtime_of
from zera.sandbox.oauth import ACCOUNTING_SCOPE, OAuthError

CONSENT_FIELDS = ("client_id", "redirect_uri", "response_type", "scope", "state")
HARD_EXPIRY_HEADER = "x-include-refresh-token-hard-expires-in"


def discovery_document(base: str) -> dict[str, Any]:
    """Intuit's discovery document with every endpoint pointing at this sandbox."""
    return {
        "issuer": f"{base}/op/v1",
        "authorization_endpoint": f"{base}/connect/oauth2",
        "token_endpoint": f"{base}/oauth2/v1/tokens/bearer",
        "userinfo_endpoint": f"{base}/v1/openid_connect/userinfo",
        "revocation_endpoint": f"{base}/v2/oauth2/tokens/revoke",
        "jwks_uri": f"{base}/op/v1/jwks",
        "response_types_supported": ["code"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "scopes_supported": ["openid", "email", "profile", "address", "phone",
                             ACCOUNTING_SCOPE, "com.intuit.quickbooks.payment"],
        "token_endpoint_auth_methods_supported": ["client_secret_post", "client_secret_basic"],
        "claims_supported": ["aud", "exp", "iat", "iss", "realmid", "sub"],
    }


@get(["/.well-known/openid_configuration", "/.well-known/openid_sandbox_configuration"],
)
async def discovery(request: Request[Any, Any, Any]) -> Response[bytes]:
    return json_response(discovery_document(base_url(request)))


@get("/connect/oauth2")
async def consent_page(request: Request[Any, Any, Any]) -> Template:
    runtime = runtime_of(request)
    params = {name: request.query_params.get(name, "") for name in CONSENT_FIELDS}
    try:
        runtime.oauth.check_authorize(params["client_id"], params["redirect_uri"],
                                      params["response_type"], params["scope"])
    except OAuthError as exc:
        return Template("consent_error.html", status_code=400,
                        context={"error": exc.error, "description": exc.description})
    companies = [dict(row) for row in runtime.store.companies()]
    return Template("consent.html",
                    context={"params": params, "companies": companies})


@post("/connect/oauth2", status_code=302)
async def consent_submit(request: Request[Any, Any, Any]) -> Response[Any]:
    data = await request.body()
    runtime = runtime_of(request)
    form = dict(parse_qsl(data.decode(), keep_blank_values=True))
    params = {name: form.get(name, "") for name in CONSENT_FIELDS}
    try:
        runtime.oauth.check_authorize(params["client_id"], params["redirect_uri"],
                                      params["response_type"], params["scope"])
    except OAuthError as exc:
        return Template("consent_error.html", status_code=400,
                        context={"error": exc.error, "description": exc.description})
    redirect = params["redirect_uri"]
    joiner = "&" if "?" in redirect else "?"
    if form.get("decision") != "allow":
        query = {"error": "access_denied", "state": params["state"]}
        return Redirect(f"{redirect}{joiner}{urlencode(query)}", status_code=302)
    realm = form.get("realm_id", "")
    if not runtime.store.has_company(realm):
        return Template("consent_error.html", status_code=400,
                        context={"error": "invalid_request",
                                 "description": "Choose one of the sandbox companies."})
    code = runtime.oauth.issue_code(realm, params["scope"], redirect)
    query = {"code": code, "state": params["state"]}
    # realmId comes back only for the accounting and payment scopes (QBO-API.md §1).
    if ACCOUNTING_SCOPE in params["scope"].split() or "payment" in params["scope"]:
        query["realmId"] = realm
    return Redirect(f"{redirect}{joiner}{urlencode(query)}", status_code=302)


@post("/oauth2/v1/tokens/bearer", status_code=200)
async def token(request: Request[Any, Any, Any]) -> Response[bytes]:
    data = await request.body()
    runtime = runtime_of(request)
    form = dict(parse_qsl(data.decode(errors="replace"), keep_blank_values=True))
    runtime.oauth.authenticate_client(request.headers.get("authorization"), form)
    hard = request.headers.get(HARD_EXPIRY_HEADER, "").lower() == "true"
    grant_type = form.get("grant_type", "")
    if grant_type == "authorization_code":
        if not form.get("code"):
            raise OAuthError("invalid_request", "code is required")
        body = runtime.oauth.exchange_code(form["code"], form.get("redirect_uri", ""), hard=hard)
    elif grant_type == "refresh_token":
        if not form.get("refresh_token"):
            raise OAuthError("invalid_request", "refresh_token is required")
        body = runtime.oauth.refresh(form["refresh_token"], hard=hard)
    else:
        raise OAuthError("unsupported_grant_type", f"grant_type {grant_type!r} is not supported")
    return json_response(body, headers={"cache-control": "no-store", "pragma": "no-cache"})


@post("/v2/oauth2/tokens/revoke", status_code=200)
async def revoke(request: Request[Any, Any, Any]) -> Response[bytes]:
    data = await request.body()
    runtime = runtime_of(request)
    text = data.decode(errors="replace")
    if "json" in request.headers.get("content-type", ""):
        try:
            parsed = json.loads(text or "{}")
        except ValueError:
            raise OAuthError("invalid_request", "The body is not JSON") from None
        form = {k: str(v) for k, v in parsed.items()} if isinstance(parsed, dict) else {}
    else:
        form = dict(parse_qsl(text, keep_blank_values=True))
    runtime.oauth.authenticate_client(request.headers.get("authorization"), form)
    if not form.get("token"):
        raise OAuthError("invalid_request", "token is required")
    runtime.oauth.revoke(form["token"])
    return json_response({"statuscode": "200"})  # DOTNET's success_revoketoken_response.json


OAUTH_ROUTES = [discovery, consent_page, consent_submit, token, revoke]
