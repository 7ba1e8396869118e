from __future__ import annotations

import pytest

from retrieval.fusion import reciprocal_rank_fusion


def test_item_ranked_well_by_both_lists_wins() -> None:
    fused = reciprocal_rank_fusion([["a", "b", "c"], ["b", "c", "a"]], k=60)
    assert [item for item, _ in fused] == ["b", "a", "c"]
    assert fused[0][1] == pytest.approx(1 / 62 + 1 / 61)


def test_weights_shift_the_balance() -> None:
    fused = reciprocal_rank_fusion([["a", "b"], ["b", "a"]], weights=[2.0, 1.0], k=1)
    assert fused[0][0] == "a"


def test_weights_must_match_rankings() -> None:
    with pytest.raises(ValueError, match="2 rankings but 1 weights"):
        reciprocal_rank_fusion([["a"], ["b"]], weights=[1.0])


def test_convex_fusion_normalises_each_list() -> None:
    from retrieval.fusion import convex_fusion

    fused = dict(convex_fusion([[("a", 0.9), ("b", 0.7), ("c", 0.5)], [("c", 30.0), ("a", 10.0)]]))
    assert fused == pytest.approx({"a": 1.0, "b": 0.5, "c": 1.0})
    weighted = convex_fusion([[("a", 2.0), ("b", 1.0)], [("b", 5.0), ("a", 1.0)]], [2.0, 1.0])
    assert weighted[0][0] == "a"
