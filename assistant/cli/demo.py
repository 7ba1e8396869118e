"""`plant demo seed`: the demo plant's characteristics, measurements and machine fleet."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from assistant.cli.common import JsonOption, out
from assistant.settings import get_settings


def demo_seed(
    processes: Annotated[
        int, typer.Option(min=1, help="Simulated processes of history per demo machine.")
    ] = 200,
    as_json: JsonOption = False,
) -> None:
    """Store the demo plant's control-plan characteristics with measurements and its machines
    with a recent history of readings; what is stored already is left as it is."""
    from sqlmodel import Session

    from assistant.demo import seed_demo, seeding_lock
    from assistant.wiring import make_engine

    settings = get_settings()
    plan = settings.knowledge_src_dir / "control-plan.md"
    engine = make_engine(settings)
    with seeding_lock(engine, settings.data_dir), Session(engine) as session:
        seeded = seed_demo(session, plan, processes=processes)
    if as_json:
        print(json.dumps(seeded.model_dump()))
        return
    out.print(
        f"Demo data stored: {seeded.characteristics} characteristic(s), "
        f"{seeded.measurements} measurement(s), {seeded.machines} machine(s) "
        "(zero where they were there already)."
    )
