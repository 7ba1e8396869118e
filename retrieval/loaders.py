"""Read md, txt, pdf, html and docx files into sections that keep headings and page numbers.

This module is the entry point; each format has its own module: `markdown_loader`,
`text_loader`, `html_loader` (with `markup_loaders`, shared with Markdown), `docx_loader`
and `pdf_loader`.
"""

from __future__ import annotations

import functools
import hashlib
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from retrieval.documents import DocumentMeta, Extraction, LoadedDocument, LoadStats
from retrieval.docx_loader import load_docx
from retrieval.errors import DocumentLoadError
from retrieval.html_loader import load_html
from retrieval.markdown_loader import load_markdown
from retrieval.ocr import OcrOptions
from retrieval.pdf_loader import load_pdf
from retrieval.pdf_pages import MAX_OCR_PAGES
from retrieval.text_loader import load_text

# Bump when extraction or sectioning changes, so existing indexes re-read every file.
LOADER_VERSION = 6
MANIFEST_NAME = "manifest.json"
SUPPORTED_SUFFIXES = (".md", ".markdown", ".txt", ".pdf", ".html", ".htm", ".docx")


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


@dataclass(frozen=True)
class LoadOptions:
    """How scanned pages are read: Tesseract's options and the most pages OCR'd per file."""

    ocr: OcrOptions = field(default_factory=OcrOptions)
    max_ocr_pages: int = MAX_OCR_PAGES


def load_document(
    path: Path,
    root: Path,
    manifest: dict[str, Any] | None = None,
    options: LoadOptions | None = None,
) -> LoadedDocument:
    """Load one file. Raises `DocumentLoadError` naming the file when it cannot be used."""
    suffix = path.suffix.lower()
    loader = _LOADERS.get(suffix)
    if suffix == ".pdf" and options is not None:
        loader = functools.partial(load_pdf, ocr=options.ocr, max_ocr_pages=options.max_ocr_pages)
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
    extraction = loader(path, data)
    sections = [s for s in extraction.sections if s.text.strip()]
    if not sections:
        why = "; ".join(extraction.notes)
        raise DocumentLoadError(path, "contains no extractable text" + (f" ({why})" if why else ""))
    meta = DocumentMeta.from_mapping(
        {**manifest_entry, **extraction.front}, default_title=extraction.title or path.stem
    )
    return LoadedDocument(
        source=source,
        meta=meta,
        sections=sections,
        content_hash=_fingerprint(data, manifest_entry),
        stats=LoadStats.of(extraction, sections),
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
                hidden = any(p.startswith(".") for p in file.relative_to(given).parts)
                if file.name == MANIFEST_NAME or hidden:
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


_Loader = Callable[[Path, bytes], Extraction]
_LOADERS: dict[str, _Loader] = {
    ".md": load_markdown,
    ".markdown": load_markdown,
    ".txt": load_text,
    ".pdf": load_pdf,
    ".html": load_html,
    ".htm": load_html,
    ".docx": load_docx,
}
