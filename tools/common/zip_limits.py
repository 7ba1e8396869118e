"""How much a zip package (.xlsx, .docx) declares it unpacks to, checked before anything
unpacks it, so that a few kilobytes that unpack to gigabytes (a zip bomb) are refused.

The sizes checked are those the archive's table of contents declares: Python's zipfile, which
openpyxl, calamine's Python callers and python-docx read through, stops at a part's declared
size and fails its checksum when the data run longer, so no part unpacks to more than it
declares. Each caller words the refusal for its own users.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

# small parts (styles, a sheet of a few repeated values) may compress far better than data;
# the ratio is judged on parts, and on whole archives, that unpack to more than this
RATIO_FROM_BYTES = 1 << 20


@dataclass(frozen=True)
class ZipLimits:
    """The most parts, unpacked bytes and compression ratio one package may have.

    Example:
        >>> ZipLimits(max_members=1_000, max_unpacked_bytes=200 << 20, max_ratio=100).max_ratio
        100
    """

    max_members: int
    max_unpacked_bytes: int
    max_ratio: float


@dataclass(frozen=True)
class ZipExcess:
    """The first limit a package is over: `members` (too many parts), `unpacked` (too many
    bytes together) or `ratio` (one part, named by `part`, or the whole archive when `part` is
    empty, compressed more than data compresses). `unpacked` and `stored` are the sizes of
    what was judged."""

    limit: Literal["members", "unpacked", "ratio"]
    members: int
    unpacked: int
    stored: int
    part: str = ""

    @property
    def ratio(self) -> float:
        return self.unpacked / max(self.stored, 1)


def zip_excess(package: Path | bytes, limits: ZipLimits) -> ZipExcess | None:
    """The limit `package` (a file or its bytes) is over, or None. Raises `zipfile.BadZipFile`
    or `OSError` when it is not a readable zip.

    Example:
        >>> buffer = io.BytesIO()
        >>> with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
        ...     z.writestr("a.xml", b" " * (2 << 20))
        >>> zip_excess(buffer.getvalue(), ZipLimits(10, 10 << 20, 100)).limit
        'ratio'
    """
    source = io.BytesIO(package) if isinstance(package, bytes) else package
    with zipfile.ZipFile(source) as archive:
        members = archive.infolist()
    stored = len(package) if isinstance(package, bytes) else package.stat().st_size
    unpacked = sum(m.file_size for m in members)
    if len(members) > limits.max_members:
        return ZipExcess("members", len(members), unpacked, stored)
    if unpacked > limits.max_unpacked_bytes:
        return ZipExcess("unpacked", len(members), unpacked, stored)
    for member in members:
        ratio = member.file_size / max(member.compress_size, 1)
        if member.file_size > RATIO_FROM_BYTES and ratio > limits.max_ratio:
            return ZipExcess(
                "ratio", len(members), member.file_size, member.compress_size, member.filename
            )
    if unpacked > RATIO_FROM_BYTES and unpacked > limits.max_ratio * max(stored, 1):
        return ZipExcess("ratio", len(members), unpacked, stored)
    return None
