"""How much one document may cost to read: the default limits and the checks against them.

A file over a limit is refused with a message that names the limit; ingest reports it and goes
on with the other files. The defaults are far above any real plant document.
"""

from __future__ import annotations

import io
import re
import zlib
from pathlib import Path

from retrieval.errors import DocumentLoadError

MAX_FILE_BYTES = 100_000_000  # bytes of one file on disk
MAX_PDF_PAGES = 2_000
MAX_DOCX_UNPACKED_BYTES = 500_000_000  # all parts of a .docx together, once unzipped
# unzipped size over size on disk: real documents stay under 25 (the parts of Word's own
# template squeeze 24 times); a zip bomb reaches 1,000
MAX_DOCX_RATIO = 100.0
# all Flate streams of a PDF together, once inflated: pdfium holds a page's content stream
# whole (a 1 MB file whose one stream inflates to 1 GB took 2.1 GB and 14 s to read)
MAX_PDF_UNPACKED_BYTES = 1_000_000_000
# inflated over size on disk, counted once the streams pass 100 MB: text streams squeeze
# 3-10 times, Flate images less; a Flate bomb reaches 1,000
MAX_PDF_RATIO = 100.0
_PDF_RATIO_FLOOR = 100_000_000
_STREAM = re.compile(rb"stream\r?\n")
_IN_CHUNK = 1 << 16
_OUT_CHUNK = 1 << 22


def human_size(n: float) -> str:
    """Bytes as a person reads them, in powers of 1,000.

    Example:
        >>> human_size(450_000), human_size(68_123_456), human_size(512)
        ('450 kB', '68.1 MB', '512 bytes')
    """
    for unit, size in (("GB", 1e9), ("MB", 1e6), ("kB", 1e3)):
        if n >= size:
            return f"{n / size:.3g} {unit}"
    return f"{n:.0f} bytes"


def check_file_size(path: Path, size: int, limit: int) -> None:
    if size > limit:
        raise DocumentLoadError(
            path, f"is {human_size(size)}, over the limit of {human_size(limit)} per document"
        )


def check_page_count(path: Path, pages: int, limit: int) -> None:
    if pages > limit:
        raise DocumentLoadError(
            path, f"has {pages:,} pages, over the limit of {limit:,} pages per PDF"
        )


def check_zip(path: Path, data: bytes, max_unpacked: int, max_ratio: float) -> None:
    """Refuse a zip package (a .docx) that would unpack to too much, from the sizes its
    directory declares; Python's zipfile never inflates a part past its declared size."""
    import zipfile

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as package:
            unpacked = sum(info.file_size for info in package.infolist())
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        raise DocumentLoadError(path, f"is not a readable Word (.docx) file ({exc})") from exc
    if unpacked > max_unpacked:
        raise DocumentLoadError(
            path,
            f"unpacks to {human_size(unpacked)}, more than {human_size(max_unpacked)} "
            "(the limit for one Word file)",
        )
    if unpacked > max_ratio * max(len(data), 1):
        raise DocumentLoadError(
            path,
            f"unpacks to {human_size(unpacked)}, more than {max_ratio:g} times its "
            f"{human_size(len(data))} on disk (the limit for one Word file): it looks like "
            "a zip bomb",
        )


def check_pdf_streams(path: Path, data: bytes, max_unpacked: int, max_ratio: float) -> None:
    """Refuse a PDF whose Flate streams would inflate to too much, before pdfium reads it.

    Each stream is inflated in 4 MB pieces that are counted and dropped, so the check itself
    stays small; it stops at the first piece past the limit. Streams of other filters and of
    encrypted files are not inflated here (their bytes do not inflate as zlib)."""
    limit = min(max_unpacked, max(_PDF_RATIO_FLOOR, int(max_ratio * len(data))))
    view = memoryview(data)
    total = 0
    for match in _STREAM.finditer(data):
        total += _inflated_size(view, match.end(), limit - total)
        if total > limit:
            why = (
                f"more than {human_size(max_unpacked)} (the limit for one PDF)"
                if limit == max_unpacked
                else f"more than {max_ratio:g} times its {human_size(len(data))} on disk "
                "(the limit for one PDF): it looks like a decompression bomb"
            )
            raise DocumentLoadError(path, f"has streams that inflate to {why}")


def _inflated_size(data: memoryview, start: int, budget: int) -> int:
    """How many bytes the zlib stream at `start` inflates to, counted up to just past
    `budget`; 0 when no zlib stream starts there."""
    inflater = zlib.decompressobj()
    total, position = 0, start
    try:
        while not inflater.eof and total <= budget:
            if inflater.unconsumed_tail:
                piece = inflater.unconsumed_tail
            elif position < len(data):
                piece, position = bytes(data[position : position + _IN_CHUNK]), position + _IN_CHUNK
            else:
                break
            total += len(inflater.decompress(piece, _OUT_CHUNK))
    except zlib.error:
        pass  # not Flate (or damaged): pdfium reports what it cannot read
    return total
