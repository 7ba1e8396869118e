"""`plant tokens`: the API tokens the helpdesk REST API takes; create, list, revoke."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from assistant.cli.common import JsonOption, err, out, user_errors
from assistant.settings import get_settings

if TYPE_CHECKING:
    from sqlmodel import Session

tokens_app = typer.Typer(
    help="API tokens for the helpdesk REST API (/api): create, list, revoke.",
    no_args_is_help=True,
)

# The scopes of assistant.persistence.tokens.SCOPES (imported only when a command runs: it
# loads the database layer); tests/assistant/cli/test_tokens.py keeps the two the same.
SCOPES_HELP = "tickets:read or tickets:write (write allows reading too)"

NameArgument = Annotated[str, typer.Argument(help="Who uses the token: letters, digits, . _ @ -")]


@contextmanager
def _session() -> Iterator[Session]:
    from sqlmodel import Session

    from assistant.wiring import make_engine

    with Session(make_engine(get_settings())) as session:
        yield session


@tokens_app.command("create")
@user_errors
def create(
    name: NameArgument,
    scope: Annotated[
        list[str], typer.Option("--scope", help=f"What it may do, repeatable: {SCOPES_HELP}.")
    ],
    as_json: JsonOption = False,
) -> None:
    """Create a token and print it: it is shown this once and never stored."""
    from assistant.persistence.tokens import create_token

    with _session() as session:
        row, token = create_token(session, name=name, scopes=scope)
        scopes = row.scope_list
    if as_json:
        print(json.dumps({"name": row.name, "token": token, "scopes": scopes}))
        return
    out.print(f"API token {row.name!r} ({', '.join(scopes)}):", highlight=False)
    print(token)
    err.print(
        "[yellow]Copy it now: it will not be shown again[/] (only its hash is stored). "
        f"Send it as `Authorization: Bearer {row.prefix}…`.",
        highlight=False,
    )


def _when(value: object) -> str:
    return "—" if value is None else f"{value:%Y-%m-%d %H:%M}"


@tokens_app.command("list")
@user_errors
def list_command(as_json: JsonOption = False) -> None:
    """The tokens with their scopes and first characters (never the token); `--json`: one
    object a line."""
    from assistant.persistence.tokens import ApiTokenPublic, list_tokens

    with _session() as session:
        tokens = [ApiTokenPublic.of(t) for t in list_tokens(session)]
    if as_json:
        for token in tokens:
            print(json.dumps(token.model_dump(mode="json"), ensure_ascii=False))
        return
    if not tokens:
        out.print("No API tokens. Create one: plant tokens create NAME --scope tickets:read")
        return
    table = Table(title=f"{len(tokens)} API token(s)")
    for column in ("name", "scopes", "starts with", "created", "last used", "revoked"):
        table.add_column(column)
    for t in tokens:
        table.add_row(
            t.name, " ".join(t.scopes), f"{t.prefix}…", _when(t.created_at),
            _when(t.last_used_at), _when(t.revoked_at),
        )  # fmt: skip
    out.print(table)


@tokens_app.command("revoke")
@user_errors
def revoke(name: NameArgument) -> None:
    """Revoke a token: the API refuses it from now on (its name stays taken)."""
    from assistant.persistence.tokens import revoke_token

    with _session() as session:
        row = revoke_token(session, name=name)
    out.print(f"API token {row.name!r} revoked at {_when(row.revoked_at)} UTC.", highlight=False)
