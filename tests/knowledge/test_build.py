from __future__ import annotations

from pathlib import Path

import pytest

from knowledge.build import build, read_source


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("# no front matter\n", "missing front matter"),
        ("---\ntitle: T\nformat: md\n---\nbody", "lacks 'doc_type'"),
        ("---\ntitle: T\ndoc_type: x\nformat: odt\n---\nbody", "format must be one of"),
    ],
)
def test_bad_sources_name_the_file_and_the_problem(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "doc.md"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ValueError, match=message) as info:
        read_source(path)
    assert "doc.md" in str(info.value)


def test_build_replaces_the_output_folder_whole(tmp_path: Path) -> None:
    src = tmp_path / "src"
    src.mkdir()
    (src / "a.md").write_text("---\ntitle: A\ndoc_type: x\nformat: md\n---\n# A\ntext\n", "utf-8")
    out = tmp_path / "out"
    out.mkdir()
    (out / "stale.pdf").write_bytes(b"old")
    files = {p.name for p in build(src, out)}
    assert files == {"a.md", "manifest.json"}
