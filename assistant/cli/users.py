"""`plant users`: who may sign in to the chat, with which role; add, list, disable, reset."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from assistant.cli.common import JsonOption, out, user_errors
from assistant.settings import get_settings

if TYPE_CHECKING:
    from sqlmodel import Session

users_app = typer.Typer(
    help="Who may sign in to the chat, and with which role.", no_args_is_help=True
)

# The roles of assistant.persistence.users.ROLES (imported only when a command runs: it loads
# the database layer); tests/assistant/cli/test_users.py keeps the two the same.
ROLES_HELP = "operator, service, quality, trainee or admin"

NameArgument = Annotated[str, typer.Argument(help="Sign-in name: letters, digits, . _ @ -")]
PasswordStdin = Annotated[
    bool,
    typer.Option(
        "--password-stdin", help="Read the password from the first line of standard input."
    ),
]


@contextmanager
def _session() -> Iterator[Session]:
    from sqlmodel import Session

    from assistant.wiring import make_engine

    with Session(make_engine(get_settings())) as session:
        yield session


def _password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().removesuffix("\n").removesuffix("\r")
    password: str = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    return password


@users_app.command("add")
@user_errors
def add(
    name: NameArgument,
    role: Annotated[str, typer.Option("--role", help=f"One of: {ROLES_HELP}.")],
    password_stdin: PasswordStdin = False,
) -> None:
    """Add a user who may sign in (asks for the password twice, hidden)."""
    from assistant.persistence.users import add_user, check_new_user

    with _session() as session:
        check_new_user(session, name=name, role=role)  # before asking for the password
        user = add_user(session, name=name, role=role, password=_password(password_stdin))
        out.print(f"Added {user.name} ({user.role}).", highlight=False)


@users_app.command("list")
@user_errors
def list_command(as_json: JsonOption = False) -> None:
    """Every user, their role, and whether they may sign in."""
    from assistant.persistence.users import list_users

    with _session() as session:
        users = list_users(session)
    if as_json:
        print(
            json.dumps(
                [
                    {
                        "name": u.name,
                        "role": u.role,
                        "disabled": u.disabled,
                        "created": u.created_at.isoformat(),
                    }
                    for u in users
                ]
            )
        )
        return
    if not users:
        out.print("No users yet. Add one: plant users add NAME --role ROLE")
        return
    table = Table(title=f"{len(users)} user(s)")
    for column in ("name", "role", "status", "created", "failed sign-ins"):
        table.add_column(column, justify="right" if column == "failed sign-ins" else "left")
    for u in users:
        status = "disabled" if u.disabled else "active"
        created = f"{u.created_at:%Y-%m-%d %H:%M}"
        table.add_row(u.name, u.role, status, created, str(u.failed_logins))
    out.print(table)


def _set_disabled(name: str, disabled: bool) -> None:
    from assistant.persistence.users import set_disabled

    with _session() as session:
        user = set_disabled(session, name=name, disabled=disabled)
    what = "Disabled: {} can no longer sign in." if disabled else "Enabled: {} may sign in."
    out.print(what.format(user.name), highlight=False)


@users_app.command("disable")
@user_errors
def disable(name: NameArgument) -> None:
    """Stop a user from signing in (their history is kept)."""
    _set_disabled(name, True)


@users_app.command("enable")
@user_errors
def enable(name: NameArgument) -> None:
    """Let a disabled user sign in again."""
    _set_disabled(name, False)


@users_app.command("reset-password")
@user_errors
def reset_password(name: NameArgument, password_stdin: PasswordStdin = False) -> None:
    """Give a user a new password (asks twice, hidden); clears their failed sign-ins."""
    from assistant.persistence.users import get_user
    from assistant.persistence.users import reset_password as reset

    with _session() as session:
        get_user(session, name=name)  # an unknown name is reported before asking a password
        user = reset(session, name=name, password=_password(password_stdin))
        out.print(f"New password set for {user.name}.", highlight=False)


FIRST_ADMIN = "admin"
FIRST_PASSWORD_FILE = "first-admin-password"


@users_app.command("bootstrap")
@user_errors
def bootstrap() -> None:
    """Make the first admin when there are no users yet (`make run` does this): the password
    is random, printed once and kept owner-only in the data directory until changed."""
    import secrets

    from assistant.persistence.users import add_user, list_users

    settings = get_settings()
    with _session() as session:
        if list_users(session):
            return  # the plant has users: nothing to do, nothing printed
        password = secrets.token_urlsafe(12)
        add_user(session, name=FIRST_ADMIN, role="admin", password=password)
    path = settings.data_dir / FIRST_PASSWORD_FILE
    path.touch(mode=0o600)
    path.write_text(f"{FIRST_ADMIN} {password}\n", encoding="utf-8")
    out.print(
        f"First sign-in: name {FIRST_ADMIN}, password {password} (also in {path}, readable "
        f"only by you). Change it with: plant users reset-password {FIRST_ADMIN}",
        highlight=False,
    )
