"""Ingest speed on real documents: reading per file (with OCR) and embedding, from scratch.

Usage:
    python -m bench.ingest [--docs ../shared/real-docs] [--no-write]

The target: the real-docs folder (11 public documents, 6.9 MB: PDFs with columns and
tables, a scanned page read by OCR, DOCX, HTML, Markdown, text) ingests in 3 minutes or less
on 2 CPU cores, OCR included. Each file is read once more on its own to show where the time
goes. Results go into the `bench.ingest` section of docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from dataclasses import replace
from pathlib import Path

from assistant.settings import get_settings
from assistant.wiring import ingest_config, make_embedder
from bench.machine import describe_machine
from bench.report import write_section
from retrieval.errors import DocumentLoadError
from retrieval.ingest import ingest
from retrieval.loaders import load_document


def read_times(files: list[Path], folder: Path) -> list[tuple[str, float, str]]:
    """(file, seconds to read it, what was read) for every file."""
    settings = get_settings()
    options = ingest_config(settings).load_options
    rows = []
    for path in files:
        started = time.perf_counter()
        try:
            stats = load_document(path, folder, options=options).stats
            what = (
                f"{stats.pages or '—'} pages, {stats.sections} sections, {stats.tables} tables, "
                f"{stats.ocr_pages} OCR pages, {stats.chars:,} characters"
            )
        except DocumentLoadError as exc:
            what = f"not read: {exc.reason}"
        rows.append((path.name, time.perf_counter() - started, what))
    return rows


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=Path, default=None)
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args(argv)
    settings = get_settings()
    folder = args.docs or settings.real_docs_dir
    files = [p for p in sorted(folder.iterdir()) if p.is_file() and p.name != "SOURCES.md"]
    embedder = make_embedder(settings)
    embedder.encode(["warm-up"])  # model load is not ingest time
    with tempfile.TemporaryDirectory(prefix="plant-bench-ingest-") as tmp:
        config = replace(ingest_config(settings), index_dir=Path(tmp) / "index")
        report = ingest(files, config, embedder)
    rows = read_times(files, folder)
    reading = sum(seconds for _, seconds, _ in rows)
    lines = [
        f"Measured {time.strftime('%Y-%m-%d')} on {describe_machine()}, default settings, "
        f"{len(files)} files of `{folder}` ingested from scratch into an empty index.",
        "",
        "| measure | value | target |",
        "|---|---|---|",
        f"| whole ingest (read, chunk, embed, index) | {report.seconds:.1f} s | ≤ 180 s |",
        f"| of which reading the files (OCR included) | {reading:.1f} s | |",
        f"| chunks embedded | {report.chunks_embedded:,} "
        f"({report.chunks_embedded / max(report.seconds - reading, 1e-9):.1f}/s) | |",
        "",
        "| file | read in | what was read |",
        "|---|---|---|",
        *[f"| {name} | {seconds:.1f} s | {what} |" for name, seconds, what in rows],
    ]
    markdown = "\n".join(lines)
    print(markdown)
    if not args.no_write:
        write_section("ingest", "Ingest speed on real documents", markdown)


if __name__ == "__main__":
    main()
