"""What a trained defect model is saved with: `metrics.json`, its model card and the test
set's confusion matrix."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

from tools.defects.model import SEVERITIES, DefectModel


def save_artefacts(model: DefectModel, metrics: dict[str, Any], output: Path) -> None:
    """The model, `metrics.json`, the model card and the test confusion matrix."""
    model.version = time.strftime("%Y%m%d-%H%M%S")
    model.metrics = metrics
    model.save(output)
    (output / "metrics.json").write_text(json.dumps(metrics, indent=2) + "\n", encoding="utf-8")
    (output / "README.md").write_text(model_card(metrics), encoding="utf-8")
    confusion_png(metrics["test"]["confusion_matrix"], output / "confusion_severity.png")


def confusion_png(matrix: list[list[int]], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, axes = plt.subplots(figsize=(4, 3.5))
    axes.imshow(matrix, cmap="Blues")
    axes.set_xticks(range(len(SEVERITIES)), SEVERITIES)
    axes.set_yticks(range(len(SEVERITIES)), SEVERITIES)
    axes.set_xlabel("predicted")
    axes.set_ylabel("true")
    for i, row in enumerate(matrix):
        for j, value in enumerate(row):
            axes.text(j, i, str(value), ha="center", va="center")
    axes.set_title("Severity on the test set")
    figure.tight_layout()
    figure.savefig(path, dpi=120)
    plt.close(figure)


def model_card(metrics: dict[str, Any]) -> str:
    test, args = metrics["test"], metrics["args"]
    recall = ", ".join(f"{k} {v:.3f}" for k, v in test["per_class_recall"].items())
    types = ", ".join(f"{k} {v:.3f}" for k, v in test["defect_type_recall"].items())
    return "\n".join(
        [
            "# Surface defect model",
            "",
            f"Backbone: `{args['backbone']}` (ImageNet weights), severity head (ok / minor / "
            "severe) and defect-type head, fine-tuned by `finetune/defects.py` on "
            f"{args['train_images']} generated {args['image_size']} px images "
            f"({metrics['train_seconds']:.0f} s).",
            "",
            f"Test set: {test['n']} images with other seeds, half of them with texture scales "
            "no training image has.",
            "",
            f"- severity accuracy {test['severity_accuracy']:.3f} (unseen texture scales: "
            f"{test['severity_accuracy_unseen_scale']:.3f})",
            f"- defect-vs-ok ROC-AUC {test['roc_auc']:.4f}",
            f"- recall per grade: {recall}",
            f"- recall per defect type: {types}",
            f"- localization hit rate (heatmap peak inside the defect mask): "
            f"{test['localization_hit_rate']:.3f}",
            f"- verdicts average {metrics.get('views', 1)} mirrored/turned copies of each image "
            "(1, 2 or 4, chosen on the validation set)",
            "",
            "Intended use: a first check of a part photo on the shop floor; the quality manual "
            "decides what happens to the part. Trained on generated textures only.",
            "",
        ]
    )
