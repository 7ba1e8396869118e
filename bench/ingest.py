"""Ingest speed on real documents: reading per file (with OCR) and embedding, from scratch.

Usage:
    python -m bench.ingest [--docs ../shared/real-docs] [--no-write]

The target: the real-docs folder (11 public documents, 6.9 MB: PDFs with columns and
tables, a scanned page read by OCR, DOCX, HTML, Markdown, text) ingests in 3 minutes or less
on 2 CPU cores, OCR included. Each file is read once more on its own to show where the time
goes, and two bad inputs (a 500-page PDF, a Markdown file of one 2 MB line) are timed too.
Results go into the `bench.ingest` section of docs/benchmarks.md.
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


def bad_input_times() -> list[tuple[str, float, str]]:
    """Reading times of the issue's bad inputs, built here: a 500-page PDF and a Markdown
    file that is one 2 MB line."""
    import io

    from pypdf import PdfReader, PdfWriter
    from reportlab.pdfgen import canvas

    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=(400, 300))
    for k in range(12):
        pdf.drawString(
            72, 280 - 14 * k, f"The operator checks the guard before each shift, line {k}."
        )
    pdf.showPage()
    pdf.save()
    page = PdfReader(io.BytesIO(buffer.getvalue())).pages[0]
    writer = PdfWriter()
    for _ in range(500):
        writer.add_page(page)
    out = io.BytesIO()
    writer.write(out)
    sentence = "The pump must be checked daily and the oil level read at the sight glass. "
    line = ((sentence * 5 + "See the [rules](r.html), **always**. ") * 6_000)[:2_000_000]
    with tempfile.TemporaryDirectory(prefix="plant-bench-bad-") as tmp:
        folder = Path(tmp)
        (folder / "500-pages.pdf").write_bytes(out.getvalue())
        (folder / "one-line-2MB.md").write_text(line, encoding="utf-8")
        return read_times(sorted(folder.iterdir()), folder)


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
    bad = bad_input_times()
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
        "",
        "Bad input, built by the script (read only, not embedded):",
        "",
        "| file | read in | what was read |",
        "|---|---|---|",
        *[f"| {name} | {seconds:.1f} s | {what} |" for name, seconds, what in bad],
    ]
    markdown = "\n".join(lines)
    print(markdown)
    if not args.no_write:
        write_section("ingest", "Ingest speed on real documents", markdown)


if __name__ == "__main__":
    main()
