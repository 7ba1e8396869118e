"""A product's defect head: a linear patch classifier learnt from its labelled defect photos
(with masks), added to the memory bank's nearest-neighbour distance in the anomaly map.

PatchCore scores a patch by how far it lies from every good patch; a defect that looks like
some good texture (a band of another grinding pattern on a magnetic tile) lies close and is
missed. A linear classifier over the same patch features, taught by masked defect photos
which directions mark a defect, finds it. Both are put on one scale — each divided by its
spread over good patches the model never saw — and added:

    patch = distance / distance_scale + weight * (w . standardised(inputs) + b) / head_scale
    map = patch + photo_weight * median of the photo's patch scores

A patch's inputs are its feature and the mean feature of the `context` x `context` patches
around it: whether a patch is a defect depends on what surrounds it (a band of another
grinding pattern is a defect on one tile and the whole surface of another; on the magnetic
tiles' development split, a head taught by one half and the other half scored, pixel ROC-AUC
0.846 -> 0.881 with a window of 0.7 of the grid; `bench.defects_patchcore`).

A product learnt with a head reads each photo twice (`PatchCoreConfig.head_view`): at its
working size and at half of it, the coarser view's features brought to the same grid and
following each patch's own. At half the size a patch sees twice the surface, enough of a
grinding pattern to tell its direction and pitch (same halves: pixel ROC-AUC 0.881 -> 0.907,
image 0.913 -> 0.933, PRO 0.894 -> 0.911).

The photo's median patch score, added to every patch, is the evidence of the photo as a
whole: a patch is likelier a defect on a tile that is off all over. It lifts the large
defects that cover most of a photo and look like good texture patch by patch (an "Uneven"
band) above the good photos' patches; the price is a paler outline of small defects on such
photos (with the view, weight 0.5: pixel ROC-AUC 0.907 -> 0.925, PRO 0.911 -> 0.886).

Learnt in `finetune.defects_head`; applied here with numpy (and scipy's box filter).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np


@dataclass(frozen=True)
class DefectHead:
    """Patch classifier weights and the scales that put its score beside the distance."""

    mean: np.ndarray  # (D,) feature standardisation
    scale: np.ndarray  # (D,)
    coef: np.ndarray  # (D,)
    intercept: float
    distance_scale: float  # spread of unseen good patches' distances to the memory bank
    head_scale: float  # spread of unseen good patches' head scores
    weight: float = 1.0
    context: int = 0  # side of the window of patches averaged as context (0: none)
    photo_weight: float = 0.0  # of the photo's median patch score, added to each patch

    def logits(self, features: np.ndarray) -> np.ndarray:
        """The classifier's score of each patch: features (N, grid, grid, D) -> (N, grid, grid)."""
        inputs = head_inputs(features, self.context)
        flat = inputs.reshape(-1, inputs.shape[-1]).astype(np.float32)
        scores = ((flat - self.mean) / self.scale) @ self.coef + self.intercept
        return scores.reshape(inputs.shape[:-1])

    def combine(self, distances: np.ndarray, features: np.ndarray) -> np.ndarray:
        """Patch anomaly scores (N, grid, grid): the patches' distances (N, grid, grid) and
        features (N, grid, grid, D)."""
        head = self.logits(features) / self.head_scale
        patch = distances / self.distance_scale + self.weight * head
        if not self.photo_weight:
            return patch
        return patch + self.photo_weight * np.median(patch, axis=(-2, -1), keepdims=True)

    def to_arrays(self) -> dict[str, np.ndarray]:
        """What the product file stores (`from_arrays` reads it back)."""
        scalars = [
            self.intercept, self.distance_scale, self.head_scale, self.weight, self.context,
            self.photo_weight,
        ]  # fmt: skip
        return {
            "head_vectors": np.stack([self.mean, self.scale, self.coef]).astype(np.float32),
            "head_scalars": np.asarray(scalars, dtype=np.float64),
        }

    @classmethod
    def from_arrays(cls, data: Any) -> DefectHead | None:
        """The head stored in a product file, or None (a product learnt without masks)."""
        if "head_vectors" not in data:
            return None
        mean, scale, coef = np.asarray(data["head_vectors"], dtype=np.float32)
        intercept, distance_scale, head_scale, weight, *rest = (
            float(v) for v in data["head_scalars"]
        )
        # heads stored before context (or the photo's weight) had none
        context = int(rest[0]) if rest else 0
        photo_weight = rest[1] if len(rest) > 1 else 0.0
        return cls(
            mean, scale, coef, intercept, distance_scale, head_scale, weight, context, photo_weight
        )  # fmt: skip


def head_inputs(features: np.ndarray, context: int) -> np.ndarray:
    """Each patch's feature and, with a `context` window, the mean feature of the window
    around it (edges repeated): (N, grid, grid, D) -> (N, grid, grid, D or 2 D)."""
    if context <= 1:
        return features
    from scipy.ndimage import uniform_filter

    around = uniform_filter(
        features.astype(np.float32), size=(1, context, context, 1), mode="nearest"
    )
    return np.concatenate([features.astype(np.float32), around], axis=-1)
