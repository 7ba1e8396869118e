"""`plant report`: what people told the assistant — answers they marked wrong in the chat."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import typer
from rich.table import Table

from assistant.cli.common import JsonOption, out, user_errors
from assistant.settings import get_settings

report_app = typer.Typer(help="Reports on how the chat is used.", no_args_is_help=True)


def _since(value: str | None) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(f"'{value}' is not a date: write it as YYYY-MM-DD") from None


@report_app.command("feedback")
@user_errors
def feedback(
    since: Annotated[
        str | None, typer.Option(help="Only answers from this day on (YYYY-MM-DD).")
    ] = None,
    show_all: Annotated[
        bool, typer.Option("--all", help="Every rated answer, not only those marked wrong.")
    ] = False,
    as_json: JsonOption = False,
) -> None:
    """Answers marked wrong (thumbs down) with question, sources, intent, user and comment."""
    from sqlmodel import Session

    from assistant.persistence.feedback import marked_answers
    from assistant.wiring import make_engine

    with Session(make_engine(get_settings())) as session:
        found = marked_answers(session, since=_since(since), only_wrong=not show_all)
    if as_json:
        for item in found:  # one object per line
            print(item.model_dump_json(exclude={"created"}))
        return
    if not found:
        out.print("No answers marked wrong" + (f" since {since}." if since else "."))
        return
    table = Table(title=f"{len(found)} answer(s) marked {'' if show_all else 'wrong'}".strip())
    for column in ("when", "user", "intent", "question", "comment", "sources"):
        table.add_column(column)
    for a in found:
        when = (a.created or "")[:16].replace("T", " ")
        table.add_row(when, a.user or "", a.intent or "", a.question, a.comment or "",
                      "; ".join(a.sources))  # fmt: skip
    out.print(table)
