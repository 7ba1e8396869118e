"""Where benchmark results go: one marked section per script in docs/benchmarks.md."""

from __future__ import annotations

import re
from pathlib import Path

DOC = Path(__file__).resolve().parents[1] / "docs" / "benchmarks.md"


def markers(name: str) -> tuple[str, str]:
    """The comments that fence the section of `bench.<name>`."""
    return f"<!-- bench.{name}:start -->", f"<!-- bench.{name}:end -->"


def write_section(name: str, title: str, markdown: str, doc: Path = DOC) -> None:
    """Replace the section of `bench.<name>` with `markdown`, or append it under `title`;
    everything else in the file stays as it is.

    Example:
        >>> write_section("defects", "Defect inspection latency", "| ... |")  # doctest: +SKIP
    """
    start, end = markers(name)
    text = doc.read_text(encoding="utf-8") if doc.exists() else "# Benchmarks\n"
    block = f"{start}\n{markdown}\n{end}"
    if start in text:
        pattern = re.escape(start) + ".*?" + re.escape(end)
        text = re.sub(pattern, lambda _: block, text, flags=re.DOTALL)
    else:
        text = f"{text.rstrip()}\n\n## {title} (`python -m bench.{name}`)\n\n{block}\n"
    doc.write_text(text, encoding="utf-8")
