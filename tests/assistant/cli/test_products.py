"""`plant train defects --product`, `plant inspect --product --json`, `plant eval defects
--product` and `plant products list|remove`, on a tiny product of generated surfaces."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from typer.testing import CliRunner

from assistant.cli.main import app
from assistant.cli.products import app as products_app
from assistant.settings import get_settings
from tests.finetune.test_defects_product import _defect_folder, _good_folder

runner = CliRunner()


@pytest.fixture(scope="module")
def folders(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("plant-products")
    defects, masks = _defect_folder(root, 3)
    return {"data": root / "data", "ok": _good_folder(root / "ok", 12), "defects": defects,
            "masks": masks}  # fmt: skip


@pytest.fixture(autouse=True)
def settings_env(folders: dict[str, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PLANT_DATA_DIR", str(folders["data"]))
    monkeypatch.setenv("PLANT_PRODUCT_WORKING_SIZE", "64")
    get_settings.cache_clear()


@pytest.fixture(scope="module")
def trained(folders: dict[str, Path]) -> str:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("PLANT_DATA_DIR", str(folders["data"]))
        patch.setenv("PLANT_PRODUCT_WORKING_SIZE", "64")
        get_settings.cache_clear()
        result = runner.invoke(
            app, ["train", "defects", "--product", "widget", "--ok", str(folders["ok"]),
                  "--defects", str(folders["defects"])],
        )  # fmt: skip
    get_settings.cache_clear()
    assert result.exit_code == 0, result.output
    return result.output


def test_training_prints_what_was_learnt_and_validated(trained: str) -> None:
    assert "Product 'widget' learnt from" in trained
    assert "held-out good photos and defect photos" in trained
    assert "image ROC-AUC" in trained


def test_training_with_masks_says_whether_a_defect_head_was_learnt(
    folders: dict[str, Path], tmp_path: Path
) -> None:
    args = ["train", "defects", "--product", "masked", "--ok", str(folders["ok"]),
            "--defects", str(folders["defects"]), "--masks", str(folders["masks"])]  # fmt: skip
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "no defect head: 3 masked defect photos; a defect head needs at least 4" in (
        " ".join(result.output.split())
    )
    _, fourth = _defect_folder(tmp_path, 4)
    more = tmp_path / "defect"
    result = runner.invoke(app, [*args[:6], "--defects", str(more), "--masks", str(fourth)])
    assert result.exit_code == 0, result.output
    assert "defect head learnt from 4 masked defect photos" in " ".join(result.output.split())
    listed = runner.invoke(products_app, ["list", "--json"])
    rows = {r["product"]: r for r in json.loads(listed.stdout)}
    assert rows["masked"]["defect_head_photos"] == 4
    assert runner.invoke(products_app, ["remove", "masked"]).exit_code == 0


def test_inspect_json_keeps_its_keys_and_adds_the_products(
    trained: str, folders: dict[str, Path], tmp_path: Path
) -> None:
    defect = folders["defects"] / "d1.png"
    other = tmp_path / "other.png"
    Image.fromarray(np.full((64, 64, 3), (0, 90, 255), np.uint8)).save(other)
    result = runner.invoke(
        app, ["inspect", str(defect), str(other), "--product", "widget", "--json",
              "--heatmap", str(tmp_path / "heat")],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    found, refused = (json.loads(line) for line in result.stdout.splitlines())
    assert {"path", "verdict", "defect_type", "probabilities", "heatmap"} <= set(found)
    assert found["product"] == "widget" and found["verdict"] != "ok"
    assert found["anomaly_score"] > found["threshold"] and found["area_px"] > 0
    x0, y0, x1, y1 = found["bbox"]
    assert x0 <= 24 < x1 and y0 <= 40 < y1  # the blot of d1.png
    assert Path(found["heatmap"]).exists()
    assert "does not look like a 'widget'" in refused["error"]


def test_eval_with_a_product_reports_pixel_metrics_with_masks(
    trained: str, folders: dict[str, Path]
) -> None:
    result = runner.invoke(
        app, ["eval", "defects", "--product", "widget", "--ok", str(folders["ok"]),
              "--defects", str(folders["defects"]), "--masks", str(folders["masks"]), "--json"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["good"] == 12 and report["defect"] == 3
    assert report["image_roc_auc"] == 1.0
    assert {"accuracy", "recall", "threshold", "pixel_roc_auc", "pro"} <= set(report)


def test_unknown_products_and_missing_folders_are_user_errors(trained: str) -> None:
    result = runner.invoke(app, ["inspect", "x.png", "--product", "gizmo"])
    assert result.exit_code == 1 and "No model for product 'gizmo'" in result.output
    assert "widget" in result.output  # the known ones are named
    result = runner.invoke(app, ["train", "defects", "--product", "gizmo"])
    assert result.exit_code == 1 and "--product needs --ok" in result.output


def test_products_list_and_remove(trained: str) -> None:
    result = runner.invoke(products_app, ["list", "--json"])
    assert result.exit_code == 0, result.output
    (row,) = json.loads(result.stdout)
    assert row["product"] == "widget" and row["threshold_method"] == "defects"
    assert row["defect_head_photos"] == 0  # defect photos without masks teach no head
    result = runner.invoke(products_app, ["remove", "widget"])
    assert result.exit_code == 0 and "Removed product 'widget'" in result.output
    assert json.loads(runner.invoke(products_app, ["list", "--json"]).stdout) == []
    result = runner.invoke(products_app, ["remove", "widget"])
    assert result.exit_code == 1 and "No product 'widget'" in result.output
