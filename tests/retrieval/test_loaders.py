from __future__ import annotations

import io
from pathlib import Path

import pytest
from pypdf import PdfReader, PdfWriter

import retrieval.loaders as loaders
from retrieval.errors import DocumentLoadError
from retrieval.loaders import (
    LoadOptions,
    fingerprint,
    iter_document_paths,
    load_document,
    read_manifest,
)
from retrieval.pdf_loader import drop_running_lines, reflow


def load(path: Path):  # the folder is the ingest root
    return load_document(path, path.parent, read_manifest(path.parent))


def test_markdown_front_matter_and_heading_paths(corpus: Path) -> None:
    doc = load(corpus / "canteen.md")
    assert doc.source == "canteen.md"
    assert doc.meta.title == "Canteen"
    assert doc.meta.doc_type == "onboarding"
    assert doc.meta.audience == ("new_staff",)
    assert doc.sections[0].heading_path == ("Canteen", "Opening hours")
    assert "3.50 EUR" in doc.sections[0].text


def test_pdf_keeps_pages_and_recovers_headings_from_bookmarks(corpus: Path) -> None:
    doc = load(corpus / "press.pdf")
    assert doc.meta.title == "Press P-100 Manual"
    assert doc.meta.machine == ("P-100",)  # from the manifest
    by_heading = {s.heading_path[-1]: s for s in doc.sections if s.heading_path}
    # the ruled table comes back as a Markdown table, one line per row
    table = "| Code | Meaning |\n|---|---|\n| H-310 | Hydraulic oil too hot: stop and let it cool |"
    assert table in by_heading["Alarm codes"].text
    assert "EP-2" in by_heading["Lubrication"].text
    assert all(s.page == 1 for s in doc.sections)


def test_html_headings_table_rows_and_meta(corpus: Path) -> None:
    doc = load(corpus / "ppe.html")
    assert doc.meta.title == "PPE Rules"
    assert doc.meta.audience == ("operator", "new_staff")
    paths = [s.heading_path for s in doc.sections]
    assert ("PPE Rules", "Hearing protection") in paths
    assert all("intranet" not in s.text for s in doc.sections)  # <nav> is dropped
    eyes = next(s for s in doc.sections if s.heading_path[-1] == "Eye protection")
    assert "| Task | Eye protection |\n|---|---|\n| Grinding | Face shield" in eyes.text


def test_docx_headings_and_core_properties(corpus: Path) -> None:
    doc = load(corpus / "warranty.docx")
    assert doc.meta.doc_type == "customer_service"
    assert doc.meta.audience == ("customer_service",)
    section = next(s for s in doc.sections if s.heading_path[-1] == "Warranty periods")
    assert "24 months" in section.text
    assert "| Product | Warranty |\n|---|---|\n| Seal kits | 6 months |" in section.text


def test_running_footers_go_but_table_rows_that_look_alike_stay() -> None:
    pages = [
        ["ACME manual", "Page 1", "L-201", "Chuck pressure low", "ACME manual · Page 1"],
        ["ACME manual", "Page 2", "L-214", "Turret index timeout", "ACME manual · Page 2"],
    ]
    kept = drop_running_lines(pages)
    assert kept == [["L-201", "Chuck pressure low"], ["L-214", "Turret index timeout"]]


def test_reflow_joins_wrapped_lines_but_keeps_steps_and_tables() -> None:
    text = "Dry the granulate at 80 °C for at least 4 hours in the\ndryer DR-2.\nSteps:\n"
    text += "1 Check oil.\n2 Start the pump\nslowly.\n| a | b |\n|---|---|\n| 1 | 2 |"
    assert reflow(text).splitlines() == [
        "Dry the granulate at 80 °C for at least 4 hours in the dryer DR-2. Steps:",
        "1 Check oil.",
        "2 Start the pump slowly.",
        "| a | b |",
        "|---|---|",
        "| 1 | 2 |",
    ]


