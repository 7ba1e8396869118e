"""PatchCore pieces: photo arrays of any mode, coreset coverage, exact nearest neighbours,
and a synthetic defect scored above good patches and found where it is."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
import torch

from tests.tools.defects.conftest import SIZE, good_surface, with_blot
from tools.defects.patchcore import (
    PatchCoreConfig,
    augmented,
    bank_part,
    greedy_coreset,
    nearest_distances,
    prepare,
    to_rgb_array,
    with_view,
)


@pytest.mark.parametrize(
    ("array", "expected_pixel"),
    [
        (np.full((5, 7), 200, dtype=np.uint8), (200, 200, 200)),
        (np.full((5, 7, 1), 10, dtype=np.uint8), (10, 10, 10)),
        (np.dstack([np.full((5, 7, 3), 0, np.uint8), np.full((5, 7), 0, np.uint8)]), (255,) * 3),
        (np.dstack([np.full((5, 7, 3), 40, np.uint8), np.full((5, 7), 255, np.uint8)]), (40,) * 3),
    ],
)
def test_photo_arrays_of_any_mode_become_rgb(array: np.ndarray, expected_pixel: tuple) -> None:
    rgb = to_rgb_array(array)
    assert rgb.shape == (5, 7, 3) and rgb.dtype == np.uint8
    assert tuple(rgb[2, 3]) == expected_pixel


def test_sixteen_bit_photos_are_stretched_to_their_range() -> None:
    ramp = np.linspace(1000, 3000, 20 * 10).reshape(10, 20).astype(np.uint16)
    rgb = to_rgb_array(ramp)
    assert rgb.min() == 0 and rgb.max() == 255
    with pytest.raises(ValueError, match="not a photo array"):
        to_rgb_array(np.zeros((4, 4, 2), dtype=np.uint8))


def test_mixed_sizes_make_one_batch_of_the_working_size() -> None:
    photos: list[np.ndarray] = [np.zeros((30, 90), np.uint8), np.zeros((300, 200, 3), np.uint8),
              np.zeros((64, 64, 4), np.uint16)]  # fmt: skip
    batch = prepare(photos, 48)
    assert tuple(batch.shape) == (3, 3, 48, 48)
    assert torch.isfinite(batch).all()


def test_the_coreset_covers_every_cluster_however_small() -> None:
    rng = np.random.default_rng(0)
    big = rng.normal(0, 0.1, size=(500, 8))
    small = rng.normal(0, 0.1, size=(5, 8)) + 10  # a rare kind of good patch
    far = rng.normal(0, 0.1, size=(5, 8)) - 10
    points = np.concatenate([big, small, far]).astype(np.float32)
    picked = greedy_coreset(points, ratio=3 / len(points), dims=4, seed=1)
    assert len(picked) == 3 and len(set(picked.tolist())) == 3
    clusters = {0 if i < 500 else 1 if i < 505 else 2 for i in picked}
    assert clusters == {0, 1, 2}
    counted: list[int] = []
    picked = greedy_coreset(points, ratio=0.5, dims=4, seed=1, progress=counted.append)
    assert sum(counted) == len(picked) == 255 and len(counted) == 3  # steps 100, 200, 254


def test_nearest_distances_are_exact() -> None:
    rng = np.random.default_rng(1)
    bank, queries = rng.normal(size=(50, 6)), rng.normal(size=(30, 6))
    brute = np.sqrt(((queries[:, None] - bank[None]) ** 2).sum(-1)).min(axis=1)
    np.testing.assert_allclose(nearest_distances(bank, queries, chunk=7), brute, rtol=1e-4)


def test_a_defect_scores_above_good_photos_and_is_found_where_it_is(tiny_model: Any) -> None:
    good = [good_surface(i) for i in range(200, 204)]
    defective = [with_blot(good_surface(i), (44, 20), 6) for i in range(300, 304)]
    scores = tiny_model.score(good + defective)
    assert scores.image[4:].min() > scores.image[:4].max()
    for anomaly_map in scores.maps[4:]:
        y, x = np.unravel_index(int(np.argmax(anomaly_map)), anomaly_map.shape)
        assert abs(x - 44) <= 8 and abs(y - 20) <= 8, (x, y)
    assert scores.maps.shape == (8, SIZE, SIZE)
    assert torch.is_grad_enabled()  # no_grad inside, the global mode left as it was


def test_configs_read_back_from_json_are_equal_and_unknown_flips_refused() -> None:
    import json
    from dataclasses import asdict

    stored = json.loads(json.dumps(asdict(PatchCoreConfig())))  # tuples come back as lists
    assert PatchCoreConfig(**stored) == PatchCoreConfig()
    assert PatchCoreConfig(**stored).layers == (4, 10, 14)
    with pytest.raises(ValueError, match="unknown augmentation"):
        PatchCoreConfig(augment=("rotate45",))


def test_flipped_copies_come_kind_by_kind() -> None:
    photos = [np.arange(12, dtype=np.uint8).reshape(3, 4), np.ones((2, 5, 3), np.uint8)]
    copies = augmented(photos, ("hflip", "vflip"))
    assert len(copies) == 4
    np.testing.assert_array_equal(copies[0], photos[0][:, ::-1])
    np.testing.assert_array_equal(copies[2], photos[0][::-1])
    assert all(c.flags["C_CONTIGUOUS"] for c in copies)
    assert augmented(photos, ()) == []


def test_a_head_view_follows_each_patch_at_the_grid_and_the_bank_reads_its_own_part() -> None:
    fine = torch.zeros(1, 4, 4, 2)
    coarse = torch.arange(8, dtype=torch.float32).reshape(1, 2, 2, 2)  # a 2 x 2 coarser grid
    both = with_view(fine, coarse)
    assert both.shape == (1, 4, 4, 4)
    assert torch.equal(both[..., :2], fine)
    # the coarse grid's top-left cell covers the fine grid's top-left 2 x 2 patches
    assert torch.allclose(both[0, 0, 0, 2:], coarse[0, 0, 0])
    features = both.numpy()
    assert bank_part(features, PatchCoreConfig(head_view=32)).shape == (1, 4, 4, 2)
    assert bank_part(features, PatchCoreConfig()) is features  # no view: all of it


def test_a_product_with_a_head_view_keeps_its_distances_and_signature(tiny_model: Any) -> None:
    from dataclasses import replace

    photos = [good_surface(500), with_blot(good_surface(501), (44, 20), 6)]
    plain = tiny_model.score(photos)
    viewed = replace(tiny_model, config=replace(tiny_model.config, head_view=32))
    features = viewed.features(photos)
    assert features.shape[-1] == 2 * tiny_model.bank.shape[1]
    scores = viewed.score_features(features)  # no head: the view changes nothing
    np.testing.assert_allclose(scores.maps, plain.maps, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(scores.globals, plain.globals, rtol=1e-5, atol=1e-5)
