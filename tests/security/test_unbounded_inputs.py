"""Issue 17, "unbounded work": inputs that made a tool do work without bound are refused with
the limit named, or handled within bounded time and memory. One test per finding."""

from __future__ import annotations

import io
import json
import subprocess
import sys
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from PIL import Image

from assistant.capabilities.spc.tool import (
    SpcToolInput,
    read_request,
    run_spc,
    run_spc_file,
    spc_limits,
)
from assistant.settings import Settings
from tests.conftest import ROOT
from tools.common.errors import PlantError
from tools.failure.io import ReadingsFileError, read_readings
from tools.spc.analysis import SpcOptions, analyse_file
from tools.spc.errors import SpcInputError
from tools.spc.io import read_table
from tools.spc.limits import SpcLimits

MB = 1024 * 1024


def test_pasted_numbers_and_the_message_they_come_in_are_capped(tmp_path: Path) -> None:
    """Finding 1: pasted SPC numbers were never capped (a 100,000-number paste took 14 s and
    850 MB), and a message of any length was searched for them."""
    at_cap = "is this in control: " + " ".join(["12.01", "12.03"] * 25_000)
    assert len(read_request(at_cap, []).values or []) == 50_000
    with pytest.raises(
        SpcInputError,
        match=r"The paste has 50,001 numbers; the most one paste "
        r"may hold is 50,000\. Upload a CSV file instead, or chart fewer points",
    ):
        read_request(at_cap + " 11.99", [])
    ten_mb = "12.0 " * 2_000_000
    with pytest.raises(
        SpcInputError,
        match=r"The message has 10,000,000 characters; the most a "
        r"pasted message may hold is 1,000,000\. Upload the measurements as a CSV",
    ):
        read_request(ten_mb, ["OD-12"])  # refused before any characteristic is searched for
    # the caps come from the settings; the LangChain tool's list of values is capped too
    limits = spc_limits(Settings(_env_file=None, max_numbers_per_paste=10))
    with pytest.raises(SpcInputError, match="11 numbers; the most one paste may hold is 10"):
        read_request(" ".join(["5.0"] * 11), [], limits)
    with pytest.raises(PlantError, match="11 values were given; the most one request may chart"):
        run_spc(SpcToolInput(values=[5.0] * 11), None, tmp_path, limits)  # type: ignore[arg-type]


def _csv(path: Path, rows: int, columns: int = 1) -> Path:
    header = ",".join(f"x{j}" for j in range(columns))
    lines = [",".join([f"{10 + i % 7 / 100:.2f}"] * columns) for i in range(rows)]
    path.write_text(header + "\n" + "\n".join(lines) + "\n", encoding="utf-8")
    return path


def _readings(path: Path, rows: int) -> Path:
    header = ("Type,Air temperature [K],Process temperature [K],Rotational speed [rpm],"
              "Torque [Nm],Tool wear [min]")  # fmt: skip
    path.write_text(header + "\n" + "M,300.1,310.2,1500,40,100\n" * rows, encoding="utf-8")
    return path


def test_measurement_files_are_capped_and_long_series_are_drawn_thinned(tmp_path: Path) -> None:
    """Finding 2: SPC and failure files had no row or column cap and were read cell by cell
    (a 200,000-row CSV took 18 s and 760 MB), and every point of a long series was drawn."""
    small = SpcLimits(max_rows_per_file=1_000)
    with pytest.raises(SpcInputError, match=r"has more than 1,000 rows, the most one file may"):
        analyse_file(_csv(tmp_path / "long.csv", 1_001), SpcOptions(), limits=small)
    assert analyse_file(_csv(tmp_path / "ok.csv", 1_000), SpcOptions(), limits=small).chart
    with pytest.raises(SpcInputError, match=r"101 columns; the most a measurement file may have"):
        read_table(_csv(tmp_path / "wide.csv", 3, columns=101))  # the default cap: 100
    pd.DataFrame({"x": np.arange(1_001.0)}).to_excel(tmp_path / "long.xlsx", index=False)
    with pytest.raises(SpcInputError, match="more than 1,000 rows"):
        read_table(tmp_path / "long.xlsx", small)
    with pytest.raises(ReadingsFileError, match=r"more than 1,000 rows, the most one readings"):
        read_readings(_readings(tmp_path / "r.csv", 1_001), max_rows=1_000)
    assert len(read_readings(_readings(tmp_path / "r.csv", 1_000), max_rows=1_000)) == 1_000
    wide = tmp_path / "wide-readings.csv"
    wide.write_text(",".join(f"c{j}" for j in range(101)) + "\n" + "1," * 100 + "1\n")
    with pytest.raises(ReadingsFileError, match="more than 100 columns"):
        read_readings(wide)
    # a long series: every point analysed, a thinned chart drawn that says so
    values = np.random.default_rng(0).normal(10.0, 0.1, 20_000)
    values[[7, 15_000]] = [11.0, 9.0]  # beyond the limits: always drawn
    path = tmp_path / "series.csv"
    path.write_text("od\n" + "\n".join(f"{v:.4f}" for v in values) + "\n", encoding="utf-8")
    found = run_spc_file(path, tmp_path / "charts", limits=SpcLimits(max_chart_points=1_000))
    assert found.analysis.charts[0].size == 20_000
    figure = json.loads(found.figure or "{}")
    points = next(t for t in figure["data"] if t["mode"] == "lines+markers")
    assert len(points["x"]) <= 2_000 and {8, 15_001} <= set(points["x"])
    title = figure["layout"]["annotations"][0]["text"]
    assert title.startswith("i — 20,000 points, ") and "drawn" in title
    listed = found.analysis.to_json(max_points=1_000)["charts"][0]
    assert len(listed["points"]) == 1_000 and listed["points_total"] == 20_000


