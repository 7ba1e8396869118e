"""`plant spc FILE --json` in the documented shape."""

from __future__ import annotations

import getpass
import json
from pathlib import Path

import pytest
from sqlmodel import Session
from typer.testing import CliRunner

from assistant.cli.main import app
from assistant.persistence.spc import get_characteristic
from assistant.settings import get_settings
from assistant.wiring import make_engine

runner = CliRunner()
ROWS = [
    [74.030, 74.002, 74.019, 73.992, 74.008],
    [73.995, 73.992, 74.001, 74.011, 74.004],
    [73.988, 74.024, 74.021, 74.005, 74.002],
    [74.002, 73.996, 73.993, 74.015, 74.009],
    [73.992, 74.007, 74.015, 73.989, 74.014],
    [74.150, 74.160, 74.140, 74.155, 74.145],  # far off: phase II must flag it
]


def wide(tmp_path: Path, rows: list[list[float]]) -> Path:
    path = tmp_path / "od.csv"
    lines = ["batch,x1,x2,x3,x4,x5"] + [
        f"B{i}," + ",".join(map(str, r)) for i, r in enumerate(rows)
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_xbar_r_json_with_phase1_and_capability(tmp_path: Path) -> None:
    result = runner.invoke(
        app, ["spc", str(wide(tmp_path, ROWS)), "--phase1", "5", "--lsl", "73.95", "--usl",
              "74.05", "--json"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert payload["chart"] == "xbar-r" and [c["name"] for c in payload["charts"]] == ["xbar", "r"]
    xbar = payload["charts"][0]
    assert set(xbar) == {"name", "center", "lcl", "ucl", "sigma", "points"}
    first_five = sum(sum(r) for r in ROWS[:5]) / 25
    assert abs(xbar["center"] - first_five) < 1e-9  # the first five estimate the limits
    assert xbar["points"][5]["violations"][0] == "nelson-1"  # the sixth is judged, and fails
    assert set(payload["capability"]) >= {"cp", "cpk", "cpm", "pp", "ppk"}


def test_varying_sizes_give_per_point_limits(tmp_path: Path) -> None:
    rows = [r[: 3 + i % 2] for i, r in enumerate(ROWS[:5])]
    result = runner.invoke(app, ["spc", str(wide(tmp_path, rows)), "--chart", "xbar-s", "--json"])
    xbar = json.loads(result.stdout)["charts"][0]
    assert isinstance(xbar["lcl"], list) and len(xbar["lcl"]) == 5


def test_attribute_and_individual_charts(tmp_path: Path) -> None:
    counts = tmp_path / "leaks.csv"
    counts.write_text("day,fails,tested\n" + "".join(f"{d},{d % 4},200\n" for d in range(1, 11)))
    result = runner.invoke(app, ["spc", str(counts), "--count-col", "fails", "--size-col",
                                 "tested", "--json"])  # fmt: skip
    payload = json.loads(result.stdout)
    assert payload["chart"] == "p" and payload["capability"] is None
    single = tmp_path / "i.csv"
    single.write_text("value\n" + "\n".join(str(v) for v in [5.0, 5.2, 4.9, 5.1, 5.3, 4.8]))
    for chart, names in (("imr", ["i", "mr"]), ("ewma", ["ewma"]), ("cusum", ["cusum"])):
        out = runner.invoke(app, ["spc", str(single), "--chart", chart, "--json"])
        assert [c["name"] for c in json.loads(out.stdout)["charts"]] == names, out.output


def test_bad_input_gets_a_clear_message(tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("x1,x2\n1.0,2.0\n1.5,abc\n2.0,2.5\n", encoding="utf-8")
    result = runner.invoke(app, ["spc", str(bad)])
    assert result.exit_code == 1 and "row 3, column 'x2'" in result.output
    assert "Traceback" not in result.output
    ragged = wide(tmp_path, [r[: 3 + i % 2] for i, r in enumerate(ROWS[:4])])
    result = runner.invoke(app, ["spc", str(ragged), "--chart", "xbar-r"])
    assert result.exit_code == 1 and "X-bar-S" in result.output
    result = runner.invoke(app, ["spc", str(wide(tmp_path, ROWS)), "--target", "74"])
    assert result.exit_code == 1 and "needs --lsl, --usl" in result.output
    result = runner.invoke(app, ["spc", str(wide(tmp_path, ROWS)), "--rules", "odd"])
    assert result.exit_code == 1 and "rules 'odd'" in result.output


def test_png_is_drawn(tmp_path: Path) -> None:
    image = tmp_path / "charts" / "od.png"
    result = runner.invoke(app, ["spc", str(wide(tmp_path, ROWS)), "--png", str(image)])
    assert result.exit_code == 0, result.output
    assert image.read_bytes()[:4] == b"\x89PNG" and image.stat().st_size > 20_000
    assert "chart written" in result.output


def test_stored_characteristic_and_freezing(tmp_path: Path, monkeypatch: object) -> None:
    import pytest

    mp = pytest.MonkeyPatch()
    mp.setenv("PLANT_DATA_DIR", str(tmp_path / "data"))
    get_settings.cache_clear()
    try:
        missing = runner.invoke(app, ["spc", "--characteristic", "OD-12", "--json"])
        assert missing.exit_code == 1 and "No characteristic 'OD-12'" in missing.output
        seeded = runner.invoke(app, ["demo", "seed", "--processes", "5", "--json"])
        assert seeded.exit_code == 0, seeded.output
        counts = json.loads(seeded.stdout)
        assert counts["characteristics"] == 14 and counts["machines"] == 6
        assert counts["measurements"] > 14 * 30  # 30 subgroups each, most of several parts
        again = runner.invoke(app, ["demo", "seed", "--processes", "5", "--json"])
        assert json.loads(again.stdout) == {"characteristics": 0, "measurements": 0, "machines": 0}
        result = runner.invoke(app, ["spc", "--characteristic", "OD-12", "--json"])
        assert result.exit_code == 0, result.output
        payload = json.loads(result.stdout)
        assert payload["chart"] == "xbar-r" and payload["characteristic"]["frozen"] is False
        frozen = runner.invoke(app, ["spc", "--characteristic", "OD-12", "--freeze"])
        assert "frozen" in frozen.output
        again = json.loads(
            runner.invoke(app, ["spc", "--characteristic", "OD-12", "--json"]).stdout
        )
        assert again["characteristic"]["frozen"] is True
        with Session(make_engine(get_settings())) as session:
            stored = get_characteristic(session, "OD-12")
        assert stored.frozen_by == getpass.getuser()  # who froze them is kept
        both = runner.invoke(app, ["spc", str(tmp_path / "x.csv"), "--characteristic", "OD-12"])
        assert both.exit_code == 1 and "either a FILE or --characteristic" in both.output
    finally:
        mp.undo()
        get_settings.cache_clear()


def test_exclude_out_of_control_reports_what_was_dropped(tmp_path: Path) -> None:
    single = tmp_path / "i.csv"
    values = [5.0, 5.1, 4.9, 5.2, 9.5, 5.0, 4.8, 5.1, 5.0, 4.9]
    single.write_text("value\n" + "\n".join(map(str, values)), encoding="utf-8")
    out = runner.invoke(app, ["spc", str(single), "--exclude-out-of-control", "--json"])
    assert out.exit_code == 0, out.output
    assert json.loads(out.stdout)["excluded"] == [5]


def test_the_row_cap_comes_from_the_settings(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PLANT_MAX_ROWS_PER_FILE", "4")
    get_settings.cache_clear()
    try:
        assert get_settings().max_rows_per_file == 4
        result = runner.invoke(app, ["spc", str(wide(tmp_path, ROWS))])  # 6 rows
        assert result.exit_code == 1 and "has more than 4 rows" in result.output
        assert "Traceback" not in result.output
    finally:
        monkeypatch.delenv("PLANT_MAX_ROWS_PER_FILE")
        get_settings.cache_clear()
    assert get_settings().max_rows_per_file == 1_000_000
