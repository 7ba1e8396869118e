"""Who may sign in to the chat: plant users, their roles and argon2 password hashes (SQLModel)."""

from __future__ import annotations

import datetime as dt
import re
from functools import cache
from typing import TYPE_CHECKING, ClassVar

from sqlalchemy.exc import IntegrityError
from sqlmodel import Field, Session, SQLModel, col, select

from tools.common.errors import PlantError

if TYPE_CHECKING:
    from argon2 import PasswordHasher

ROLES = ("operator", "service", "quality", "trainee", "admin")
MIN_PASSWORD_CHARS = 8
# argon2 hashes whatever it is given; a cap keeps one request from costing a megabyte's hashing
MAX_PASSWORD_CHARS = 1024
MAX_NAME_CHARS = 64
_NAME = re.compile(r"[A-Za-z0-9._@-]+")


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class PlantUserBase(SQLModel):
    name: str = Field(primary_key=True, max_length=MAX_NAME_CHARS, description="Sign-in name")
    role: str = Field(description="One of ROLES")
    disabled: bool = False


class PlantUser(PlantUserBase, table=True):
    __tablename__: ClassVar[str] = "plantuser"

    password_hash: str
    created_at: dt.datetime = Field(default_factory=_now)
    updated_at: dt.datetime = Field(default_factory=_now)
    failed_logins: int = Field(default=0, description="Failed sign-ins since the last good one")
    last_failed_at: dt.datetime | None = None


class PlantUserPublic(PlantUserBase):
    """What may be shown about a user: never the hash."""

    created_at: dt.datetime
    failed_logins: int = 0


@cache
def _hasher() -> PasswordHasher:
    from argon2 import PasswordHasher

    return PasswordHasher()  # argon2id with the library's current recommended costs


@cache
def _dummy_hash() -> str:
    """A hash no password matches, checked for unknown names so they cost as much time."""
    import secrets

    return _hasher().hash(secrets.token_urlsafe(16))


def _matches(password_hash: str, password: str) -> bool:
    from argon2.exceptions import InvalidHashError, VerificationError

    try:
        return _hasher().verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def normalize_name(name: str) -> str:
    """Names are compared without case and surrounding spaces: `Anna` signs in as `anna`."""
    return name.strip().lower()


def _checked_name(name: str) -> str:
    clean = normalize_name(name)
    if not clean or len(clean) > MAX_NAME_CHARS or not _NAME.fullmatch(clean):
        raise PlantError(
            f"Invalid user name {name!r}: use 1 to {MAX_NAME_CHARS} letters, digits, "
            "and . _ @ - only."
        )
    return clean


def _checked_role(role: str) -> str:
    clean = role.strip().lower()
    if clean not in ROLES:
        raise PlantError(f"Unknown role {role!r}. Choose one of: {', '.join(ROLES)}.")
    return clean


def _password_hash(password: str) -> str:
    if len(password) < MIN_PASSWORD_CHARS:
        raise PlantError(
            f"The password is too short: use at least {MIN_PASSWORD_CHARS} characters."
        )
    if len(password) > MAX_PASSWORD_CHARS:
        raise PlantError(f"The password is too long: use at most {MAX_PASSWORD_CHARS} characters.")
    return _hasher().hash(password)


def _save(session: Session, user: PlantUser) -> PlantUser:
    session.add(user)
    session.commit()
    session.refresh(user)
    return user


def get_user(session: Session, *, name: str) -> PlantUser:
    found = session.get(PlantUser, normalize_name(name))
    if found is None:
        raise PlantError(f"No user {name!r}. `plant users list` shows who there is.")
    return found


def list_users(session: Session) -> list[PlantUser]:
    return list(session.exec(select(PlantUser).order_by(col(PlantUser.name))).all())


def check_new_user(session: Session, *, name: str, role: str) -> tuple[str, str]:
    """The normalized name and role of a user that may be added, or `add_user`'s error about
    them (so that a command can say so before it asks for the password)."""
    clean, clean_role = _checked_name(name), _checked_role(role)
    if session.get(PlantUser, clean) is not None:
        raise PlantError(f"A user named {clean!r} exists already.")
    return clean, clean_role


def add_user(session: Session, *, name: str, role: str, password: str) -> PlantUser:
    """Store a new user; the name must be free, the role known, the password long enough."""
    clean, clean_role = check_new_user(session, name=name, role=role)
    user = PlantUser(name=clean, role=clean_role, password_hash=_password_hash(password))
    try:
        return _save(session, user)
    except IntegrityError:  # added by someone else since the check above
        session.rollback()
        raise PlantError(f"A user named {clean!r} exists already.") from None


def set_disabled(session: Session, *, name: str, disabled: bool) -> PlantUser:
    """Disable (or enable again) a user; a disabled user cannot sign in."""
    user = get_user(session, name=name)
    user.disabled, user.updated_at = disabled, _now()
    return _save(session, user)


def reset_password(session: Session, *, name: str, password: str) -> PlantUser:
    """Set a new password; the count of failed sign-ins starts again from zero."""
    user = get_user(session, name=name)
    user.password_hash = _password_hash(password)
    user.failed_logins, user.updated_at = 0, _now()
    return _save(session, user)


def verify_login(session: Session, *, name: str, password: str) -> PlantUser | None:
    """The user when the name and password match an enabled user, else None.

    None never says why (unknown name, wrong password or disabled user), and an unknown name
    costs one hash check like a known one. A failure is counted on the user (`failed_logins`,
    `last_failed_at`) so that the caller can slow down the next try; success resets the count.
    """
    user = session.get(PlantUser, normalize_name(name))
    if user is None:
        _matches(_dummy_hash(), password)
        return None
    if not _matches(user.password_hash, password) or user.disabled:
        user.failed_logins += 1
        user.last_failed_at = _now()
        _save(session, user)
        return None
    if _hasher().check_needs_rehash(user.password_hash):  # costs raised since it was hashed
        user.password_hash, user.updated_at = _hasher().hash(password), _now()
    user.failed_logins = 0
    return _save(session, user)
