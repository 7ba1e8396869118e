"""The `plant` command line: ingest, search, ask, classify, train and evaluate."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from assistant.cli.common import JsonOption, err, out, user_errors
from assistant.settings import get_settings

app = typer.Typer(
    name="plant",
    help="Plant Assistant: ask the plant's manuals, procedures and data.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
eval_app = typer.Typer(help="Measure the assistant on the evaluation sets.", no_args_is_help=True)
app.add_typer(eval_app, name="eval")


# --------------------------------------------------------------------------------------
def _filter(
    doc_type: list[str] | None, audience: list[str] | None, machine: list[str] | None
) -> Any:
    from retrieval.search import SearchFilter

    return SearchFilter(doc_type=doc_type, audience=audience, machine=machine)


def _hits_json(query: str, hits: list[Any]) -> str:
    return json.dumps(
        {
            "query": query,
            "results": [
                {
                    "rank": h.rank,
                    "score": round(h.score, 6),
                    "source": h.chunk.source,
                    "section": h.chunk.section,
                    "page": h.chunk.page,
                    "chunk_id": h.chunk.chunk_id,
                    "text": h.chunk.text,
                }
                for h in hits
            ],
        },
        ensure_ascii=False,
    )


def _print_hits(hits: list[Any]) -> None:
    if not hits:
        out.print("No matching passages.")
        return
    for h in hits:
        page = f", page {h.chunk.page}" if h.chunk.page else ""
        out.print(
            f"[bold]{h.rank}. {h.chunk.title}[/] [dim]({h.chunk.source}{page}, "
            f"score {h.score:.3f})[/]",
            highlight=False,
        )
        if h.chunk.section:
            out.print(f"   [cyan]{h.chunk.section}[/]", highlight=False)
        snippet = " ".join(h.chunk.text.split())
        out.print(f"   {snippet[:300]}{'…' if len(snippet) > 300 else ''}\n", highlight=False)


@app.command()
@user_errors
def search(
    query: Annotated[
        str | None, typer.Argument(help="What to look for; omit for a prompt.")
    ] = None,
    k: Annotated[int, typer.Option("--k", "-k", min=1, max=100, help="Results to show.")] = 5,
    mode: Annotated[str, typer.Option(help="dense, bm25 or hybrid.")] = "hybrid",
    doc_type: Annotated[list[str] | None, typer.Option(help="Only this document type.")] = None,
    audience: Annotated[list[str] | None, typer.Option(help="Only for this audience.")] = None,
    machine: Annotated[list[str] | None, typer.Option(help="Only about this machine.")] = None,
    as_json: JsonOption = False,
) -> None:
    """Search the plant documents. Without a query, opens an interactive search prompt."""
    from assistant.wiring import make_searcher
    from retrieval.errors import InvalidQueryError
    from retrieval.search import SEARCH_MODES

    if mode not in SEARCH_MODES:
        raise InvalidQueryError(f"Unknown mode '{mode}': use dense, bm25 or hybrid.")
    searcher = make_searcher(get_settings())
    search_filter = _filter(doc_type, audience, machine)
    if query is not None:
        hits = searcher.search(query, mode=mode, k=k, search_filter=search_filter)
        if as_json:
            print(_hits_json(query, hits))
        else:
            _print_hits(hits)
        return
    out.print(f"Plant document search ({mode}). Type a question; empty line or Ctrl-D quits.")
    while True:
        try:
            line = input("search> ")
        except EOFError:
            break
        if not line.strip():
            break
        try:
            _print_hits(
                searcher.search(
                    line,
                    mode=mode,
                    k=k,
                    search_filter=search_filter,
                )
            )
        except InvalidQueryError as exc:
            err.print(f"[red]{exc}[/]")


@eval_app.command("retrieval")
@user_errors
def eval_retrieval(
    file: Annotated[Path | None, typer.Option(help="JSONL evaluation set.")] = None,
    as_json: JsonOption = False,
    show_misses: Annotated[bool, typer.Option(help="List questions missed in the top 5.")] = False,
) -> None:
    """Recall@1, Recall@5 and MRR@10 for dense, BM25 and hybrid retrieval."""
    from assistant.wiring import make_searcher
    from retrieval.evaluation import evaluate, load_questions

    settings = get_settings()
    questions = load_questions(file or settings.eval_dir / "retrieval_qa.jsonl")
    report = evaluate(
        make_searcher(settings), questions, show_progress=not as_json and sys.stderr.isatty()
    )
    if as_json:
        print(report.to_json())
        return
    table = Table(title=f"Retrieval on {report.n} questions")
    for column in ("mode", "Recall@1", "Recall@5", "MRR@10"):
        table.add_column(column, justify="right" if column != "mode" else "left")
    for mode, s in report.modes.items():
        table.add_row(mode, f"{s.recall_at_1:.3f}", f"{s.recall_at_5:.3f}", f"{s.mrr_at_10:.3f}")
    out.print(table)
    if show_misses:
        for mode, ids in report.misses.items():
            out.print(f"{mode} misses@5: {', '.join(ids) or 'none'}")


train_app = typer.Typer(help="Train the assistant's models.", no_args_is_help=True)
app.add_typer(train_app, name="train")


feedback_app = typer.Typer(help="Correct what the assistant did.", no_args_is_help=True)
app.add_typer(feedback_app, name="feedback")
data_app = typer.Typer(help="Generate training and test data.", no_args_is_help=True)
app.add_typer(data_app, name="data")
machines_app = typer.Typer(
    help="The plant's machines and their sensor readings.", no_args_is_help=True
)
app.add_typer(machines_app, name="machines")
demo_app = typer.Typer(help="The demo plant's data.", no_args_is_help=True)
app.add_typer(demo_app, name="demo")


def _register_commands() -> None:
    from assistant.cli import answers as answer_cli
    from assistant.cli import defects as defect_cli
    from assistant.cli import demo as demo_cli
    from assistant.cli import documents as document_cli
    from assistant.cli import failure as failure_cli
    from assistant.cli import injection as injection_cli
    from assistant.cli import intent as intent_cli
    from assistant.cli import products as product_cli
    from assistant.cli import spc as spc_cli
    from assistant.cli import ticket_drafts  # noqa: F401  (adds `plant tickets draft`)
    from assistant.cli import training as training_cli
    from assistant.cli.report import report_app
    from assistant.cli.tickets import eval_tickets, tickets_app, train_tickets
    from assistant.cli.tokens import tokens_app
    from assistant.cli.users import users_app

    app.command("ingest")(user_errors(document_cli.ingest))
    app.command("ask")(user_errors(answer_cli.ask))
    eval_app.command("answers")(user_errors(answer_cli.eval_answers))
    eval_app.command("real-docs")(user_errors(answer_cli.eval_real_docs))
    eval_app.command("injection")(user_errors(injection_cli.eval_injection))
    app.command("calibrate")(user_errors(answer_cli.calibrate))

    train_app.command("intent")(user_errors(intent_cli.train_intent))
    app.command("classify")(user_errors(intent_cli.classify))
    eval_app.command("intent")(user_errors(intent_cli.eval_intent))
    feedback_app.command("intent")(user_errors(intent_cli.feedback_intent))
    app.command("spc")(user_errors(spc_cli.spc_command))
    train_app.command("failure")(user_errors(failure_cli.train_failure))
    eval_app.command("failure")(user_errors(failure_cli.eval_failure))
    app.command("predict-failure")(user_errors(failure_cli.predict_failure))
    machines_app.command("seed")(user_errors(failure_cli.machines_seed))
    machines_app.command("risk")(user_errors(failure_cli.machines_risk))
    train_app.command("defects")(user_errors(defect_cli.train_defects))
    eval_app.command("defects")(user_errors(defect_cli.eval_defects))
    app.command("inspect")(user_errors(defect_cli.inspect_command))
    app.add_typer(product_cli.app, name="products")
    data_app.command("surfaces")(user_errors(defect_cli.data_surfaces))
    demo_app.command("seed")(user_errors(demo_cli.demo_seed))
    app.add_typer(users_app, name="users")
    app.add_typer(report_app, name="report")
    app.add_typer(tickets_app, name="tickets")
    app.add_typer(tokens_app, name="tokens")
    train_app.command("tickets")(user_errors(train_tickets))
    train_app.command("missing")(user_errors(training_cli.train_missing_command))
    train_app.command("status")(user_errors(training_cli.train_status_command))
    eval_app.command("tickets")(user_errors(eval_tickets))


_register_commands()


def main() -> None:  # pragma: no cover - console entry point
    app()


if __name__ == "__main__":  # pragma: no cover
    main()
