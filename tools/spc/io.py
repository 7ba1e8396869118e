"""Measurement files for SPC: CSV or XLSX with a header row, wide or long, or pasted numbers.

Wide: one row per subgroup, its numeric columns are the measurements, other columns labels.
Long: a `subgroup` column and a `value` column. One numeric column: individual values
(`subgroup_size` groups consecutive values). Attribute charts read a count column and,
where the chart needs it, a sample-size column.

Cells are converted a column at a time (pandas, numpy); only the cells pandas cannot read as
numbers (a decimal comma, a typo) go through the exact rules of `_number` one by one. A file
is read no further than the row cap; an XLSX's zip is checked before it is opened, then read
by calamine (Rust; ~9 times faster than openpyxl on a 1,000,000-row sheet) straight into a
DataFrame, past pandas' own Excel reader.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path
from typing import Any

import numpy as np

from tools.spc.charts import SpcInputError
from tools.spc.limits import DEFAULT_LIMITS, SpcLimits
from tools.spc.workbook import check_xlsx

_SEPARATORS = re.compile(r"[\s;]+|,(?=\s)")
_HEADER_CHARS_PER_COLUMN = 1024  # a header row longer than this per allowed column is refused


def read_table(path: Path, limits: SpcLimits = DEFAULT_LIMITS) -> Any:
    """The file as a DataFrame of cells (checked later, so errors name them): strings from
    a CSV, numbers or strings from an XLSX."""
    if not path.is_file():
        raise SpcInputError(f"Not found: {path}")
    suffix = path.suffix.lower()
    try:
        if suffix in (".xlsx", ".xlsm"):
            check_xlsx(path, limits)
            frame = _read_xlsx(path, limits)
        elif suffix in (".csv", ".txt", ""):
            frame = _read_csv(path, limits)
        else:
            raise SpcInputError(f"{path.name}: use a .csv or .xlsx file (got '{suffix}')")
    except SpcInputError:
        raise
    except Exception as exc:
        reason = str(exc).strip().removeprefix("Error tokenizing data. C error: ")
        raise SpcInputError(f"{path.name} could not be read as a table ({reason})") from exc
    if frame.empty:
        raise SpcInputError(f"{path.name} has a header but no rows")
    _check_size(path, len(frame.columns), len(frame), limits)
    return frame


def _read_csv(path: Path, limits: SpcLimits) -> Any:
    """pandas' fast reader, on the delimiter its slow one would sniff from the first line."""
    import pandas as pd

    longest = limits.max_columns_per_file * _HEADER_CHARS_PER_COLUMN
    with path.open(encoding="utf-8", newline="") as handle:
        first = handle.readline(longest + 1)
    if len(first) > longest:
        raise SpcInputError(
            f"{path.name}: the header row is longer than {longest:,} characters; a "
            f"measurement file may have at most {limits.max_columns_per_file:,} columns"
        )
    delimiter = csv.Sniffer().sniff(first).delimiter
    columns = len(next(csv.reader([first], delimiter=delimiter), []))
    _check_size(path, columns, 0, limits)
    return pd.read_csv(path, dtype=str, sep=delimiter, nrows=limits.max_rows_per_file + 1)


_TYPE_OF = np.frompyfunc(type, 1, 1)


def _read_xlsx(path: Path, limits: SpcLimits) -> Any:
    """The first sheet as pandas reads it (the first row that is not blank as the header;
    empty cells and pandas' NA words missing), from calamine's rows without pandas'
    cell-by-cell conversion and text parser (40 % less time on a 1,000,000-row sheet). Cells
    stay as calamine gives them (numbers, text); dates and booleans become text, as in a CSV."""
    import pandas as pd
    from pandas._libs.parsers import STR_NA_VALUES  # the cells pandas reads as missing
    from python_calamine import CalamineWorkbook

    sheet = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0)
    rows = sheet.to_python(skip_empty_area=False, nrows=limits.max_rows_per_file + 2)
    while rows and all(cell == "" for cell in rows[0]):
        del rows[0]  # blank rows above the header
    if not rows:
        return pd.DataFrame()
    frame = pd.DataFrame(rows[1:], columns=_column_names(rows[0]), dtype=object)
    for at in range(frame.shape[1]):
        cells = frame.iloc[:, at]
        if set(pd.unique(_TYPE_OF(cells.to_numpy()))) - {int, float, str}:  # dates, booleans
            frame.iloc[:, at] = cells.map(lambda c: c if isinstance(c, str) else str(c))
    return frame.mask(frame.isin(STR_NA_VALUES))  # "", "n/a", "NULL"…: missing, as in a CSV


def _column_names(header: list[Any]) -> list[str]:
    """Header cells as pandas names them: `Unnamed: i` for an empty one, `x.1` for a repeat."""
    names: list[str] = []
    for i, cell in enumerate(header):
        if isinstance(cell, float) and cell.is_integer():
            cell = int(cell)
        name = str(cell).strip() if cell != "" else f"Unnamed: {i}"
        base, n = name, 0
        while name in names:
            n += 1
            name = f"{base}.{n}"
        names.append(name)
    return names


def _check_size(path: Path, columns: int, rows: int, limits: SpcLimits) -> None:
    if columns > limits.max_columns_per_file:
        raise SpcInputError(
            f"{path.name} has {columns:,} columns; the most a measurement file may have is "
            f"{limits.max_columns_per_file:,}. Keep the measurement columns and a few labels."
        )
    if rows > limits.max_rows_per_file:
        raise SpcInputError(
            f"{path.name} has more than {limits.max_rows_per_file:,} rows, the most one file "
            "may hold. Split it, or chart a shorter period."
        )


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


