"""The `plant` command line: ingest, search, ask, classify, train and evaluate."""

from __future__ import annotations

import functools
import json
import logging
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from rich.console import Console
from rich.table import Table

from assistant.settings import Settings, get_settings

app = typer.Typer(
    name="plant",
    help="Plant Assistant: ask the plant's manuals, procedures and data.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
eval_app = typer.Typer(help="Measure the assistant on the evaluation sets.", no_args_is_help=True)
app.add_typer(eval_app, name="eval")

out = Console()
err = Console(stderr=True)
log = logging.getLogger("plant")

F = TypeVar("F", bound=Callable[..., Any])


def _configure_logging(settings: Settings) -> Path:
    log_dir = settings.data_dir / "logs"
    log_dir.mkdir(parents=True, exist_ok=True)
    log_file = log_dir / "plant.log"
    root = logging.getLogger()
    if not any(isinstance(h, logging.FileHandler) for h in root.handlers):
        handler = logging.FileHandler(log_file, encoding="utf-8")
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        root.addHandler(handler)
        root.setLevel(logging.INFO)
    for noisy in ("httpx", "sentence_transformers", "transformers", "faiss"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    return log_file


def user_errors(func: F) -> F:
    """Turn user-caused errors into a readable message and internal ones into a short note."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        from retrieval.errors import PlantError

        settings = get_settings()
        log_file = _configure_logging(settings)
        try:
            return func(*args, **kwargs)
        except PlantError as exc:
            err.print(f"[bold red]Error:[/] {exc}", highlight=False)
            raise typer.Exit(code=1) from None
        except KeyboardInterrupt:
            err.print("Interrupted.")
            raise typer.Exit(code=130) from None
        except BrokenPipeError:  # output piped into `head` and the like: stop quietly
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
            raise typer.Exit(code=0) from None
        except (typer.Exit, typer.Abort):
            raise
        except Exception as exc:
            log.exception("internal error in %s", func.__name__)
            err.print(
                f"[bold red]Internal error:[/] {type(exc).__name__}: {exc}\n"
                f"Details were written to {log_file}.",
                highlight=False,
            )
            raise typer.Exit(code=2) from None

    return wrapper  # type: ignore[return-value]


# --------------------------------------------------------------------------------------
@app.command()
@user_errors
def ingest(
    paths: Annotated[
        list[Path] | None,
        typer.Argument(help="Files or folders to ingest (default: the knowledge corpus)."),
    ] = None,
    rebuild: Annotated[bool, typer.Option(help="Re-embed everything from scratch.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
) -> None:
    """Add, update or remove documents in the search index (only changed files are embedded)."""
    from retrieval.embeddings import make_embedder
    from retrieval.errors import PlantError
    from retrieval.ingest import ingest as run_ingest
    from retrieval.retriever import ingest_config

    settings = get_settings()
    targets = paths or [settings.knowledge_dir]
    missing = [str(p) for p in targets if not p.exists()]
    if missing:
        hint = ""
        if settings.knowledge_dir in targets:
            hint = " Build the sample corpus with `python -m knowledge.build` (or `make corpus`)."
        raise PlantError("Not found: " + ", ".join(missing) + "." + hint)
    report = run_ingest(
        targets,
        ingest_config(settings),
        make_embedder(settings),
        rebuild=rebuild,
        show_progress=not as_json and sys.stderr.isatty(),
    )
    if as_json:
        out.print_json(
            json.dumps(
                {
                    "added": report.added,
                    "updated": report.updated,
                    "removed": report.removed,
                    "unchanged": len(report.unchanged),
                    "chunks_embedded": report.chunks_embedded,
                    "total_chunks": report.total_chunks,
                    "seconds": round(report.seconds, 2),
                    "failed": [{"path": p, "error": e} for p, e in report.failed],
                }
            )
        )
        return
    if report.full_rebuild_reason:
        out.print(f"Full re-embedding: {report.full_rebuild_reason}.")
    out.print(
        f"Indexed {report.total_chunks} chunks: {len(report.added)} added, "
        f"{len(report.updated)} updated, {len(report.removed)} removed, "
        f"{len(report.unchanged)} unchanged files; {report.chunks_embedded} chunks embedded "
        f"in {report.seconds:.1f} s."
    )
    for path, reason in report.failed:
        err.print(f"[yellow]Skipped[/] {path}: {reason}", highlight=False)


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
    as_json: Annotated[bool, typer.Option("--json", help="Print results as JSON.")] = False,
) -> None:
    """Search the plant documents. Without a query, opens an interactive search prompt."""
    from retrieval.errors import InvalidQueryError
    from retrieval.retriever import make_searcher
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
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
    show_misses: Annotated[bool, typer.Option(help="List questions missed in the top 5.")] = False,
) -> None:
    """Recall@1, Recall@5 and MRR@10 for dense, BM25 and hybrid retrieval."""
    from retrieval.evaluation import evaluate, load_questions
    from retrieval.retriever import make_searcher

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


def _register_commands() -> None:
    from assistant import answer_cli, defect_cli, failure_cli, intent_cli, spc_cli

    app.command("ask")(user_errors(answer_cli.ask))
    eval_app.command("answers")(user_errors(answer_cli.eval_answers))
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
    data_app.command("surfaces")(user_errors(defect_cli.data_surfaces))


_register_commands()


def main() -> None:  # pragma: no cover - console entry point
    app()


if __name__ == "__main__":  # pragma: no cover
    main()
