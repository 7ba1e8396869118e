"""Process capability: Cp, Cpk, Cpm (within sigma) and Pp, Ppk (overall sigma)."""

from __future__ import annotations

import math

from pydantic import BaseModel

from tools.spc.charts import Values, _finite
from tools.spc.errors import SpcInputError


class Capability(BaseModel):
    mean: float
    sigma_within: float
    sigma_overall: float
    lsl: float | None
    usl: float | None
    target: float | None
    cp: float | None
    cpk: float
    cpm: float | None
    pp: float | None
    ppk: float


def capability(
    values: Values,
    *,
    sigma_within: float,
    lsl: float | None = None,
    usl: float | None = None,
    target: float | None = None,
) -> Capability:
    """Cp, Cpk, Cpm (within sigma) and Pp, Ppk (overall sample sigma); one-sided when only
    one specification limit is given."""
    x = _finite(values, "values")
    if lsl is None and usl is None:
        raise SpcInputError("capability needs a specification limit: give --lsl, --usl or both")
    if lsl is not None and usl is not None and not lsl < usl:
        raise SpcInputError(f"the lower specification limit {lsl} must be below the upper {usl}")
    if x.size < 2:
        raise SpcInputError("capability needs at least two values")
    mean, overall = float(x.mean()), float(x.std(ddof=1))
    if not (sigma_within > 0 and overall > 0):
        raise SpcInputError("the data show no variation: capability indices are undefined")

    def k_index(sigma: float) -> float:
        sides = []
        if usl is not None:
            sides.append((usl - mean) / (3 * sigma))
        if lsl is not None:
            sides.append((mean - lsl) / (3 * sigma))
        return min(sides)

    both = lsl is not None and usl is not None
    width = (usl - lsl) if both else None  # type: ignore[operator]
    cpm = None
    if both and target is not None:
        cpm = width / (6 * math.sqrt(sigma_within**2 + (mean - target) ** 2))  # type: ignore[operator]
    return Capability(
        mean=mean, sigma_within=sigma_within, sigma_overall=overall, lsl=lsl, usl=usl,
        target=target,
        cp=width / (6 * sigma_within) if width is not None else None,
        cpk=k_index(sigma_within), cpm=cpm,
        pp=width / (6 * overall) if width is not None else None,
        ppk=k_index(overall),
    )  # fmt: skip
