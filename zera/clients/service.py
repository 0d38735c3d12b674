"""Clients and who may see them. Every read for a user goes through `get_client` or
`visible_clients`, which enforce access: staff see only clients assigned to them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from zera.accounts import audit
from zera.accounts.users import CurrentUser, clean_name
from zera.db.engine import write_transaction
from zera.db.tables import Client, ClientAccess, User
from zera.errors import InvalidInput, NotFound


@dataclass(frozen=True)
class ClientSummary:
    id: int
    name: str
    archived: bool
    created_at: datetime
    last_activity_at: datetime


def _summary(row: dict[str, object]) -> ClientSummary:
    return ClientSummary(**row)  # type: ignore[arg-type]


_COLUMNS = (Client.id, Client.name, Client.archived, Client.created_at, Client.last_activity_at)


async def _assigned_ids(user: CurrentUser) -> list[int]:
    rows = await ClientAccess.select(ClientAccess.client).where(ClientAccess.user == user.id).run()
    return [int(row["client"]) for row in rows]


async def visible_clients(user: CurrentUser, *, archived: bool = False) -> list[ClientSummary]:
    """Clients `user` may see, active ones by default, by name."""
    query = Client.select(*_COLUMNS).where(Client.archived == archived).order_by(Client.name)
    if not user.is_owner:
        ids = await _assigned_ids(user)
        if not ids:
            return []
        query = query.where(Client.id.is_in(ids))
    return [_summary(row) for row in await query.run()]


async def client_by_reference(ref: str) -> ClientSummary:
    """The client whose id or exact name is `ref`, for commands that act for the whole firm
    (`zera records`, `zera push`, `zera export`); NotFound names what was looked for."""
    if ref.strip().isdigit():
        row = await Client.select(*_COLUMNS).where(Client.id == int(ref)).first().run()
        if row is not None:
            return _summary(row)
    rows = await Client.select(*_COLUMNS).where(Client.name == ref).run()
    if len(rows) > 1:
        ids = ", ".join(str(r["id"]) for r in rows)
        raise NotFound(f"several clients are named {ref!r} (ids {ids}); give the id instead.")
    if not rows:
        raise NotFound(f"no client has the id or the exact name {ref!r}.")
    return _summary(rows[0])


async def get_client(user: CurrentUser, client_id: int) -> ClientSummary:
    """The client if `user` may see it; otherwise NotFound, exactly as for a missing client."""
    row = await Client.select(*_COLUMNS).where(Client.id == client_id).first().run()
    if row is None:
        raise NotFound("No such client.")
    if (
        not user.is_owner
        and not await ClientAccess.exists()
        .where((ClientAccess.user == user.id) & (ClientAccess.client == client_id))
        .run()
    ):
        raise NotFound("No such client.")
    return _summary(row)


def _require_owner(user: CurrentUser) -> None:
    if not user.is_owner:
        # Staff never learn that owner-only actions exist on a client.
        raise NotFound("No such page.")


async def create_client(user: CurrentUser, actor: audit.Actor, name: str) -> int:
    _require_owner(user)
    name = clean_name(name, "name", "the client's name")
    rows = await Client.insert(Client(name=name)).returning(Client.id).run()
    client_id = int(rows[0]["id"])
    await audit.record(actor, "client.created", client_id=client_id, name=name)
    return client_id


async def rename_client(user: CurrentUser, actor: audit.Actor, client_id: int, name: str) -> None:
    _require_owner(user)
    current = await get_client(user, client_id)
    name = clean_name(name, "name", "the client's name")
    await (
        Client.update({Client.name: name, Client.last_activity_at: datetime.now(UTC)})
        .where(Client.id == client_id)
        .run()
    )
    await audit.record(
        actor, "client.renamed", client_id=client_id, old_name=current.name, name=name
    )


async def set_archived(
    user: CurrentUser, actor: audit.Actor, client_id: int, archived: bool
) -> None:
    _require_owner(user)
    await get_client(user, client_id)
    await Client.update({Client.archived: archived}).where(Client.id == client_id).run()
    await audit.record(
        actor, "client.archived" if archived else "client.restored", client_id=client_id
    )


@dataclass(frozen=True)
class StaffAssignment:
    user_id: int
    name: str
    email: str
    assigned: bool


async def staff_assignments(user: CurrentUser, client_id: int) -> list[StaffAssignment]:
    """Every active staff member and whether they are assigned to the client (owners only)."""
    _require_owner(user)
    await get_client(user, client_id)
    staff = (
        await User.select(User.id, User.name, User.email)
        .where(
            (User.role == "staff") & (User.active == True)  # noqa: E712
        )
        .order_by(User.name)
        .run()
    )
    assigned = {
        int(row["user"])
        for row in await ClientAccess.select(ClientAccess.user)
        .where(ClientAccess.client == client_id)
        .run()
    }
    return [
        StaffAssignment(row["id"], row["name"], row["email"], row["id"] in assigned)
        for row in staff
    ]


async def assign_staff(
    user: CurrentUser, actor: audit.Actor, client_id: int, user_ids: set[int]
) -> None:
    """Make exactly `user_ids` the staff assigned to the client."""
    assignments = await staff_assignments(user, client_id)
    current = {a.user_id for a in assignments if a.assigned}
    valid = {a.user_id for a in assignments}
    if not user_ids <= valid:
        raise InvalidInput("staff", "Choose staff members from the list.")
    added, removed = user_ids - current, current - user_ids
    async with write_transaction(ClientAccess._meta.db):
        if removed:
            await (
                ClientAccess.delete()
                .where((ClientAccess.client == client_id) & ClientAccess.user.is_in(list(removed)))
                .run()
            )
        for user_id in added:
            await ClientAccess.insert(ClientAccess(user=user_id, client=client_id)).run()
    if added or removed:
        await audit.record(
            actor,
            "client.staff_changed",
            client_id=client_id,
            added=sorted(added),
            removed=sorted(removed),
        )
