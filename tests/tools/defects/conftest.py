"""A tiny product model on generated surfaces, built once per session for the defect tests."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import numpy as np
import pytest

from finetune.data.surfaces import SurfaceConfig, generate

SIZE = 64  # working size of the tiny model: an 8 x 8 patch grid
GOOD = SurfaceConfig(size=SIZE, severity_shares=(1.0, 0.0, 0.0), textures=("cast",))


def good_surface(index: int, seed: int = 5) -> np.ndarray:
    return generate(index, seed, GOOD).image


def with_blot(image: np.ndarray, centre: tuple[int, int], radius: int) -> np.ndarray:
    """The image with a dark round blot (a pit or inclusion) at `centre` (x, y)."""
    ys, xs = np.mgrid[: image.shape[0], : image.shape[1]]
    inside = (xs - centre[0]) ** 2 + (ys - centre[1]) ** 2 <= radius**2
    marked = image.copy()
    marked[inside] = (15, 15, 20)
    return marked


@pytest.fixture(scope="session")
def backbone() -> Any:
    from tools.defects.patchcore import load_backbone

    return load_backbone()


@pytest.fixture(scope="session")
def tiny_model(backbone: Any) -> Any:
    """A product model learnt from 12 generated good surfaces (half of the patches kept),
    with the two stages of the first recipe (the default stages' deepest is too coarse here)."""
    from tools.defects.patchcore import PatchCoreConfig, global_features, greedy_coreset
    from tools.defects.product import ProductModel, Signature, Thresholds

    # the stages of models learnt before block 14 joined the recipe: at 64 px block 14 is a
    # 2 x 2 grid, each cell a quadrant of the photo, too coarse for a photo this small
    config = PatchCoreConfig(
        layers=(4, 10), working_size=SIZE, coreset_ratio=0.5, smoothing_sigma=2.0
    )
    model = ProductModel(
        name="tiny", config=config, bank=np.zeros((0, 0), dtype=np.float32),
        thresholds=Thresholds(0.0, 0.0), signature=Signature.unset(),
        network=backbone,
    )  # fmt: skip
    features = model.features([good_surface(i) for i in range(12)])
    flat = features.reshape(-1, features.shape[-1])
    model.bank = flat[greedy_coreset(flat, config.coreset_ratio, 64, 0)]
    model.signature = Signature(global_features(features), typical=1.0, limit=float("inf"))
    held = model.score([good_surface(i) for i in range(100, 108)])
    model.signature = Signature.fit(model.signature.references, held.globals, held.medians, 2.0)
    top = float(held.image.max())
    model.thresholds = Thresholds(top * 1.25, top * 1.6)  # a margin: 8 held-out photos are few
    return replace(model)
