"""An XLSX file is a zip archive: its table of contents is checked before a reader unpacks it,
so that a few kilobytes that unpack to gigabytes (a zip bomb) are refused, not read.

The sizes checked are those the archive declares; Python's zipfile, which openpyxl reads
through, stops at the declared size and fails the member's checksum if the data run longer,
so a member cannot unpack to more than it declares.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

from tools.spc.errors import SpcInputError
from tools.spc.limits import DEFAULT_LIMITS, SpcLimits

MB = 1024 * 1024
# small members (styles, a sheet of a few repeated values) may compress far better than data;
# the ratio is judged on members larger than this
_RATIO_FROM_BYTES = 1 * MB


def check_xlsx(path: Path, limits: SpcLimits = DEFAULT_LIMITS) -> None:
    """Refuse an XLSX whose members are too many, too large together, or compressed far
    more than spreadsheet data compresses."""
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError) as exc:
        raise SpcInputError(f"{path.name} is not a readable XLSX workbook ({exc})") from exc
    if len(members) > limits.max_xlsx_members:
        raise SpcInputError(
            f"{path.name} holds {len(members):,} parts; the most a workbook may hold is "
            f"{limits.max_xlsx_members:,}. Save the measurements alone as a CSV file."
        )
    total = sum(m.file_size for m in members)
    if total > limits.max_xlsx_uncompressed_mb * MB:
        raise SpcInputError(
            f"{path.name} unpacks to {total / MB:,.0f} MB; the most a workbook may unpack to is "
            f"{limits.max_xlsx_uncompressed_mb:,.0f} MB. Save the measurements as a CSV file, "
            "or split them over several workbooks."
        )
    for member in members:
        ratio = member.file_size / max(member.compress_size, 1)
        if member.file_size > _RATIO_FROM_BYTES and ratio > limits.max_xlsx_compression_ratio:
            raise SpcInputError(
                f"{path.name}: its part {member.filename} unpacks {ratio:,.0f} times larger "
                f"than it is stored; spreadsheet data compresses at most about "
                f"{limits.max_xlsx_compression_ratio:,.0f} times. Save the measurements as a "
                "CSV file."
            )
