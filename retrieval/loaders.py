"""Read md, rst, txt, pdf, html and docx files into sections that keep headings and pages.

This module is the entry point; each format has its own module: `markdown_loader`,
`rst_loader`, `text_loader`, `html_loader` (with `markup_loaders`, shared with Markdown and
reStructuredText), `docx_loader` and `pdf_loader`.
"""

from __future__ import annotations

import functools
import hashlib
import json
import logging
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from retrieval.documents import DocumentMeta, Extraction, LoadedDocument, LoadStats
from retrieval.docx_loader import load_docx
from retrieval.errors import DocumentLoadError, ManifestError
from retrieval.html_loader import load_html
from retrieval.limits import (
    MAX_DOCX_MEMBERS,
    MAX_DOCX_RATIO,
    MAX_DOCX_UNPACKED_BYTES,
    MAX_FILE_BYTES,
    MAX_MARKUP_BYTES,
    MAX_PDF_PAGES,
    MAX_PDF_RATIO,
    MAX_PDF_UNPACKED_BYTES,
    check_file_size,
    check_markup_size,
)
from retrieval.markdown_loader import load_markdown
from retrieval.ocr import OcrOptions
from retrieval.pdf_loader import load_pdf
from retrieval.pdf_pages import MAX_OCR_PAGES
from retrieval.rst_loader import load_rst
from retrieval.text_loader import load_text

# Bump when extraction, sectioning or chunking changes, so existing indexes re-read every file.
LOADER_VERSION = 12  # 12: plain text: page furniture, grid tables, wrapped lines (11 too eager)
MANIFEST_NAME = "manifest.json"
SUPPORTED_SUFFIXES = (".md", ".markdown", ".rst", ".txt", ".pdf", ".html", ".htm", ".docx")

log = logging.getLogger(__name__)


# --------------------------------------------------------------------------------------
# entry point
# --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class LoadOptions:
    """How files are read: Tesseract's options and the most pages OCR'd per file, and the
    limits past which a file is refused (bytes on disk, bytes of HTML or Markdown, PDF pages,
    unzipped .docx size and parts, unpacked PDF streams)."""

    ocr: OcrOptions = field(default_factory=OcrOptions)
    max_ocr_pages: int = MAX_OCR_PAGES
    max_file_bytes: int = MAX_FILE_BYTES
    max_markup_bytes: int = MAX_MARKUP_BYTES
    max_pdf_pages: int = MAX_PDF_PAGES
    max_docx_unpacked_bytes: int = MAX_DOCX_UNPACKED_BYTES
    max_docx_ratio: float = MAX_DOCX_RATIO
    max_docx_members: int = MAX_DOCX_MEMBERS
    max_pdf_unpacked_bytes: int = MAX_PDF_UNPACKED_BYTES
    max_pdf_ratio: float = MAX_PDF_RATIO


def fingerprint(
    path: Path,
    root: Path,
    manifest: dict[str, Any] | None = None,
    options: LoadOptions | None = None,
) -> str:
    """SHA-256 of the file's bytes and its manifest entry: what ingest compares between runs."""
    data = _read_bytes(path, root, options or LoadOptions())
    return _fingerprint(data, (manifest or {}).get(source_name(path, root), {}))


def _fingerprint(data: bytes, entry: Any) -> str:
    digest = hashlib.sha256(data)
    digest.update(json.dumps(entry, sort_keys=True, default=str).encode())
    return digest.hexdigest()


def load_document(
    path: Path,
    root: Path,
    manifest: dict[str, Any] | None = None,
    options: LoadOptions | None = None,
) -> LoadedDocument:
    """Load one file. Raises `DocumentLoadError` naming the file when it cannot be used."""
    options = options or LoadOptions()
    loader = _loader(path, options)
    source = source_name(path, root)
    manifest_entry = _manifest_entry(path, source, manifest or {})
    data = _read_bytes(path, root, options)
    if not data.strip():
        raise DocumentLoadError(path, "the file is empty")
    extraction = _extract(loader, path, data)
    sections = [s for s in extraction.sections if s.text.strip()]
    if not sections:
        why = "; ".join(extraction.notes)
        raise DocumentLoadError(path, "contains no extractable text" + (f" ({why})" if why else ""))
    return LoadedDocument(
        source=source,
        meta=_meta(path, source, manifest_entry, extraction),
        sections=sections,
        content_hash=_fingerprint(data, manifest_entry),
        stats=LoadStats.of(extraction, sections),
    )


def _loader(path: Path, options: LoadOptions) -> _Loader:
    suffix = path.suffix.lower()
    if suffix == ".pdf":
        return functools.partial(
            load_pdf,
            ocr=options.ocr,
            max_ocr_pages=options.max_ocr_pages,
            max_pages=options.max_pdf_pages,
            max_unpacked=options.max_pdf_unpacked_bytes,
            max_ratio=options.max_pdf_ratio,
        )
    if suffix == ".docx":
        return functools.partial(
            load_docx,
            max_unpacked=options.max_docx_unpacked_bytes,
            max_ratio=options.max_docx_ratio,
            max_members=options.max_docx_members,
        )
    loader = _LOADERS.get(suffix)
    if loader is not None and suffix in _MARKUP:
        return functools.partial(_markup, loader, options.max_markup_bytes)
    if loader is None:
        raise DocumentLoadError(
            path,
            f"unsupported file type '{suffix or '(none)'}'; supported: "
            + ", ".join(SUPPORTED_SUFFIXES),
        )
    return loader


