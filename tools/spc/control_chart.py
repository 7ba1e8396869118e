"""A control chart as arrays: what every chart function returns and every drawing reads."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Literal

import numpy as np
from pydantic import BaseModel, Field

from tools.spc.rules import RuleSet, violation_lists


class ChartPoint(BaseModel):
    index: int = Field(description="1-based subgroup or observation number")
    value: float
    lcl: float | None
    ucl: float | None
    violations: list[str] = Field(default_factory=list, description="e.g. ['nelson-1', 'we-2']")


Values = Sequence[float] | np.ndarray
Subgroups = Sequence[Sequence[float]] | np.ndarray  # lists, or one array row per subgroup
ChartKind = Literal["xbar", "r", "s", "i", "mr", "p", "np", "c", "u", "ewma"]


@dataclass
class ControlChart:
    """One chart as arrays, so that a series of a million points stays cheap: the plotted
    values, their limits, and for each point which of `rule_names` it breaks (`flags`, shape
    points x rules). `points` gives the same as `ChartPoint` objects, built when asked for."""

    chart: ChartKind
    center: float
    sigma: float  # process sigma (variables) or per-unit sigma (attributes)
    values: np.ndarray
    lcl: np.ndarray
    ucl: np.ndarray
    rule_names: list[str]
    flags: np.ndarray
    rules: RuleSet = "nelson"
    first_index: int = 1  # the number of the first point: 2 on the moving-range chart

    @property
    def index(self) -> np.ndarray:
        return np.arange(self.first_index, self.first_index + self.values.size)

    @property
    def flagged(self) -> np.ndarray:
        """Whether each point breaks any rule."""
        return np.asarray(self.flags.any(axis=1))

    @property
    def out_of_control(self) -> bool:
        return bool(self.flags.any())

    def violations(self) -> list[list[str]]:
        return violation_lists(self.rule_names, self.flags)

    @cached_property
    def points(self) -> list[ChartPoint]:
        return [
            ChartPoint(index=i, value=v, lcl=lo, ucl=hi, violations=b)
            for i, v, lo, hi, b in zip(self.index.tolist(), self.values.tolist(),
                                       self.lcl.tolist(), self.ucl.tolist(), self.violations(),
                                       strict=True)
        ]  # fmt: skip
