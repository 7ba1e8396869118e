"""Learn a product's defect head (`tools.defects.defect_head`) from defect photos with masks.

A logistic regression over patch features: patches a mask covers (at least
`positive_share` of them) against the defect photos' unmasked patches and patches of the
memory bank's good photos; its score and the bank distance are each scaled by their spread
over the held-out good photos. The thresholds must not be set on scores of photos the head
learnt from, so `learn` scores the defect photos out of fold: each fold by a head
learnt from the others. The product keeps the head learnt from all of them.

Chosen on the magnetic tiles' development split (even/odd halves: one half's masks teach the
head, the other half is scored; `python -m bench.defects_patchcore`).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np

from tools.defects.defect_head import DefectHead, head_inputs
from tools.defects.product import ProductModel, Scores


@dataclass(frozen=True)
class HeadConfig:
    c: float = 0.1  # inverse strength of the L2 penalty
    # the context window's side as a share of the grid (0.7: 29 of 40 patches); chosen on
    # the tiles' development split (cached features, two folds by type: windows of 21-33
    # patches gave pixel ROC-AUC 0.903-0.917, none 0.875, the whole grid 0.887)
    context_share: float = 0.7
    weight: float = 1.0  # of the head's score beside the distance, both scaled
    # of the photo's median patch score, added to each patch; chosen on the same halves with
    # the 160 px head view (`finetune.defects_product --head_view`): 0 / 0.25 / 0.5 / 0.75
    # gave pixel ROC-AUC 0.907 / 0.918 / 0.925 / 0.930, PRO 0.911 / 0.903 / 0.886 / 0.859 and
    # image ROC-AUC 0.933 / 0.938 / 0.933 / 0.910; the photo's 25th or 75th percentile
    # instead of its median did the same as the median (without the view)
    photo_weight: float = 0.5
    positive_share: float = 0.5  # a patch this much covered by a mask is a defect patch
    good_patches: int = 32_000  # negatives sampled from the bank photos' patches
    folds: int = 2
    min_photos: int = 4  # masked defect photos needed (each fold learns from some)
    seed: int = 0


class NoHead(ValueError):
    """The masks cannot teach a head (too few masked photos or defect patches)."""


def coverage(masks: list[np.ndarray], grid: int) -> np.ndarray:
    """The share of each patch that each photo's mask covers: (N, grid, grid), each mask
    brought to the square working grid the photo is resized to (area average)."""
    import torch

    shares = [
        torch.nn.functional.interpolate(
            torch.as_tensor(m, dtype=torch.float32)[None, None], size=(grid, grid), mode="area"
        )[0, 0].numpy()
        for m in masks
    ]
    return np.stack(shares) if shares else np.zeros((0, grid, grid), dtype=np.float32)


def fit_head(
    defect_features: np.ndarray, covered: np.ndarray, good_features: np.ndarray,
    held_features: np.ndarray, held_distances: np.ndarray, config: HeadConfig,
) -> DefectHead:  # fmt: skip
    """The head learnt from defect photos' patch features (N, g, g, D) with their mask
    coverage (N, g, g) and good photos' features (M, g, g, D; `good_patches` of their
    patches are drawn), scaled on held-out good photos' features (H, g, g, D) and bank
    distances (H, g, g)."""
    from sklearn.linear_model import LogisticRegression

    context = context_window(defect_features.shape[1], config.context_share)
    inputs = head_inputs(defect_features, context)
    positives = inputs[covered >= config.positive_share]
    if not len(positives):
        raise NoHead("no patch is covered by a defect mask")
    good = sample_patches(head_inputs(good_features, context), config.good_patches, config.seed)
    negatives = np.concatenate([inputs[covered == 0], good])
    x = np.concatenate([positives, negatives]).astype(np.float32)
    y = np.r_[np.ones(len(positives)), np.zeros(len(negatives))]
    mean, scale = x.mean(axis=0), x.std(axis=0) + 1e-6
    classifier = LogisticRegression(C=config.c, max_iter=300, class_weight="balanced")
    classifier.fit((x - mean) / scale, y)
    head = DefectHead(
        mean=mean, scale=scale, coef=classifier.coef_[0].astype(np.float32),
        intercept=float(classifier.intercept_[0]),
        distance_scale=_spread(held_distances), head_scale=1.0, weight=config.weight,
        context=context, photo_weight=config.photo_weight,
    )  # fmt: skip
    return dataclasses.replace(head, head_scale=_spread(head.logits(held_features)))


def context_window(grid: int, share: float) -> int:
    """The context window's side in patches: `share` of the grid, odd (0: none)."""
    side = round(share * grid)
    return 0 if side <= 1 else side | 1


def _spread(values: np.ndarray) -> float:
    spread = float(np.std(values))
    return spread if spread > 1e-9 else 1.0


def sample_patches(features: np.ndarray, count: int, seed: int) -> np.ndarray:
    """`count` patch features (count, D) drawn without replacement from (N, g, g, D)."""
    flat = features.reshape(-1, features.shape[-1])
    if len(flat) <= count:
        return flat
    return flat[np.random.default_rng(seed).choice(len(flat), count, replace=False)]


def folds_of(count: int, folds: int) -> np.ndarray:
    """Each photo's fold: photos taken in turn (0, 1, 0, 1, ...)."""
    return np.arange(count) % folds


def learn(
    model: ProductModel, defect_features: np.ndarray, covered: np.ndarray,
    good_features: np.ndarray, held_features: np.ndarray, held_distances: np.ndarray,
    config: HeadConfig,
) -> tuple[DefectHead, Scores]:  # fmt: skip
    """The head from every masked photo, and the defect photos' scores out of fold;
    `held_distances` are the held-out good photos' `patch_distances`."""
    if len(defect_features) < config.min_photos:
        raise NoHead(
            f"{len(defect_features)} masked defect photos; a defect head needs at least "
            f"{config.min_photos}"
        )
    folds = folds_of(len(defect_features), config.folds)
    parts: list[tuple[np.ndarray, Scores]] = []
    for fold in range(config.folds):
        rest = folds != fold
        head = fit_head(defect_features[rest], covered[rest], good_features, held_features,
                        held_distances, config)  # fmt: skip
        rows = np.flatnonzero(~rest)
        scored = dataclasses.replace(model, head=head).score_features(defect_features[rows])
        parts.append((rows, scored))
    head = fit_head(defect_features, covered, good_features, held_features, held_distances, config)
    return head, in_order(parts)


def in_order(parts: list[tuple[np.ndarray, Scores]]) -> Scores:
    """Scores of photo subsets put back in the photos' order."""
    rows = np.concatenate([r for r, _ in parts])
    order = np.argsort(rows)
    fields = [f.name for f in dataclasses.fields(Scores)]
    joined = {k: np.concatenate([getattr(s, k) for _, s in parts])[order] for k in fields}
    return Scores(**joined)
