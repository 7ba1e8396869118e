"""Run rules on a control chart: Nelson 1-8 and Western Electric 1-4, from z-scores."""

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


def run_rules(z: np.ndarray, rules: RuleSet) -> list[list[str]]:
    """For each point, the rules that its run breaks, from z-scores (distance in sigmas).

    Nelson 1-8 and Western Electric 1-4 with their standard definitions; a rule is reported
    on the point that completes the pattern.
    """
    broken: list[list[str]] = [[] for _ in z]
    family, chosen = parse_rules(rules)
    if family == "none":
        return broken

    def run(i: int, length: int) -> np.ndarray | None:
        return z[i - length + 1 : i + 1] if i + 1 >= length else None

    def k_of_m(i: int, k: int, m: int, limit: float) -> bool:
        window = run(i, m)
        if window is None:
            return False
        return bool(np.sum(window > limit) >= k or np.sum(window < -limit) >= k) and bool(
            abs(z[i]) > limit
        )

    for i in range(len(z)):
        found: list[int] = []
        if abs(z[i]) > 3:
            found.append(1)
        if family == "we":
            if k_of_m(i, 2, 3, 2):
                found.append(2)
            if k_of_m(i, 4, 5, 1):
                found.append(3)
            w = run(i, 8)
            if w is not None and (np.all(w > 0) or np.all(w < 0)):
                found.append(4)
            broken[i] = [f"we-{r}" for r in found if chosen is None or f"we-{r}" in chosen]
            continue
        w = run(i, 9)
        if w is not None and (np.all(w > 0) or np.all(w < 0)):
            found.append(2)
        w = run(i, 6)
        if w is not None and (np.all(np.diff(w) > 0) or np.all(np.diff(w) < 0)):
            found.append(3)
        w = run(i, 14)
        if w is not None:
            steps = np.sign(np.diff(w))
            if np.all(steps != 0) and np.all(steps[1:] == -steps[:-1]):
                found.append(4)
        if k_of_m(i, 2, 3, 2):
            found.append(5)
        if k_of_m(i, 4, 5, 1):
            found.append(6)
        w = run(i, 15)
        if w is not None and np.all(np.abs(w) < 1):
            found.append(7)
        w = run(i, 8)
        if w is not None and np.all(np.abs(w) > 1) and np.any(w > 0) and np.any(w < 0):
            found.append(8)
        broken[i] = [f"nelson-{r}" for r in found if chosen is None or f"nelson-{r}" in chosen]
    return broken
