"""How much one document may cost to read: the default limits and the checks against them.

A file over a limit is refused with a message that names the limit; ingest reports it and goes
on with the other files. The defaults are far above any real plant document.
"""

from __future__ import annotations

from pathlib import Path

from retrieval.errors import DocumentLoadError
from tools.common.zip_limits import ZipLimits, zip_excess

MAX_FILE_BYTES = 100_000_000  # bytes of one file on disk
MAX_PDF_PAGES = 2_000
# an HTML or Markdown file is parsed into a tree of about 20 bytes per byte of markup (10 MB:
# 230 MB at the peak), so it gets a limit of its own, checked before parsing
MAX_MARKUP_BYTES = 20_000_000
MAX_DOCX_UNPACKED_BYTES = 500_000_000  # all parts of a .docx together, once unzipped
# unzipped size over size on disk: real documents stay under 25 (the parts of Word's own
# template squeeze 24 times); a zip bomb reaches 1,000
MAX_DOCX_RATIO = 100.0
MAX_DOCX_MEMBERS = 1_000  # parts of one .docx (real ones: 10-300, most of them images)
# all streams of a PDF together, once unpacked (`pdf_streams`): pdfium holds a page's content
# stream whole (a 1 MB file whose one stream inflates to 1 GB took 2.1 GB and 14 s to read)
MAX_PDF_UNPACKED_BYTES = 1_000_000_000
# unpacked over size on disk, counted once the streams pass 100 MB: text streams squeeze
# 3-10 times, Flate images less; a Flate bomb reaches 1,000
MAX_PDF_RATIO = 100.0


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


def check_markup_size(path: Path, size: int, limit: int) -> None:
    if size > limit:
        raise DocumentLoadError(
            path,
            f"is {human_size(size)} of HTML or Markdown, over the limit of {human_size(limit)} "
            "for one such file (it is read whole into a tree about 20 times its size); split "
            "it into several pages, or save it as PDF or text",
        )


def check_page_count(path: Path, pages: int, limit: int) -> None:
    if pages > limit:
        raise DocumentLoadError(
            path, f"has {pages:,} pages, over the limit of {limit:,} pages per PDF"
        )


def check_zip(path: Path, data: bytes, limits: ZipLimits) -> None:
    """Refuse a zip package (a .docx) with too many parts or that would unpack to too much,
    from what its table of contents declares (`tools.common.zip_limits`, shared with XLSX)."""
    import zipfile

    try:
        excess = zip_excess(data, limits)
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        raise DocumentLoadError(path, f"is not a readable Word (.docx) file ({exc})") from exc
    if excess is None:
        return
    if excess.limit == "members":
        raise DocumentLoadError(
            path,
            f"holds {excess.members:,} parts, more than {limits.max_members:,} (the limit for "
            "one Word file)",
        )
    if excess.limit == "unpacked":
        raise DocumentLoadError(
            path,
            f"unpacks to {human_size(excess.unpacked)}, more than "
            f"{human_size(limits.max_unpacked_bytes)} (the limit for one Word file)",
        )
    what = f"its part {excess.part} unpacks" if excess.part else "unpacks"
    raise DocumentLoadError(
        path,
        f"{what} to {human_size(excess.unpacked)}, more than {limits.max_ratio:g} times its "
        f"{human_size(excess.stored)} stored (the limit for one Word file): it looks like a "
        "zip bomb",
    )
