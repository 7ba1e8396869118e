from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

import retrieval.ingest as ingest_module
from retrieval.documents import LoadedDocument
from retrieval.embeddings import SentenceEmbedder
from retrieval.errors import ManifestError, NoDocumentsError
from retrieval.index_store import load_snapshot
from retrieval.ingest import IngestConfig, ingest
from retrieval.search import Searcher
from tests.conftest import search_config
from tools.common.errors import PlantError


def _searcher(config: IngestConfig, embedder: SentenceEmbedder) -> Searcher:
    return Searcher(load_snapshot(config.index_dir), embedder, search_config())


def test_round_trip_finds_each_format(
    corpus: Path, ingest_config: IngestConfig, embedder: SentenceEmbedder
) -> None:
    report = ingest([corpus], ingest_config, embedder)
    assert sorted(report.added) == ["canteen.md", "ppe.html", "press.pdf", "warranty.docx"]
    assert report.failed == []
    searcher = _searcher(ingest_config, embedder)
    expectations = {
        "what does H-310 mean": "press.pdf",
        "do I need ear defenders near the press": "ppe.html",
        "how many months warranty on valve bodies": "warranty.docx",
        "when is hot food served": "canteen.md",
    }
    for query, source in expectations.items():
        assert searcher.search(query, mode="hybrid", k=1)[0].chunk.source == source, query


def test_unchanged_files_are_not_embedded_again(
    corpus: Path, ingest_config: IngestConfig, embedder: SentenceEmbedder
) -> None:
    ingest([corpus], ingest_config, embedder)
    before = embedder.texts_embedded
    report = ingest([corpus], ingest_config, embedder)
    assert embedder.texts_embedded == before
    assert report.chunks_embedded == 0 and not report.changed
    assert len(report.unchanged) == 4


def test_changing_one_file_embeds_only_its_chunks(
    corpus: Path, ingest_config: IngestConfig, embedder: SentenceEmbedder
) -> None:
    first = ingest([corpus], ingest_config, embedder)
    canteen = corpus / "canteen.md"
    canteen.write_text(canteen.read_text(encoding="utf-8").replace("3.50", "3.80"), "utf-8")
    before = embedder.texts_embedded
    report = ingest([corpus], ingest_config, embedder)
    snapshot = load_snapshot(ingest_config.index_dir)
    canteen_chunks = [c for c in snapshot.chunks if c.source == "canteen.md"]
    assert report.updated == ["canteen.md"]
    assert embedder.texts_embedded - before == len(canteen_chunks) == report.chunks_embedded
    assert report.total_chunks == first.total_chunks
    assert any("3.80" in c.text for c in canteen_chunks)


def test_deleted_files_leave_the_index(
    corpus: Path, ingest_config: IngestConfig, embedder: SentenceEmbedder
) -> None:
    ingest([corpus], ingest_config, embedder)
    (corpus / "ppe.html").unlink()
    report = ingest([corpus], ingest_config, embedder)
    assert report.removed == ["ppe.html"]
    sources = {c.source for c in load_snapshot(ingest_config.index_dir).chunks}
    assert "ppe.html" not in sources and "press.pdf" in sources


def test_bad_files_are_reported_and_the_rest_is_ingested(
    corpus: Path, ingest_config: IngestConfig, embedder: SentenceEmbedder
) -> None:
    (corpus / "broken.pdf").write_bytes(b"%PDF-1.4 broken")
    (corpus / "empty.txt").write_bytes(b"")
    (corpus / "table.xlsx").write_bytes(b"PK")
    report = ingest([corpus], ingest_config, embedder)
    failed = {Path(p).name: reason for p, reason in report.failed}
    assert set(failed) == {"broken.pdf", "empty.txt", "table.xlsx"}
    assert "unsupported" in failed["table.xlsx"]
    assert len(report.added) == 4


def test_a_file_that_breaks_keeps_its_last_good_version(
    corpus: Path, ingest_config: IngestConfig, embedder: SentenceEmbedder
) -> None:
    ingest([corpus], ingest_config, embedder)
    (corpus / "press.pdf").write_bytes(b"%PDF-1.4 truncated")
    report = ingest([corpus], ingest_config, embedder)
    assert [Path(p).name for p, _ in report.failed] == ["press.pdf"]
    sources = {c.source for c in load_snapshot(ingest_config.index_dir).chunks}
    assert "press.pdf" in sources


