"""Machines in the database, the failure-risk tool, the LangChain tool and the router's handler."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlmodel import Session, func, select

from assistant.answering.chain import RagChain
from assistant.capabilities.failure.handler import HANDOFF, NO_MACHINES
from assistant.capabilities.failure.tool import (
    FailureToolInput,
    check,
    make_failure_tool,
    read_request,
)
from assistant.capabilities.registry import make_capabilities
from assistant.demo import seed_fleet
from assistant.persistence.db import make_engine
from assistant.persistence.machines import SensorReading, find_machine, latest_reading, machines
from assistant.routing.router import Router
from finetune.failure import main
from retrieval.embeddings import SentenceEmbedder
from retrieval.index_store import load_snapshot
from retrieval.ingest import IngestConfig, ingest
from retrieval.search import Searcher
from tests.conftest import search_config
from tools.common.errors import PlantError
from tools.failure.model import FailureModel
from tools.failure.readings import Reading


@pytest.fixture(scope="module")
def model_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("failure-model")
    main(["--output_dir", str(out), "--train_rows", "30000", "--test_rows", "2000",
          "--kinds", "gbt", "--gbt_rounds", "300"])  # fmt: skip
    return out


@pytest.fixture
def engine(database_url: str):
    return make_engine(database_url)


def test_seeding_adds_the_fleet_once_and_keeps_what_is_stored(engine) -> None:
    with Session(engine) as session:
        assert seed_fleet(session, processes=30) == 6
        assert [m.machine_id for m in machines(session)][:2] == ["L1-01", "L1-02"]
        count = session.exec(select(func.count()).select_from(SensorReading)).one()
        assert count == 6 * 30
        assert seed_fleet(session, processes=30) == 0
        assert session.exec(select(func.count()).select_from(SensorReading)).one() == count
        reading, at = latest_reading(session, find_machine(session, "m1-02"))
        assert reading.tool_wear == 214 and reading.product_type == "M" and at.tzinfo
        with pytest.raises(PlantError, match="No machine 'X1-99'"):
            find_machine(session, "X1-99")


def test_read_request() -> None:
    known = ["M1-01", "L1-02"]
    assert read_request("will m1-01 fail this shift?", known) == FailureToolInput(
        machine_id="M1-01"
    )
    assert read_request("which machines need attention", known) == FailureToolInput(fleet=True)
    assert read_request("rank the fleet by risk", known) == FailureToolInput(fleet=True)
    # refused later, by name
    assert read_request("is Z9-99 ok", known) == FailureToolInput(machine_id="Z9-99")
    assert read_request("should we worry about overstrain on the lathe", known) is None
    with pytest.raises(ValueError, match="machine id, readings, or fleet"):
        FailureToolInput()


def test_the_fleet_is_ranked_and_the_staged_machines_lead(engine, model_dir: Path) -> None:
    model = FailureModel.load(model_dir)
    with Session(engine) as session:
        seed_fleet(session, processes=30)
        fleet = check(FailureToolInput(fleet=True), session, model)
    ranked = [m.machine_id for m in fleet.machines]
    assert set(ranked[:2]) == {"M1-02", "L1-01"}  # overstrain and heat, as staged
    probabilities = [m.prediction.probability for m in fleet.machines]
    assert probabilities == sorted(probabilities, reverse=True)
    assert fleet.text.startswith("Machines by failure risk") and "1. **" in fleet.text
    by_id = {m.machine_id: m.prediction for m in fleet.machines}
    assert by_id["M1-02"].likely_mode == "OSF" and by_id["L1-01"].likely_mode == "HDF"


def test_explicit_readings_and_the_langchain_tool(engine, model_dir: Path) -> None:
    model = FailureModel.load(model_dir)
    weak = Reading(product_type="L", air_temperature=300, process_temperature=310,
                   rotational_speed=1400, torque=18, tool_wear=20)  # fmt: skip
    with Session(engine) as session:
        result = check(FailureToolInput(readings=weak), session, model)
    assert result.machines[0].machine_id is None
    assert any(
        "below the 3,500 W floor" in line for line in result.machines[0].prediction.explanation
    )
    tool = make_failure_tool(lambda: Session(engine), lambda: model)
    assert tool.name == "failure_risk" and {"machine_id", "readings", "fleet"} <= set(tool.args)
    with Session(engine) as session:
        seed_fleet(session, processes=30)
    output = tool.invoke({"machine_id": "M1-02"})
    assert output["machines"][0]["prediction"]["risk"] == "high"
    assert output["machines"][0]["prediction"]["modes"]["OSF"] > 0.5


@pytest.fixture
def chain(corpus: Path, ingest_config: IngestConfig, embedder: SentenceEmbedder) -> RagChain:
    ingest([corpus], ingest_config, embedder)
    return RagChain(Searcher(load_snapshot(ingest_config.index_dir), embedder, search_config()))


def test_router_answers_failure_questions_with_the_tool(
    chain: RagChain,
    engine,
    model_dir: Path,
    tmp_path: Path,
) -> None:
    def router_for(folder: Path) -> Router:
        tools = make_capabilities(chain, engine=engine,
                                  failure_model=lambda: FailureModel.load(folder))  # fmt: skip
        return Router(chain, engine=engine, capabilities=tools)

    router = router_for(model_dir)
    empty = router.answer("which machines are at highest risk?", intent="failure_risk")
    assert empty.backend == "extractive" and empty.notice == NO_MACHINES  # no data: documents
    with Session(engine) as session:
        seed_fleet(session, processes=30)  # by a command, never while answering
    fleet = router.answer("which machines are at highest risk?", intent="failure_risk")
    assert fleet.backend == "failure" and "Machines by failure risk" in fleet.text
    assert fleet.tool_result and len(fleet.tool_result["machines"]) == 6
    one = router.answer("will M1-02 fail?", intent="failure_risk")
    assert one.text.startswith("**M1-02** (VMC-850): high risk") and "Why:" in one.text
    # the small test corpus has no VMC-850 manual: no action is quoted in its place
    assert not one.citations and "says (" not in one.text
    unknown = router.answer("is Q7-77 ok?", intent="failure_risk")  # the tool's own answer:
    assert unknown.text.startswith("No machine 'Q7-77'") and unknown.backend == "error"
    assert unknown.intent == "failure_risk" and unknown.message_id  # ... and correctable
    # a question naming no machine and not about the fleet: the documents, not a ranking
    vague = router.answer("what's the risk level of the turning centre", intent="failure_risk")
    assert vague.backend == "extractive" and vague.notice == HANDOFF
    untrained = router_for(tmp_path / "none")
    fallback = untrained.answer("will M1-02 fail?", intent="failure_risk")
    assert fallback.notice and "plant train failure" in fallback.notice  # how to train it
