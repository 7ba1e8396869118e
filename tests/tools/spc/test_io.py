"""Reading measurement files and pasted numbers, with errors that name the cell."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from tools.spc.charts import SpcInputError
from tools.spc.io import column, parse_pasted, read_table, subgroup_table, subgroups
from tools.spc.limits import SpcLimits


def write(tmp_path: Path, text: str, name: str = "m.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_wide_rows_are_subgroups_and_label_columns_are_skipped(tmp_path: Path) -> None:
    frame = read_table(write(tmp_path, "batch,x1,x2,x3\nA,1.0,2.0,3.0\nB,2.0,,4.5\n"))
    assert subgroups(frame) == [[1.0, 2.0, 3.0], [2.0, 4.5]]  # a short row stays short


def test_long_format_groups_by_subgroup_column(tmp_path: Path) -> None:
    frame = read_table(write(tmp_path, "Subgroup,Value\n1,5.0\n1,5.2\n2,4.9\n2,5.1\n"))
    assert subgroups(frame) == [[5.0, 5.2], [4.9, 5.1]]


def test_one_column_is_individual_values_or_grouped_by_size(tmp_path: Path) -> None:
    frame = read_table(write(tmp_path, "od\n1\n2\n3\n4\n"))
    assert subgroups(frame) == [[1.0], [2.0], [3.0], [4.0]]
    assert subgroups(frame, subgroup_size=2) == [[1.0, 2.0], [3.0, 4.0]]
    with pytest.raises(SpcInputError, match="4 values do not split into subgroups of 3"):
        subgroups(frame, subgroup_size=3)


def test_a_non_numeric_cell_is_named_by_row_and_column(tmp_path: Path) -> None:
    frame = read_table(write(tmp_path, "x1,x2\n1.0,2.0\n1.5,abc\n2.0,2.5\n"))
    with pytest.raises(SpcInputError, match="row 3, column 'x2': 'abc' is not a number"):
        subgroups(frame)


def test_attribute_columns_and_missing_ones(tmp_path: Path) -> None:
    frame = read_table(write(tmp_path, "day,defectives,inspected\n1,3,50\n2,,50\n"))
    assert column(frame, "inspected") == [50.0, 50.0]
    with pytest.raises(SpcInputError, match="row 3, column 'defectives': the cell is empty"):
        column(frame, "defectives")
    with pytest.raises(SpcInputError, match="column 'count' not found"):
        column(frame, "count")


def test_xlsx_and_bad_files(tmp_path: Path) -> None:
    import pandas as pd

    pd.DataFrame({"x1": [1.0, 2.0], "x2": [1.5, 2.5]}).to_excel(tmp_path / "m.xlsx", index=False)
    assert subgroups(read_table(tmp_path / "m.xlsx")) == [[1.0, 1.5], [2.0, 2.5]]
    with pytest.raises(SpcInputError, match="Not found"):
        read_table(tmp_path / "none.csv")
    with pytest.raises(SpcInputError, match=r"use a \.csv or \.xlsx"):
        read_table(write(tmp_path, "x", "m.json"))
    with pytest.raises(SpcInputError, match="no rows"):
        read_table(write(tmp_path, "x1,x2\n"))


def test_pasted_numbers() -> None:
    text = "is this in control: 12.01, 12.03 11.98; 12,02 and (12.00)"
    assert parse_pasted(text) == [12.01, 12.03, 11.98, 12.02, 12.0]


def test_complete_rows_come_as_one_array(tmp_path: Path) -> None:
    frame = read_table(write(tmp_path, "\ufeffx1;x2\n1,5;2,5\n3,0;4,25\n"))  # BOM, commas
    assert list(frame.columns) == ["x1", "x2"]
    table = subgroup_table(frame)
    assert isinstance(table, np.ndarray) and table.tolist() == [[1.5, 2.5], [3.0, 4.25]]
    single = subgroup_table(read_table(write(tmp_path, "od\n1\n2\n\n3\n4\n")), subgroup_size=2)
    assert isinstance(single, np.ndarray) and single.tolist() == [[1.0, 2.0], [3.0, 4.0]]


def test_a_header_too_long_for_the_column_cap_is_refused_unread(tmp_path: Path) -> None:
    path = write(tmp_path, "x" * 3_000 + "\n1\n")
    with pytest.raises(SpcInputError, match=r"header row is longer than 2,048 characters; a "
                       "measurement file may have at most 2 columns"):  # fmt: skip
        read_table(path, SpcLimits(max_columns_per_file=2))
    with pytest.raises(SpcInputError, match="not a readable XLSX workbook"):
        read_table(write(tmp_path, "x1,x2\n1,2\n", "fake.xlsx"))


def test_the_paste_limits_are_parameters() -> None:
    limits = SpcLimits(max_numbers_per_paste=3, max_paste_chars=1_000)
    assert parse_pasted("1 2 3", limits) == [1.0, 2.0, 3.0]
    with pytest.raises(SpcInputError, match="The paste has 4 numbers; the most one paste may"):
        parse_pasted("1 2 3 4", limits)
    with pytest.raises(SpcInputError, match="1,001 characters; the most a pasted message"):
        parse_pasted("1" * 1_001, limits)


def test_an_xlsx_is_read_as_pandas_read_it(tmp_path: Path) -> None:
    """The workbook reader skips pandas' Excel reader (for speed, issue 17); what the
    analyses get from it is what they got through `pd.read_excel(dtype=str)`: the same
    subgroups, long-format groups, count columns and errors, on an awkward sheet."""
    import datetime

    import openpyxl
    import pandas as pd

    from tools.spc.io import column

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["lot", "x", "x", None, "subgroup", "value", "count"])
    sheet.append(["L1", 1.5, 2, None, "A", 10.25, 3])
    sheet.append([])  # a blank row
    sheet.append(["L2", "2,5", 3.25, None, "B", 10.5, 0])
    sheet.append(["L3", None, 4, None, "A", 10.75, 7])
    sheet.append([datetime.datetime(2026, 1, 5), 1, 5, None, "B", 11, 2])
    path = tmp_path / "awkward.xlsx"
    book.save(path)
    ours = read_table(path)
    theirs = pd.read_excel(path, dtype=str, engine="calamine")
    assert list(ours.columns) == list(theirs.columns) == [
        "lot", "x", "x.1", "Unnamed: 3", "subgroup", "value", "count"
    ]  # fmt: skip
    assert subgroups(ours) == subgroups(theirs) == [[10.25, 10.75], [10.5, 11.0]]
    wide = ours.drop(columns=["subgroup", "value"])
    assert subgroups(wide) == subgroups(theirs.drop(columns=["subgroup", "value"]))
    assert subgroups(wide)[:2] == [[1.5, 2.0, 3.0], [2.5, 3.25, 0.0]]
    for frame in (ours, theirs):
        with pytest.raises(SpcInputError, match=r"row 3, column 'count': the cell is empty"):
            column(frame, "count")  # the blank row, numbered as on the sheet
    ours, theirs = ours.dropna(how="all"), theirs.dropna(how="all")
    assert column(ours, "count") == column(theirs, "count") == [3.0, 0.0, 7.0, 2.0]
    sheet.append(["L5", True, 6, None, "C", "n/a", 1])  # n/a: missing, as pandas reads it
    sheet.append(["L6", 2, 7, None, "C", "10,4.", 1])
    book.save(path)
    for frame in (read_table(path), pd.read_excel(path, dtype=str, engine="calamine")):
        with pytest.raises(SpcInputError, match=r"row 8, column 'value': '10,4\.' is not a number"):
            subgroups(frame)
        with pytest.raises(SpcInputError, match=r"row 7, column 'x': 'True' is not a number"):
            subgroups(frame.drop(columns=["subgroup", "value", "count"]))
