"""`plant inspect`, `plant eval defects`, `plant data surfaces` and the inspection tool."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from PIL import Image
from sqlmodel import Session, select
from typer.testing import CliRunner

from assistant.answering.chain import RagChain
from assistant.capabilities.base import Upload
from assistant.capabilities.defects.handler import PHOTO_PROMPT
from assistant.capabilities.defects.tool import disposition, inspect, make_inspect_tool
from assistant.capabilities.registry import make_capabilities
from assistant.cli.main import app
from assistant.persistence.db import make_engine
from assistant.persistence.inspections import Inspection
from assistant.routing.router import Router
from assistant.settings import get_settings
from finetune.data.surfaces import generate
from finetune.defects import main
from retrieval.embeddings import SentenceEmbedder
from retrieval.index_store import load_snapshot
from retrieval.ingest import IngestConfig, ingest
from retrieval.search import Searcher
from tests.conftest import search_config
from tools.defects.model import DefectModel

runner = CliRunner()


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("plant")
    main(["--output_dir", str(root / "models" / "defects"), "--image_size", "64",
          "--train_images", "48", "--validation_images", "16", "--test_images", "16",
          "--epochs", "1", "--batch_size", "16"])  # fmt: skip
    return root


@pytest.fixture(autouse=True)
def settings_env(data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PLANT_DATA_DIR", str(data_dir))
    get_settings.cache_clear()


@pytest.fixture
def photos(tmp_path: Path) -> list[Path]:
    paths = []
    for i in range(2):
        path = tmp_path / f"part{i}.png"
        Image.fromarray(generate(i, seed=77).image).save(path)
        paths.append(path)
    bad = tmp_path / "broken.jpg"
    bad.write_bytes(b"\xff\xd8\xff\xe0 not really a jpeg")
    return [*paths, bad]


def test_inspect_json_one_object_per_image_and_stored(photos: list[Path], tmp_path: Path) -> None:
    heatmaps = tmp_path / "heat"
    result = runner.invoke(
        app, ["inspect", *map(str, photos), "--json", "--heatmap", str(heatmaps)]
    )
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert [Path(r["path"]).name for r in rows] == ["part0.png", "part1.png", "broken.jpg"]
    for row in rows[:2]:
        assert row["verdict"] in {"ok", "minor", "severe"}
        assert set(row["probabilities"]) == {"ok", "minor", "severe"}
        assert Path(row["heatmap"]).read_bytes()[:4] == b"\x89PNG"
    assert "error" in rows[2] and "broken.jpg" in rows[2]["error"]
    engine = make_engine(get_settings().resolved_database_url)
    with Session(engine) as session:
        stored = session.exec(select(Inspection)).all()
    assert len(stored) == 2 and stored[0].user == "cli" and len(stored[0].image_sha256) == 64


def test_inspect_only_bad_files_exits_non_zero(photos: list[Path]) -> None:
    result = runner.invoke(app, ["inspect", str(photos[2])])
    assert result.exit_code == 1 and "Traceback" not in result.output


def test_eval_defects_json() -> None:
    result = runner.invoke(app, ["eval", "defects", "--images", "12", "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert set(report) == {
        "n",
        "severity_accuracy",
        "roc_auc",
        "per_class_recall",
        "localization_hit_rate",
    }
    assert report["n"] == 12


def test_data_surfaces(tmp_path: Path) -> None:
    result = runner.invoke(app, ["data", "surfaces", "--out", str(tmp_path / "s"), "--n", "3"])
    assert result.exit_code == 0, result.output
    assert len(list((tmp_path / "s").glob("*_mask.png"))) == 3


@pytest.fixture
def chain(corpus: Path, ingest_config: IngestConfig, embedder: SentenceEmbedder) -> RagChain:
    ingest([corpus], ingest_config, embedder)
    return RagChain(Searcher(load_snapshot(ingest_config.index_dir), embedder, search_config()))


def test_the_tool_stores_and_cites_and_the_router_asks_for_a_photo(
    chain: RagChain, data_dir: Path, photos: list[Path], tmp_path: Path, database_url: str
) -> None:
    model = DefectModel.load(data_dir / "models" / "defects")
    engine = make_engine(database_url)
    with Session(engine) as session:
        found = inspect(model, photos[0], session, chain=chain, user="ana")
    assert (
        found.record_id is not None and found.inspection.verdict in found.text.lower()
    ) or "OK" in found.text
    tool = make_inspect_tool(lambda: Session(engine), lambda: model, tmp_path / "heat")
    assert tool.name == "inspect_image"
    output = tool.invoke({"image_path": str(photos[1])})
    assert output["inspection"]["heatmap"].endswith(".png") and output["record_id"]
    # the small test corpus has no defect catalogue: nothing unrelated is quoted
    assert disposition(chain, found.inspection) == []
    tools = make_capabilities(chain, engine=engine, defect_model=lambda: model,
                              heatmap_dir=tmp_path / "heat")  # fmt: skip
    router = Router(chain, engine=engine, capabilities=tools)
    answer = router.answer("is this part ok?", intent="defect_inspection")
    assert answer.notice == PHOTO_PROMPT  # no photo: how to send one, and the documents
    photo = Upload(photos[0], "part 7.png")
    inspected = list(router.stream("is this part ok?", uploads=[photo]))[-1].answer
    assert inspected is not None and inspected.backend == "inspection"
    assert inspected.intent == "defect_inspection" and inspected.text.startswith("**part 7.png**")
