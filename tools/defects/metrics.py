"""Anomaly-detection metrics and threshold choice: image and pixel ROC-AUC, PRO (per-region
overlap, integrated up to a false-positive rate of 0.3 as in MVTec AD) and the grade limits."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from tools.defects.product import Thresholds

PRO_MAX_FPR = 0.3


@dataclass(frozen=True)
class ThresholdChoice:
    thresholds: Thresholds
    method: str  # "defects" (best balanced accuracy), "good-fence" or "good-quantile"


def image_roc_auc(good: np.ndarray, defect: np.ndarray) -> float:
    """ROC-AUC of image scores, defects as the positive class."""
    from sklearn.metrics import roc_auc_score

    labels = np.r_[np.zeros(len(good)), np.ones(len(defect))]
    return float(roc_auc_score(labels, np.r_[good, defect]))


def pixel_roc_auc(maps: list[np.ndarray], masks: list[np.ndarray]) -> float:
    """ROC-AUC over every pixel of every photo, mask pixels as the positive class."""
    from sklearn.metrics import roc_auc_score

    scores = np.concatenate([m.ravel() for m in maps])
    truth = np.concatenate([np.asarray(k, dtype=bool).ravel() for k in masks])
    return float(roc_auc_score(truth, scores))


def pro_score(
    maps: list[np.ndarray], masks: list[np.ndarray], max_fpr: float = PRO_MAX_FPR
) -> float:
    """Area under the per-region-overlap curve up to `max_fpr`, divided by `max_fpr` (1 is
    perfect). Each connected defect region counts once whatever its size, so a small crack
    weighs as much as a large stain; thresholds are set where the false-positive rate on
    defect-free pixels is 0, 0.001, ..., `max_fpr`."""
    from scipy.ndimage import label

    normal = np.sort(
        np.concatenate(
            [m[~np.asarray(k, dtype=bool)].ravel() for m, k in zip(maps, masks, strict=True)]
        )
    )
    regions = []
    for anomaly_map, mask in zip(maps, masks, strict=True):
        labels, count = label(np.asarray(mask, dtype=bool))
        regions += [np.sort(anomaly_map[labels == i]) for i in range(1, count + 1)]
    if not regions or not len(normal):
        raise ValueError("PRO needs at least one defect region and one defect-free pixel")
    fprs = np.linspace(0.0, max_fpr, round(max_fpr * 1000) + 1)
    overlaps = np.empty_like(fprs)
    for i, fpr in enumerate(fprs):
        # the lowest threshold whose false-positive rate is at most `fpr`
        allowed = int(np.floor(fpr * len(normal)))
        threshold = normal[-allowed - 1] if allowed < len(normal) else -np.inf
        overlaps[i] = np.mean(
            [1 - np.searchsorted(r, threshold, "right") / len(r) for r in regions]
        )
    return float(np.trapezoid(overlaps, fprs) / max_fpr)


def choose_thresholds(
    good: np.ndarray, defect: np.ndarray | None, *, quantile: float, severe_factor: float,
    fence: float = 0.0,
) -> ThresholdChoice:  # fmt: skip
    """The ok/minor and minor/severe limits of a product's image scores.

    With defect scores: `minor` is the cut with the best balanced accuracy between held-out
    good photos and defect photos (midway between neighbouring scores), `severe` the median
    of the defects above it. Without: `minor` is a robust fence over the good scores, their
    median + `fence` x IQR, when `fence` is above 0 (1.5: about the mean + 2 standard
    deviations of normal scores, ~2 % of good parts flagged; a few dozen held-out photos make
    a high quantile little more than their maximum, which one odd good photo sets), else
    their `quantile`; `severe` lies `severe_factor` times (minor - median) above it.
    """
    good = np.asarray(good, dtype=np.float64)
    median = float(np.median(good))
    if defect is None or not len(defect):
        if fence > 0:
            low, high = np.quantile(good, [0.25, 0.75])
            minor, method = median + fence * float(high - low), "good-fence"
        else:
            minor, method = float(np.quantile(good, quantile)), "good-quantile"
        severe = minor + severe_factor * max(minor - median, 1e-6)
        return ThresholdChoice(Thresholds(minor, severe), method)
    defect = np.asarray(defect, dtype=np.float64)
    values = np.unique(np.r_[good, defect])
    cuts = np.r_[values[0] - 1e-6, (values[:-1] + values[1:]) / 2, values[-1] + 1e-6]
    balanced = [((good < c).mean() + (defect >= c).mean()) / 2 for c in cuts]
    minor = float(cuts[int(np.argmax(balanced))])
    caught = defect[defect >= minor]
    severe = float(np.median(caught)) if len(caught) else minor + severe_factor * (minor - median)
    return ThresholdChoice(Thresholds(minor, max(severe, minor + 1e-6)), "defects")


def grade_summary(
    good: np.ndarray, defect: np.ndarray, thresholds: Thresholds
) -> dict[str, float | dict[str, float]]:
    """Accuracy (ok vs not ok) at the product's threshold, and how each true class was graded
    (a defect graded minor or severe counts as found)."""
    good_grades = [thresholds.grade(float(s)) for s in good]
    defect_grades = [thresholds.grade(float(s)) for s in defect]
    correct = sum(g == "ok" for g in good_grades) + sum(g != "ok" for g in defect_grades)
    total = len(good_grades) + len(defect_grades)
    shares = {
        grade: (sum(g == grade for g in defect_grades) / len(defect_grades))
        if defect_grades
        else 0.0
        for grade in ("minor", "severe")
    }
    return {
        "accuracy": correct / total if total else 0.0,
        "recall": {
            "ok": (sum(g == "ok" for g in good_grades) / len(good_grades)) if good_grades else 0.0,
            "defect": (sum(g != "ok" for g in defect_grades) / len(defect_grades))
            if defect_grades
            else 0.0,
            **{f"defect_as_{k}": v for k, v in shares.items()},
        },
    }
