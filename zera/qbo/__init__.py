"""The transport to Intuit: OAuth, the token vault, the API client, the rate limiter, Intuit's
faults and the webhook signature. Knows nothing of what is synced (that is `zera.sync`)."""

from zera.qbo.client import QBOClient, VaultAuth, batch_fault, request_id
from zera.qbo.connect import complete_connect, disconnect, start_connect
from zera.qbo.endpoints import IntuitApp
from zera.qbo.errors import (
    AuthenticationFailed,
    ClosedPeriod,
    ConnectionFailed,
    DuplicateDocNumber,
    DuplicateName,
    NeedsReconnect,
    ObjectNotFound,
    QBOError,
    ServerError,
    StaleObject,
    Throttled,
    Transient,
    ValidationFault,
)
from zera.qbo.oauth import IntuitOAuth, TokenSet
from zera.qbo.ratelimit import RateLimiter, RateLimits
from zera.qbo.service import QuickBooks
from zera.qbo.vault import TokenVault, connection_info, connection_statuses
from zera.qbo.webhooks import MAX_BODY_BYTES, ChangeNotice, parse_notices, signature_is_valid

__all__ = [
    "MAX_BODY_BYTES",
    "AuthenticationFailed",
    "ChangeNotice",
    "ClosedPeriod",
    "ConnectionFailed",
    "DuplicateDocNumber",
    "DuplicateName",
    "IntuitApp",
    "IntuitOAuth",
    "NeedsReconnect",
    "ObjectNotFound",
    "QBOClient",
    "QBOError",
    "QuickBooks",
    "RateLimiter",
    "RateLimits",
    "ServerError",
    "StaleObject",
    "Throttled",
    "TokenSet",
    "TokenVault",
    "Transient",
    "ValidationFault",
    "VaultAuth",
    "batch_fault",
    "complete_connect",
    "connection_info",
    "connection_statuses",
    "disconnect",
    "parse_notices",
    "request_id",
    "signature_is_valid",
    "start_connect",
]
