"""The sample plant knowledge base: size, formats, loadability and the evaluation set."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest
from pypdf import PdfReader

from knowledge.build import build, read_source
from retrieval.loaders import load_document, read_manifest
from tests.conftest import ROOT

SRC = ROOT / "knowledge" / "src"


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("corpus") / "corpus"
    build(SRC, out)
    return out


def test_sources_are_large_and_varied() -> None:
    docs = [read_source(p) for p in sorted(SRC.glob("*.md"))]
    assert len(docs) >= 30
    words = sum(len(d.body.split()) for d in docs)
    assert words >= 30_000
    types = Counter(d.meta["doc_type"] for d in docs)
    expected = {
        "operating_manual",
        "maintenance",
        "safety",
        "quality",
        "customer_service",
        "onboarding",
    }
    assert set(types) == expected


def test_build_produces_every_required_format(built: Path) -> None:
    by_ext = Counter(p.suffix for p in built.iterdir())
    assert by_ext[".html"] >= 3 and by_ext[".docx"] >= 2
    pdf_pages = [len(PdfReader(p).pages) for p in built.glob("*.pdf")]
    assert sum(n > 1 for n in pdf_pages) >= 5
    manifest = json.loads((built / "manifest.json").read_text(encoding="utf-8"))
    assert set(manifest) == {p.name for p in built.iterdir() if p.name != "manifest.json"}


def test_every_built_document_loads_with_metadata(built: Path) -> None:
    manifest = read_manifest(built)
    for path in built.iterdir():
        if path.name == "manifest.json":
            continue
        doc = load_document(path, built, manifest)
        assert doc.meta.doc_type != "general", path.name
        assert doc.meta.audience, path.name
        assert len(doc.sections) >= 3, path.name


def doc_title(built: Path, manifest: dict[str, object], source: str) -> str:
    return load_document(built / source, built, manifest).meta.title.lower()


def test_eval_set_is_large_and_points_at_real_sections(built: Path) -> None:
    lines = (ROOT / "knowledge" / "eval" / "retrieval_qa.jsonl").read_text("utf-8").splitlines()
    questions = [json.loads(line) for line in lines if line.strip()]
    assert len(questions) >= 150
    assert len({q["id"] for q in questions}) == len(questions)
    manifest = read_manifest(built)
    headings: dict[str, set[str]] = {}
    for q in questions:
        if q["gold_source"] not in headings:
            doc = load_document(built / q["gold_source"], built, manifest)
            headings[q["gold_source"]] = {h.lower() for s in doc.sections for h in s.heading_path}
        assert q["gold_section"].lower() in headings[q["gold_source"]], q["id"]
        for alt in q.get("also", []):
            if alt["source"] not in headings:
                doc = load_document(built / alt["source"], built, manifest)
                headings[alt["source"]] = {h.lower() for s in doc.sections for h in s.heading_path}
            assert alt["section"].lower() in headings[alt["source"]], (q["id"], alt)
            # a document title heads every chunk of its file: too loose to be a gold section
            assert alt["section"].lower() != doc_title(built, manifest, alt["source"]), q["id"]
    styles = Counter(q["style"] for q in questions)
    assert styles["typo"] >= 5 and styles["code"] >= 10 and styles["part_number"] >= 3


@pytest.mark.parametrize(
    "name",
    [
        "answer_qa.jsonl",
        "qualifier_dev.jsonl",
        "broad_dev.jsonl",
        "conversational_dev.jsonl",
        "near_miss_fresh_dev.jsonl",
        "near_miss_third_dev.jsonl",
    ],
)
def test_answer_set_facts_are_stated_by_every_gold_document(built: Path, name: str) -> None:
    """Key facts are copied from the documents: the gold document and each pooled
    alternative must state every one of them (matched as `plant eval answers` matches)."""
    from assistant.answering.evaluation import _norm, load_answer_questions

    manifest = read_manifest(built)
    texts: dict[str, str] = {}
    for q in load_answer_questions(ROOT / "knowledge" / "eval" / name):
        for source in [q.gold_source, *q.also_sources] if q.answerable else []:
            assert source is not None
            if source not in texts:
                doc = load_document(built / source, built, manifest)
                texts[source] = _norm("\n".join(s.text for s in doc.sections))
            for fact in q.key_facts:
                assert _norm(fact) in texts[source], (q.id, source, fact)


def test_calibration_questions_are_not_test_questions() -> None:
    from assistant.answering.evaluation import load_answer_questions

    dev = load_answer_questions(ROOT / "knowledge" / "eval" / "unanswerable_dev.jsonl")
    test = load_answer_questions(ROOT / "knowledge" / "eval" / "answer_qa.jsonl")
    assert len(dev) >= 40 and not any(q.answerable for q in dev)
    assert not {q.question.lower() for q in dev} & {q.question.lower() for q in test}


@pytest.mark.parametrize(
    "name",
    [
        "near_miss_dev.jsonl",
        "near_miss_fresh_dev.jsonl",
        "near_miss_third_dev.jsonl",
        "qualifier_dev.jsonl",
        "broad_dev.jsonl",
        "conversational_dev.jsonl",
    ],
)
def test_development_sets_are_not_test_questions(name: str) -> None:
    from assistant.answering.evaluation import load_answer_questions

    folder = ROOT / "knowledge" / "eval"
    dev = load_answer_questions(folder / name)
    test = [
        q.question.lower()
        for name in ("answer_qa.jsonl", "near_miss_qa.jsonl")
        for q in load_answer_questions(folder / name)
    ]
    assert sum(not q.answerable for q in dev) >= 19 and sum(q.answerable for q in dev) >= 20
    assert not {q.question.lower() for q in dev} & set(test)
