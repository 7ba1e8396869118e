"""Run rules on a control chart: Nelson 1-8 and Western Electric 1-4, from z-scores.

Every rule is a condition on the window of points that ends at each point, so each is computed
for the whole series at once from running counts (a cumulative sum of 0/1 flags): a window of
`length` points all above the centre line is a window whose count of "above" flags is `length`.
"""

from __future__ import annotations

import numpy as np

from tools.spc.errors import SpcInputError

# "nelson", "we" or "none" — or chosen rules of one family, e.g. "nelson-1,nelson-2,nelson-5"
RuleSet = str
_FAMILY_SIZE = {"nelson": 8, "we": 4}


def parse_rules(rules: RuleSet) -> tuple[str, set[str] | None]:
    """The rule family and, when only some rules are switched on, which ones."""
    text = rules.strip().lower()
    if text in ("nelson", "we", "none"):
        return text, None
    chosen = {r.strip() for r in text.split(",") if r.strip()}
    families = {r.split("-")[0] for r in chosen}
    valid = {f"{f}-{i}" for f, n in _FAMILY_SIZE.items() for i in range(1, n + 1)}
    if not chosen or chosen - valid or len(families) != 1:
        raise SpcInputError(
            f"rules '{rules}': use nelson, we, none, or rules of one family such as "
            "nelson-1,nelson-2 (nelson-1..8, we-1..4)"
        )
    return families.pop(), chosen


def _window_count(flags: np.ndarray, length: int, n_points: int, lag: int = 0) -> np.ndarray:
    """For each point, how many of the `length` flags ending `lag` places before it are set;
    0 where the window would start before the series does. `flags` may be shorter than the
    series (flags of differences between points, `lag` = 1 or 2)."""
    counts = np.zeros(n_points, dtype=np.int64)
    if flags.size >= length:
        total = np.concatenate(([0], np.cumsum(flags, dtype=np.int64)))
        counts[length - 1 + lag : flags.size + lag] = (
            total[length:] - total[: flags.size - length + 1]
        )
    return counts


def _all(flags: np.ndarray, length: int, n_points: int, lag: int = 0) -> np.ndarray:
    """Points that end a window of `length` flags all set."""
    return _window_count(flags, length, n_points, lag) == length


def _k_of_m(z: np.ndarray, k: int, m: int, limit: float) -> np.ndarray:
    """k of the last m points beyond `limit` on one side, the point itself beyond it."""
    n = z.size
    above = _window_count(z > limit, m, n) >= k
    below = _window_count(z < -limit, m, n) >= k
    return (above | below) & (np.abs(z) > limit)


def _one_side(z: np.ndarray, length: int) -> np.ndarray:
    return _all(z > 0, length, z.size) | _all(z < 0, length, z.size)


def _western_electric(z: np.ndarray) -> list[np.ndarray]:
    return [np.abs(z) > 3, _k_of_m(z, 2, 3, 2), _k_of_m(z, 4, 5, 1), _one_side(z, 8)]


def _nelson(z: np.ndarray) -> list[np.ndarray]:
    n = z.size
    steps = np.diff(z)
    trend = _all(steps > 0, 5, n, lag=1) | _all(steps < 0, 5, n, lag=1)
    signs = np.sign(steps)
    # fourteen points alternate: their 13 steps are all non-zero and each reverses the last
    alternating = _all(signs != 0, 13, n, lag=1) & _all(signs[1:] == -signs[:-1], 12, n, lag=2)
    beyond_one = _all(np.abs(z) > 1, 8, n)
    mixed = (_window_count(z > 0, 8, n) > 0) & (_window_count(z < 0, 8, n) > 0)
    return [
        np.abs(z) > 3,
        _one_side(z, 9),
        trend,
        alternating,
        _k_of_m(z, 2, 3, 2),
        _k_of_m(z, 4, 5, 1),
        _all(np.abs(z) < 1, 15, n),
        beyond_one & mixed,
    ]


def rule_flags(z: np.ndarray, rules: RuleSet) -> tuple[list[str], np.ndarray]:
    """The rules switched on, in order, and for each point whether it breaks each of them: a
    boolean array of shape (points, rules). A rule is reported on the point that completes
    the pattern (Nelson 1-8 and Western Electric 1-4 with their standard definitions)."""
    z = np.asarray(z, dtype=float)
    family, chosen = parse_rules(rules)
    if family == "none":
        return [], np.zeros((z.size, 0), dtype=bool)
    found = _western_electric(z) if family == "we" else _nelson(z)
    names = [f"{family}-{i}" for i in range(1, len(found) + 1)]
    keep = [i for i, name in enumerate(names) if chosen is None or name in chosen]
    if not keep:
        return [], np.zeros((z.size, 0), dtype=bool)
    return [names[i] for i in keep], np.column_stack([found[i] for i in keep])


def violation_lists(names: list[str], flags: np.ndarray) -> list[list[str]]:
    """Per point, the names of the rules it breaks, in rule order."""
    broken: list[list[str]] = [[] for _ in range(flags.shape[0])]
    rows, columns = np.nonzero(flags)  # row by row, each row's rules in order
    for row, column in zip(rows.tolist(), columns.tolist(), strict=True):
        broken[row].append(names[column])
    return broken


def run_rules(z: np.ndarray, rules: RuleSet) -> list[list[str]]:
    """For each point, the rules that its run breaks, from z-scores (distance in sigmas)."""
    return violation_lists(*rule_flags(z, rules))
