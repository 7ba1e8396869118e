"""The run rules, computed for a whole series at once, against the point-by-point definition."""

from __future__ import annotations

import numpy as np
import pytest

from tools.spc.rules import rule_flags, run_rules


def reference(z: np.ndarray, rules: str) -> list[list[str]]:
    """Each rule checked at each point over the window that ends there, as written before
    the rules were vectorised (the definition the fast version must match exactly)."""
    family = "we" if rules.startswith("we") else "nelson"
    chosen = None if rules in ("nelson", "we") else set(rules.split(","))

    def run(i: int, length: int) -> np.ndarray | None:
        return z[i - length + 1 : i + 1] if i + 1 >= length else None

    def k_of_m(i: int, k: int, m: int, limit: float) -> bool:
        w = run(i, m)
        if w is None:
            return False
        return bool(np.sum(w > limit) >= k or np.sum(w < -limit) >= k) and bool(abs(z[i]) > limit)

    def one_side(i: int, length: int) -> bool:
        w = run(i, length)
        return w is not None and bool(np.all(w > 0) or np.all(w < 0))

    broken = []
    for i in range(len(z)):
        found = [1] if abs(z[i]) > 3 else []
        if family == "we":
            found += [r for r, hit in ((2, k_of_m(i, 2, 3, 2)), (3, k_of_m(i, 4, 5, 1)),
                                       (4, one_side(i, 8))) if hit]  # fmt: skip
        else:
            w6, w14, w15, w8 = run(i, 6), run(i, 14), run(i, 15), run(i, 8)
            steps = None if w14 is None else np.sign(np.diff(w14))
            hits = {
                2: one_side(i, 9),
                3: w6 is not None and bool(np.all(np.diff(w6) > 0) or np.all(np.diff(w6) < 0)),
                4: steps is not None
                and bool(np.all(steps != 0))
                and bool(np.all(steps[1:] == -steps[:-1])),
                5: k_of_m(i, 2, 3, 2),
                6: k_of_m(i, 4, 5, 1),
                7: w15 is not None and bool(np.all(np.abs(w15) < 1)),
                8: w8 is not None
                and bool(np.all(np.abs(w8) > 1))
                and bool(np.any(w8 > 0) and np.any(w8 < 0)),
            }
            found += [r for r, hit in hits.items() if hit]
        names = [f"{family}-{r}" for r in found]
        broken.append([n for n in names if chosen is None or n in chosen])
    return broken


def series(seed: int) -> np.ndarray:
    """z-scores with the awkward cases: ties, exact zeros and limits, runs, alternation, NaN."""
    rng = np.random.default_rng(seed)
    z = np.round(rng.normal(0, 1.4, 400), 1)
    z[50:70] = 0.5  # a run on one side, no steps
    z[100:120] = [(-1) ** k * 1.5 for k in range(20)]  # alternating beyond 1 sigma
    z[150:160] = np.arange(10) * 0.3  # rising
    z[200:205] = [1.0, 2.0, 3.0, -1.0, -2.0]  # exactly on the zone edges
    z[300] = np.nan
    return z


@pytest.mark.parametrize("seed", range(8))
@pytest.mark.parametrize(
    "rules", ["nelson", "we", "nelson-2,nelson-4,nelson-8", "we-3", "nelson-3,nelson-7"]
)
def test_the_fast_rules_match_the_definition(seed: int, rules: str) -> None:
    z = series(seed)
    assert run_rules(z, rules) == reference(z, rules)


def test_flags_name_the_rules_switched_on_in_order() -> None:
    names, flags = rule_flags(np.array([0.1] * 8 + [3.5]), "nelson-2,nelson-1")
    assert names == ["nelson-1", "nelson-2"] and flags.shape == (9, 2)
    assert flags[-1].tolist() == [True, True] and not flags[:-1].any()
    assert rule_flags(np.zeros(3), "none")[1].shape == (3, 0)
    assert run_rules(np.array([]), "nelson") == []
