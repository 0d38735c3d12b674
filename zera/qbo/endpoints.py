"""Where Intuit lives: the real platform, or the built-in sandbox at the same paths."""

from __future__ import annotations

from dataclasses import dataclass, field

from zera.settings import Settings

SCOPE = "com.intuit.quickbooks.accounting"

# Intuit's published endpoints (QBO-API.md §1 and §2: discovery document and SDK constants).
_INTUIT_AUTHORIZE = "https://appcenter.intuit.com/connect/oauth2"
_INTUIT_TOKEN = "https://oauth.platform.intuit.com/oauth2/v1/tokens/bearer"  # noqa: S105 (a URL)
_INTUIT_REVOKE = "https://developer.api.intuit.com/v2/oauth2/tokens/revoke"
_INTUIT_API = {
    "production": "https://quickbooks.api.intuit.com",
    "sandbox": "https://sandbox-quickbooks.api.intuit.com",
}


@dataclass(frozen=True)
class IntuitApp:
    """One registered Intuit app and the URLs it talks to."""

    client_id: str
    client_secret: str = field(repr=False)
    redirect_uri: str
    authorize_url: str
    token_url: str
    revoke_url: str
    api_base: str
    builtin_sandbox: bool

    @classmethod
    def from_settings(cls, settings: Settings) -> IntuitApp:
        if settings.uses_intuit:
            return cls(
                client_id=settings.intuit_client_id,
                client_secret=settings.intuit_client_secret,
                redirect_uri=settings.redirect_uri,
                authorize_url=_INTUIT_AUTHORIZE,
                token_url=_INTUIT_TOKEN,
                revoke_url=_INTUIT_REVOKE,
                api_base=_INTUIT_API[settings.intuit_environment],
                builtin_sandbox=False,
            )
        base = settings.sandbox_url
        return cls(
            client_id=settings.sandbox_client_id,
            client_secret=settings.sandbox_client_secret,
            redirect_uri=settings.redirect_uri,
            authorize_url=f"{base}/connect/oauth2",
            token_url=f"{base}/oauth2/v1/tokens/bearer",
            revoke_url=f"{base}/v2/oauth2/tokens/revoke",
            api_base=base,
            builtin_sandbox=True,
        )
