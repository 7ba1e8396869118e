"""The failure training script on a tiny run: both kinds, calibration, artefacts, reload."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from finetune.data.machines import simulate
from finetune.failure import best_f1_threshold, labels_of, main, readings_of
from tools.failure.model import TARGETS, FailureModel, FailureModelMissing, IsotonicMap
from tools.failure.readings import features

TINY = [
    "--train_rows", "6000", "--test_rows", "3000", "--gbt_rounds", "150",
    "--mlp_epochs", "4", "--seed", "1",
]  # fmt: skip


@pytest.fixture(scope="module")
def trained(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    out = tmp_path_factory.mktemp("failure")
    return out, main(["--output_dir", str(out), *TINY])


def test_both_kinds_are_compared_and_the_better_one_is_saved(trained: tuple[Path, dict]) -> None:
    out, metrics = trained
    assert set(metrics["test"]) == {"gbt", "mlp"}
    chosen = metrics["chosen"]
    assert metrics["validation_pr_auc"][chosen] == max(metrics["validation_pr_auc"].values())
    gbt = metrics["test"]["gbt"]
    assert gbt["roc_auc"] > 0.9 and gbt["per_mode_recall"]["PWF"] > 0.5
    assert set(gbt["per_mode_recall"]) == {"TWF", "HDF", "PWF", "OSF", "RNF"}
    assert json.loads((out / "metrics.json").read_text())["chosen"] == chosen
    card = (out / "README.md").read_text()
    assert "| gbt |" in card and "| mlp |" in card


def test_the_saved_model_reloads_and_predicts_the_same(trained: tuple[Path, dict]) -> None:
    out, _ = trained
    model = FailureModel.load(out)
    test = simulate(400, seed=99)
    x = features(readings_of(test))
    first = model.predict(x)
    again = FailureModel.load(out).predict(x)
    assert set(first) == set(TARGETS)
    for target in TARGETS:
        assert np.allclose(first[target], again[target])
        assert ((first[target] >= 0) & (first[target] <= 1)).all()
    assert 0 < model.threshold <= 1  # isotonic maps may reach 1.0 in their top step
    contributions = model.contributions(x[:5])
    assert contributions.shape == (5, x.shape[1])
    # power-failure rows are pushed up by the physical features
    pwf = labels_of(test)[:, 3] == 1
    if pwf.any():
        assert first["failure"][pwf].mean() > first["failure"][~pwf].mean()


def test_the_mlp_kind_also_round_trips(tmp_path: Path) -> None:
    main(["--output_dir", str(tmp_path), *TINY, "--kinds", "mlp"])
    model = FailureModel.load(tmp_path)
    assert model.kind == "mlp"
    x = features(readings_of(simulate(50, seed=5)))
    assert model.contributions(x).shape == x.shape  # occlusion effects
    assert (tmp_path / "mlp.pt").exists()


def test_missing_or_stale_models_say_what_to_run(tmp_path: Path) -> None:
    with pytest.raises(FailureModelMissing, match="plant train failure"):
        FailureModel.load(tmp_path)
    (tmp_path / "failure_model.json").write_text(json.dumps({"features": ["torque"]}))
    with pytest.raises(FailureModelMissing, match="other features"):
        FailureModel.load(tmp_path)


def test_unknown_kinds_are_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="unknown model kind"):
        main(["--output_dir", str(tmp_path), *TINY, "--kinds", "svm"])


def test_calibration_and_threshold_helpers() -> None:
    raw = np.array([0.1, 0.2, 0.3, 0.8, 0.9])
    labels = np.array([0, 0, 1, 1, 1])
    calibrated = IsotonicMap.fit(raw, labels)(raw)
    assert np.all(np.diff(calibrated) >= 0) and calibrated[-1] == 1.0
    assert IsotonicMap.fit(raw, np.zeros(5))(raw).tolist() == raw.tolist()
    assert best_f1_threshold(labels, raw) == pytest.approx(0.3)
