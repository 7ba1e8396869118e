"""Reading AI4I-format CSV files: bad rows are named, good rows still come through."""

from __future__ import annotations

from pathlib import Path

import pytest

from finetune.data.machines import simulate
from tools.failure.io import ReadingsFileError, labels_array, read_readings

HEADER = (
    "UDI,Product ID,Type,Air temperature [K],Process temperature [K],Rotational speed [rpm],"
    "Torque [Nm],Tool wear [min]"
)


def test_the_public_format_reads_with_labels(tmp_path: Path) -> None:
    path = tmp_path / "ai4i.csv"
    simulate(50, seed=2).to_csv(path, index=False)
    results = read_readings(path)
    assert len(results) == 50 and all(r.reading is not None for r in results)
    labels = labels_array(results)
    assert labels is not None and labels.shape == (50, 6)
    assert results[0].row == 2


def test_bad_rows_are_reported_per_row_and_the_rest_scored(tmp_path: Path) -> None:
    path = tmp_path / "mixed.csv"
    path.write_text(
        "\n".join(
            [
                HEADER,
                "1,M1,M,300.1,310.2,1500,40,100",
                "2,M2,M,27.1,37.3,1500,40,100",
                "3,M3,L,300.1,310.2,1500,-4,100",
                "4,M4,H,300.1,310.2,fast,40,100",
                "5,M5,L,300.1,310.2,0,40,100",
                "6,M6,L,300.1,,1500,40,100",
                "7,M7,L,300.3,310.4,1400,45,-2",
            ]
        )
        + "\n"
    )
    results = read_readings(path)
    assert [r.row for r in results] == [2, 3, 4, 5, 6, 7, 8]
    assert results[0].reading is not None
    errors = {r.row: r.error for r in results if r.error}
    assert "looks like °C" in errors[3] and "'Air temperature [K]'" in errors[3]
    assert "'Torque [Nm]'" in errors[4]
    assert errors[5] == "column 'Rotational speed [rpm]': 'fast' is not a number"
    assert "'Rotational speed [rpm]'" in errors[6]
    assert errors[7] == "empty value in Process temperature [K]"
    assert "'Tool wear [min]'" in errors[8]
    assert labels_array(results) is None  # no label columns


def test_missing_or_misnamed_columns_are_named(tmp_path: Path) -> None:
    path = tmp_path / "renamed.csv"
    path.write_text(
        "Type,Air temp,Process temperature [K],Rotational speed [rpm],Torque,Tool wear [min]\n"
        "M,300,310,1500,40,10\n"
    )
    with pytest.raises(ReadingsFileError) as caught:
        read_readings(path)
    message = str(caught.value)
    assert "'Air temperature [K]'" in message and "'Torque [Nm]'" in message
    assert "'Air temp'" in message  # what the file has instead


def test_field_names_are_accepted_too(tmp_path: Path) -> None:
    path = tmp_path / "fields.csv"
    path.write_text(
        "product_type,air_temperature,process_temperature,rotational_speed,torque,tool_wear\n"
        "L,300,310,1500,40,10\n"
    )
    assert read_readings(path)[0].reading is not None


def test_unreadable_files(tmp_path: Path) -> None:
    with pytest.raises(ReadingsFileError, match="no such file"):
        read_readings(tmp_path / "nope.csv")
    empty = tmp_path / "empty.csv"
    empty.write_text(HEADER + "\n")
    with pytest.raises(ReadingsFileError, match="no rows"):
        read_readings(empty)
