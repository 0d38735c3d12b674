"""The webhook inbox: verified bodies are stored as received, then applied by a job.

Receiving only stores and enqueues, so Intuit gets its 200 well within its 3 seconds; applying
reads what changed through CDC, which also catches anything a lost webhook never announced.
"""

from __future__ import annotations

from zera.db.tables import QBOConnection, WebhookInbox
from zera.qbo.webhooks import ChangeNotice
from zera.queue import JobQueue


async def receive(body: bytes, notices: list[ChangeNotice], queue: JobQueue) -> int:
    """Store the body once per realm it names and queue the apply job of each connected client.

    Returns how many clients were queued. Realms no client is connected to are kept (for the
    audit trail) but start nothing.
    """
    realms = sorted({notice.realm_id for notice in notices})
    if not realms:
        return 0
    text = body.decode("utf-8", "replace")
    await WebhookInbox.insert(*(WebhookInbox(realm_id=realm, body=text) for realm in realms)).run()
    connections = (
        await QBOConnection.select(QBOConnection.client_id)
        .where(QBOConnection.realm_id.is_in(realms) & (QBOConnection.status == "connected"))
        .run()
    )
    for row in connections:
        await queue.enqueue(
            "apply_quickbooks_changes",
            title="Apply changes made in QuickBooks",
            client_id=row["client_id"],
        )
    return len(connections)


async def mark_applied(realm_id: str, up_to_id: int) -> None:
    await (
        WebhookInbox.update({WebhookInbox.processed: True})
        .where((WebhookInbox.realm_id == realm_id) & (WebhookInbox.id <= up_to_id))
        .run()
    )


async def newest_id(realm_id: str) -> int:
    row = (
        await WebhookInbox.select(WebhookInbox.id)
        .where(WebhookInbox.realm_id == realm_id)
        .order_by(WebhookInbox.id, ascending=False)
        .first()
        .run()
    )
    return int(row["id"]) if row else 0
