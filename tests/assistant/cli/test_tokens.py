"""`plant tokens create|list|revoke` on a real database (the suite's: SQLite or PostgreSQL)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import Session
from typer.testing import CliRunner

from assistant.cli.main import app
from assistant.cli.tokens import SCOPES_HELP
from assistant.persistence.db import make_engine
from assistant.persistence.tokens import SCOPES, verify_token
from assistant.settings import get_settings

runner = CliRunner()


@pytest.fixture
def env(data_dir_env: Path) -> Path:
    """A data directory of its own (`conftest.data_dir_env`)."""
    return data_dir_env


def _run(*args: str, code: int = 0) -> Any:
    result = runner.invoke(app, ["tokens", *args])
    assert result.exit_code == code, result.output
    return result


def _session() -> Session:
    return Session(make_engine(get_settings().resolved_database_url))


def test_the_help_names_every_scope() -> None:
    assert all(scope in SCOPES_HELP for scope in SCOPES)


def test_create_prints_a_working_token_once_with_a_warning(env: Path) -> None:
    result = _run("create", "helpdesk", "--scope", "tickets:write")
    token = next(w for w in result.stdout.split() if w.startswith("pa_"))
    assert "will not be shown again" in " ".join(result.stderr.split())
    with _session() as session:
        row = verify_token(session, token=token, scope="tickets:write")
    assert row is not None and row.name == "helpdesk"
    listed = _run("list").stdout + _run("list", "--json").stdout
    assert "helpdesk" in listed and token not in listed and row.prefix in listed


def test_create_json_has_name_token_and_scopes(env: Path) -> None:
    made = json.loads(_run("create", "crm", "--scope", "tickets:read", "--json").stdout)
    assert set(made) == {"name", "token", "scopes"}
    assert made["name"] == "crm" and made["scopes"] == ["tickets:read"]
    assert made["token"].startswith("pa_")
    [listed] = [json.loads(line) for line in _run("list", "--json").stdout.splitlines()]
    assert listed["name"] == "crm" and listed["revoked_at"] is None
    assert made["token"] not in json.dumps(listed)


def test_revoke_stops_the_token(env: Path) -> None:
    token = json.loads(_run("create", "crm", "--scope", "tickets:read", "--json").stdout)["token"]
    assert "revoked" in _run("revoke", "crm").stdout
    with _session() as session:
        assert verify_token(session, token=token) is None
    [listed] = [json.loads(line) for line in _run("list", "--json").stdout.splitlines()]
    assert listed["revoked_at"] is not None


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("create", "x", "--scope", "tickets:delete"), "Unknown scope 'tickets:delete'"),
        (("create", "bad name", "--scope", "tickets:read"), "Invalid token name"),
        (("revoke", "ghost"), "No API token 'ghost'"),
    ],
)
def test_mistakes_are_explained_with_exit_code_1(
    env: Path, args: tuple[str, ...], message: str
) -> None:
    result = _run(*args, code=1)
    assert message in " ".join(result.stderr.split())


def test_a_name_taken_is_refused(env: Path) -> None:
    _run("create", "crm", "--scope", "tickets:read")
    result = _run("create", "crm", "--scope", "tickets:write", code=1)
    assert "'crm' exists already" in " ".join(result.stderr.split())


def test_an_empty_list_says_how_to_create_one(env: Path) -> None:
    assert "plant tokens create" in _run("list").stdout
    assert _run("list", "--json").stdout == ""
