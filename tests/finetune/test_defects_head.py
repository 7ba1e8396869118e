"""Learning a defect head from masked defect photos: mask coverage per patch, a classifier
that finds the direction defects lie in, scales measured on unseen good patches, and the
defect photos scored out of fold."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pytest

from finetune.defects_head import (
    HeadConfig,
    NoHead,
    coverage,
    fit_head,
    folds_of,
    learn,
    sample_patches,
)

GRID, DIMS = 4, 6


def _photos(count: int, seed: int, defect: bool) -> tuple[np.ndarray, np.ndarray]:
    """Patch features (count, 4, 4, 6) of noise; a defect photo's top-left 2 x 2 patches are
    moved along feature 0 (what a mask marks), everything else is like a good photo."""
    rng = np.random.default_rng(seed)
    features = rng.normal(size=(count, GRID, GRID, DIMS)).astype(np.float32)
    covered = np.zeros((count, GRID, GRID), np.float32)
    if defect:
        features[:, :2, :2, 0] += 4.0
        covered[:, :2, :2] = 1.0
    return features, covered


def test_coverage_is_the_share_of_each_patch_under_the_mask() -> None:
    mask = np.zeros((8, 8), bool)
    mask[:2, :2] = True  # the whole top-left patch of a 4 x 4 grid
    mask[4, 4] = True  # a quarter of another
    shares = coverage([mask], GRID)
    assert shares.shape == (1, GRID, GRID)
    assert shares[0, 0, 0] == 1.0 and shares[0, 2, 2] == 0.25
    assert shares.sum() == pytest.approx(1.25)
    assert coverage([], GRID).shape == (0, GRID, GRID)


def test_the_head_scores_defect_patches_above_good_ones_on_the_good_patches_scale() -> None:
    defects, covered = _photos(6, 0, defect=True)
    good, _ = _photos(10, 1, defect=False)
    held, _ = _photos(5, 2, defect=False)
    held_distances = np.abs(np.random.default_rng(3).normal(2.0, 0.5, (5, GRID, GRID)))
    head = fit_head(defects, covered, good, held, held_distances, HeadConfig(context_share=0))
    assert head.context == 0 and head.coef.shape == (DIMS,)
    assert head.coef[0] > np.abs(head.coef[1:]).max()  # the defect's direction
    logits = head.logits(defects)
    assert logits[:, :2, :2].min() > logits[:, 2:, 2:].max()
    assert np.std(head.logits(held)) / head.head_scale == pytest.approx(1.0)
    assert head.distance_scale == pytest.approx(float(np.std(held_distances)))


def test_context_finds_a_defect_that_only_its_surroundings_make_one() -> None:
    """Each photo has its own level of feature 0 (another light, another batch); a defect is
    a 3 x 3 patch block 2 above its photo's level, which other photos reach unharmed. The
    patch alone cannot tell; with the mean of the patches around it, the head can."""
    from sklearn.metrics import roc_auc_score

    grid, rng = 8, np.random.default_rng(0)

    def photos(count: int, defect: bool) -> tuple[np.ndarray, np.ndarray]:
        features = rng.normal(scale=0.3, size=(count, grid, grid, DIMS)).astype(np.float32)
        features[..., 0] += rng.uniform(-3, 3, size=(count, 1, 1)).astype(np.float32)
        covered = np.zeros((count, grid, grid), np.float32)
        if defect:
            features[:, 2:5, 2:5, 0] += 2.0
            covered[:, 2:5, 2:5] = 1.0
        return features, covered

    defects, covered = photos(30, defect=True)
    good, _ = photos(20, defect=False)
    held, _ = photos(10, defect=False)
    distances = np.ones((10, grid, grid))
    test, truth = photos(20, defect=True)

    def auc(share: float) -> float:
        head = fit_head(defects, covered, good, held, distances, HeadConfig(context_share=share))
        return float(roc_auc_score(truth.ravel(), head.logits(test).ravel()))

    with_context = fit_head(defects, covered, good, held, distances, HeadConfig())
    assert with_context.context == 7 and with_context.coef.shape == (2 * DIMS,)
    assert auc(0.7) > 0.95 and auc(0.7) > auc(0.0) + 0.15


def test_masks_that_cover_no_patch_teach_no_head() -> None:
    defects, covered = _photos(4, 0, defect=True)
    good, _ = _photos(3, 1, defect=False)
    with pytest.raises(NoHead, match="no patch is covered"):
        fit_head(defects, covered * 0.2, good, good, np.ones((3, GRID, GRID)), HeadConfig())


@dataclass
class _Bank:
    """A stand-in for a product model's bank distance and scoring: distances all 1."""

    head: Any = None

    def patch_distances(self, features: np.ndarray) -> np.ndarray:
        return np.ones(features.shape[:-1], np.float32)

    def score_features(self, features: np.ndarray, distances: np.ndarray | None = None) -> Any:
        from tools.defects.product import Scores

        patch = self.patch_distances(features) if distances is None else distances
        maps = self.head.combine(patch, features)
        count = len(features)
        return Scores(maps=maps, image=maps.reshape(count, -1).max(axis=1),
                      distance=np.zeros(count), globals=features.mean(axis=(1, 2)),
                      medians=np.ones(count))  # fmt: skip


def test_defect_photos_are_scored_out_of_fold_and_in_their_order() -> None:
    defects, covered = _photos(5, 0, defect=True)
    defects[3, :2, :2, 0] -= 4.0  # photo 3's defect lies along feature 1, the others' along 0
    defects[3, :2, :2, 1] += 4.0
    good, _ = _photos(8, 1, defect=False)
    held, _ = _photos(4, 2, defect=False)
    bank = _Bank()
    head, scores = learn(bank, defects, covered, good, held,  # type: ignore[arg-type]
                         bank.patch_distances(held), HeadConfig(min_photos=4))  # fmt: skip
    assert head.coef[0] > 0 and head.coef[1] > 0  # the head kept learns from every photo
    in_sample = _Bank(head)
    # photo 3 (fold 1) was scored by a head learnt from photos 0, 2 and 4 only: feature 1
    # meant nothing to it, so it scores photo 3 lower than the head that saw photo 3 does
    assert scores.image[3] < in_sample.score_features(defects[3:4]).image[0]
    assert scores.image[3] < min(np.delete(scores.image, 3))  # and in its own place


def test_too_few_masked_photos_teach_no_head() -> None:
    defects, covered = _photos(3, 0, defect=True)
    with pytest.raises(NoHead, match="3 masked defect photos; a defect head needs at least 4"):
        learn(_Bank(), defects, covered, np.zeros((1, GRID, GRID, DIMS)), defects,  # type: ignore[arg-type]
              _Bank().patch_distances(defects), HeadConfig())  # fmt: skip


def test_folds_take_the_photos_in_turn_and_samples_never_repeat() -> None:
    assert folds_of(5, 2).tolist() == [0, 1, 0, 1, 0]
    features = np.arange(2 * 3 * 3 * 2, dtype=np.float32).reshape(2, 3, 3, 2)
    picked = sample_patches(features, 5, seed=0)
    assert picked.shape == (5, 2) and len({tuple(r) for r in picked}) == 5
    assert sample_patches(features, 100, seed=0).shape == (18, 2)
