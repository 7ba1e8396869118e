"""SPC on stored data: a control-plan characteristic's series, against its frozen limits."""

from __future__ import annotations

from dataclasses import replace

from sqlmodel import Session

from assistant.persistence.spc import get_characteristic, series
from tools.spc.analysis import (
    ATTRIBUTE_CHARTS,
    CharacteristicInfo,
    SpcAnalysis,
    SpcOptions,
    analyse_counts,
    analyse_groups,
)


def analyse_characteristic(session: Session, name: str, o: SpcOptions | None = None) -> SpcAnalysis:
    """The stored series of a characteristic, against its frozen limits when it has them."""
    item = get_characteristic(session, name)
    given = o or SpcOptions()
    frozen = item.frozen_sigma is not None and given.sigma is None
    o = replace(  # the caller's options stay as they were
        given,
        chart=given.chart or item.chart,  # type: ignore[arg-type]
        lsl=given.lsl if given.lsl is not None else item.lsl,
        usl=given.usl if given.usl is not None else item.usl,
        target=given.target if given.target is not None else item.target,
        center=item.frozen_center if frozen else given.center,
        sigma=item.frozen_sigma if frozen else given.sigma,
    )
    groups = series(session, item)
    if item.chart in ATTRIBUTE_CHARTS:
        sizes = [float(item.sample_size or 1)] * len(groups)
        analysis = analyse_counts([g[0] for g in groups], sizes, o)
    else:
        analysis = analyse_groups(groups, o)
    analysis.characteristic = CharacteristicInfo(
        name=item.name,
        description=item.description,
        unit=item.unit,
        frozen=item.frozen_sigma is not None,
    )
    return analysis