def _markup(loader: _Loader, limit: int, path: Path, data: bytes) -> Extraction:
    """An HTML or Markdown file, refused before parsing when its tree would be too large."""
    check_markup_size(path, len(data), limit)
    return loader(path, data)


def _read_bytes(path: Path, root: Path, options: LoadOptions) -> bytes:
    """The file's bytes, once it is known to stay inside `root` and to be small enough."""
    real = path.resolve()
    if not real.is_relative_to(root.resolve()):
        raise DocumentLoadError(
            path,
            f"is a link to {real}, outside the folder being ingested ({root}); only links "
            "that stay inside it are followed",
        )
    try:
        size = path.stat().st_size
        check_file_size(path, size, options.max_file_bytes)
        if path.suffix.lower() in _MARKUP:  # refused unread: the bytes alone cost memory
            check_markup_size(path, size, options.max_markup_bytes)
        data = path.read_bytes()
    except OSError as exc:
        raise DocumentLoadError(path, f"cannot be read ({exc.strerror or exc})") from exc
    check_file_size(path, len(data), options.max_file_bytes)  # it grew while we looked
    return data


def _extract(loader: _Loader, path: Path, data: bytes) -> Extraction:
    """Run a format loader; whatever it fails with becomes a reason given for this one file,
    so that one odd file never stops an ingest."""
    try:
        return loader(path, data)
    except DocumentLoadError:
        raise
    except RecursionError as exc:
        raise DocumentLoadError(path, "is nested too deeply to be read") from exc
    except Exception as exc:
        log.exception("reading %s failed", path)
        raise DocumentLoadError(
            path, f"could not be read ({type(exc).__name__}: {str(exc)[:200]})"
        ) from exc


def _manifest_entry(path: Path, source: str, manifest: dict[str, Any]) -> dict[str, Any]:
    entry = manifest.get(source, {})
    if not isinstance(entry, dict):
        raise DocumentLoadError(
            path,
            f"its entry '{source}' in {MANIFEST_NAME} must be an object of metadata, such as "
            f'{{"doc_type": "manual"}}, not {_shown(entry)}',
        )
    return entry


def _meta(path: Path, source: str, entry: dict[str, Any], extraction: Extraction) -> DocumentMeta:
    """The manifest entry overridden by the file's own metadata, each checked on its own so
    that the message says which one is wrong."""
    for where, data in (
        (f"its entry '{source}' in {MANIFEST_NAME}", entry),
        ("its front matter", extraction.front),
    ):
        try:
            DocumentMeta.from_mapping(data, default_title=path.stem)
        except ValueError as exc:
            raise DocumentLoadError(path, f"{where}: {exc}") from exc
    return DocumentMeta.from_mapping(
        {**entry, **extraction.front}, default_title=extraction.title or path.stem
    )


def _shown(value: object) -> str:
    text = json.dumps(value, default=str)
    return text if len(text) <= 60 else text[:57] + "..."


def read_manifest(root: Path) -> dict[str, Any]:
    """Per-file metadata from `manifest.json` at the ingest root (absent = empty). Raises
    `ManifestError` when the file is not a JSON object, with the line that is wrong."""
    path = root / MANIFEST_NAME
    if not path.is_file():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise ManifestError(
            path, f"is not valid JSON: line {exc.lineno}, column {exc.colno}: {exc.msg}"
        ) from exc
    except (OSError, ValueError) as exc:  # unreadable, or not UTF-8
        raise ManifestError(path, f"cannot be read ({exc})") from exc
    if not isinstance(data, dict):
        raise ManifestError(path, "must hold an object mapping file names to metadata")
    return data


def iter_document_paths(paths: list[Path]) -> Iterator[tuple[Path, Path]]:
    """Yield (file, root) for every candidate file under the given files or folders; hidden
    files and `manifest.json` are not documents. Links are yielded: `load_document` refuses
    those that lead out of their root."""
    for given in paths:
        if given.is_dir():
            for file in sorted(p for p in given.rglob("*") if p.is_file()):
                hidden = any(p.startswith(".") for p in file.relative_to(given).parts)
                if file.name == MANIFEST_NAME or hidden:
                    continue
                yield file, given
        elif given.name != MANIFEST_NAME:  # metadata, read with the files it describes
            yield given, given.parent


def source_name(path: Path, root: Path) -> str:
    """How a file is named in the index and in citations: its path below the ingest root, as
    it is spelled there (a link inside the folder keeps its own name, not its target's)."""
    try:
        return Path(os.path.abspath(path)).relative_to(os.path.abspath(root)).as_posix()
    except ValueError:
        return path.name


_Loader = Callable[[Path, bytes], Extraction]
_MARKUP = (".md", ".markdown", ".rst", ".html", ".htm")  # parsed whole into a tree
# the formats read without options; .pdf and .docx get theirs in `_loader`
_LOADERS: dict[str, _Loader] = {
    ".md": load_markdown,
    ".markdown": load_markdown,
    ".rst": load_rst,
    ".txt": load_text,
    ".html": load_html,
    ".htm": load_html,
}
