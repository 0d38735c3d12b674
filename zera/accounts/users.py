"""Firm set-up, sign-in with lockout, and user management."""

from __future__ import annotations

import re
from dataclasses import dataclass

from zera.accounts import audit, lockout
from zera.accounts.errors import AlreadySetUp, InvalidInput, LockedOut, NotFound, SignInFailed
from zera.accounts.passwords import hash_password, password_problem, verify_password
from zera.accounts.setup_token import check_setup_token
from zera.db.engine import write_transaction
from zera.db.tables import Firm, User

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
    firm: str,
    name: str,
    email: str,
    password: str,
    *,
    setup_token: str,
    secret_key: str,
    ip: str = "",
) -> CurrentUser:
    """Create the firm and its owner. Refused without the set-up token, and once an owner exists."""
    check_setup_token(setup_token, secret_key)
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


# Failed sign-ins from one source that are always audited in a window; past them, and past an
# address's `max_failures`, only every power-of-two-th failure is (see `lockout.worth_auditing`).
AUDITED_FAILURES_PER_SOURCE = 10


async def authenticate(
    email: str, password: str, *, max_failures: int, lockout_seconds: int, ip: str = ""
) -> CurrentUser:
    """Return the user for these credentials, counting attempts per address.

    Each attempt is counted before its password is checked, in the same statement that reads
    the lock, so at most `max_failures` guesses per address are ever checked in a window however
    many arrive at once. The attempt that reaches the limit locks the address for
    `lockout_seconds`, whether or not such a user exists, so the lockout does not reveal which
    addresses are registered; a correct password clears the count.
    """
    email = email.strip().lower()[:254]
    attempt = await lockout.reserve_attempt(
        email, max_failures=max_failures, window_seconds=lockout_seconds
    )
    if attempt.allowed:
        row = (
            await User.select().where((User.email == email) & (User.active == True)).first().run()  # noqa: E712
        )
        if verify_password(row["password_hash"] if row else None, password):
            await lockout.clear(email)
            user = _user(row)  # type: ignore[arg-type]
            await audit.record(audit.Actor(user.id, user.email, ip), "auth.signed_in")
            return user
    await _audit_failure(email, ip, attempt, max_failures, lockout_seconds)
    if not attempt.allowed:
        raise LockedOut("Too many failed sign-ins. Try again in a few minutes.")
    raise SignInFailed("That email and password do not match.")


async def _audit_failure(
    email: str, ip: str, attempt: lockout.Attempt, max_failures: int, window_seconds: int
) -> None:
    """Audit a failed sign-in, rate-limited per address and per source (made-up addresses
    from one source, or one address from many sources, write a handful of rows, not one each)."""
    from_source = await lockout.count_source_failure(ip, window_seconds=window_seconds)
    if lockout.worth_auditing(attempt.number, max_failures) and lockout.worth_auditing(
        from_source, AUDITED_FAILURES_PER_SOURCE
    ):
        await audit.record(
            audit.Actor(None, email, ip),
            "auth.sign_in_failed" if attempt.allowed else "auth.locked_out_attempt",
            attempt=attempt.number,
            failures_from_source=from_source,
            locked=attempt.number >= max_failures,
        )


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
