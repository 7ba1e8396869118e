"""Machine readings from CSV files in the AI4I public format, checked row by row.

A bad row never stops the others: each comes back either as a `Reading` or as an error that
names the row (as numbered in the file, header = row 1) and what is wrong with it.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from pydantic import ValidationError

from tools.common.errors import PlantError
from tools.failure.readings import Reading
from tools.failure.rules import MODES

# the public CSV's column -> the reading's field; our own field names are accepted too
COLUMN_FIELDS = {
    "Type": "product_type",
    "Air temperature [K]": "air_temperature",
    "Process temperature [K]": "process_temperature",
    "Rotational speed [rpm]": "rotational_speed",
    "Torque [Nm]": "torque",
    "Tool wear [min]": "tool_wear",
}
LABEL_COLUMNS = ("Machine failure", *MODES)
# the defaults of the settings `max_rows_per_file` and `max_columns_per_file`
MAX_ROWS = 1_000_000
MAX_COLUMNS = 100
_HEADER_CHARS_PER_COLUMN = 1024  # a header row longer than this per allowed column is refused


class ReadingsFileError(PlantError):
    """The file as a whole cannot be read (missing, unreadable, required columns absent)."""


@dataclass(frozen=True)
class RowResult:
    row: int  # as numbered in the file: the header is row 1
    reading: Reading | None = None
    error: str | None = None
    labels: tuple[int, ...] | None = None  # Machine failure, TWF..RNF when the file has them


def _normalise(name: str) -> str:
    return " ".join(str(name).split()).lower()


def _columns(frame: pd.DataFrame, path: Path) -> dict[str, str]:
    """Map each reading field to the file's column, or fail naming what is missing."""
    by_name = {_normalise(c): c for c in frame.columns}
    found: dict[str, str] = {}
    missing = []
    for public, field in COLUMN_FIELDS.items():
        column = by_name.get(_normalise(public)) or by_name.get(field)
        if column is None:
            missing.append(public)
        else:
            found[field] = column
    if missing:
        close = [
            c for c in frame.columns if _normalise(c) not in {_normalise(p) for p in COLUMN_FIELDS}
        ]
        raise ReadingsFileError(
            f"{path.name}: missing column(s) {', '.join(repr(m) for m in missing)}. "
            f"Expected the AI4I columns {', '.join(repr(c) for c in COLUMN_FIELDS)}"
            + (f"; the file has {', '.join(repr(c) for c in close)}." if close else ".")
        )
    return found


def _message(error: ValidationError, columns: dict[str, str]) -> str:
    parts = []
    for item in error.errors():
        field = str(item["loc"][0]) if item["loc"] else ""
        where = f"column '{columns[field]}'" if field in columns else "row"
        message = str(item["msg"]).removeprefix("Value error, ")
        if item["type"] in {"float_parsing", "float_type"}:
            message = f"{item.get('input')!r} is not a number"
        parts.append(f"{where}: {message}")
    return "; ".join(parts)


def _check_header(path: Path, max_columns: int) -> None:
    """Refuse a file whose header row has more than `max_columns` columns, reading no more
    of it than such a header could take."""
    longest = max_columns * _HEADER_CHARS_PER_COLUMN
    try:
        with path.open(encoding="utf-8", newline="") as handle:
            first = handle.readline(longest + 1)
    except (OSError, UnicodeDecodeError) as exc:
        raise ReadingsFileError(f"{path.name}: not a readable CSV file ({exc})") from exc
    columns = len(next(csv.reader([first]), []))
    if len(first) > longest or columns > max_columns:
        raise ReadingsFileError(
            f"{path.name}: the header row has more than {max_columns:,} columns, the most a "
            "readings file may have. Keep the AI4I columns (and labels) only."
        )


def read_readings(
    path: Path, *, max_rows: int = MAX_ROWS, max_columns: int = MAX_COLUMNS
) -> list[RowResult]:
    """Every data row of a CSV as a reading or an error; labels come along when present. A
    file with more than `max_rows` data rows or `max_columns` columns is refused, after
    reading no more than that."""
    if not path.exists():
        raise ReadingsFileError(f"{path}: no such file")
    _check_header(path, max_columns)
    try:
        frame = pd.read_csv(
            path, dtype=str, keep_default_na=False, skipinitialspace=True, nrows=max_rows + 1
        )
    except (pd.errors.ParserError, UnicodeDecodeError, pd.errors.EmptyDataError) as exc:
        raise ReadingsFileError(f"{path.name}: not a readable CSV file ({exc})") from exc
    if len(frame) > max_rows:
        raise ReadingsFileError(
            f"{path.name} has more than {max_rows:,} rows, the most one readings file may "
            "hold. Split it into several files."
        )
    columns = _columns(frame, path)
    by_name = {_normalise(c): c for c in frame.columns}
    label_columns = [by_name.get(_normalise(c)) for c in LABEL_COLUMNS]
    has_labels = all(c is not None for c in label_columns)
    results = []
    for index, record in enumerate(frame.to_dict("records")):
        row = index + 2
        values = {field: str(record[column]).strip() for field, column in columns.items()}
        empty = [columns[f] for f, v in values.items() if v == ""]
        if empty:
            results.append(RowResult(row, error=f"empty value in {', '.join(empty)}"))
            continue
        try:
            reading = Reading.model_validate(values)
        except ValidationError as exc:
            results.append(RowResult(row, error=_message(exc, columns)))
            continue
        labels = None
        if has_labels:
            try:
                labels = tuple(int(float(record[c])) for c in label_columns if c is not None)
            except ValueError:
                labels = None
        results.append(RowResult(row, reading=reading, labels=labels))
    if not results:
        raise ReadingsFileError(f"{path.name}: the file has a header but no rows")
    return results


def labels_array(results: list[RowResult]) -> np.ndarray | None:
    """The labels of the valid rows, or None when any valid row lacks them."""
    rows = [r.labels for r in results if r.reading is not None]
    if not rows or any(r is None for r in rows):
        return None
    return np.array(rows, dtype=int)
