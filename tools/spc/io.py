"""Measurement files for SPC: CSV or XLSX with a header row, wide or long, or pasted numbers.

Wide: one row per subgroup, its numeric columns are the measurements, other columns labels.
Long: a `subgroup` column and a `value` column. One numeric column: individual values
(`subgroup_size` groups consecutive values). Attribute charts read a count column and,
where the chart needs it, a sample-size column.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import numpy as np

from tools.spc.charts import SpcInputError

_SEPARATORS = re.compile(r"[\s;]+|,(?=\s)")


def read_table(path: Path) -> Any:
    """The file as a DataFrame of strings (cells checked later, so errors name them)."""
    import pandas as pd

    if not path.is_file():
        raise SpcInputError(f"Not found: {path}")
    suffix = path.suffix.lower()
    try:
        if suffix in (".xlsx", ".xlsm"):
            frame = pd.read_excel(path, dtype=str)
        elif suffix in (".csv", ".txt", ""):
            frame = pd.read_csv(path, dtype=str, sep=None, engine="python")
        else:
            raise SpcInputError(f"{path.name}: use a .csv or .xlsx file (got '{suffix}')")
    except SpcInputError:
        raise
    except Exception as exc:
        raise SpcInputError(f"{path.name} could not be read as a table ({exc})") from exc
    if frame.empty:
        raise SpcInputError(f"{path.name} has a header but no rows")
    return frame


def _number(cell: Any) -> float | None:
    if cell is None or (isinstance(cell, float) and np.isnan(cell)):
        return None
    text = str(cell).strip()
    if not text:
        return None
    if text.count(",") == 1 and "." not in text:
        text = text.replace(",", ".")  # a decimal comma
    try:
        return float(text)
    except ValueError:
        return float("nan")


def _numeric_columns(frame: Any) -> list[str]:
    """Columns most of whose filled cells are numbers; the others are labels."""
    numeric = []
    for column in frame.columns:
        cells = [_number(c) for c in frame[column]]
        filled = [c for c in cells if c is not None]
        if filled and sum(not np.isnan(c) for c in filled) > len(filled) / 2:
            numeric.append(column)
    return numeric


def _cell(frame: Any, row: int, column: str) -> float | None:
    value = _number(frame[column].iloc[row])
    if value is not None and np.isnan(value):
        raise SpcInputError(
            f"row {row + 2}, column '{column}': '{frame[column].iloc[row]}' is not a number"
        )
    return value


def subgroups(frame: Any, subgroup_size: int | None = None) -> list[list[float]]:
    """Subgroups (or single values as one-element subgroups) from a wide or long table."""
    columns = {str(c).strip().lower(): c for c in frame.columns}
    if "subgroup" in columns and "value" in columns:
        groups: dict[str, list[float]] = {}
        for row in range(len(frame)):
            value = _cell(frame, row, columns["value"])
            if value is not None:
                key = str(frame[columns["subgroup"]].iloc[row]).strip()
                groups.setdefault(key, []).append(value)
        return list(groups.values())
    numeric = _numeric_columns(frame)
    if not numeric:
        raise SpcInputError("no numeric column found: expected measurements under a header row")
    rows = []
    for row in range(len(frame)):
        values = [v for c in numeric if (v := _cell(frame, row, c)) is not None]
        if values:
            rows.append(values)
    if len(numeric) == 1 and subgroup_size:
        flat = [v for r in rows for v in r]
        if len(flat) % subgroup_size:
            raise SpcInputError(
                f"{len(flat)} values do not split into subgroups of {subgroup_size}"
            )
        return [flat[i : i + subgroup_size] for i in range(0, len(flat), subgroup_size)]
    return rows


def column(frame: Any, name: str) -> list[float]:
    """One named column as numbers (count or sample-size columns of attribute charts)."""
    matches = [c for c in frame.columns if str(c).strip().lower() == name.strip().lower()]
    if not matches:
        raise SpcInputError(
            f"column '{name}' not found; the columns are: {', '.join(map(str, frame.columns))}"
        )
    values = []
    for row in range(len(frame)):
        value = _cell(frame, row, matches[0])
        if value is None:
            raise SpcInputError(f"row {row + 2}, column '{name}': the cell is empty")
        values.append(value)
    return values


def parse_pasted(text: str) -> list[float]:
    """Numbers typed or pasted in a chat message ("12.01, 12.03 11.98; 12,02")."""
    values = []
    for token in _SEPARATORS.split(text):
        value = _number(token.strip("()[]:"))
        if value is not None and not np.isnan(value):
            values.append(value)
    return values
