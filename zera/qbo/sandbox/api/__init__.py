"""HTTP routes of the sandbox, in Intuit's URL layout."""

from __future__ import annotations

from zera.qbo.sandbox.api.accounting import ACCOUNTING_ROUTES
from zera.qbo.sandbox.api.errors import EXCEPTION_HANDLERS
from zera.qbo.sandbox.api.oauth import OAUTH_ROUTES
from zera.qbo.sandbox.api.pdf import download_pdf

ACCOUNTING_ROUTES = [*ACCOUNTING_ROUTES, download_pdf]

__all__ = ["ACCOUNTING_ROUTES", "EXCEPTION_HANDLERS", "OAUTH_ROUTES"]
