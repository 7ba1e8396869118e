from __future__ import annotations

import json
from pathlib import Path

import pytest

from assistant.answering.answers import Answer, Citation, Timings
from assistant.answering.evaluation import (
    AnswerQuestion,
    facts_present,
    load_answer_questions,
    score,
)
from tests.conftest import ROOT
from tools.common.errors import PlantError


def _answer(
    text: str, source: str = "a.md", abstained: bool = False, probability: float = 0.2
) -> Answer:
    return Answer(
        question="q",
        text=text,
        abstained=abstained,
        retrieval_score=0.5,
        unanswerable_probability=probability,
        citations=[Citation(n=1, source=source, text="t")],
        timings=Timings(first_token=0.1, total=0.2),
    )


def test_facts_match_across_table_separators_and_case() -> None:
    assert facts_present("- E-114 | Coolant level low | top up CoolSol 8 [1]", ["coolsol 8"])
    assert not facts_present("Top up coolant [1]", ["CoolSol 8", "8 %"])


def test_metrics_by_hand() -> None:
    questions = [
        AnswerQuestion(
            id="a1", question="q", answerable=True, gold_source="a.md", key_facts=["12 months"]
        ),
        AnswerQuestion(
            id="a2", question="q", answerable=True, gold_source="a.md", key_facts=["24 months"]
        ),
        AnswerQuestion(id="u1", question="q", answerable=False),
        AnswerQuestion(id="u2", question="q", answerable=False),
    ]
    answers = [
        _answer("Housings: 12 months [1]."),  # right fact, right source
        _answer("Bodies: 6 months [1].", source="b.md"),  # wrong fact, wrong source
        _answer("not found", abstained=True),  # correct abstention (a hard rule: it stays)
        _answer("A guess [1].", probability=0.55),  # answered; abstains at threshold 0.5
    ]
    report = score("extractive", questions, answers)
    assert report.key_fact_accuracy == 0.5
    assert report.citation_correctness == 0.5
    assert report.abstention_precision == 1.0 and report.abstention_recall == 0.5
    assert report.failures == ["a2", "u2"]
    swept = score("extractive", questions, answers, threshold=0.5)
    assert swept.abstention_recall == 1.0 and swept.abstention_precision == 1.0


def test_a_pooled_alternative_document_counts_as_a_correct_citation() -> None:
    question = AnswerQuestion(
        id="a1", question="q", answerable=True, gold_source="a.md", key_facts=["6 months"]
    )
    answer = _answer("Seal kits: 6 months [1].", source="b.md")
    assert score("x", [question], [answer]).citation_correctness == 0.0
    pooled = question.model_copy(update={"also_sources": ["b.md"]})
    assert score("x", [pooled], [answer]).citation_correctness == 1.0


def test_the_answer_set_is_complete_and_valid() -> None:
    rows = load_answer_questions(ROOT / "knowledge" / "eval" / "answer_qa.jsonl")
    assert sum(r.answerable for r in rows) >= 80 and sum(not r.answerable for r in rows) >= 20
    assert all(r.key_facts and r.gold_source for r in rows if r.answerable)


def test_bad_line_names_its_number(tmp_path: Path) -> None:
    path = tmp_path / "a.jsonl"
    path.write_text(json.dumps({"id": "x", "question": "q"}) + "\n", encoding="utf-8")
    with pytest.raises(PlantError, match="line 1: answerable"):
        load_answer_questions(path)
