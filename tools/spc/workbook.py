"""An XLSX file is a zip archive: its table of contents is checked before a reader unpacks it,
so that a few kilobytes that unpack to gigabytes (a zip bomb) are refused, not read
(`tools.common.zip_limits`, the check Word files get too)."""

from __future__ import annotations

import zipfile
from pathlib import Path

from tools.common.zip_limits import ZipLimits, zip_excess
from tools.spc.errors import SpcInputError
from tools.spc.limits import DEFAULT_LIMITS, SpcLimits

MB = 1024 * 1024


def check_xlsx(path: Path, limits: SpcLimits = DEFAULT_LIMITS) -> None:
    """Refuse an XLSX whose members are too many, too large together, or compressed far
    more than spreadsheet data compresses."""
    bounds = ZipLimits(
        max_members=limits.max_xlsx_members,
        max_unpacked_bytes=int(limits.max_xlsx_uncompressed_mb * MB),
        max_ratio=limits.max_xlsx_compression_ratio,
    )
    try:
        excess = zip_excess(path, bounds)
    except (zipfile.BadZipFile, OSError) as exc:
        raise SpcInputError(f"{path.name} is not a readable XLSX workbook ({exc})") from exc
    if excess is None:
        return
    if excess.limit == "members":
        raise SpcInputError(
            f"{path.name} holds {excess.members:,} parts; the most a workbook may hold is "
            f"{limits.max_xlsx_members:,}. Save the measurements alone as a CSV file."
        )
    if excess.limit == "unpacked":
        raise SpcInputError(
            f"{path.name} unpacks to {excess.unpacked / MB:,.0f} MB; the most a workbook may "
            f"unpack to is {limits.max_xlsx_uncompressed_mb:,.0f} MB. Save the measurements as "
            "a CSV file, or split them over several workbooks."
        )
    what = f"its part {excess.part}" if excess.part else "it"
    raise SpcInputError(
        f"{path.name}: {what} unpacks {excess.ratio:,.0f} times larger than it is stored; "
        f"spreadsheet data compresses at most about {limits.max_xlsx_compression_ratio:,.0f} "
        "times. Save the measurements as a CSV file."
    )