def _workbook_with_sheet(path: Path, sheet_bytes: int, parts: int = 0) -> Path:
    """A real XLSX (written by pandas) whose sheet is replaced by `sheet_bytes` of valid,
    repetitive rows, streamed into the zip a megabyte at a time (the file stays small)."""
    plain = io.BytesIO()
    pd.DataFrame({"x": [1.0, 2.0]}).to_excel(plain, index=False)
    with zipfile.ZipFile(plain) as source, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename != "xl/worksheets/sheet1.xml":
                out.writestr(item, data)
                continue
            head, tail = data.split(b"<sheetData>")[0] + b"<sheetData>", b"</sheetData></worksheet>"
            chunk = b"<row><c><v>1</v></c></row>" * (MB // 26)
            with out.open(item.filename, "w", force_zip64=True) as sheet:
                sheet.write(head)
                for _ in range(sheet_bytes // len(chunk)):
                    sheet.write(chunk)
                sheet.write(tail)
        for k in range(parts):
            out.writestr(f"xl/media/part{k}.bin", b"")
    return path


def test_an_xlsx_zip_bomb_is_refused_before_it_is_unpacked(tmp_path: Path) -> None:
    """Finding 3: an XLSX zip bomb was not checked; openpyxl unpacked whatever it declared."""
    bomb = _workbook_with_sheet(tmp_path / "bomb.xlsx", 300 * MB)
    assert bomb.stat().st_size < 2 * MB  # 300 MB of sheet in a small file
    with pytest.raises(
        SpcInputError,
        match=r"bomb\.xlsx unpacks to 30\d MB; the most a workbook "
        r"may unpack to is 200 MB",
    ):
        read_table(bomb)
    with pytest.raises(SpcInputError, match="unpacks to 30"):
        run_spc_file(bomb, tmp_path / "charts")  # what the chat runs on an upload
    dense = _workbook_with_sheet(tmp_path / "dense.xlsx", 50 * MB)  # under the size cap
    with pytest.raises(
        SpcInputError,
        match=r"sheet1\.xml unpacks [\d,]+ times larger than it is "
        r"stored; spreadsheet data compresses at most about 100 times",
    ):
        read_table(dense)
    many = _workbook_with_sheet(tmp_path / "many.xlsx", 0, parts=1_000)
    with pytest.raises(SpcInputError, match=r"holds 1,00\d parts; the most a workbook may hold"):
        read_table(many)


MEASURE = """
import resource, sys
from pathlib import Path
from tools.defects.images import load_rgb
data = Path(sys.argv[1]).read_bytes()
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
image = load_rgb(data, 224)
after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(after - before, image.shape, image.dtype, image.min(), image.max())
"""


def test_a_16_bit_40_megapixel_png_is_read_in_bounded_memory(tmp_path: Path) -> None:
    """Finding 4: 16-bit or float images under the 50-megapixel cap expanded to 1-1.6 GB
    (eight bytes a pixel) before they were scaled down."""
    scan = Image.new("I;16", (8_000, 5_000), 1_000)
    scan.paste(40_000, (0, 0, 4_000, 5_000))  # a bright left half: the 16-bit range is used
    assert scan.mode == "I;16"
    path = tmp_path / "scan.png"
    scan.save(path)
    del scan
    assert path.stat().st_size < 1 * MB
    # a fresh process, so that its peak resident memory is this image's alone
    done = subprocess.run([sys.executable, "-c", MEASURE, str(path)], cwd=ROOT,
                          capture_output=True, text=True, check=True)  # fmt: skip
    grown_kb, *shown = done.stdout.split(maxsplit=1)
    assert shown == ["(224, 224, 3) uint8 0 255\n"]
    assert int(grown_kb) < 256 * 1024, f"reading the image took {int(grown_kb) // 1024} MB"


def test_a_chat_message_over_the_limit_is_refused_before_any_work(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Finding: a message of any length reached the intent classifier, the message store and
    the tools' patterns before any cap."""
    import asyncio

    import assistant.chat_service as chat_service
    from assistant.settings import get_settings

    def no_router() -> None:
        raise AssertionError("the router was asked to work on an oversized message")

    monkeypatch.setenv("PLANT_MAX_PASTE_CHARS", "1000")
    get_settings.cache_clear()
    monkeypatch.setattr(chat_service, "get_router", no_router)

    async def reply() -> list[str]:
        return [e.answer.text async for e in chat_service.answer_events("1.5 " * 300, [])
                if e.answer is not None]  # fmt: skip

    try:
        [text] = asyncio.run(reply())
    finally:
        get_settings.cache_clear()
    assert "1,200 characters" in text and "1,000" in text and "CSV or XLSX" in text
