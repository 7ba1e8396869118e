"""Read md, txt, pdf, html and docx files into sections that keep headings and page numbers."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import yaml

from retrieval.documents import DocumentMeta, LoadedDocument, Section
from retrieval.errors import DocumentLoadError

# Bump when extraction or sectioning changes, so existing indexes re-read every file.
LOADER_VERSION = 2
MANIFEST_NAME = "manifest.json"
SUPPORTED_SUFFIXES = (".md", ".markdown", ".txt", ".pdf", ".html", ".htm", ".docx")
_FRONT_MATTER = re.compile(r"\A---\s*\n(.*?)\n---\s*\n", re.DOTALL)
_HEADING_TAGS = ("h1", "h2", "h3", "h4", "h5", "h6")
_BLOCK_TAGS = (*_HEADING_TAGS, "p", "li", "tr", "pre", "dt", "dd", "blockquote", "figcaption")


# --------------------------------------------------------------------------------------
# entry point
# --------------------------------------------------------------------------------------
def load_document(path: Path, root: Path, manifest: dict[str, Any] | None = None) -> LoadedDocument:
    """Load one file. Raises `DocumentLoadError` naming the file when it cannot be used."""
    suffix = path.suffix.lower()
    loader = _LOADERS.get(suffix)
    if loader is None:
        raise DocumentLoadError(
            path,
            f"unsupported file type '{suffix or '(none)'}'; supported: "
            + ", ".join(SUPPORTED_SUFFIXES),
        )
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise DocumentLoadError(path, f"cannot be read ({exc.strerror or exc})") from exc
    if not data.strip():
        raise DocumentLoadError(path, "the file is empty")

    source = source_name(path, root)
    front, sections, title = loader(path, data)
    sections = [s for s in sections if s.text.strip()]
    if not sections:
        raise DocumentLoadError(path, "contains no extractable text")
    entry = dict((manifest or {}).get(source, {}))
    entry.update(front)
    meta = DocumentMeta.from_mapping(entry, default_title=title or path.stem)
    return LoadedDocument(
        source=source,
        meta=meta,
        sections=sections,
        content_hash=hashlib.sha256(data).hexdigest(),
    )


def read_manifest(root: Path) -> dict[str, Any]:
    """Per-file metadata from `manifest.json` at the ingest root (absent = empty)."""
    path = root / MANIFEST_NAME
    if not path.is_file():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise DocumentLoadError(path, f"is not valid JSON ({exc})") from exc
    if not isinstance(data, dict):
        raise DocumentLoadError(path, "must hold an object mapping file names to metadata")
    return data


def iter_document_paths(paths: list[Path]) -> Iterator[tuple[Path, Path]]:
    """Yield (file, root) for every candidate file under the given files or folders."""
    for given in paths:
        if given.is_dir():
            for file in sorted(p for p in given.rglob("*") if p.is_file()):
                if file.name == MANIFEST_NAME or any(part.startswith(".") for part in file.parts):
                    continue
                yield file, given
        else:
            yield given, given.parent


def source_name(path: Path, root: Path) -> str:
    """How a file is named in the index and in citations: its path below the ingest root."""
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return path.name


# --------------------------------------------------------------------------------------
# text formats
# --------------------------------------------------------------------------------------
def _decode_text(path: Path, data: bytes) -> str:
    if b"\x00" in data[:4096] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise DocumentLoadError(path, "looks like a binary file, not text")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise DocumentLoadError(
            path,
            f"is not valid UTF-8 text (undecodable byte at offset {exc.start}); "
            "save it as UTF-8 and ingest again",
        ) from exc


def _split_front_matter(path: Path, text: str) -> tuple[dict[str, Any], str]:
    match = _FRONT_MATTER.match(text)
    if not match:
        return {}, text
    try:
        front = yaml.safe_load(match.group(1)) or {}
    except yaml.YAMLError as exc:
        raise DocumentLoadError(path, f"has malformed front matter ({exc})") from exc
    if not isinstance(front, dict):
        raise DocumentLoadError(path, "front matter must be a mapping of keys to values")
    return front, text[match.end() :]


def _load_markdown(path: Path, data: bytes) -> tuple[dict[str, Any], list[Section], str]:
    from langchain_text_splitters import MarkdownHeaderTextSplitter

    front, body = _split_front_matter(path, _decode_text(path, data))
    levels = [("#" * i, f"h{i}") for i in range(1, 7)]
    splitter = MarkdownHeaderTextSplitter(levels, strip_headers=True)
    sections = []
    title = ""
    for doc in splitter.split_text(body):
        heading_path = tuple(doc.metadata[f"h{i}"] for i in range(1, 7) if f"h{i}" in doc.metadata)
        title = title or (heading_path[0] if heading_path else "")
        sections.append(Section(text=doc.page_content.strip(), heading_path=heading_path))
    return front, sections, str(front.get("title") or title)


def _load_text(path: Path, data: bytes) -> tuple[dict[str, Any], list[Section], str]:
    front, body = _split_front_matter(path, _decode_text(path, data))
    return front, [Section(text=body.strip())], str(front.get("title") or "")


# --------------------------------------------------------------------------------------
# PDF: pages, with headings recovered from the outline (bookmarks) when present
# --------------------------------------------------------------------------------------
def _load_pdf(path: Path, data: bytes) -> tuple[dict[str, Any], list[Section], str]:
    import io

    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            raise DocumentLoadError(path, "is password-protected; save an unprotected copy")
        pages = [page.extract_text() or "" for page in reader.pages]
        outline = _pdf_outline(reader)
        title = str(reader.metadata.get("/Title") or "") if reader.metadata else ""
    except DocumentLoadError:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, OSError) as exc:
        raise DocumentLoadError(path, f"is not a readable PDF ({exc})") from exc
    except Exception as exc:  # pypdf raises assorted errors on damaged files
        raise DocumentLoadError(path, f"is not a readable PDF ({type(exc).__name__})") from exc
    if not pages:
        raise DocumentLoadError(path, "is a PDF with no pages")
    if not any(p.strip() for p in pages):
        raise DocumentLoadError(path, "has no extractable text (a scanned image or blank pages?)")
    return {}, _pdf_sections(pages, outline), title


def _pdf_outline(reader: Any) -> list[tuple[int, int, str]]:
    """Flatten the outline into (page index, depth, title) in document order."""
    entries: list[tuple[int, int, str]] = []

    def walk(items: list[Any], depth: int) -> None:
        for item in items:
            if isinstance(item, list):
                walk(item, depth + 1)
                continue
            page = reader.get_destination_page_number(item)
            if page is not None and page >= 0:
                entries.append((page, depth, str(item.title).strip()))

    walk(list(reader.outline or []), 0)
    return entries


def _pdf_sections(pages: list[str], outline: list[tuple[int, int, str]]) -> list[Section]:
    """Split page text at bookmarked headings; headings may wrap over up to three lines."""
    page_lines = _drop_running_lines([text.splitlines() for text in pages])
    sections: list[Section] = []
    stack: list[str] = []
    pending = list(outline)

    def enter(depth: int, title: str) -> None:
        del stack[depth:]
        stack.append(title)

    for page_index, lines in enumerate(page_lines):
        # bookmarks of earlier pages whose text was not found still set the context
        while pending and pending[0][0] < page_index:
            _, depth, title = pending.pop(0)
            enter(depth, title)
        buffer: list[str] = []
        i = 0
        while i < len(lines):
            span = (
                _heading_span(lines, i, pending[0][2])
                if pending and (pending[0][0] == page_index)
                else 0
            )
            if span:
                if any(line.strip() for line in buffer):
                    sections.append(
                        Section("\n".join(buffer).strip(), tuple(stack), page_index + 1)
                    )
                buffer = []
                _, depth, title = pending.pop(0)
                enter(depth, title)
                i += span
                continue
            buffer.append(lines[i])
            i += 1
        if any(line.strip() for line in buffer):
            sections.append(Section("\n".join(buffer).strip(), tuple(stack), page_index + 1))
    return sections


def _heading_span(lines: list[str], start: int, title: str) -> int:
    """How many lines from `start` spell out `title` (0 if they do not)."""
    target = " ".join(title.split())
    joined = ""
    for span in range(1, 4):
        if start + span > len(lines):
            break
        joined = " ".join((joined + " " + lines[start + span - 1]).split())
        if joined == target:
            return span
        if not target.startswith(joined):
            break
    return 0


_DIGITS = re.compile(r"\d+")


def _drop_running_lines(page_lines: list[list[str]], edge: int = 2) -> list[list[str]]:
    """Remove running headers and footers.

    A line is running when it is among the first or last `edge` lines of its page and the
    same line (digits ignored, so "Page 3" matches "Page 4") is at the edge of most pages.
    Only the edges are considered: table rows such as "L-201" / "L-214" look alike once
    digits are ignored, and must survive.
    """
    if len(page_lines) < 2:
        return page_lines

    def key(line: str) -> str:
        return _DIGITS.sub("#", line.strip())

    def edges(lines: list[str]) -> set[int]:
        filled = [i for i, line in enumerate(lines) if line.strip()]
        return set(filled[:edge] + filled[-edge:])

    counts: dict[str, int] = {}
    for lines in page_lines:
        for k in {key(lines[i]) for i in edges(lines)}:
            counts[k] = counts.get(k, 0) + 1
    # on two pages a line must be on both; from three on, on more than half
    threshold = len(page_lines) - 1 if len(page_lines) == 2 else len(page_lines) / 2
    running = {k for k, n in counts.items() if n > threshold}
    return [
        [line for i, line in enumerate(lines) if not (i in edges(lines) and key(line) in running)]
        for lines in page_lines
    ]


# --------------------------------------------------------------------------------------
# HTML and DOCX: walk block elements in order, tracking the heading stack
# --------------------------------------------------------------------------------------
class _SectionBuilder:
    """Collects blocks under the current heading path."""

    def __init__(self) -> None:
        self.sections: list[Section] = []
        self.stack: list[tuple[int, str]] = []
        self.buffer: list[str] = []

    def heading(self, level: int, text: str) -> None:
        self.flush()
        while self.stack and self.stack[-1][0] >= level:
            self.stack.pop()
        self.stack.append((level, text))

    def block(self, text: str) -> None:
        if text.strip():
            self.buffer.append(text.strip())

    def flush(self) -> None:
        if self.buffer:
            path = tuple(t for _, t in self.stack)
            self.sections.append(Section("\n".join(self.buffer), path))
            self.buffer = []

    def result(self) -> list[Section]:
        self.flush()
        return self.sections


def _load_html(path: Path, data: bytes) -> tuple[dict[str, Any], list[Section], str]:
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(data, "lxml")
    for tag in soup(["script", "style", "nav", "noscript"]):
        tag.decompose()
    title = soup.title.get_text(strip=True) if soup.title else ""
    front: dict[str, Any] = {}
    for tag in soup.find_all("meta"):
        name, content = str(tag.get("name") or ""), str(tag.get("content") or "")
        if name == "doc_type" and content:
            front[name] = content
        elif name in ("audience", "machine") and content:
            front[name] = [v.strip() for v in content.split(",") if v.strip()]
    builder = _SectionBuilder()
    for element in soup.find_all(_BLOCK_TAGS):
        if element.find(_BLOCK_TAGS):  # a container; its inner blocks are visited on their own
            continue
        name = element.name
        if name in _HEADING_TAGS:
            builder.heading(int(name[1]), element.get_text(" ", strip=True))
        elif name == "tr":
            cells = [c.get_text(" ", strip=True) for c in element.find_all(["td", "th"])]
            builder.block(" | ".join(cells))
        elif name == "li" and element.parent is not None and element.parent.name == "ol":
            index = element.parent.find_all("li", recursive=False).index(element) + 1
            builder.block(f"{index}. {element.get_text(' ', strip=True)}")
        elif name == "li":
            builder.block(f"- {element.get_text(' ', strip=True)}")
        else:
            builder.block(element.get_text(" ", strip=True))
    sections = builder.result()
    if not title and sections and sections[0].heading_path:
        title = sections[0].heading_path[0]
    return front, sections, title


def _load_docx(path: Path, data: bytes) -> tuple[dict[str, Any], list[Section], str]:
    import io
    import zipfile

    import docx
    from docx.opc.exceptions import PackageNotFoundError
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    try:
        document = docx.Document(io.BytesIO(data))
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise DocumentLoadError(path, f"is not a readable Word (.docx) file ({exc})") from exc
    props = document.core_properties
    front: dict[str, Any] = {}
    if props.category:
        front["doc_type"] = props.category
    if props.keywords:
        front.update(_parse_keywords(props.keywords))
    builder = _SectionBuilder()
    numbering: dict[int, int] = {}
    for child in document.element.body.iterchildren():
        if child.tag.endswith("}tbl"):
            for row in Table(child, document).rows:
                builder.block(" | ".join(cell.text.strip() for cell in row.cells))
            continue
        if not child.tag.endswith("}p"):
            continue
        para = Paragraph(child, document)
        style = para.style.name if para.style is not None else ""
        text = para.text.strip()
        if style.startswith("Heading") and style[8:].isdigit():
            builder.heading(int(style[8:]), text)
            numbering.clear()
        elif style == "Title":
            builder.heading(0, text)
        elif style.startswith("List Number"):
            numbering[0] = numbering.get(0, 0) + 1
            builder.block(f"{numbering[0]}. {text}")
        elif style.startswith("List"):
            builder.block(f"- {text}")
        else:
            numbering.clear()
            builder.block(text)
    return front, builder.result(), props.title or ""


def _parse_keywords(keywords: str) -> dict[str, Any]:
    """DOCX keywords hold `audience=a,b; machine=X` written by knowledge/build.py."""
    out: dict[str, Any] = {}
    for part in keywords.split(";"):
        key, _, value = part.partition("=")
        if key.strip() in ("audience", "machine") and value.strip():
            out[key.strip()] = [v.strip() for v in value.split(",") if v.strip()]
    return out


_Loader = Callable[[Path, bytes], tuple[dict[str, Any], list[Section], str]]
_LOADERS: dict[str, _Loader] = {
    ".md": _load_markdown,
    ".markdown": _load_markdown,
    ".txt": _load_text,
    ".pdf": _load_pdf,
    ".html": _load_html,
    ".htm": _load_html,
    ".docx": _load_docx,
}
