"""The SPC chat tool: reading the request, the LangChain tool, and the router's handler."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlmodel import Session

from assistant.answering.chain import RagChain
from assistant.capabilities.registry import make_capabilities
from assistant.capabilities.spc.handler import HANDOFF
from assistant.capabilities.spc.tool import SpcToolInput, make_spc_tool, read_request, run_spc
from assistant.demo import seed_spc
from assistant.persistence.db import make_engine
from assistant.routing.router import Router
from retrieval.embeddings import SentenceEmbedder
from retrieval.index_store import load_snapshot
from retrieval.ingest import IngestConfig, ingest
from retrieval.search import Searcher
from tests.conftest import ROOT, search_config
from tools.common.errors import PlantError

PLAN = ROOT / "knowledge" / "src" / "control-plan.md"


def test_read_request_finds_a_characteristic_or_numbers() -> None:
    known = ["OD-12", "BD-16"]
    assert read_request("is od-12 in control?", known).characteristic == "OD-12"
    pasted = read_request("subgroups of 2: 12.01 12.03 11.99 12.00", known)
    assert pasted.values == [12.01, 12.03, 11.99, 12.0] and pasted.subgroup_size == 2
    assert read_request("is the process ok", known) == SpcToolInput()


def test_run_spc_on_pasted_values_draws_and_judges(tmp_path: Path, database_url: str) -> None:
    engine = make_engine(database_url)
    values = [5.0, 5.2, 4.9, 5.1, 5.0, 4.8, 5.1, 5.2, 4.9, 5.0, 9.0]
    with Session(engine) as session:
        found = run_spc(SpcToolInput(values=values), session, tmp_path / "charts")
        assert not found.in_control and "nelson-1" in found.verdict and "(at 11)" in found.verdict
        assert found.image and Path(found.image).read_bytes()[:4] == b"\x89PNG"
        with pytest.raises(PlantError, match="do not split into subgroups of 3"):
            run_spc(SpcToolInput(values=values, subgroup_size=3), session, tmp_path)
        with pytest.raises(PlantError, match="characteristic"):
            run_spc(SpcToolInput(), session, tmp_path)


def test_the_langchain_tool(tmp_path: Path, database_url: str) -> None:
    engine = make_engine(database_url)
    with Session(engine) as session:
        seed_spc(session, PLAN)
    tool = make_spc_tool(lambda: Session(engine), tmp_path / "charts")
    assert tool.name == "spc_check" and "characteristic" in tool.args
    output = tool.invoke({"characteristic": "OD-12"})
    assert output["in_control"] is True and output["result"]["chart"] == "xbar-r"
    assert "Cpk" in output["verdict"]


@pytest.fixture
def router(
    corpus: Path,
    ingest_config: IngestConfig,
    embedder: SentenceEmbedder,
    tmp_path: Path,
    database_url: str,
) -> Router:
    ingest([corpus], ingest_config, embedder)
    chain = RagChain(Searcher(load_snapshot(ingest_config.index_dir), embedder, search_config()))
    engine = make_engine(database_url)
    with Session(engine) as session:
        seed_spc(session, PLAN)
    tools = make_capabilities(chain, engine=engine, chart_dir=tmp_path / "charts")
    return Router(chain, engine=engine, capabilities=tools)


def test_router_sends_spc_questions_to_the_tool(router: Router) -> None:
    steady = router.answer("is OD-12 in control?", intent="spc_analysis")
    assert "In control" in steady.text and steady.images and not steady.citations
    assert steady.tool_result and steady.tool_result["chart"] == "xbar-r"
    drifting = router.answer("check BD-16 please", intent="spc_analysis")
    assert "Out of control" in drifting.text
    # this small corpus has no reaction plan: nothing unrelated is quoted in its place
    assert not drifting.citations and "reaction plan says" not in drifting.text
    # nothing to chart: the documents answer, with how to ask the tool — never a menu
    vague = router.answer("is the process in control?", intent="spc_analysis")
    assert vague.backend == "extractive" and vague.intent == "spc_analysis"
    assert vague.notice == HANDOFF and "OD-12" not in vague.text


def test_an_uploaded_measurement_file_is_charted(tmp_path: Path) -> None:
    from assistant.capabilities.spc.tool import run_spc_file

    upload = tmp_path / "od.csv"
    upload.write_text("x1,x2,x3\n12.001,12.002,11.999\n12.000,12.003,12.001\n"
                      "11.998,12.001,12.000\n12.002,11.999,12.001\n", encoding="utf-8")  # fmt: skip
    found = run_spc_file(upload, tmp_path / "charts")
    assert found.in_control and found.analysis.chart == "xbar-r"
    assert found.image and Path(found.image).exists()


def test_uploads_go_through_the_router_to_the_tool_that_takes_them(
    router: Router, tmp_path: Path
) -> None:
    from assistant.capabilities.base import Upload

    stored = tmp_path / "upload-1"  # uploads are stored under generated names
    stored.write_text("x\n5.0\n5.2\n4.9\n5.1\n5.0\n9.5\n", encoding="utf-8")
    upload = Upload(stored, "line 2 bores.csv")
    assert router.accepts(upload) and not router.accepts(Upload(stored, "notes.pdf"))
    events = list(router.stream("chart this", uploads=[upload]))
    answer = events[-1].answer
    assert answer is not None and answer.intent == "spc_analysis" and answer.backend == "spc"
    assert "**line 2 bores.csv**" in answer.text and "Out of control" in answer.text
