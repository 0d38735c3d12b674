"""Zera's built-in QuickBooks Online sandbox: Intuit's OAuth, Accounting API, limits and webhooks.

`create_sandbox_app(SandboxConfig.from_env(os.environ))` gives an ASGI app with Intuit's URL layout
at its root; README.md in this package documents the control surface.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from zera.sandbox.config import SandboxConfig

if TYPE_CHECKING:
    from litestar import Litestar


def create_sandbox_app(config: SandboxConfig) -> Litestar:
    """Build the sandbox app. Imported lazily so `zera.sandbox.fields` stays cheap to load."""
    from zera.sandbox.app import create_sandbox_app as build

    return build(config)


__all__ = ["SandboxConfig", "create_sandbox_app"]
