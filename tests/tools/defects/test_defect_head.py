"""The defect head's arithmetic: a linear score per patch, scaled and added to the distance,
and stored and read back as arrays."""

from __future__ import annotations

import numpy as np
import pytest

from tools.defects.defect_head import DefectHead


def _head(weight: float = 2.0) -> DefectHead:
    return DefectHead(
        mean=np.array([1.0, 0.0], np.float32), scale=np.array([2.0, 1.0], np.float32),
        coef=np.array([1.0, -1.0], np.float32), intercept=0.5,
        distance_scale=4.0, head_scale=0.5, weight=weight,
    )  # fmt: skip


def test_logits_standardise_the_features_then_weigh_them() -> None:
    features = np.array([[[[3.0, 1.0], [1.0, 0.0]]]], np.float32)  # (1, 1, 2, 2)
    # (3 - 1) / 2 - 1 + 0.5 = 0.5 and (1 - 1) / 2 - 0 + 0.5 = 0.5
    np.testing.assert_allclose(_head().logits(features), [[[0.5, 0.5]]])
    np.testing.assert_allclose(_head().logits(np.array([[[[5.0, 0.0]]]], np.float32)), [[[2.5]]])


def test_combine_adds_the_scaled_head_to_the_scaled_distance() -> None:
    features = np.array([[[[5.0, 0.0], [1.0, 3.0]]]], np.float32)  # logits 2.5 and -2.5
    distances = np.array([[[8.0, 8.0]]], np.float32)
    combined = _head(weight=2.0).combine(distances, features)
    np.testing.assert_allclose(combined, [[[8 / 4 + 2 * 2.5 / 0.5, 8 / 4 - 2 * 2.5 / 0.5]]])
    assert combined.shape == distances.shape


def test_a_head_is_stored_as_arrays_and_read_back() -> None:
    head = _head()
    back = DefectHead.from_arrays(head.to_arrays())
    assert back is not None
    for name in ("mean", "scale", "coef"):
        np.testing.assert_array_equal(getattr(back, name), getattr(head, name))
    assert (back.intercept, back.distance_scale, back.head_scale, back.weight) == (
        0.5, 4.0, 0.5, 2.0,
    )  # fmt: skip


def test_a_product_file_without_a_head_reads_as_none() -> None:
    assert DefectHead.from_arrays({"bank": np.zeros((2, 2))}) is None


@pytest.mark.parametrize("weight", [0.0, 1.0])
def test_weight_zero_leaves_the_distance_alone(weight: float) -> None:
    features = np.array([[[[5.0, 0.0]]]], np.float32)
    combined = _head(weight).combine(np.array([[[4.0]]], np.float32), features)
    assert combined[0, 0, 0] == pytest.approx(1.0 + weight * 5.0)
