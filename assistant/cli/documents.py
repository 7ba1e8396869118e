"""`plant ingest`: bring the search index in line with the documents, and report what was read."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Column, Table

from assistant.cli.common import JsonOption, err, out
from assistant.settings import get_settings


def ingest(
    paths: Annotated[
        list[Path] | None,
        typer.Argument(help="Files or folders to ingest (default: the knowledge corpus)."),
    ] = None,
    rebuild: Annotated[bool, typer.Option(help="Re-embed everything from scratch.")] = False,
    report: Annotated[
        bool,
        typer.Option(
            "--report",
            help="Show per file what was read: pages, sections, tables, OCR pages, characters.",
        ),
    ] = False,
    as_json: JsonOption = False,
) -> None:
    """Add, update or remove documents in the search index (only changed files are embedded)."""
    from assistant.wiring import ingest_config, make_embedder
    from retrieval.ingest import ingest as run_ingest
    from tools.common.errors import PlantError

    settings = get_settings()
    targets = paths or [settings.knowledge_dir]
    if not paths and not settings.knowledge_dir.exists():
        raise PlantError(
            f"Not found: {settings.knowledge_dir}. Build the sample corpus with "
            "`python -m knowledge.build` (or `make corpus`)."
        )
    # a path that is missing or holds no documents, a broken manifest.json or another ingest
    # running on the index: a PlantError that names it, before anything is read or written
    result = run_ingest(
        targets,
        ingest_config(settings),
        make_embedder(settings),
        rebuild=rebuild,
        show_progress=not as_json and sys.stderr.isatty(),
    )
    if as_json:
        out.print_json(json.dumps(ingest_json(result, with_files=report), ensure_ascii=False))
        return
    if result.full_rebuild_reason:
        out.print(f"Full re-embedding: {result.full_rebuild_reason}.")
    out.print(
        f"Indexed {result.total_chunks} chunks: {len(result.added)} added, "
        f"{len(result.updated)} updated, {len(result.removed)} removed, "
        f"{len(result.unchanged)} unchanged files; {result.chunks_embedded} chunks embedded "
        f"in {result.seconds:.1f} s."
    )
    if report:
        _print_files(result)
    for path, reason in result.failed:
        err.print(f"[yellow]Skipped[/] {path}: {reason}", highlight=False)


def ingest_json(result: Any, *, with_files: bool) -> dict[str, Any]:
    """The `--json` document; `--report` adds one entry per file read."""
    data: dict[str, Any] = {
        "added": result.added,
        "updated": result.updated,
        "removed": result.removed,
        "unchanged": len(result.unchanged),
        "chunks_embedded": result.chunks_embedded,
        "total_chunks": result.total_chunks,
        "seconds": round(result.seconds, 2),
        "failed": [{"path": p, "error": e} for p, e in result.failed],
    }
    if with_files:
        data["files"] = [
            {"path": source, **stats.model_dump(mode="json")}
            for source, stats in sorted(result.files.items())
        ]
    return data


def _print_files(result: Any) -> None:
    table = Table(
        Column("File", overflow="fold"), "Pages", "Sections", "Tables", "OCR pages", "Characters"
    )
    for source, stats in sorted(result.files.items()):
        table.add_row(
            source,
            "—" if stats.pages is None else str(stats.pages),
            str(stats.sections),
            str(stats.tables),
            str(stats.ocr_pages),
            f"{stats.chars:,}",
        )
    out.print(table)
    for source, stats in sorted(result.files.items()):
        for note in stats.notes:
            err.print(f"[yellow]Note[/] {source}: {note}", highlight=False)
