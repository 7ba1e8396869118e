"""Anomaly metrics on toy cases with known answers, and the choice of thresholds."""

from __future__ import annotations

import numpy as np
import pytest

from tools.defects.metrics import (
    choose_thresholds,
    grade_summary,
    image_roc_auc,
    pixel_roc_auc,
    pro_score,
)
from tools.defects.product import Thresholds


def _toy() -> tuple[list[np.ndarray], list[np.ndarray]]:
    """Two photos: the first with defects A (2x2) and B (4x4), the second defect-free."""
    mask = np.zeros((10, 10), dtype=bool)
    mask[1:3, 1:3] = True  # A
    mask[5:9, 5:9] = True  # B
    return [np.zeros((10, 10)), np.zeros((10, 10))], [mask, np.zeros((10, 10), dtype=bool)]


def test_a_perfect_map_scores_one() -> None:
    maps, masks = _toy()
    maps = [m.astype(float) for m in masks]
    assert pixel_roc_auc(maps, masks) == 1.0
    assert pro_score(maps, masks) == pytest.approx(1.0)


def test_pro_weighs_each_region_once_whatever_its_size() -> None:
    maps, masks = _toy()
    maps[0][1:3, 1:3] = 1.0  # only the small region A is found
    assert pro_score(maps, masks) == pytest.approx(0.5)
    # pixel ROC-AUC counts pixels: 4 of 20 defect pixels ranked first, 16 tied with 180 normal
    assert pixel_roc_auc(maps, masks) == pytest.approx((4 + 16 * 0.5) / 20)


def test_pro_counts_overlap_up_to_the_false_positive_limit() -> None:
    maps, masks = _toy()
    maps[0][5:9, 5:9] = np.linspace(0.1, 1.6, 16).reshape(4, 4)  # B partly above normals
    maps[1][:] = np.linspace(0, 1, 100).reshape(10, 10)  # normals spread over 0..1
    pro = pro_score(maps, masks)
    # A is never found; B has 6 of 16 pixels above every normal one (PRO 6/16/2 at FPR 0) and
    # 12 of 16 above the normals' 70th percentile (12/16/2 at FPR 0.3)
    assert 6 / 16 / 2 < pro < 12 / 16 / 2
    with pytest.raises(ValueError, match="defect region"):
        pro_score([np.zeros((3, 3))], [np.zeros((3, 3), dtype=bool)])


def test_image_roc_auc() -> None:
    assert image_roc_auc(np.array([0.1, 0.2]), np.array([0.3, 0.9])) == 1.0
    assert image_roc_auc(np.array([0.5, 0.9]), np.array([0.1, 0.6])) == 0.25


def test_thresholds_without_defects_come_from_the_good_scores() -> None:
    good = np.linspace(1.0, 2.0, 101)
    choice = choose_thresholds(good, None, quantile=0.9, severe_factor=2.0)
    assert choice.method == "good-quantile"
    assert choice.thresholds.minor == pytest.approx(1.9)
    assert choice.thresholds.severe == pytest.approx(1.9 + 2 * (1.9 - 1.5))


def test_the_fence_is_not_set_by_one_odd_good_photo() -> None:
    good = np.r_[np.linspace(1.0, 2.0, 39), 10.0]  # 39 typical held-out photos, one odd one
    choice = choose_thresholds(good, None, quantile=0.99, severe_factor=2.0, fence=1.5)
    assert choice.method == "good-fence"
    low, high = np.quantile(good, [0.25, 0.75])
    assert choice.thresholds.minor == pytest.approx(np.median(good) + 1.5 * (high - low))
    assert 2.0 < choice.thresholds.minor < 3.0  # above every typical photo, far below 10
    median = np.median(good)
    expected_severe = choice.thresholds.minor + 2 * (choice.thresholds.minor - median)
    assert choice.thresholds.severe == pytest.approx(expected_severe)
    quantile = choose_thresholds(good, None, quantile=0.99, severe_factor=2.0)
    assert quantile.thresholds.minor > 6.0  # what the 99th percentile of 40 photos gives


def test_thresholds_with_defects_separate_them_from_good_photos() -> None:
    good = np.array([1.0, 1.1, 1.2, 1.3])
    defect = np.array([1.25, 2.0, 3.0, 4.0, 5.0])
    choice = choose_thresholds(good, defect, quantile=0.99, severe_factor=2.0)
    assert choice.method == "defects"
    # 1.3 / 1.25 overlap: the best balanced accuracy cuts between 1.3 and 2.0
    assert 1.3 < choice.thresholds.minor < 2.0
    assert choice.thresholds.severe == pytest.approx(3.5)  # the median defect caught


def test_grade_summary() -> None:
    summary = grade_summary(
        np.array([0.5, 1.5]), np.array([0.2, 1.5, 3.0]), Thresholds(minor=1.0, severe=2.0)
    )
    assert summary["accuracy"] == pytest.approx(3 / 5)
    assert summary["recall"] == {
        "ok": 0.5, "defect": pytest.approx(2 / 3),
        "defect_as_minor": pytest.approx(1 / 3), "defect_as_severe": pytest.approx(1 / 3),
    }  # fmt: skip