def test_crash_while_writing_leaves_previous_index_loadable(
    corpus: Path,
    ingest_config: IngestConfig,
    embedder: SentenceEmbedder,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    ingest([corpus], ingest_config, embedder)
    before = load_snapshot(ingest_config.index_dir)
    (corpus / "canteen.md").write_text("# Canteen\n\n## Hours\n\nClosed on Sundays.\n", "utf-8")

    def crash(*args: object, **kwargs: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr("faiss.write_index", crash)
    with pytest.raises(OSError, match="disk full"):
        ingest([corpus], ingest_config, embedder)
    after = load_snapshot(ingest_config.index_dir)
    assert after.version == before.version
    assert [c.chunk_id for c in after.chunks] == [c.chunk_id for c in before.chunks]
    assert not list(ingest_config.index_dir.glob(".staging-*"))


def test_nothing_ingestable_raises_and_keeps_old_index(
    tmp_path: Path, corpus: Path, ingest_config: IngestConfig, embedder: SentenceEmbedder
) -> None:
    ingest([corpus], ingest_config, embedder)
    version = load_snapshot(ingest_config.index_dir).version
    junk = tmp_path / "junk"
    junk.mkdir()
    (junk / "a.pdf").write_bytes(b"%PDF-1.4 broken")
    fresh = IngestConfig(**{**ingest_config.__dict__, "index_dir": tmp_path / "other"})
    with pytest.raises(PlantError, match="Nothing could be ingested"):
        ingest([junk], fresh, embedder)
    assert load_snapshot(ingest_config.index_dir).version == version


@pytest.mark.parametrize(
    ("files", "message"),
    [
        ({}, "junk holds no documents to ingest"),
        ({"a.bin": b"\x00", ".hidden.md": b"# Hidden"}, "junk holds no documents to ingest"),
        ({"table.xlsx": b"PK"}, "No documents to ingest in .*table.xlsx"),
    ],
)
def test_a_path_without_documents_is_refused_and_the_index_kept(
    tmp_path: Path,
    corpus: Path,
    ingest_config: IngestConfig,
    embedder: SentenceEmbedder,
    files: dict[str, bytes],
    message: str,
) -> None:
    ingest([corpus], ingest_config, embedder)
    version = load_snapshot(ingest_config.index_dir).version
    junk = tmp_path / "junk"
    junk.mkdir()
    for name, data in files.items():
        (junk / name).write_bytes(data)
    target = junk / "table.xlsx" if "table.xlsx" in files else junk
    with pytest.raises(NoDocumentsError, match=message) as info:
        ingest([target], ingest_config, embedder)
    assert ".md, .markdown, .rst, .txt, .pdf, .html, .htm, .docx" in str(info.value)
    assert load_snapshot(ingest_config.index_dir).version == version


def test_changed_chunking_triggers_full_re_embedding(
    corpus: Path, ingest_config: IngestConfig, embedder: SentenceEmbedder
) -> None:
    ingest([corpus], ingest_config, embedder)
    changed = IngestConfig(**{**ingest_config.__dict__, "chunk_size": 300})
    report = ingest([corpus], changed, embedder)
    assert report.full_rebuild_reason and "chunking changed" in report.full_rebuild_reason
    assert report.chunks_embedded == report.total_chunks


def test_other_roots_are_kept_when_one_root_is_ingested(
    tmp_path: Path, corpus: Path, ingest_config: IngestConfig, embedder: SentenceEmbedder
) -> None:
    ingest([corpus], ingest_config, embedder)
    extra = tmp_path / "extra"
    extra.mkdir()
    shutil.copy(corpus / "canteen.md", extra / "menu.md")
    report = ingest([extra], ingest_config, embedder)
    assert report.added == ["menu.md"] and report.removed == []
    sources = {c.source for c in load_snapshot(ingest_config.index_dir).chunks}
    assert {"menu.md", "press.pdf"} <= sources


def test_unchanged_files_are_not_parsed_again(
    corpus: Path,
    ingest_config: IngestConfig,
    embedder: SentenceEmbedder,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    ingest([corpus], ingest_config, embedder)
    parsed: list[str] = []
    real = ingest_module.load_document

    def counting(
        path: Path, root: Path, manifest: dict[str, Any] | None = None, options: Any = None
    ) -> LoadedDocument:
        parsed.append(path.name)
        return real(path, root, manifest, options)

    monkeypatch.setattr(ingest_module, "load_document", counting)
    (corpus / "canteen.md").write_text("# Canteen\n\n## Hours\n\nOpen 11:00.\n", "utf-8")
    ingest([corpus], ingest_config, embedder)
    assert parsed == ["canteen.md"]


def test_metadata_change_in_the_manifest_re_ingests_that_file(
    corpus: Path, ingest_config: IngestConfig, embedder: SentenceEmbedder
) -> None:
    ingest([corpus], ingest_config, embedder)
    manifest_path = corpus / "manifest.json"
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    manifest["press.pdf"]["doc_type"] = "maintenance"
    manifest_path.write_text(json.dumps(manifest), encoding="utf-8")
    report = ingest([corpus], ingest_config, embedder)
    assert report.updated == ["press.pdf"]
    press = [c for c in load_snapshot(ingest_config.index_dir).chunks if c.source == "press.pdf"]
    assert {c.doc_type for c in press} == {"maintenance"}


def test_a_broken_manifest_stops_the_run_naming_the_line_and_keeps_the_index(
    corpus: Path, ingest_config: IngestConfig, embedder: SentenceEmbedder
) -> None:
    # going on without it would re-index every file without its title, type and audience
    ingest([corpus], ingest_config, embedder)
    before = load_snapshot(ingest_config.index_dir)
    manifest = corpus / "manifest.json"
    manifest.write_text('{\n  "press.pdf": {"doc_type": "manual",}\n}', encoding="utf-8")
    with pytest.raises(ManifestError, match=r"manifest.json: is not valid JSON: line 2, column"):
        ingest([corpus], ingest_config, embedder)
    manifest.write_text("[1, 2]", encoding="utf-8")
    with pytest.raises(ManifestError, match="must hold an object"):
        ingest([corpus], ingest_config, embedder)
    after = load_snapshot(ingest_config.index_dir)
    assert after.version == before.version
    assert {c.doc_type for c in after.chunks} == {c.doc_type for c in before.chunks}
