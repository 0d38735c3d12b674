"""Firm set-up, sign-in with lockout, and user management."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from zera.accounts import audit
from zera.accounts.errors import AlreadySetUp, InvalidInput, LockedOut, NotFound, SignInFailed
from zera.accounts.passwords import hash_password, password_problem, verify_password
from zera.db.engine import write_transaction
from zera.db.tables import Firm, LoginGuard, User

ROLES = ("owner", "staff")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


@dataclass(frozen=True)
class CurrentUser:
    id: int
    email: str
    name: str
    role: str

    @property
    def is_owner(self) -> bool:
        return self.role == "owner"


def _user(row: dict[str, object]) -> CurrentUser:
    return CurrentUser(
        id=int(row["id"]),  # type: ignore[call-overload]
        email=str(row["email"]),
        name=str(row["name"]),
        role=str(row["role"]),
    )


def clean_email(email: str) -> str:
    email = email.strip().lower()
    if not _EMAIL.match(email) or len(email) > 254:
        raise InvalidInput("email", "Enter a valid email address.")
    return email


def clean_name(name: str, field: str = "name", label: str = "a name") -> str:
    name = " ".join(name.split())
    if not name or len(name) > 200:
        raise InvalidInput(field, f"Enter {label} of 1 to 200 characters.")
    return name


def _check_password(password: str) -> None:
    problem = password_problem(password)
    if problem:
        raise InvalidInput("password", problem)


async def needs_setup() -> bool:
    """True until the firm and its first owner exist."""
    return not await User.exists().where(User.role == "owner").run()


async def firm_name() -> str:
    row = await Firm.select(Firm.name).first().run()
    return str(row["name"]) if row else "Zera"


async def set_up_firm(
    firm: str, name: str, email: str, password: str, *, ip: str = ""
) -> CurrentUser:
    """Create the firm and its owner. Refused once an owner exists."""
    firm = clean_name(firm, "firm", "the firm's name")
    name = clean_name(name)
    email = clean_email(email)
    _check_password(password)
    password_hash = hash_password(password)
    async with write_transaction(User._meta.db):
        if not await needs_setup():
            raise AlreadySetUp("This firm is already set up. Sign in instead.")
        await Firm.insert(Firm(name=firm)).run()
        rows = (
            await User.insert(
                User(email=email, name=name, password_hash=password_hash, role="owner")
            )
            .returning(User.id)
            .run()
        )
    user = CurrentUser(id=rows[0]["id"], email=email, name=name, role="owner")
    await audit.record(audit.Actor(user.id, email, ip), "firm.set_up", firm=firm)
    return user


async def authenticate(
    email: str, password: str, *, max_failures: int, lockout_seconds: int, ip: str = ""
) -> CurrentUser:
    """Return the user for these credentials, counting failures per address.

    After `max_failures` failures in a row the address is locked for `lockout_seconds`, whether or
    not such a user exists, so the lockout does not reveal which addresses are registered.
    """
    email = email.strip().lower()[:254]
    now = datetime.now(UTC)
    guard = await LoginGuard.objects().get(LoginGuard.email == email).run()
    if guard and guard.locked_until and guard.locked_until > now:
        await audit.record(audit.Actor(None, email, ip), "auth.locked_out_attempt")
        raise LockedOut("Too many failed sign-ins. Try again in a few minutes.")
    row = await User.select().where((User.email == email) & (User.active == True)).first().run()  # noqa: E712
    if not verify_password(row["password_hash"] if row else None, password):
        failures = (guard.failures if guard else 0) + 1
        locked_until = (
            now + timedelta(seconds=lockout_seconds) if failures >= max_failures else None
        )
        if guard:
            await (
                LoginGuard.update(
                    {
                        LoginGuard.failures: 0 if locked_until else failures,
                        LoginGuard.locked_until: locked_until,
                    }
                )
                .where(LoginGuard.id == guard.id)
                .run()
            )
        else:
            await LoginGuard.insert(
                LoginGuard(email=email, failures=failures, locked_until=locked_until)
            ).run()
        await audit.record(
            audit.Actor(None, email, ip), "auth.sign_in_failed", locked=bool(locked_until)
        )
        raise SignInFailed("That email and password do not match.")
    if guard:
        await LoginGuard.delete().where(LoginGuard.id == guard.id).run()
    user = _user(row)  # type: ignore[arg-type]
    await audit.record(audit.Actor(user.id, user.email, ip), "auth.signed_in")
    return user


async def get_active(user_id: int) -> CurrentUser | None:
    row = await User.select().where((User.id == user_id) & (User.active == True)).first().run()  # noqa: E712
    return _user(row) if row else None


@dataclass(frozen=True)
class UserRow:
    id: int
    email: str
    name: str
    role: str
    active: bool


async def list_users() -> list[UserRow]:
    rows = (
        await User.select(User.id, User.email, User.name, User.role, User.active)
        .order_by(User.name)
        .run()
    )
    return [UserRow(**row) for row in rows]


async def create_user(
    actor: audit.Actor, *, name: str, email: str, password: str, role: str
) -> int:
    name, email = clean_name(name), clean_email(email)
    if role not in ROLES:
        raise InvalidInput("role", "Choose owner or staff.")
    _check_password(password)
    if await User.exists().where(User.email == email).run():
        raise InvalidInput("email", "A user with this email already exists.")
    rows = (
        await User.insert(
            User(email=email, name=name, password_hash=hash_password(password), role=role)
        )
        .returning(User.id)
        .run()
    )
    user_id = int(rows[0]["id"])
    await audit.record(actor, "user.created", user_id=user_id, email=email, role=role)
    return user_id


async def set_active(actor: audit.Actor, user_id: int, active: bool) -> None:
    if user_id == actor.user_id and not active:
        raise InvalidInput("active", "You cannot deactivate yourself.")
    if not await User.exists().where(User.id == user_id).run():
        raise NotFound("No such user.")
    await User.update({User.active: active}).where(User.id == user_id).run()
    await audit.record(actor, "user.activated" if active else "user.deactivated", user_id=user_id)
