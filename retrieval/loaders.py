"""Read md, txt, pdf, html and docx files into sections that keep headings and page numbers.

This module is the entry point and handles the text formats; PDF lives in `pdf_loader`,
HTML and DOCX in `markup_loaders`.
"""

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
from retrieval.markup_loaders import load_docx, load_html
from retrieval.pdf_loader import load_pdf

# Bump when extraction or sectioning changes, so existing indexes re-read every file.
LOADER_VERSION = 3
MANIFEST_NAME = "manifest.json"
SUPPORTED_SUFFIXES = (".md", ".markdown", ".txt", ".pdf", ".html", ".htm", ".docx")
_FRONT_MATTER = re.compile(r"\A---\s*\n(.*?)\n---\s*\n", re.DOTALL)


# --------------------------------------------------------------------------------------
# entry point
# --------------------------------------------------------------------------------------
def fingerprint(path: Path, root: Path, manifest: dict[str, Any] | None = None) -> str:
    """SHA-256 of the file's bytes and its manifest entry: what ingest compares between runs."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise DocumentLoadError(path, f"cannot be read ({exc.strerror or exc})") from exc
    return _fingerprint(data, (manifest or {}).get(source_name(path, root), {}))


def _fingerprint(data: bytes, entry: dict[str, Any]) -> str:
    digest = hashlib.sha256(data)
    digest.update(json.dumps(entry, sort_keys=True, default=str).encode())
    return digest.hexdigest()


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
    manifest_entry = dict((manifest or {}).get(source, {}))
    front, sections, title = loader(path, data)
    sections = [s for s in sections if s.text.strip()]
    if not sections:
        raise DocumentLoadError(path, "contains no extractable text")
    meta = DocumentMeta.from_mapping({**manifest_entry, **front}, default_title=title or path.stem)
    return LoadedDocument(
        source=source,
        meta=meta,
        sections=sections,
        content_hash=_fingerprint(data, manifest_entry),
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


_Loader = Callable[[Path, bytes], tuple[dict[str, Any], list[Section], str]]
_LOADERS: dict[str, _Loader] = {
    ".md": _load_markdown,
    ".markdown": _load_markdown,
    ".txt": _load_text,
    ".pdf": load_pdf,
    ".html": load_html,
    ".htm": load_html,
    ".docx": load_docx,
}
