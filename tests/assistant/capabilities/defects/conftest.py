"""Two tiny products learnt from generated good surfaces (castings: cast texture; tiles:
wood-grain texture), a catalogue with a section on castings, and a router that inspects photos."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from assistant.answering.chain import RagChain
from assistant.capabilities.defects.handler import DefectCapability
from assistant.capabilities.defects.products import ProductCatalog
from assistant.capabilities.defects.training import ProductTraining
from assistant.capabilities.registry import make_capabilities
from assistant.persistence.db import make_engine
from assistant.routing.router import Router
from finetune.data.surfaces import generate
from knowledge.build import build
from retrieval.embeddings import SentenceEmbedder
from retrieval.index_store import load_snapshot
from retrieval.ingest import IngestConfig, ingest
from retrieval.search import Searcher
from tests.conftest import search_config
from tests.tools.defects.conftest import GOOD, with_blot
from tools.common.errors import ModelMissing

CATALOGUE = """---
title: Defect Catalogue DC-01
doc_type: quality
audience: [quality]
format: md
---
# Defect Catalogue DC-01

## Severity grades

| Grade | Name | Default disposition |
|---|---|---|
| 0 | OK | Release |
| 1 | Minor | Release with a minor-defect record |
| 2 | Severe | Scrap; quarantine and inform Quality |

## Castings

Pump impeller castings: porosity under 1 mm away from the sealing face is minor, mark the part
with a yellow dot; any crack, or porosity on the sealing face, is severe.
"""


SIZE = 128  # photos and working size: a 16 x 16 patch grid places a defect


def casting(index: int) -> np.ndarray:
    """A good casting: the cast texture."""
    return generate(index, 5, replace(GOOD, size=SIZE)).image


def tile(index: int) -> np.ndarray:
    """A good tile: the wood-grain texture (far from the cast one, so each refuses the other)."""
    return generate(index, 7, replace(GOOD, size=SIZE, textures=("wood",))).image


def save(image: np.ndarray, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(image).save(path)
    return path


def tiny_training(products_dir: Path) -> ProductTraining:
    return ProductTraining(products_dir, working_size=SIZE, coreset_ratio=0.3, min_ok_photos=10)


@pytest.fixture(scope="session")
def products_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """`casting` and `tile`, each learnt from 12 good photos."""
    root = tmp_path_factory.mktemp("chat-products")
    training = tiny_training(root / "products")
    castings = [save(casting(i), root / "castings" / f"{i}.png") for i in range(12)]
    tiles = [save(tile(i), root / "tiles" / f"{i}.png") for i in range(12)]
    training.train("casting", castings[0].parent)
    training.train("tile", tiles[0].parent)
    return root / "products"


@pytest.fixture
def photos(tmp_path: Path) -> dict[str, Path]:
    """A good casting, a casting with a blot, a tile, and a photo of nothing we know."""
    return {
        "casting": save(casting(300), tmp_path / "casting.png"),
        "blot": save(with_blot(casting(301), (40, 88), 7), tmp_path / "blot.png"),
        "tile": save(tile(300), tmp_path / "tile.png"),
        "blue": save(np.full((SIZE, SIZE, 3), (0, 90, 255), np.uint8), tmp_path / "blue.png"),
    }


@pytest.fixture
def chain(tmp_path: Path, ingest_config: IngestConfig, embedder: SentenceEmbedder) -> RagChain:
    src = tmp_path / "catalogue-src"
    src.mkdir()
    (src / "catalogue.md").write_text(CATALOGUE, encoding="utf-8")
    build(src, tmp_path / "catalogue")
    ingest([tmp_path / "catalogue"], ingest_config, embedder)
    return RagChain(Searcher(load_snapshot(ingest_config.index_dir), embedder, search_config()))


def no_demo_model() -> None:
    raise ModelMissing("the demo defect model is not trained here")


@pytest.fixture
def router(chain: RagChain, products_dir: Path, suite_database: str, tmp_path: Path) -> Router:
    engine = make_engine(suite_database)
    tools = make_capabilities(chain, engine=engine, defect_model=no_demo_model,  # type: ignore[arg-type]
                              heatmap_dir=tmp_path / "heat",
                              products=ProductCatalog(products_dir))  # fmt: skip
    capability = tools["defect_inspection"]
    assert isinstance(capability, DefectCapability) and capability.products is not None
    return Router(chain, engine=engine, capabilities=tools)
