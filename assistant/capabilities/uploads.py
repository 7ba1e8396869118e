"""Files attached in the chat: what they are (from their bytes, not their names) and the limits.

A PNG named `.csv` is a photo; a CSV named `.png` is refused with a message; SVG, HTML and
other active content are refused; a file over its kind's size limit, or a sixth file in one
message, is refused with the limit named. The same file attached twice counts once.
"""

from __future__ import annotations

import hashlib
import shutil
import zipfile
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Literal

from assistant.capabilities.base import Upload

Kind = Literal["photo", "measurements", "document", "archive"]
_SNIFF_BYTES = 4096
_PHOTO_MAGIC = (
    b"\x89PNG\r\n\x1a\n",
    b"\xff\xd8\xff",  # JPEG
    b"BM",  # BMP
    b"II*\x00",  # TIFF, little-endian
    b"MM\x00*",  # TIFF, big-endian
)
TEXT_DOCUMENTS = (".md", ".markdown", ".rst", ".txt", ".html", ".htm")
_ACTIVE = (b"<svg", b"<?xml", b"<!doctype html", b"<html", b"<script")


@dataclass(frozen=True)
class UploadLimits:
    """How large each kind of file may be, and how many files one message may carry."""

    photo_mb: float = 20
    measurements_mb: float = 20
    document_mb: float = 100
    files_per_message: int = 5

    def max_bytes(self, kind: Kind) -> int:
        mb = {"photo": self.photo_mb, "measurements": self.measurements_mb}.get(
            kind, self.document_mb
        )
        return int(mb * 1024 * 1024)


def _zip_kind(path: Path) -> Kind | None:
    try:
        with zipfile.ZipFile(path) as archive:
            names = archive.namelist()
    except (zipfile.BadZipFile, OSError):
        return None
    if any(n.startswith("xl/") for n in names):
        return "measurements"
    if any(n.startswith("word/") for n in names):
        return "document"
    return "archive"  # good-part photos an admin teaches a product with (ui/products.py)


def _looks_like_text_table(head: bytes) -> bool:
    """Text whose first line has a delimiter, or a single column of numbers."""
    try:
        sample = head.decode("utf-8-sig")
    except UnicodeDecodeError:
        sample = head.decode("cp1252", errors="replace")
    if "\x00" in sample or "\ufffd" in sample:
        return False
    lines = [line for line in sample.splitlines() if line.strip()][:6]
    if not lines:
        return False
    if any(sep in lines[0] for sep in ",;\t"):
        return True
    return len(lines) > 1 and all(_is_number(line) for line in lines[1:])


def _is_number(text: str) -> bool:
    try:
        float(text.strip().replace(",", "."))
    except ValueError:
        return False
    return True


def sniff(path: Path) -> Kind | str:
    """The file's kind from its first bytes, or the reason it is refused.

    Example:
        >>> import tempfile, pathlib
        >>> f = pathlib.Path(tempfile.mkdtemp()) / "photo.csv"
        >>> _ = f.write_bytes(b"\\x89PNG\\r\\n\\x1a\\n" + bytes(40))
        >>> sniff(f)
        'photo'
    """
    with path.open("rb") as file:
        head = file.read(_SNIFF_BYTES)
    if not head:
        return "the file is empty"
    if head.startswith(_PHOTO_MAGIC) or (head[:4] == b"RIFF" and head[8:12] == b"WEBP"):
        return "photo"
    if head.startswith(b"%PDF-"):
        return "document"
    if head.startswith(b"PK\x03\x04"):
        return _zip_kind(path) or "it is an archive, not a spreadsheet, document or photo"
    if any(marker in head[:512].lower() for marker in _ACTIVE):
        return "it holds web or vector content (HTML, SVG, XML), which is not accepted here"
    if _looks_like_text_table(head):
        return "measurements"
    return "its content is not a photo (PNG, JPEG, BMP, TIFF, WebP) or a CSV/XLSX file"


# how a refusal names each kind of file
KIND_NAMES = {
    "archive": "a zip of photos",
    "photo": "a photo",
    "measurements": "a measurements file",
    "document": "a document",
}


def screen(
    uploads: list[Upload], limits: UploadLimits, *, can_add_documents: bool = False
) -> tuple[list[Upload], list[str]]:
    """The uploads to act on (each with its kind) and one message per file refused."""
    kept: list[Upload] = []
    refused: list[str] = []
    seen: set[str] = set()
    largest = max(limits.max_bytes(k) for k in ("photo", "measurements", "document"))
    for upload in uploads:
        if upload.path.stat().st_size > largest:  # not even read: no kind takes it
            refused.append(
                f"{upload.name}: {upload.path.stat().st_size / 1024 / 1024:.0f} MB is over "
                f"the largest size allowed ({largest / 1024 / 1024:.0f} MB)."
            )
            continue
        digest = _digest(upload.path)
        if digest in seen:
            continue  # the same file twice is one file
        seen.add(digest)
        if len(seen) > limits.files_per_message:
            refused.append(
                f"{upload.name}: at most {limits.files_per_message} files per message; "
                "send the others in another message."
            )
            continue
        kind = sniff(upload.path)
        if _is_text_document(upload):
            kind = "document"  # Markdown, text or an HTML page to add: read, never shown
        if kind not in ("photo", "measurements", "document", "archive"):
            refused.append(f"{upload.name}: not accepted, because {kind}.")
            continue
        if kind == "archive" and not can_add_documents:
            refused.append(
                f"{upload.name}: a zip of good-part photos teaches the assistant a new "
                "product, which only an admin can do."
            )
            continue
        if kind == "document" and not can_add_documents:
            refused.append(
                f"{upload.name}: documents are added to the assistant by an admin "
                "(plant ingest FOLDER); ask a question about it instead."
            )
            continue
        size, most = upload.path.stat().st_size, limits.max_bytes(kind)  # type: ignore[arg-type]
        if size > most:
            refused.append(
                f"{upload.name}: {size / 1024 / 1024:.1f} MB is over the {most / 1024 / 1024:.0f} "
                f"MB allowed for {KIND_NAMES.get(kind, f'a {kind} file')}; make it smaller or "
                "split it."
            )
            continue
        kept.append(replace(upload, path=_named_for(upload.path, kind), kind=kind))
    return kept, refused


def _is_text_document(upload: Upload) -> bool:
    """A Markdown, text or HTML file by its name whose bytes are text (no NUL bytes)."""
    if Path(upload.name).suffix.lower() not in TEXT_DOCUMENTS:
        return False
    with upload.path.open("rb") as file:
        return b"\x00" not in file.read(_SNIFF_BYTES)


def _digest(path: Path) -> str:
    sha = hashlib.sha256()
    with path.open("rb") as file:
        for block in iter(lambda: file.read(1 << 20), b""):
            sha.update(block)
    return sha.hexdigest()


def _named_for(path: Path, kind: str) -> Path:
    """The file under a name whose extension says what it holds (readers go by extension):
    a spreadsheet sent as `data.csv` is read as the spreadsheet it is."""
    if kind != "measurements":
        return path
    with path.open("rb") as file:
        wanted = ".xlsx" if file.read(4) == b"PK\x03\x04" else ".csv"
    if path.suffix.lower() == wanted:
        return path
    renamed = path.with_name(path.name + wanted)
    if not renamed.exists():
        shutil.copyfile(path, renamed)
    return renamed
