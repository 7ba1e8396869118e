"""The demo defect model measured: predictions in batches, the test metrics (severity
accuracy, ROC-AUC, localization hit rate, recall per class and per defect type), and the number
of averaged views chosen on the validation set."""

from __future__ import annotations

from typing import Any

import numpy as np

from finetune.defects_images import ImageSet
from tools.defects.model import DEFECT_TYPES, SEVERITIES, DefectModel, augmented_views

__all__ = ["choose_views", "evaluate", "localization_hits", "predict"]


def predict(
    model: DefectModel, images: np.ndarray, batch_size: int = 64
) -> tuple[np.ndarray, np.ndarray]:
    found = [
        model.probabilities(images[i : i + batch_size]) for i in range(0, len(images), batch_size)
    ]
    return np.concatenate([s for s, _ in found]), np.concatenate([k for _, k in found])


def localization_hits(model: DefectModel, data: ImageSet, batch_size: int = 32) -> np.ndarray:
    """For each defective image, whether the heatmap's peak lies inside the defect mask."""
    hits = []
    defective = np.flatnonzero(data.severity > 0)
    for start in range(0, len(defective), batch_size):
        rows = defective[start : start + batch_size]
        maps = model.heatmaps(data.images[rows])
        for row, heat in zip(rows, maps, strict=True):
            y, x = np.unravel_index(int(np.argmax(heat)), heat.shape)
            hits.append(bool(data.masks[row][y, x]))
    return np.array(hits)


def evaluate(model: DefectModel, data: ImageSet) -> dict[str, Any]:
    from sklearn.metrics import confusion_matrix, recall_score, roc_auc_score

    severity_p, type_p = predict(model, data.images)
    predicted = severity_p.argmax(axis=1)
    defective = data.severity > 0
    hits = localization_hits(model, data)
    recalls = recall_score(
        data.severity, predicted, labels=list(range(len(SEVERITIES))), average=None, zero_division=0
    )
    type_predicted = type_p.argmax(axis=1)
    type_recall = {
        name: float((type_predicted[data.defect_type == j] == j).mean())
        for j, name in enumerate(DEFECT_TYPES)
        if j > 0 and (data.defect_type == j).any()
    }
    held = data.held_out_scale
    unseen = float((predicted[held] == data.severity[held]).mean()) if held.any() else None
    return {
        "n": len(data.severity),
        "severity_accuracy": float((predicted == data.severity).mean()),
        "roc_auc": float(roc_auc_score(defective, 1.0 - severity_p[:, 0])),
        "per_class_recall": {name: float(r) for name, r in zip(SEVERITIES, recalls, strict=True)},
        "defect_type_recall": type_recall,
        "localization_hit_rate": float(hits.mean()) if len(hits) else None,
        "severity_accuracy_unseen_scale": unseen,
        "confusion_matrix": confusion_matrix(data.severity, predicted).tolist(),
    }


def choose_views(model: DefectModel, validation: ImageSet) -> tuple[int, dict[str, Any]]:
    """How many mirrored/turned copies to average at inference (1, 2 or 4): the fewest with
    the best validation accuracy, then ROC-AUC — chosen on validation, never on the test."""
    from sklearn.metrics import roc_auc_score

    scores: dict[str, Any] = {}
    defective = validation.severity > 0
    # each copy predicted once; 1, 2 and 4 views average the first 1, 2 or 4 of them, as
    # `DefectModel.probabilities` does (4 passes over the set instead of 1 + 2 + 4)
    model.views = 1
    per_view = [predict(model, copy)[0] for copy in augmented_views(validation.images, 4)]
    for views in (1, 2, 4):
        severity_p = np.mean(per_view[:views], axis=0)
        accuracy = float((severity_p.argmax(axis=1) == validation.severity).mean())
        auc = (
            float(roc_auc_score(defective, 1.0 - severity_p[:, 0]))
            if 0 < defective.sum() < len(defective)
            else 0.0
        )
        scores[str(views)] = {"severity_accuracy": accuracy, "roc_auc": auc}
    best = max(
        (1, 2, 4),
        key=lambda v: (scores[str(v)]["severity_accuracy"], scores[str(v)]["roc_auc"], -v),
    )
    return best, scores
