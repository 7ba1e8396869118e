"""API tokens for the helpdesk REST API: named, scoped, stored only as their sha256 (SQLModel)."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import secrets
from collections.abc import Iterable
from typing import ClassVar

from sqlalchemy.exc import IntegrityError
from sqlmodel import Field, Session, SQLModel, col, select

from tools.common.errors import PlantError

SCOPES = ("tickets:read", "tickets:write")
# A scope that grants others too: whoever may change tickets may read them.
IMPLIED: dict[str, frozenset[str]] = {"tickets:write": frozenset({"tickets:read"})}
# A recognisable prefix: a leaked token is found by secret scanners and known for what it is.
TOKEN_PREFIX = "pa_"
TOKEN_BYTES = 32  # secrets.token_urlsafe(32): 256 random bits
SHOWN_CHARS = 10  # the start of a token kept in the clear, to tell tokens apart in lists
MAX_NAME_CHARS = 64
_NAME = re.compile(r"[A-Za-z0-9._@-]+")


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def token_hash(token: str) -> str:
    """What is stored of a token: its sha256 (a random 256-bit token needs no slow hash)."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


class ApiToken(SQLModel, table=True):
    """One API token: only its hash and its first characters are kept, never the token."""

    __tablename__: ClassVar[str] = "apitoken"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(unique=True, index=True, max_length=MAX_NAME_CHARS, description="Who uses it")
    scopes: str = Field(description="Space-separated, each one of SCOPES")
    token_hash: str = Field(unique=True, index=True, description="sha256 of the token, hex")
    prefix: str = Field(description="The token's first characters, shown to tell tokens apart")
    created_at: dt.datetime = Field(default_factory=_now)
    last_used_at: dt.datetime | None = None
    revoked_at: dt.datetime | None = None

    @property
    def scope_list(self) -> list[str]:
        return self.scopes.split()

    def grants(self, scope: str) -> bool:
        """Whether the token may do what `scope` allows (a write scope allows reading)."""
        held = set(self.scope_list)
        return scope in held or any(scope in IMPLIED.get(s, ()) for s in held)


class ApiTokenPublic(SQLModel):
    """What may be shown about a token: never the token or its hash."""

    name: str
    scopes: list[str]
    prefix: str
    created_at: dt.datetime
    last_used_at: dt.datetime | None
    revoked_at: dt.datetime | None

    @classmethod
    def of(cls, token: ApiToken) -> ApiTokenPublic:
        return cls(
            name=token.name, scopes=token.scope_list, prefix=token.prefix,
            created_at=token.created_at, last_used_at=token.last_used_at,
            revoked_at=token.revoked_at,
        )  # fmt: skip


def checked_scopes(scopes: Iterable[str]) -> list[str]:
    """The scopes, known and without repeats, in SCOPES order; given space- or comma-separated
    or one by one."""
    given = {s.strip().lower() for item in scopes for s in re.split(r"[\s,]+", item) if s.strip()}
    unknown = sorted(given - set(SCOPES))
    if unknown or not given:
        what = f"Unknown scope {', '.join(map(repr, unknown))}" if unknown else "No scope given"
        raise PlantError(f"{what}. Choose from: {', '.join(SCOPES)}.")
    return [s for s in SCOPES if s in given]


def _checked_name(name: str) -> str:
    clean = name.strip()
    if not clean or len(clean) > MAX_NAME_CHARS or not _NAME.fullmatch(clean):
        raise PlantError(
            f"Invalid token name {name!r}: use 1 to {MAX_NAME_CHARS} letters, digits, "
            "and . _ @ - only."
        )
    return clean


def create_token(session: Session, *, name: str, scopes: Iterable[str]) -> tuple[ApiToken, str]:
    """Store a new token; the stored row and the token itself, which is not kept anywhere and
    cannot be shown again. The name must be free (a revoked token keeps its name)."""
    clean, granted = _checked_name(name), checked_scopes(scopes)
    taken = f"A token named {clean!r} exists already (revoked tokens keep their names)."
    if session.exec(select(ApiToken).where(col(ApiToken.name) == clean)).first() is not None:
        raise PlantError(taken)
    token = TOKEN_PREFIX + secrets.token_urlsafe(TOKEN_BYTES)
    row = ApiToken(
        name=clean, scopes=" ".join(granted), token_hash=token_hash(token),
        prefix=token[:SHOWN_CHARS],
    )  # fmt: skip
    session.add(row)
    try:
        session.commit()
    except IntegrityError:  # added by someone else since the check above
        session.rollback()
        raise PlantError(taken) from None
    session.refresh(row)
    return row, token


def get_token(session: Session, *, name: str) -> ApiToken:
    found = session.exec(select(ApiToken).where(col(ApiToken.name) == name.strip())).first()
    if found is None:
        raise PlantError(f"No API token {name!r}. `plant tokens list` shows the tokens.")
    return found


def list_tokens(session: Session) -> list[ApiToken]:
    """Every token, revoked ones too, by name."""
    return list(session.exec(select(ApiToken).order_by(col(ApiToken.name))).all())


def revoke_token(session: Session, *, name: str) -> ApiToken:
    """Revoke the token: it is refused from now on. Revoking it again changes nothing."""
    row = get_token(session, name=name)
    if row.revoked_at is None:
        row.revoked_at = _now()
        session.add(row)
        session.commit()
        session.refresh(row)
    return row


def verify_token(session: Session, *, token: str, scope: str | None = None) -> ApiToken | None:
    """The token's row when `token` is a stored, unrevoked token granting `scope` (any scope
    when None), its use recorded in `last_used_at`; else None, without saying why.

    Looked up by hash, so the comparison leaks nothing of the stored tokens through timing.
    """
    if not token.startswith(TOKEN_PREFIX):
        return None
    query = select(ApiToken).where(col(ApiToken.token_hash) == token_hash(token))
    row = session.exec(query).first()
    if row is None or row.revoked_at is not None:
        return None
    if scope is not None and not row.grants(scope):
        return None
    row.last_used_at = _now()
    session.add(row)
    session.commit()
    session.refresh(row)
    return row
