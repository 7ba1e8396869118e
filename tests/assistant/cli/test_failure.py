"""`plant train failure`, `plant eval failure` and `plant predict-failure` end to end."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from assistant.cli.main import app
from assistant.settings import get_settings
from finetune.data.machines import simulate

runner = CliRunner()


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("plant")


@pytest.fixture(autouse=True)
def settings_env(data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PLANT_DATA_DIR", str(data_dir))
    get_settings.cache_clear()


@pytest.fixture(scope="module")
def trained(data_dir: Path) -> Path:
    import os

    os.environ["PLANT_DATA_DIR"] = str(data_dir)
    get_settings.cache_clear()
    result = runner.invoke(app, ["train", "failure", "--train-rows", "6000", "--kinds", "gbt"])
    assert result.exit_code == 0, result.output
    assert "test ROC-AUC" in result.output
    return data_dir / "models" / "failure"


def test_without_a_model_the_user_is_told_what_to_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PLANT_DATA_DIR", str(tmp_path))
    get_settings.cache_clear()
    result = runner.invoke(app, ["eval", "failure"])
    assert result.exit_code != 0 and "plant train failure" in result.output
    assert "Traceback" not in result.output


def test_eval_on_the_generated_test_run_and_on_a_csv(trained: Path, tmp_path: Path) -> None:
    result = runner.invoke(app, ["eval", "failure", "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert set(report) == {
        "n",
        "roc_auc",
        "pr_auc",
        "precision",
        "recall",
        "f1",
        "threshold",
        "per_mode_recall",
    }
    assert report["n"] == 20_000 and report["roc_auc"] > 0.9
    csv = tmp_path / "public.csv"
    frame = simulate(3000, seed=11)
    frame.loc[5, "Torque [Nm]"] = -1  # one bad row: reported, skipped, the rest scored
    frame.to_csv(csv, index=False)
    result = runner.invoke(app, ["eval", "failure", "--csv", str(csv), "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["n"] == 2999
    assert "row 7" in result.stderr


def test_eval_csv_without_labels_is_refused(trained: Path, tmp_path: Path) -> None:
    csv = tmp_path / "unlabelled.csv"
    simulate(20, seed=1).drop(columns=["Machine failure"]).to_csv(csv, index=False)
    result = runner.invoke(app, ["eval", "failure", "--csv", str(csv)])
    assert result.exit_code != 0 and "'Machine failure'" in result.output


def test_predict_from_flags(trained: Path) -> None:
    args = ["predict-failure", "--type", "L", "--air-temp", "300.1", "--process-temp", "310.2",
            "--rpm", "1400", "--torque", "18", "--tool-wear", "20", "--json"]  # fmt: skip
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    row = json.loads(result.stdout)
    assert row["row"] == 1 and set(row["modes"]) == {"TWF", "HDF", "PWF", "OSF", "RNF"}
    assert row["label"] == 1 and row["modes"]["PWF"] > 0.5  # 2,639 W is below the floor
    assert any("below the 3,500 W floor" in line for line in row["explanation"])
    human = runner.invoke(app, args[:-1])
    assert "failure probability" in human.output and "power failure" in human.output


def test_predict_flags_with_bad_values(trained: Path) -> None:
    result = runner.invoke(app, ["predict-failure", "--type", "L", "--air-temp", "27"])
    assert result.exit_code != 0 and "--process-temp" in result.output
    args = ["predict-failure", "--type", "L", "--air-temp", "27", "--process-temp", "37",
            "--rpm", "1400", "--torque", "40", "--tool-wear", "20"]  # fmt: skip
    result = runner.invoke(app, args)
    assert result.exit_code != 0 and "--air-temp" in result.output and "°C" in result.output
    assert "Traceback" not in result.output


def test_predict_a_csv_row_by_row(trained: Path, tmp_path: Path) -> None:
    csv = tmp_path / "rows.csv"
    frame = simulate(4, seed=3)
    frame["Air temperature [K]"] = frame["Air temperature [K]"].astype(object)
    frame.loc[1, "Air temperature [K]"] = "warm"
    frame.to_csv(csv, index=False)
    result = runner.invoke(app, ["predict-failure", "--csv", str(csv), "--json"])
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["row"] for r in rows] == [2, 3, 4, 5]
    assert rows[1] == {"row": 3, "error": "column 'Air temperature [K]': 'warm' is not a number"}
    assert all("probability" in r for r in rows if r["row"] != 3)


def test_machines_seed_and_risk(trained: Path) -> None:
    first = runner.invoke(app, ["machines", "seed", "--processes", "20"])
    assert first.exit_code == 0 and "6 machine(s) added" in first.output
    again = runner.invoke(app, ["machines", "seed"])
    assert "already stored (6)" in again.output
    risk = runner.invoke(app, ["machines", "risk", "--json"])
    assert risk.exit_code == 0, risk.output
    ranked = [m["machine_id"] for m in json.loads(risk.stdout)["machines"]]
    assert len(ranked) == 6 and set(ranked[:2]) == {"M1-02", "L1-01"}


def test_a_csv_over_the_row_cap_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    csv = tmp_path / "rows.csv"
    simulate(5, seed=3).to_csv(csv, index=False)
    monkeypatch.setenv("PLANT_MAX_ROWS_PER_FILE", "4")
    get_settings.cache_clear()
    assert get_settings().max_rows_per_file == 4
    result = runner.invoke(app, ["predict-failure", "--csv", str(csv)])
    assert result.exit_code == 1 and "rows.csv has more than 4 rows" in result.output
    assert "Traceback" not in result.output
    monkeypatch.delenv("PLANT_MAX_ROWS_PER_FILE")
    get_settings.cache_clear()
    assert get_settings().max_rows_per_file == 1_000_000
