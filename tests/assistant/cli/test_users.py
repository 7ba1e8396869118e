"""`plant users`: add, list, disable, enable and reset-password on a real SQLite file."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlmodel import Session
from typer.testing import CliRunner

from assistant.cli.main import app
from assistant.cli.users import ROLES_HELP
from assistant.persistence.db import make_engine
from assistant.persistence.users import ROLES, verify_login
from assistant.settings import get_settings

runner = CliRunner()
PASSWORD = "torque-wrench-7"


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setenv("PLANT_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("PLANT_DATABASE_URL", raising=False)
    get_settings.cache_clear()
    yield tmp_path
    get_settings.cache_clear()


def _signs_in(name: str, password: str) -> bool:
    with Session(make_engine(get_settings().resolved_database_url)) as session:
        return verify_login(session, name=name, password=password) is not None


def _add(name: str, role: str = "operator", password: str = PASSWORD) -> str:
    result = runner.invoke(
        app, ["users", "add", name, "--role", role, "--password-stdin"], input=password + "\n"
    )
    assert result.exit_code == 0, result.output
    return result.output


def _listed() -> list[dict[str, object]]:
    result = runner.invoke(app, ["users", "list", "--json"])
    assert result.exit_code == 0, result.output
    rows: list[dict[str, object]] = json.loads(result.stdout)
    return rows


def test_add_from_stdin_then_list_as_json(env: Path) -> None:
    assert "Added anna (operator)" in _add("Anna")
    _add("ben", role="admin")
    rows = _listed()
    assert [(r["name"], r["role"], r["disabled"]) for r in rows] == [
        ("anna", "operator", False),
        ("ben", "admin", False),
    ]
    assert all(set(r) == {"name", "role", "disabled", "created"} for r in rows)
    created = dt.datetime.fromisoformat(str(rows[0]["created"]))
    assert abs(created - dt.datetime.now(dt.UTC)) < dt.timedelta(minutes=5)
    assert _signs_in("anna", PASSWORD) and not _signs_in("anna", PASSWORD[:-1])
    assert get_settings().data_dir == env / "data"


def test_add_asks_for_the_password_twice(env: Path) -> None:
    result = runner.invoke(
        app, ["users", "add", "anna", "--role", "quality"], input=f"{PASSWORD}\n{PASSWORD}\n"
    )
    assert result.exit_code == 0, result.output
    assert "Password" in result.output and PASSWORD not in result.output
    assert _signs_in("anna", PASSWORD)


def test_list_as_a_table_and_when_empty(env: Path) -> None:
    result = runner.invoke(app, ["users", "list"])
    assert result.exit_code == 0 and "No users yet" in result.output
    _add("anna", role="service")
    result = runner.invoke(app, ["users", "list"])
    assert result.exit_code == 0
    assert "anna" in result.output and "service" in result.output and "active" in result.output


@pytest.mark.parametrize(
    ("args", "password", "message"),
    [
        (["anna", "--role", "boss"], PASSWORD, "Choose one of: " + ", ".join(ROLES)),
        (["anna", "--role", "operator"], "short", "at least 8 characters"),
        (["an na", "--role", "operator"], PASSWORD, "Invalid user name"),
    ],
)
def test_add_refuses_what_it_cannot_store(
    env: Path, args: list[str], password: str, message: str
) -> None:
    result = runner.invoke(app, ["users", "add", *args, "--password-stdin"], input=password)
    assert result.exit_code == 1 and message in " ".join(result.output.split())
    assert "Traceback" not in result.output
    assert _listed() == []


def test_a_name_cannot_be_added_twice(env: Path) -> None:
    _add("anna")
    result = runner.invoke(app, ["users", "add", "Anna", "--role", "admin"], input=PASSWORD)
    assert result.exit_code == 1 and "exists already" in result.output
    assert "Password" not in result.output  # said before asking for one
    assert [r["role"] for r in _listed()] == ["operator"]


def test_disable_and_enable(env: Path) -> None:
    _add("anna")
    result = runner.invoke(app, ["users", "disable", "anna"])
    assert result.exit_code == 0 and "can no longer sign in" in result.output
    assert _listed()[0]["disabled"] is True and not _signs_in("anna", PASSWORD)
    result = runner.invoke(app, ["users", "enable", "ANNA"])
    assert result.exit_code == 0 and "may sign in" in result.output
    assert _listed()[0]["disabled"] is False and _signs_in("anna", PASSWORD)


def test_reset_password(env: Path) -> None:
    _add("anna")
    result = runner.invoke(
        app, ["users", "reset-password", "anna", "--password-stdin"], input="new-password-1\n"
    )
    assert result.exit_code == 0 and "New password set for anna" in result.output
    assert _signs_in("anna", "new-password-1") and not _signs_in("anna", PASSWORD)


@pytest.mark.parametrize("command", [["disable"], ["enable"], ["reset-password"]])
def test_an_unknown_user_is_an_error_not_a_prompt(env: Path, command: list[str]) -> None:
    result = runner.invoke(app, ["users", *command, "ghost"])
    assert result.exit_code == 1 and "No user 'ghost'" in result.output
    assert "Password" not in result.output


def test_an_unknown_role_is_said_before_the_password_is_asked(env: Path) -> None:
    result = runner.invoke(app, ["users", "add", "anna", "--role", "boss"], input=PASSWORD)
    assert result.exit_code == 1 and "Unknown role 'boss'" in result.output
    assert "Password" not in result.output


def test_the_help_names_every_role() -> None:
    assert ", ".join(ROLES[:-1]) + f" or {ROLES[-1]}" == ROLES_HELP


def test_bootstrap_makes_one_first_admin_and_only_once(env: Path) -> None:
    first = runner.invoke(app, ["users", "bootstrap"])
    assert first.exit_code == 0, first.output
    path = env / "data" / "first-admin-password"
    name, password = path.read_text(encoding="utf-8").split()
    assert name == "admin" and password in first.output
    assert path.stat().st_mode & 0o077 == 0  # owner-only
    assert _signs_in("admin", password)
    again = runner.invoke(app, ["users", "bootstrap"])
    assert again.exit_code == 0 and again.output == ""
    listed = json.loads(runner.invoke(app, ["users", "list", "--json"]).stdout)
    assert [(u["name"], u["role"]) for u in listed] == [("admin", "admin")]
