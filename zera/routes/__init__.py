"""HTTP routes: thin handlers that parse input, check access and call one domain function."""

from zera.routes import (
    admin,
    auth,
    clients,
    conflicts,
    documents,
    push,
    quickbooks,
    records,
    review,
    system,
)

ROUTES = [
    *auth.ROUTES,
    *clients.ROUTES,
    *documents.ROUTES,
    *admin.ROUTES,
    *system.ROUTES,
    *quickbooks.ROUTES,
    *review.ROUTES,
    *records.ROUTES,
    *push.ROUTES,
    *conflicts.ROUTES,
]

__all__ = ["ROUTES"]
