"""The defect training script on a tiny run, the saved model, heatmaps, other backbones."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from finetune.data.surfaces import generate
from finetune.defects import evaluate, main, make_set, shortfalls
from tools.defects.model import (
    DEFECT_TYPES,
    SEVERITIES,
    DefectModel,
    DefectModelMissing,
    augmented_views,
)

TINY = ["--image_size", "64", "--train_images", "48", "--validation_images", "16",
        "--test_images", "24", "--epochs", "1", "--batch_size", "16"]  # fmt: skip


@pytest.fixture(scope="module")
def trained(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("defects")
    main(["--output_dir", str(out), *TINY])
    return out


def test_artefacts_and_metrics(trained: Path) -> None:
    metrics = json.loads((trained / "metrics.json").read_text())
    test = metrics["test"]
    assert test["n"] == 24 and 0.0 <= test["severity_accuracy"] <= 1.0
    assert set(test["per_class_recall"]) == set(SEVERITIES)
    assert 0.0 <= test["localization_hit_rate"] <= 1.0
    assert test["severity_accuracy_unseen_scale"] is not None
    assert (trained / "confusion_severity.png").read_bytes()[:4] == b"\x89PNG"
    assert "severity accuracy" in (trained / "README.md").read_text()


def test_reload_predicts_the_same_and_heatmaps_are_normalised(trained: Path) -> None:
    model = DefectModel.load(trained)
    images = np.stack([generate(i, seed=42, config=None).image[::2, ::2] for i in range(4)])
    severity, kinds = model.probabilities(images)
    again, _ = DefectModel.load(trained).probabilities(images)
    assert np.allclose(severity, again, atol=1e-6)
    assert severity.shape == (4, len(SEVERITIES)) and kinds.shape == (4, len(DEFECT_TYPES))
    assert np.allclose(severity.sum(axis=1), 1.0, atol=1e-5)
    maps = model.heatmaps(images)  # the segmentation head's defect probability
    assert maps.shape == (4, 64, 64) and maps.min() >= 0.0 and maps.max() <= 1.0 + 1e-6
    cams = model.gradcam(images)  # Grad-CAM, for comparison
    assert cams.shape == (4, 64, 64) and cams.max() <= 1.0 + 1e-6


def test_views_are_chosen_on_validation_saved_and_averaged(trained: Path) -> None:
    metrics = json.loads((trained / "metrics.json").read_text())
    assert set(metrics["validation_by_views"]) == {"1", "2", "4"}
    model = DefectModel.load(trained)
    assert model.views == metrics["views"]
    images = np.stack([generate(i, seed=43).image[::2, ::2] for i in range(3)])
    model.views = 4
    averaged, _ = model.probabilities(images)
    model.views = 1
    singles = [model.probabilities(copy)[0] for copy in augmented_views(images, 4)]
    assert np.allclose(averaged, np.mean(singles, axis=0), atol=1e-5)
    assert not np.allclose(singles[0], singles[3], atol=1e-4)  # the copies do differ


def test_augmented_views_mirror_and_turn() -> None:
    image = np.arange(2 * 3 * 3 * 3, dtype=np.uint8).reshape(2, 3, 3, 3)
    same, mirrored, flipped, turned = augmented_views(image, 4)
    assert np.array_equal(same, image)
    assert np.array_equal(mirrored[:, :, 0], image[:, :, -1])
    assert np.array_equal(flipped[:, 0], image[:, -1])
    assert np.array_equal(turned[0, :, :, 0], np.rot90(image[0, :, :, 0]))
    with pytest.raises(ValueError, match="1, 2 or 4"):
        augmented_views(image, 3)


def test_the_model_goes_to_the_gpu_when_there_is_one(trained: Path) -> None:
    import torch

    model = DefectModel.load(trained)  # device "auto"
    expected = "cuda" if torch.cuda.is_available() else "cpu"
    assert model.device == expected
    assert next(model.network.parameters()).device.type == expected
    on_cpu = DefectModel.load(trained, device="cpu")
    assert next(on_cpu.network.parameters()).device.type == "cpu"
    images = np.stack([generate(i, seed=44).image[::2, ::2] for i in range(2)])
    severity, _ = on_cpu.probabilities(images)  # numpy out, wherever the network sits
    assert isinstance(severity, np.ndarray) and severity.shape == (2, len(SEVERITIES))


def test_missing_model(tmp_path: Path) -> None:
    with pytest.raises(DefectModelMissing, match="plant train defects"):
        DefectModel.load(tmp_path)


def test_a_transformers_backbone_from_disk_also_trains(tmp_path: Path) -> None:
    from transformers import ViTConfig, ViTModel

    backbone = tmp_path / "tiny-vit"
    config = ViTConfig(image_size=64, patch_size=16, hidden_size=32, num_hidden_layers=1,
                       num_attention_heads=2, intermediate_size=37)  # fmt: skip
    ViTModel(config).save_pretrained(backbone)
    out = tmp_path / "model"
    main(["--output_dir", str(out), "--backbone", str(backbone), *TINY])
    model = DefectModel.load(out)
    assert model.backbone == str(backbone)
    data = make_set(6, seed=5, size=64)
    assert model.network.segment is None  # no feature map to segment from
    assert model.heatmaps(data.images).shape == (6, 64, 64)  # input-gradient saliency
    assert evaluate(model, data)["n"] == 6


def test_the_time_budget_stops_training_but_not_before_the_minimum(tmp_path: Path) -> None:
    tiny = [*TINY[: TINY.index("--epochs")], "--batch_size", "16", "--patience", "9"]
    budget = ["--time_budget_s", "0.001", "--epochs", "4"]  # every epoch is over the budget
    main(["--output_dir", str(tmp_path / "a"), *tiny, *budget, "--min_epochs", "2"])
    history = json.loads((tmp_path / "a" / "metrics.json").read_text())["history"]
    assert [h["epoch"] for h in history] == [1, 2]
    main(["--output_dir", str(tmp_path / "b"), *tiny, *budget, "--min_epochs", "1"])
    history = json.loads((tmp_path / "b" / "metrics.json").read_text())["history"]
    assert [h["epoch"] for h in history] == [1]


def test_shortfalls_name_each_missed_target() -> None:
    met = {"test": {"severity_accuracy": 0.957, "roc_auc": 0.991, "localization_hit_rate": 0.96}}
    assert shortfalls(met) == []
    missed = {"test": {"severity_accuracy": 0.728, "roc_auc": 0.9357, "localization_hit_rate": 0.9}}
    assert shortfalls(missed) == ["severity_accuracy 0.728 < 0.95", "roc_auc 0.936 < 0.99"]
    # a miss by less than the third decimal shows the digits that make it one
    near = {"test": {"severity_accuracy": 0.96, "roc_auc": 0.98996, "localization_hit_rate": 0.9}}
    assert shortfalls(near) == ["roc_auc 0.98996 < 0.99"]


def test_frozen_blocks_keep_their_pretrained_weights_and_the_rest_trains(tmp_path: Path) -> None:
    import torch

    from tools.defects.model import DEFAULT_BACKBONE, build_network

    main(["--output_dir", str(tmp_path), *TINY, "--freeze_blocks", "2"])
    trained = DefectModel.load(tmp_path).network.backbone.state_dict()
    pretrained = build_network(DEFAULT_BACKBONE).backbone.state_dict()
    for name in ("_conv_stem.weight", "_bn0.running_mean", "_blocks.1._project_conv.weight"):
        assert torch.equal(trained[name], pretrained[name]), name
    assert not torch.equal(trained["_blocks.2._project_conv.weight"],
                           pretrained["_blocks.2._project_conv.weight"])  # fmt: skip


def test_choose_views_scores_each_count_as_the_model_averages_it(trained: Path) -> None:
    from sklearn.metrics import roc_auc_score

    from finetune.defects_eval import choose_views

    model = DefectModel.load(trained)
    validation = make_set(24, 7, 64)
    best, scores = choose_views(model, validation)
    for views in (1, 2, 4):
        model.views = views
        severity, _ = model.probabilities(validation.images)
        accuracy = float((severity.argmax(axis=1) == validation.severity).mean())
        auc = roc_auc_score(validation.severity > 0, 1.0 - severity[:, 0])
        assert scores[str(views)]["severity_accuracy"] == pytest.approx(accuracy)
        assert scores[str(views)]["roc_auc"] == pytest.approx(auc, abs=1e-6)
    assert best in (1, 2, 4)
