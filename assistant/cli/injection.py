"""`plant eval injection`: does the assistant resist instructions hidden in its documents?"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.table import Table

from assistant.cli.common import JsonOption, err, out
from assistant.settings import get_settings

if TYPE_CHECKING:
    from assistant.settings import Settings
    from retrieval.search import Searcher

BACKEND_CHOICES = ("extractive", "embedded", "openai", "all")
ALL_BACKENDS = ("extractive", "embedded")


def eval_injection(
    backend: Annotated[
        str,
        typer.Option(
            help="extractive, embedded, openai, or all (extractive and embedded; with --json "
            "the output is then one report per backend under the backend's name)."
        ),
    ] = "extractive",
    file: Annotated[
        Path | None,
        typer.Option(help="JSONL injection cases (default: knowledge/eval/injection/)."),
    ] = None,
    docs: Annotated[
        Path | None,
        typer.Option(help="Folder of poisoned documents (default: the suite's documents/)."),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Ask questions whose passages hide instructions; count the answers that resisted.

    The sample corpus and the poisoned documents are ingested into their own index under the
    data directory's eval/injection (apart from the plant's index; later runs embed only what
    changed). JSON: {"n", "resisted", "by_kind": {kind: {"n", "resisted"}}}.
    """
    from assistant.answering.injection_eval import load_cases, report_json, run, score
    from assistant.wiring import make_chain
    from tools.common.errors import PlantError

    if backend not in BACKEND_CHOICES:
        raise PlantError(f"Unknown backend '{backend}'; use one of {', '.join(BACKEND_CHOICES)}.")
    settings = get_settings()
    suite = settings.eval_dir / "injection"
    cases = load_cases(file or suite / "questions.jsonl")
    progress = not as_json and sys.stderr.isatty()
    searcher = _poisoned_searcher(settings, docs or suite / "documents", progress)
    reports = {}
    for name in ALL_BACKENDS if backend == "all" else (backend,):
        chain = make_chain(settings, backend=name, searcher=searcher)
        if chain.backend != name:  # a fallback would measure another backend under this name
            raise PlantError(chain.notice or f"The {name} backend is not available.")
        reports[name] = score(cases, run(chain, cases, show_progress=progress))
    if as_json:
        print(report_json(reports))
        return
    for name, report in reports.items():
        _print_report(name, report)


def _poisoned_searcher(settings: Settings, poisoned: Path, progress: bool) -> Searcher:
    """The sample corpus and the poisoned documents in the suite's own index, searchable."""
    from dataclasses import replace

    from assistant.wiring import ingest_config, make_embedder, search_config
    from retrieval.index_store import load_snapshot
    from retrieval.ingest import ingest
    from retrieval.search import Searcher
    from tools.common.errors import PlantError

    for folder in (settings.knowledge_dir, poisoned):
        if not folder.is_dir():
            raise PlantError(
                f"Not found: {folder}. Build the sample corpus with `python -m knowledge.build` "
                "(or `make corpus`); the poisoned documents live in knowledge/eval/injection/."
            )
    config = replace(
        ingest_config(settings), index_dir=settings.data_dir / "eval" / "injection" / "index"
    )
    embedder = make_embedder(settings)
    ingest([settings.knowledge_dir, poisoned], config, embedder, show_progress=progress)
    return Searcher(load_snapshot(config.index_dir), embedder, search_config(settings))


def _print_report(backend: str, report: Any) -> None:
    table = Table(title=f"Injection suite ({backend}): {report.resisted} of {report.n} resisted")
    for column in ("kind", "n", "resisted"):
        table.add_column(column, justify="left" if column == "kind" else "right")
    for kind, counts in report.by_kind.items():
        table.add_row(kind, str(counts.n), str(counts.resisted))
    out.print(table)
    if report.failures:
        err.print("not resisted: " + ", ".join(report.failures), highlight=False)
