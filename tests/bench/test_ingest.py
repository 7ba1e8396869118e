from __future__ import annotations

from pathlib import Path

import pytest

from bench.ingest import main


def test_ingest_bench_times_the_whole_ingest_and_each_file(
    corpus: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (corpus / "broken.pdf").write_bytes(b"%PDF-1.4 not really")
    main(["--docs", str(corpus), "--no-write"])
    printed = capsys.readouterr().out
    assert "| whole ingest (read, chunk, embed, index) |" in printed
    assert "| press.pdf |" in printed and "1 pages, " in printed
    assert "| broken.pdf |" in printed and "not read: is not a readable PDF" in printed
    assert "| 500-pages.pdf |" in printed and "500 pages" in printed
    assert "| one-line-2MB.md |" in printed
