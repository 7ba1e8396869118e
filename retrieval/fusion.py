"""Fusing ranked lists: reciprocal rank fusion and normalised score (convex) fusion."""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from typing import TypeVar

K = TypeVar("K", bound=Hashable)


def reciprocal_rank_fusion(
    rankings: Sequence[Sequence[K]], weights: Sequence[float] | None = None, k: int = 60
) -> list[tuple[K, float]]:
    """Fuse ranked lists: score(d) = sum_i w_i / (k + rank_i(d)), ranks starting at 1.

    Ties keep the order in which items were first seen, so the result is deterministic.

    Example:
        >>> reciprocal_rank_fusion([["a", "b"], ["b", "c"]], k=1)
        [('b', 0.8333333333333333), ('a', 0.5), ('c', 0.3333333333333333)]
    """
    weights = list(weights) if weights is not None else [1.0] * len(rankings)
    if len(weights) != len(rankings):
        raise ValueError(f"{len(rankings)} rankings but {len(weights)} weights")
    scores: dict[K, float] = {}
    for ranking, weight in zip(rankings, weights, strict=True):
        for rank, item in enumerate(ranking, start=1):
            scores[item] = scores.get(item, 0.0) + weight / (k + rank)
    return sorted(scores.items(), key=lambda kv: -kv[1])


def convex_fusion(
    scored: Sequence[Sequence[tuple[K, float]]], weights: Sequence[float] | None = None
) -> list[tuple[K, float]]:
    """Fuse scored lists: sum_i w_i * minmax_i(score), an item absent from a list scoring 0.

    Each list is min-max normalised over its own candidates (Bruch et al., 2023 compare this
    "convex combination" with RRF for hybrid retrieval).

    Example:
        >>> convex_fusion([[("a", 0.9), ("b", 0.5)], [("b", 12.0), ("c", 4.0)]])
        [('a', 1.0), ('b', 1.0), ('c', 0.0)]
    """
    weights = list(weights) if weights is not None else [1.0] * len(scored)
    if len(weights) != len(scored):
        raise ValueError(f"{len(scored)} score lists but {len(weights)} weights")
    fused: dict[K, float] = {}
    for items, weight in zip(scored, weights, strict=True):
        if not items:
            continue
        values = [score for _, score in items]
        low, high = min(values), max(values)
        span = high - low
        for item, score in items:
            norm = (score - low) / span if span > 0 else 1.0
            fused[item] = fused.get(item, 0.0) + weight * norm
    return sorted(fused.items(), key=lambda kv: -kv[1])
