"""API tokens on a real database (SQLite, and PostgreSQL where there is one)."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator

import pytest
from sqlalchemy import inspect, text
from sqlmodel import Session

from assistant.persistence.db import make_engine
from assistant.persistence.tokens import (
    TOKEN_PREFIX,
    ApiToken,
    ApiTokenPublic,
    checked_scopes,
    create_token,
    list_tokens,
    revoke_token,
    verify_token,
)
from tools.common.errors import PlantError


@pytest.fixture
def session(database_url: str) -> Iterator[Session]:
    with Session(make_engine(database_url)) as session:
        yield session


def test_the_migration_makes_the_table_with_unique_names_and_hashes(database_url: str) -> None:
    inspector = inspect(make_engine(database_url))
    indexes = {i["name"]: bool(i["unique"]) for i in inspector.get_indexes("apitoken")}
    assert indexes == {"ix_apitoken_name": True, "ix_apitoken_token_hash": True}


def test_only_the_hash_and_a_short_prefix_are_stored(session: Session) -> None:
    row, token = create_token(session, name="helpdesk", scopes=["tickets:write"])
    assert token.startswith(TOKEN_PREFIX) and len(token) > 40
    assert row.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token.startswith(row.prefix) and len(row.prefix) < len(token) // 3
    stored = session.execute(text("SELECT * FROM apitoken")).mappings().one()
    assert token not in {str(v) for v in stored.values()}
    assert "token" not in ApiTokenPublic.of(row).model_dump_json()


def test_two_tokens_differ(session: Session) -> None:
    _, first = create_token(session, name="a", scopes=["tickets:read"])
    _, second = create_token(session, name="b", scopes=["tickets:read"])
    assert first != second


def test_verify_finds_the_token_and_records_its_use(session: Session) -> None:
    row, token = create_token(session, name="helpdesk", scopes=["tickets:read"])
    assert row.last_used_at is None
    found = verify_token(session, token=token)
    assert found is not None and found.name == "helpdesk"
    assert found.last_used_at is not None
    first_use = found.last_used_at
    again = verify_token(session, token=token)
    assert again is not None and again.last_used_at is not None
    assert again.last_used_at >= first_use


@pytest.mark.parametrize("wrong", ["", "pa_", "pa_not-a-token", "x" * 50])
def test_verify_refuses_unknown_tokens(session: Session, wrong: str) -> None:
    create_token(session, name="helpdesk", scopes=["tickets:read"])
    assert verify_token(session, token=wrong) is None


def test_a_revoked_token_is_refused(session: Session) -> None:
    _, token = create_token(session, name="helpdesk", scopes=["tickets:write"])
    revoked = revoke_token(session, name="helpdesk")
    assert revoked.revoked_at is not None
    assert verify_token(session, token=token) is None
    assert revoke_token(session, name="helpdesk").revoked_at == revoked.revoked_at  # once


def test_write_implies_read_but_read_does_not_allow_writing(session: Session) -> None:
    _, writer = create_token(session, name="writer", scopes=["tickets:write"])
    _, reader = create_token(session, name="reader", scopes=["tickets:read"])
    assert verify_token(session, token=writer, scope="tickets:read") is not None
    assert verify_token(session, token=writer, scope="tickets:write") is not None
    assert verify_token(session, token=reader, scope="tickets:read") is not None
    assert verify_token(session, token=reader, scope="tickets:write") is None


def test_scopes_are_checked_and_normalised() -> None:
    assert checked_scopes(["tickets:write, tickets:read", "TICKETS:READ"]) == [
        "tickets:read", "tickets:write",
    ]  # fmt: skip
    with pytest.raises(PlantError, match=r"Unknown scope 'tickets:delete'.*tickets:read"):
        checked_scopes(["tickets:delete"])
    with pytest.raises(PlantError, match="No scope given"):
        checked_scopes([" "])


def test_names_are_unique_even_after_revoking(session: Session) -> None:
    create_token(session, name="helpdesk", scopes=["tickets:read"])
    revoke_token(session, name="helpdesk")
    with pytest.raises(PlantError, match="'helpdesk' exists already"):
        create_token(session, name="helpdesk", scopes=["tickets:read"])
    with pytest.raises(PlantError, match="Invalid token name"):
        create_token(session, name="two words", scopes=["tickets:read"])


def test_unknown_names_are_refused_and_the_list_holds_every_token(session: Session) -> None:
    with pytest.raises(PlantError, match="No API token 'ghost'"):
        revoke_token(session, name="ghost")
    create_token(session, name="b", scopes=["tickets:read"])
    create_token(session, name="a", scopes=["tickets:write"])
    revoke_token(session, name="b")
    tokens = list_tokens(session)
    assert [(t.name, t.revoked_at is not None) for t in tokens] == [("a", False), ("b", True)]
    assert all(isinstance(t, ApiToken) for t in tokens)
