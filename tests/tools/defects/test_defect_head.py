"""The defect head's arithmetic: a linear score per patch, scaled and added to the distance,
and stored and read back as arrays."""

from __future__ import annotations

import numpy as np
import pytest

from tools.defects.defect_head import DefectHead, head_inputs


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


def test_context_adds_the_mean_feature_of_the_window_around_each_patch() -> None:
    features = np.zeros((1, 3, 3, 1), np.float32)
    features[0, 1, 1, 0] = 9.0  # one bright patch in the middle of a 3 x 3 grid
    inputs = head_inputs(features, 3)
    assert inputs.shape == (1, 3, 3, 2)
    np.testing.assert_array_equal(inputs[..., 0], features[..., 0])  # the patch itself
    assert inputs[0, 1, 1, 1] == pytest.approx(1.0)  # 9 over the 9 patches around it
    assert inputs[0, 0, 0, 1] == pytest.approx(1.0)  # edges repeated: 9 / 9 again
    assert head_inputs(features, 0) is features  # no context: the features as they are


def test_a_head_with_context_scores_on_both_and_keeps_its_window() -> None:
    head = DefectHead(
        mean=np.zeros(2, np.float32), scale=np.ones(2, np.float32),
        coef=np.array([1.0, -1.0], np.float32), intercept=0.0,
        distance_scale=1.0, head_scale=1.0, context=3,
    )  # fmt: skip
    features = np.zeros((1, 3, 3, 1), np.float32)
    features[0, 1, 1, 0] = 9.0
    # the patch minus its surroundings' mean: 9 - 1 in the middle, 0 - 1 around it
    logits = head.logits(features)
    assert logits[0, 1, 1] == pytest.approx(8.0) and logits[0, 0, 0] == pytest.approx(-1.0)
    back = DefectHead.from_arrays(head.to_arrays())
    assert back is not None and back.context == 3
    # a head stored before context existed (four scalars) reads back without one
    old = {**head.to_arrays(), "head_scalars": np.array([0.0, 1.0, 1.0, 1.0])}
    assert DefectHead.from_arrays(old).context == 0  # type: ignore[union-attr]


def test_the_photo_weight_adds_each_photo_s_median_patch_score_to_its_patches() -> None:
    head = DefectHead(
        mean=np.zeros(1, np.float32), scale=np.ones(1, np.float32), coef=np.zeros(1, np.float32),
        intercept=0.0, distance_scale=1.0, head_scale=1.0, photo_weight=0.5,
    )  # fmt: skip
    distances = np.array([[[1.0, 2.0, 9.0]], [[4.0, 4.0, 4.0]]], np.float32)  # two photos
    combined = head.combine(distances, np.zeros((2, 1, 3, 1), np.float32))
    # photo 1: median 2 -> + 1; photo 2: median 4 -> + 2 (each photo its own median)
    np.testing.assert_allclose(combined, [[[2.0, 3.0, 10.0]], [[6.0, 6.0, 6.0]]])
    back = DefectHead.from_arrays(head.to_arrays())
    assert back is not None and back.photo_weight == 0.5
    # a head stored before the photo weight existed (five scalars) reads back without one
    old = {**head.to_arrays(), "head_scalars": np.array([0.0, 1.0, 1.0, 1.0, 0.0])}
    assert DefectHead.from_arrays(old).photo_weight == 0.0  # type: ignore[union-attr]
