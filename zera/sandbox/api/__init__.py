"""HTTP routes of the sandbox, in Intuit's URL layout."""

from __future__ import annotations

from zera.sandbox.api.accounting import ACCOUNTING_ROUTES
from zera.sandbox.api.errors import EXCEPTION_HANDLERS
from zera.sandbox.api.oauth import OAUTH_ROUTES
from zera.sandbox.api.pdf import download_pdf

ACCOUNTING_ROUTES = [*ACCOUNTING_ROUTES, download_pdf]

__all__ = ["ACCOUNTING_ROUTES", "EXCEPTION_HANDLERS", "OAUTH_ROUTES"]
