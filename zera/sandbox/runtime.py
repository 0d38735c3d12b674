"""Everything one running sandbox holds: store, clock, services, limiter and webhook dispatcher."""

from __future__ import annotations

import importlib
import logging
from dataclasses import dataclass

from zera.sandbox.clock import SandboxClock
from zera.sandbox.companies import create_company
from zera.sandbox.config import SandboxConfig
from zera.sandbox.limits import Limiter
from zera.sandbox.oauth import DevApp, OAuthServer, load_dev_app
from zera.sandbox.service import Accounting
from zera.sandbox.store import SandboxStore
from zera.sandbox.webhooks import PayloadFormat, WebhookDispatcher, WebhookSettings

log = logging.getLogger("zera.sandbox")

FIRST_COMPANY = "Sandbox Company US"


@dataclass
class SandboxRuntime:
    config: SandboxConfig
    store: SandboxStore
    clock: SandboxClock
    api: Accounting
    oauth: OAuthServer
    limiter: Limiter
    dev_app: DevApp
    dispatcher: WebhookDispatcher | None

    @classmethod
    def build(cls, config: SandboxConfig) -> SandboxRuntime:
        store = SandboxStore(config.db_path)
        clock = SandboxClock(store)
        api = Accounting(store, clock, reject_unknown_fields=config.reject_unknown_fields)
        dev_app = load_dev_app(store, config)
        runtime = cls(config, store, clock, api, OAuthServer(store, clock, config.tokens, dev_app),
                      Limiter(config.limits, store), dev_app, None)
        if config.webhooks_enabled:
            runtime.dispatcher = WebhookDispatcher(
                config.db_path,
                WebhookSettings(
                    endpoint_url=config.webhook_url or None,
                    verifier_token=dev_app.verifier_token,
                    format=PayloadFormat(config.webhook_format),
                    time_scale=config.webhook_time_scale,
                ),
                clock=lambda: clock.now().timestamp(),
            )
            api.listeners.append(runtime.dispatcher)
        if not store.companies():
            seed = config.seed if seed_available() else None
            realm = create_company(api, None if seed is not None else FIRST_COMPANY, seed=seed,
                                   months=config.seed_months)
            log.info("created the first sandbox company %s (seed %s)", realm, seed)
        return runtime

    def close(self) -> None:
        """Close the store and the webhook outbox's own connection (both safe to repeat)."""
        if self.dispatcher is not None:
            self.dispatcher.outbox.close()
        self.store.close()


def seed_available() -> bool:
    """True once the seed generator is importable (it lands separately)."""
    try:
        module = importlib.import_module("zera.sandbox.seed")
    except ImportError:
        return False
    return hasattr(module, "generate_company")
