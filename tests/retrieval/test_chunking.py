from __future__ import annotations

import pytest

from retrieval.chunking import chunk_document, make_splitter
from retrieval.documents import DocumentMeta, LoadedDocument, Section


def _doc(text: str) -> LoadedDocument:
    meta = DocumentMeta(title="Manual", doc_type="operating_manual", machine=("VMC-850",))
    return LoadedDocument("manual.md", meta, [Section(text, ("Manual", "Alarms"), 3)], "h")


def test_chunks_respect_size_and_keep_citation_fields() -> None:
    text = "\n".join(f"E-{100 + i} | alarm number {i} needs the operator to act" for i in range(60))
    chunks = chunk_document(_doc(text), chunk_size=300, chunk_overlap=40)
    assert len(chunks) > 5
    assert all(len(c.text) <= 300 for c in chunks)
    assert {c.page for c in chunks} == {3}
    assert all(c.heading_path == ("Manual", "Alarms") and c.machine == ("VMC-850",) for c in chunks)
    assert "E-100" in chunks[0].text and "E-159" in chunks[-1].text


def test_chunk_ids_are_stable_and_unique() -> None:
    text = "Step one. " * 200
    first = [c.chunk_id for c in chunk_document(_doc(text), 250, 30)]
    again = [c.chunk_id for c in chunk_document(_doc(text), 250, 30)]
    assert first == again
    assert len(set(first)) == len(first)
    changed = [c.chunk_id for c in chunk_document(_doc(text + " Step two."), 250, 30)]
    assert changed[0] == first[0] and changed[-1] != first[-1]


def test_embedding_text_carries_title_and_headings_once() -> None:
    chunk = chunk_document(_doc("Top up coolant."), 200, 20)[0]
    assert chunk.embedding_text() == "Manual > Alarms\nTop up coolant."


def test_embedding_text_shortens_a_long_title() -> None:
    from retrieval.documents import Chunk

    title = "Regulation (EU) 2023/1230 of the European Parliament and of the Council " * 3
    chunk = Chunk("c", "reg.pdf", title, ("Article 12 Authorised representatives",), 3, "Text.")
    header = chunk.embedding_text().splitlines()[0]
    assert header.startswith("Regulation (EU) 2023/1230 of the European")
    assert header.endswith(" … > Article 12 Authorised representatives")
    assert len(header) <= 140
    chapter = "CHAPTER II OBLIGATIONS OF ECONOMIC OPERATORS AND OTHER PARTIES IN THE SUPPLY CHAIN"
    article = "Article 14 Obligations of importers of partly completed machinery"
    deep = Chunk("d", "reg.pdf", "Machinery Regulation", (chapter, article), 3, "T.")
    # the deepest heading says most about the passage: the outer one goes when both do not fit
    assert deep.embedding_text().splitlines()[0] == f"Machinery Regulation > {article}"


def test_overlap_must_be_smaller_than_size() -> None:
    with pytest.raises(ValueError, match="chunk_overlap"):
        make_splitter(100, 100)


def test_long_tables_split_between_rows_and_repeat_the_header() -> None:
    rows = "\n".join(f"| E-{100 + i} | alarm number {i} needs the operator |" for i in range(30))
    text = f"The alarm table:\n| Code | Meaning |\n|---|---|\n{rows}\nAfter the table."
    chunks = chunk_document(_doc(text), chunk_size=300, chunk_overlap=40)
    table_chunks = [c.text for c in chunks if "E-1" in c.text]
    assert len(table_chunks) > 3
    assert all(len(c.text) <= 300 for c in chunks)
    for piece in table_chunks:
        lines = piece.splitlines()
        start = lines.index("| Code | Meaning |")
        assert lines[start + 1] == "|---|---|"
        assert all(line.startswith("| E-") for line in lines[start + 2 :] if "E-" in line)
    # every row is in exactly one chunk, whole
    assert sum(c.text.count("| E-1") for c in chunks) == 30
    assert chunks[0].text.startswith("The alarm table:")  # the lead-in stays with the table
    assert "After the table." in chunks[-1].text


def test_a_header_too_long_to_repeat_is_kept_once_as_text() -> None:
    # a scanned page read as a table: its "header" holds the page's fields, and must not be lost
    fields = " ".join(f"[{20 + i}] Field {i}: value {i}, filed May 17, 1991" for i in range(6))
    rows = "\n".join(f"| 3,{700 + i},336 | 1/1973 | Inventor {i} |" for i in range(20))
    text = f"| {fields} | 1/1973 | names |\n|---|---|---|\n{rows}"
    chunks = chunk_document(_doc(text), chunk_size=300, chunk_overlap=40)
    joined = "\n".join(c.text for c in chunks)
    assert "filed May 17, 1991" in joined and "[25] Field 5" in joined
    assert all(len(c.text) <= 300 for c in chunks)
    assert sum(c.text.count("| 3,7") for c in chunks) == 20  # every row, once