def _numbers(cells: Any) -> tuple[np.ndarray, np.ndarray]:
    """A column as numbers (NaN where a cell is empty or not a number) and which of its cells
    are filled but not numbers. pandas reads plain numbers; the rest go through `_number`."""
    import pandas as pd

    present = cells.notna().to_numpy()
    if not present.any():  # an empty column (pandas would still look at every cell)
        return np.full(present.size, np.nan), np.zeros(present.size, dtype=bool)
    numbers = pd.to_numeric(cells, errors="coerce")
    values = np.array(numbers.to_numpy(dtype=float, na_value=np.nan), dtype=float)  # writable
    bad = np.zeros(values.size, dtype=bool)
    raw = cells.to_numpy(dtype=object)
    for at in np.flatnonzero(np.isnan(values) & present).tolist():
        value = _number(raw[at])
        if value is None:
            continue
        values[at] = value
        bad[at] = np.isnan(value)
    return values, bad


def _not_a_number(frame: Any, row: int, column: str) -> SpcInputError:
    return SpcInputError(
        f"row {row + 2}, column '{column}': '{frame[column].iloc[row]}' is not a number"
    )


def _numeric_columns(frame: Any) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Columns most of whose filled cells are numbers, with their numbers; the others are
    labels."""
    numeric = {}
    for name in frame.columns:
        values, bad = _numbers(frame[name])
        filled = int(np.count_nonzero(~np.isnan(values) | bad))
        if filled and filled - int(bad.sum()) > filled / 2:
            numeric[name] = (values, bad)
    return numeric


def subgroup_table(frame: Any, subgroup_size: int | None = None) -> np.ndarray | list[list[float]]:
    """Subgroups (or single values as one-element subgroups) from a wide or long table: a 2-D
    array, one row per subgroup, when every row is complete; else one list per subgroup."""
    columns = {str(c).strip().lower(): c for c in frame.columns}
    if "subgroup" in columns and "value" in columns:
        return _long_subgroups(frame, columns["subgroup"], columns["value"])
    numeric = _numeric_columns(frame)
    if not numeric:
        raise SpcInputError("no numeric column found: expected measurements under a header row")
    names = list(numeric)
    values = np.column_stack([numeric[c][0] for c in names])
    bad = np.argwhere(np.column_stack([numeric[c][1] for c in names]))  # row by row
    if bad.size:
        raise _not_a_number(frame, int(bad[0][0]), names[int(bad[0][1])])
    filled = ~np.isnan(values)
    if len(names) == 1 and subgroup_size:
        flat = values[filled]
        if flat.size % subgroup_size:
            raise SpcInputError(
                f"{flat.size} values do not split into subgroups of {subgroup_size}"
            )
        return flat.reshape(-1, subgroup_size)
    if filled.all():
        return values
    return [[v for v in row if v == v] for row in values[filled.any(axis=1)].tolist()]


def subgroups(frame: Any, subgroup_size: int | None = None) -> list[list[float]]:
    """`subgroup_table` as lists."""
    table = subgroup_table(frame, subgroup_size)
    return table.tolist() if isinstance(table, np.ndarray) else table


def _long_subgroups(frame: Any, key_column: str, value_column: str) -> list[list[float]]:
    """Values grouped by the subgroup column, groups in the order they first appear."""
    import pandas as pd

    values, bad = _numbers(frame[value_column])
    if bad.any():
        raise _not_a_number(frame, int(np.flatnonzero(bad)[0]), value_column)
    filled = ~np.isnan(values)
    keys = frame[key_column].astype(object).map(lambda k: str(k).strip()).to_numpy()[filled]
    if not keys.size:
        return []
    codes, _ = pd.factorize(keys, sort=False)
    order = np.argsort(codes, kind="stable")
    ends = np.cumsum(np.bincount(codes))[:-1]
    return [group.tolist() for group in np.split(values[filled][order], ends)]


def column(frame: Any, name: str) -> list[float]:
    """One named column as numbers (count or sample-size columns of attribute charts)."""
    matches = [c for c in frame.columns if str(c).strip().lower() == name.strip().lower()]
    if not matches:
        raise SpcInputError(
            f"column '{name}' not found; the columns are: {', '.join(map(str, frame.columns))}"
        )
    values, bad = _numbers(frame[matches[0]])
    wrong = np.flatnonzero(np.isnan(values))  # not a number, or empty
    if wrong.size:
        row = int(wrong[0])
        if bad[row]:
            raise _not_a_number(frame, row, matches[0])
        raise SpcInputError(f"row {row + 2}, column '{name}': the cell is empty")
    return list(values.tolist())


def check_message_length(text: str, limits: SpcLimits = DEFAULT_LIMITS) -> None:
    """Refuse a message too long to search for numbers (checked before any pattern runs)."""
    if len(text) > limits.max_paste_chars:
        raise SpcInputError(
            f"The message has {len(text):,} characters; the most a pasted message may hold is "
            f"{limits.max_paste_chars:,}. Upload the measurements as a CSV file instead."
        )


def parse_pasted(text: str, limits: SpcLimits = DEFAULT_LIMITS) -> list[float]:
    """Numbers typed or pasted in a chat message ("12.01, 12.03 11.98; 12,02"), refused when
    the message is longer, or holds more numbers, than `limits` allow."""
    check_message_length(text, limits)
    values = []
    for token in _SEPARATORS.split(text):
        value = _number(token.strip("()[]:"))
        if value is not None and not np.isnan(value):
            values.append(value)
    if len(values) > limits.max_numbers_per_paste:
        raise SpcInputError(
            f"The paste has {len(values):,} numbers; the most one paste may hold is "
            f"{limits.max_numbers_per_paste:,}. Upload a CSV file instead, or chart fewer "
            "points."
        )
    return values
