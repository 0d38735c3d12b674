"""Records mirrored with QuickBooks: the reference mirror, the transaction history, the webhook
inbox (with its replay protection). The apply pass and two-way merge (`zera.sync.apply`,
`zera.sync.twoway`) work on records, so they are imported from their modules: the record model
itself reads the lists from here. Knows nothing of HTTP; talks to Intuit only through `zera.qbo`."""

from zera.sync.connections import KEEPALIVE_AFTER, connected_client_ids, keep_alive, realm_of
from zera.sync.deliveries import forget_expired
from zera.sync.history import TRANSACTION_ENTITIES, pull_history, store_transactions
from zera.sync.inbox import (
    Receipt,
    mark_applied,
    newest_id,
    pending_notices,
    receive,
    release_apply,
)
from zera.sync.mirror import (
    LIST_ENTITIES,
    AccountRow,
    account_for_push,
    chart_of_accounts,
    pull_reference,
    refresh_reference,
)

__all__ = [
    "KEEPALIVE_AFTER",
    "LIST_ENTITIES",
    "TRANSACTION_ENTITIES",
    "AccountRow",
    "Receipt",
    "account_for_push",
    "chart_of_accounts",
    "connected_client_ids",
    "forget_expired",
    "keep_alive",
    "mark_applied",
    "newest_id",
    "pending_notices",
    "pull_history",
    "pull_reference",
    "realm_of",
    "receive",
    "refresh_reference",
    "release_apply",
    "store_transactions",
]
