"""Benchmark sections in docs/benchmarks.md: replaced in place, appended when new."""

from __future__ import annotations

from pathlib import Path

from bench.report import markers, write_section


def test_a_section_is_replaced_and_the_rest_of_the_document_kept(tmp_path: Path) -> None:
    doc = tmp_path / "benchmarks.md"
    start, end = markers("defects")
    doc.write_text(f"# Benchmarks\n\nintro\n\n{start}\nold table\n{end}\n\nafter\n", "utf-8")
    write_section("defects", "Defect inspection latency", "new table", doc)
    text = doc.read_text("utf-8")
    assert f"{start}\nnew table\n{end}" in text
    assert "old table" not in text and "intro" in text and "after" in text
    assert "## Defect inspection latency" not in text  # the heading is not added twice


def test_a_new_section_is_appended_under_its_heading(tmp_path: Path) -> None:
    doc = tmp_path / "benchmarks.md"
    write_section("intent", "Intent classification latency", "| a |", doc)
    write_section("answers", "Answer latency", "| b |", doc)
    text = doc.read_text("utf-8")
    assert text.startswith("# Benchmarks\n")
    assert "## Intent classification latency (`python -m bench.intent`)" in text
    assert text.index("| a |") < text.index("## Answer latency") < text.index("| b |")
