from __future__ import annotations

from pathlib import Path

import pytest

from retrieval.bm25 import BM25Index
from retrieval.glossary import Glossary
from tests.conftest import ROOT
from tools.common.errors import PlantError


def test_expansion_adds_the_other_terms_of_matching_groups_only() -> None:
    glossary = Glossary((("lockout", "isolation"), ("lathe", "turning centre")))
    assert glossary.expand("isolation points") == "isolation points lockout"
    assert glossary.expand("the lathe chuck") == "the lathe chuck turning centre"
    assert glossary.expand("isolationist") == "isolationist"  # whole words only
    assert glossary.expand("canteen") == "canteen"


def test_plant_glossary_loads_and_bad_files_are_named(tmp_path: Path) -> None:
    glossary = Glossary.load(ROOT / "knowledge" / "glossary.yaml")
    assert any("warranty" in group for group in glossary.groups)
    assert Glossary.load(tmp_path / "missing.yaml").groups == ()
    bad = tmp_path / "g.yaml"
    bad.write_text("- [alone]\n", encoding="utf-8")
    with pytest.raises(PlantError, match="group 1"):
        Glossary.load(bad)


def test_misspelt_words_find_the_corpus_term() -> None:
    index = BM25Index(["warranty periods for pump housings", "canteen opening hours"])
    assert index.top_k("waranty on housings", 1)[0][0] == 0
    strict = BM25Index(["warranty periods", "canteen"], typo_cutoff=100)
    assert strict.top_k("waranty", 1) == []
