"""`plant tickets`: import customer-service tickets, list the queue, show one with its history."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.table import Table

from assistant.cli.common import JsonOption, err, out, user_errors
from assistant.settings import get_settings

if TYPE_CHECKING:
    from sqlmodel import Session

    from assistant.persistence.tickets import Ticket, TicketPublic
    from assistant.tickets.importing import ImportSummary

tickets_app = typer.Typer(
    help="Customer-service tickets: import, the queue, one ticket and its history.",
    no_args_is_help=True,
)

# The statuses of assistant.persistence.tickets.STATUSES (imported when a command runs: it
# loads the database layer); tests/assistant/cli/test_tickets.py keeps the two the same.
STATUSES_HELP = "new, drafted, approved or closed"
LIST_KEYS = ("id", "external_id", "status", "category", "urgency", "subject")

ByOption = Annotated[
    str | None,
    typer.Option("--by", help="Who made the change, for the ticket's history (default: you)."),
]


def _actor(by: str | None) -> str:
    """`--by`, else the signed-in OS user (`getpass` reads LOGNAME, USER, … then the
    password database)."""
    if by and by.strip():
        return by.strip()
    import getpass

    try:
        return getpass.getuser()
    except (OSError, KeyError):  # no such variable and no entry for the uid (a container)
        return "cli"


@contextmanager
def _session() -> Iterator[Session]:
    from sqlmodel import Session

    from assistant.wiring import make_engine

    with Session(make_engine(get_settings())) as session:
        yield session


@tickets_app.command("import")
@user_errors
def import_command(
    files: Annotated[
        list[Path], typer.Argument(help="CSV, JSONL or .eml files, or folders of them.")
    ],
    by: ByOption = None,
    as_json: JsonOption = False,
) -> None:
    """Import tickets; those imported before (same external id, or same text) are skipped."""
    from assistant.tickets.importing import import_files, read_limits

    settings = get_settings()
    with _session() as session:
        summary = import_files(
            session, files, actor=_actor(by), limits=read_limits(settings),
            batch=settings.ticket_import_batch, progress=not as_json and sys.stderr.isatty(),
        )  # fmt: skip
    if as_json:
        print(json.dumps(summary.to_json(), ensure_ascii=False))
        return
    _print_summary(summary)


def _print_summary(summary: ImportSummary) -> None:
    for problem in summary.problems:
        err.print(f"[yellow]Skipped[/] {problem}", highlight=False)
    for notice in summary.notices:
        err.print(f"[yellow]Note[/] {notice}", highlight=False)
    files = f"{summary.files} file{'s' if summary.files != 1 else ''}"
    if not summary.created and summary.already_imported:
        out.print(
            f"Nothing new: the {summary.already_imported} ticket(s) in {files} were imported "
            "before.",
            highlight=False,
        )
        return
    before = f"; {summary.already_imported} imported before" if summary.already_imported else ""
    skipped = f"; {len(summary.problems)} skipped" if summary.problems else ""
    out.print(
        f"Imported {len(summary.created)} new ticket(s) from {files}{before}{skipped}.",
        highlight=False,
    )


@tickets_app.command("list")
@user_errors
def list_command(
    status: Annotated[
        str | None, typer.Option("--status", help=f"Only this status: {STATUSES_HELP}.")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """The tickets, urgent first, then by age (oldest first); `--json`: one object a line."""
    from assistant.persistence.tickets import list_tickets

    with _session() as session:
        tickets = list_tickets(session, status=status.strip().lower() if status else None)
    if as_json:
        for ticket in tickets:
            print(json.dumps({key: getattr(ticket, key) for key in LIST_KEYS}, ensure_ascii=False))
        return
    if not tickets:
        which = f" with status {status}" if status else ""
        out.print(f"No tickets{which}. Import some: plant tickets import FILE...")
        return
    table = Table(title=f"{len(tickets)} ticket(s)")
    for column in ("id", "status", "urgency", "category", "received", "customer", "subject"):
        table.add_column(column, justify="right" if column == "id" else "left")
    for t in tickets:
        table.add_row(
            str(t.id), t.status, t.urgency or "—", t.category or "—",
            f"{t.created_at:%Y-%m-%d %H:%M}", t.customer, t.subject,
        )  # fmt: skip
    out.print(table)


def _find(session: Session, key: str) -> Ticket:
    """By number, else by the external id."""
    from assistant.persistence.tickets import find_ticket, get_ticket
    from tools.common.errors import PlantError

    if key.isdigit():
        return get_ticket(session, ticket_id=int(key))
    found = find_ticket(session, external_id=key)
    if found is None:
        raise PlantError(f"No ticket {key!r}. `plant tickets list` shows the tickets.")
    return found


@tickets_app.command("show")
@user_errors
def show_command(
    ticket: Annotated[str, typer.Argument(help="The ticket's number, or its external id.")],
    as_json: JsonOption = False,
) -> None:
    """One ticket: its fields, triage, draft, citations and the history of its changes."""
    from assistant.persistence.tickets import TicketPublic, ticket_events

    with _session() as session:
        row = _find(session, ticket)
        assert row.id is not None
        public = TicketPublic.of(row, ticket_events(session, ticket_id=row.id))
    if as_json:
        print(json.dumps(public.model_dump(mode="json"), ensure_ascii=False))
        return
    _print_ticket(public)


def _value(value: Any) -> str:
    return "—" if value is None else json.dumps(value, ensure_ascii=False)


def _print_ticket(t: TicketPublic) -> None:
    fields = [
        ("external id", t.external_id or "—"), ("status", t.status),
        ("customer", t.customer), ("product", t.product), ("serial", t.serial),
        ("channel", t.channel), ("language", t.language or "unknown"),
        ("category", t.triage.category or "—"), ("urgency", t.triage.urgency or "—"),
        ("assignee", t.assignee or "—"), ("attachments", ", ".join(t.attachments) or "—"),
        ("received", f"{t.created_at:%Y-%m-%d %H:%M}"),
    ]  # fmt: skip
    out.print(f"[bold]Ticket {t.id}[/]: {t.subject or '(no subject)'}", highlight=False)
    for name, value in fields:
        out.print(f"  [dim]{name}:[/] {value}", highlight=False)
    for title, text in (("Message", t.body), ("Draft", t.draft), ("Final reply", t.final_reply)):
        if text:
            out.print(f"\n[bold]{title}[/]")
            out.print(text, highlight=False, markup=False)
    events = Table(title="History")
    for column in ("when", "who", "what", "before", "after"):
        events.add_column(column, overflow="fold")
    for e in t.events:
        what = f"{e.action} {e.field}" if e.field else e.action
        events.add_row(
            f"{e.at:%Y-%m-%d %H:%M:%S}", e.actor, what, _value(e.before), _value(e.after)
        )
    out.print(events)


def train_tickets(
    recipe: Annotated[
        str,
        typer.Option(
            help="e5-ngrams: e5 embeddings and character n-grams, logistic regression (about a "
            "minute); finetune: fine-tuned MiniLM classifiers (10-20 minutes)."
        ),
    ] = "e5-ngrams",
    epochs: Annotated[
        int | None,
        typer.Option(help="finetune: most epochs per classifier (early stopping may end sooner)."),
    ] = None,
    output: Annotated[Path | None, typer.Option(help="Model folder (default: data dir).")] = None,
) -> None:
    """Train the ticket triage (category and urgency) on finetune/data/tickets; report it on
    the development tickets."""
    import time

    from assistant.readiness import MODELS, replaced_folder
    from finetune.tickets import RECIPES, main
    from tools.common.errors import PlantError

    if recipe not in RECIPES:
        raise PlantError(f"Unknown recipe {recipe!r}: {' or '.join(RECIPES)}")
    settings = get_settings()
    target = output or settings.ticket_model_dir
    argv = ["--recipe", recipe]
    if epochs is not None and recipe != "finetune":
        err.print("note: --epochs applies to --recipe finetune only")
    if recipe == "finetune":
        argv += [
            "--num_train_epochs", str(epochs or settings.ticket_train_epochs),
            "--disable_tqdm", str(not sys.stderr.isatty()),
        ]  # fmt: skip
    started = time.perf_counter()
    with replaced_folder(target, MODELS["tickets"].markers) as partial:  # never half a model
        metrics = main([*argv, "--output_dir", str(partial)])
    category, urgency = metrics["category"], metrics["urgency"]
    seconds = time.perf_counter() - started
    out.print(f"Ticket triage ({recipe}) written to {target} ({seconds:.0f} s)")
    out.print(
        f"development tickets: category accuracy {category['test']['accuracy']:.3f}, macro-F1 "
        f"{category['test']['macro_f1']:.3f}; urgent recall "
        f"{urgency['test_urgent_recall_at_threshold']:.3f}, precision "
        f"{urgency['test_urgent_precision_at_threshold']:.3f} at threshold "
        f"{urgency['urgent_threshold']:.2f} (model only, before the safety rule)"
    )


@tickets_app.command("triage")
@user_errors
def triage_command(
    tickets: Annotated[
        list[str] | None, typer.Argument(help="Ticket numbers or external ids (default: --status).")
    ] = None,
    status: Annotated[
        str,
        typer.Option("--status", help=f"Triage every ticket with this status: {STATUSES_HELP}."),
    ] = "new",
    by: ByOption = None,
    as_json: JsonOption = False,
) -> None:
    """Set category and urgency from the triage classifiers; safety wording is urgent by rule."""
    from assistant.persistence.tickets import list_tickets
    from assistant.tickets.triage import TicketTriage
    from assistant.tickets.workflow import triage_stored

    triage = TicketTriage.load(get_settings().ticket_model_dir)
    actor = _actor(by)
    with _session() as session:
        rows = (
            [_find(session, key) for key in tickets]
            if tickets
            else list_tickets(session, status=status.strip().lower())
        )
        results = triage_stored(session, triage, rows, actor=actor)
        for row, result in zip(rows, results, strict=True):
            if as_json:
                print(json.dumps({"id": row.id, **result.to_json()}, ensure_ascii=False))
            else:
                out.print(
                    f"{row.id}: {result.category} ({result.confidence:.2f}), {result.urgency} — "
                    f"{result.reason}",
                    highlight=False,
                )
    if not rows and not as_json:
        out.print(f"No tickets with status {status} to triage.")


def eval_tickets(
    file: Annotated[
        Path | None,
        typer.Option(help="Labelled tickets (JSONL; default: the held-out test tickets)."),
    ] = None,
    drafts: Annotated[
        bool, typer.Option("--drafts/--no-drafts", help="Also draft each reply and score it.")
    ] = True,
    as_json: JsonOption = False,
) -> None:
    """Triage measured on labelled tickets: category accuracy and macro-F1, urgent recall and
    precision (model and safety rule together); the reply drafts' key-fact coverage and
    unsupported promises."""
    from assistant.tickets.evaluation import evaluate, report_json
    from assistant.tickets.triage import TicketTriage
    from assistant.wiring import make_drafter

    settings = get_settings()
    path = file or settings.eval_dir / "tickets" / "tickets_test.jsonl"
    drafter = make_drafter(settings) if drafts else None
    report = evaluate(TicketTriage.load(settings.ticket_model_dir), path, drafter)
    if as_json:
        print(report_json(report))
        return
    out.print(f"Ticket triage on {report.n} tickets ({path.name})", highlight=False)
    out.print(
        f"category: accuracy {report.category_accuracy:.3f}, macro-F1 "
        f"{report.category_macro_f1:.3f}; urgent: recall {report.urgent_recall:.3f}, precision "
        f"{report.urgent_precision:.3f} ({report.urgent_by_rule} urgent by the safety rule)",
        highlight=False,
    )
    out.print(
        "by language: " + ", ".join(f"{k} {v:.2f}" for k, v in report.by_language.items()),
        highlight=False,
    )
    if report.key_fact_coverage is not None:
        out.print(
            f"drafts: key-fact coverage {report.key_fact_coverage:.3f}; "
            f"{report.unsupported_promises} promise(s) their sources do not state",
            highlight=False,
        )