def test_content_hash_changes_with_bytes(tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    path.write_text("first version", encoding="utf-8")
    first = load(path).content_hash
    path.write_text("second version", encoding="utf-8")
    assert load(path).content_hash != first


def test_iter_document_paths_skips_manifest_and_hidden(corpus: Path) -> None:
    (corpus / ".hidden.md").write_text("# x\nsecret", encoding="utf-8")
    names = {p.name for p, _ in iter_document_paths([corpus])}
    assert names == {"press.pdf", "ppe.html", "warranty.docx", "canteen.md"}


def test_a_folder_given_through_dot_dot_is_walked(
    corpus: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (corpus / "sub").mkdir()
    monkeypatch.chdir(corpus / "sub")  # "../" is not a hidden folder
    names = {p.name for p, _ in iter_document_paths([Path("..")])}
    assert names == {"press.pdf", "ppe.html", "warranty.docx", "canteen.md"}


# ---------------------------------------------------------------------------- bad input
def _pdf_bytes(writer: PdfWriter) -> bytes:
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def _encrypted_pdf(corpus: Path) -> bytes:
    writer = PdfWriter(clone_from=PdfReader(corpus / "press.pdf"))
    writer.encrypt("secret")
    return _pdf_bytes(writer)


def _blank_page_pdf() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    return _pdf_bytes(writer)


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("empty.md", b"", "the file is empty"),
        ("blank.txt", b"   \n\t\n", "the file is empty"),
        ("notes.xyz", b"some text", "unsupported file type '.xyz'"),
        ("binary.md", b"\x00\x01\x02binary\x00", "binary file"),
        ("corrupt.pdf", b"%PDF-1.4\nthis is not really a pdf", "not a readable PDF"),
        ("blank.pdf", _blank_page_pdf(), "no extractable text"),
        ("corrupt.docx", b"PK\x03\x04 not a zip", "not a readable Word"),
        ("bad-front.md", b"---\ntitle: [unclosed\n---\n# T\ntext", "malformed front matter"),
    ],
)
def test_bad_files_raise_a_message_naming_the_file(
    tmp_path: Path, name: str, content: bytes, message: str
) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(DocumentLoadError, match=message) as info:
        load(path)
    assert str(path) in str(info.value)


def test_encrypted_pdf_is_refused_clearly(tmp_path: Path, corpus: Path) -> None:
    path = tmp_path / "locked.pdf"
    path.write_bytes(_encrypted_pdf(corpus))
    with pytest.raises(DocumentLoadError, match="password-protected"):
        load(path)


def test_a_file_over_the_size_limit_is_refused_naming_the_limit(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_bytes(b"x" * 2_000)
    assert load_document(path, tmp_path, options=LoadOptions(max_file_bytes=2_000)).sections
    with pytest.raises(DocumentLoadError, match=r"is 2 kB, over the limit of 1.5 kB per doc"):
        load_document(path, tmp_path, options=LoadOptions(max_file_bytes=1_500))


@pytest.mark.parametrize(
    ("front", "entry", "message"),
    [
        ("title: {a: 1}", {}, r"its front matter: 'title' must be text, not \{'a': 1\}"),
        ("audience: true", {}, "its front matter: 'audience' must be a name or a list of names"),
        ("", {"machine": {"id": 3}}, "its entry 'a.md' in manifest.json: 'machine' must be"),
        ("", [1], r"its entry 'a.md' in manifest.json must be an object .* not \[1\]"),
    ],
)
def test_metadata_of_the_wrong_shape_names_the_field_and_where(
    tmp_path: Path, front: str, entry: object, message: str
) -> None:
    path = tmp_path / "a.md"
    path.write_text(f"---\n{front}\n---\n# A\n\nText.\n", encoding="utf-8")
    with pytest.raises(DocumentLoadError, match=message):
        load_document(path, tmp_path, {"a.md": entry})


def test_metadata_names_may_be_numbers_and_dates_may_be_titles(tmp_path: Path) -> None:
    path = tmp_path / "a.md"
    path.write_text("---\ntitle: 2024-05-01\nmachine: [100, P-7]\n---\nText.\n", "utf-8")
    meta = load_document(path, tmp_path).meta
    assert meta.title == "2024-05-01" and meta.machine == ("100", "P-7")


def test_whatever_a_loader_fails_with_is_a_reason_for_that_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    deep = tmp_path / "deep.html"
    deep.write_text("<div>" * 5_000 + "text", encoding="utf-8")
    with pytest.raises(DocumentLoadError, match="is nested too deeply to be read"):
        load_document(deep, tmp_path)

    def broken(path: Path, data: bytes) -> None:
        raise RuntimeError("unexpected state")

    monkeypatch.setitem(loaders._LOADERS, ".txt", broken)
    (tmp_path / "a.txt").write_text("text", encoding="utf-8")
    with pytest.raises(DocumentLoadError, match=r"could not be read \(RuntimeError: unexp"):
        load_document(tmp_path / "a.txt", tmp_path)


def test_a_link_given_by_name_is_refused_when_it_leads_out_of_its_folder(
    tmp_path: Path,
) -> None:
    (tmp_path / "secret").mkdir()
    (tmp_path / "secret" / "key.txt").write_text("private", encoding="utf-8")
    (tmp_path / "docs").mkdir()
    link = tmp_path / "docs" / "key.txt"
    link.symlink_to(tmp_path / "secret" / "key.txt")
    with pytest.raises(DocumentLoadError, match="outside the folder being ingested"):
        load(link)
    with pytest.raises(DocumentLoadError, match="outside the folder being ingested"):
        fingerprint(link, link.parent)
    assert [p.name for p, _ in iter_document_paths([link, tmp_path / "manifest.json"])] == [
        "key.txt"
    ]
