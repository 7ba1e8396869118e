"""The demo defect model's images: generated surfaces (`finetune/data/surfaces.py`) with their
masks and labels, some at texture scales no training image has."""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from finetune.data.surfaces import HELD_OUT_SCALE, SurfaceConfig, generate
from tools.defects.model import DEFECT_TYPES, SEVERITIES

__all__ = ["ImageSet", "make_set"]


@dataclass
class ImageSet:
    images: np.ndarray  # uint8 (N, H, W, 3)
    masks: np.ndarray  # bool (N, H, W)
    severity: np.ndarray  # int, index into SEVERITIES
    defect_type: np.ndarray  # int, index into DEFECT_TYPES
    held_out_scale: np.ndarray  # bool: texture scale outside the training range


def make_set(n: int, seed: int, size: int, *, held_out_share: float = 0.0) -> ImageSet:
    train_config = SurfaceConfig(size=size)
    held_config = replace(train_config, texture_scale=HELD_OUT_SCALE)
    from tqdm import tqdm

    surfaces, held = [], []
    for i in tqdm(range(n), desc=f"generating {n} surfaces", unit="image", leave=False):
        unseen = i < int(n * held_out_share)
        surfaces.append(generate(i, seed, held_config if unseen else train_config))
        held.append(unseen)
    return ImageSet(
        images=np.stack([s.image for s in surfaces]),
        masks=np.stack([s.mask for s in surfaces]),
        severity=np.array([SEVERITIES.index(s.severity) for s in surfaces]),
        defect_type=np.array([DEFECT_TYPES.index(s.defect or "none") for s in surfaces]),
        held_out_scale=np.array(held),
    )
