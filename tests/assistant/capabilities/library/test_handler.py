from __future__ import annotations

from pathlib import Path

from assistant.capabilities.base import Request, Upload
from assistant.capabilities.library.handler import Library, stored_name
from retrieval.embeddings import SentenceEmbedder
from retrieval.ingest import IngestConfig, ingest


def test_stored_names_are_safe_and_keep_what_the_file_is(tmp_path: Path) -> None:
    pdf = tmp_path / "blob"
    pdf.write_bytes(b"%PDF-1.7 ...")
    assert stored_name(Upload(pdf, "../../Pump Manual (v2).PDF", "document")) == (
        "Pump Manual _v2_.pdf"
    )
    assert stored_name(Upload(pdf, "no-extension", "document")) == "no-extension.pdf"
    assert stored_name(Upload(pdf, "..\\..\\evil.md", "document")) == "evil.md"
    assert stored_name(Upload(pdf, "....pdf", "document")) == "document.pdf"


def test_a_document_that_cannot_be_read_is_reported_and_not_kept(
    tmp_path: Path, ingest_config: IngestConfig, embedder: SentenceEmbedder
) -> None:
    folder = tmp_path / "documents"
    library = Library(folder, lambda paths: ingest(paths, ingest_config, embedder))
    good = tmp_path / "good"
    good.write_text("# Chiller\n\nThe chiller holds 40 L of coolant.\n", encoding="utf-8")
    list(library.handle(Request("", uploads=(Upload(good, "chiller.md", "document"),))))
    broken = tmp_path / "upload"
    broken.write_bytes(b"%PDF-1.4 not really a PDF")
    events = list(library.handle(Request("", uploads=(Upload(broken, "spec.pdf", "document"),))))
    assert events[0].kind == "token" and "Adding **spec.pdf**" in events[0].token
    answer = events[-1].answer
    assert answer is not None and answer.text.startswith("spec.pdf could not be added:")
    assert not (folder / "spec.pdf").exists() and (folder / "chiller.md").exists()
    assert library.accepts(Upload(broken, "x.pdf", "document"))
    assert not library.accepts(Upload(broken, "x.png", "photo"))


def test_a_broken_replacement_keeps_the_earlier_copy_and_its_passages(
    tmp_path: Path, ingest_config: IngestConfig, embedder: SentenceEmbedder
) -> None:
    from retrieval.index_store import load_snapshot

    folder = tmp_path / "documents"
    library = Library(folder, lambda paths: ingest(paths, ingest_config, embedder))
    good = tmp_path / "good"
    good.write_text("# Chiller\n\nThe chiller holds 40 L of coolant.\n", encoding="utf-8")
    list(library.handle(Request("", uploads=(Upload(good, "chiller.md", "document"),))))
    broken = tmp_path / "broken"
    broken.write_text("---\naudience: 5\n---\n# Chiller\n\nNew text.\n", encoding="utf-8")
    events = list(library.handle(Request("", uploads=(Upload(broken, "chiller.md", "document"),))))
    answer = events[-1].answer
    assert answer is not None and answer.text.startswith("chiller.md could not be added:")
    assert "audience" in answer.text and answer.text.endswith("The earlier copy is kept.")
    assert (folder / "chiller.md").read_text(encoding="utf-8") == good.read_text(encoding="utf-8")
    texts = [c.text for c in load_snapshot(ingest_config.index_dir).chunks]
    assert any("40 L of coolant" in t for t in texts)
    assert not list(tmp_path.glob(".*previous"))
