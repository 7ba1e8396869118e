"""How much work one SPC request may ask for. The defaults are those of the settings that hold
these limits (`assistant/settings.py`), which the chat and the command line pass in."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class SpcLimits:
    """Caps on pasted numbers, measurement files and drawn charts.

    Example:
        >>> SpcLimits(max_rows_per_file=10_000).max_rows_per_file
        10000
    """

    max_numbers_per_paste: int = 50_000
    max_paste_chars: int = 1_000_000
    max_rows_per_file: int = 1_000_000
    max_columns_per_file: int = 100
    max_xlsx_uncompressed_mb: float = 200
    max_xlsx_compression_ratio: float = 100
    max_xlsx_members: int = 1_000
    max_chart_points: int = 2_000


DEFAULT_LIMITS = SpcLimits()
