from __future__ import annotations

import json
from pathlib import Path

import pytest

from retrieval.documents import Chunk
from retrieval.evaluation import RetrievalQuestion, evaluate, is_relevant, load_questions
from retrieval.search import Hit
from tools.common.errors import PlantError


class FakeSearcher:
    """Returns a fixed ranking, so the metric arithmetic can be checked by hand."""

    def __init__(self, rankings: dict[str, list[tuple[str, str]]]) -> None:
        self.rankings = rankings

    def search(self, query: str, *, mode: str, k: int) -> list[Hit]:
        return [
            Hit(rank, 1.0 / rank, Chunk(f"c{rank}", src, "T", ("T", sec), None, "text"))
            for rank, (src, sec) in enumerate(self.rankings[query][:k], start=1)
        ]


def _q(qid: str) -> RetrievalQuestion:
    return RetrievalQuestion(id=qid, question=qid, gold_source="a.md", gold_section="Gold")


def test_recall_and_mrr_by_hand() -> None:
    miss = [("b.md", "Gold")] * 10
    searcher = FakeSearcher(
        {
            "q1": [("a.md", "Gold"), *miss],  # rank 1
            "q2": [*miss[:2], ("a.md", "gold "), *miss],  # rank 3 (case/space-insensitive)
            "q3": [*miss[:6], ("a.md", "Gold")],  # rank 7: not in top 5, counts for MRR@10
            "q4": miss,  # never
        }
    )
    report = evaluate(searcher, [_q(f"q{i}") for i in range(1, 5)], modes=["dense"])  # type: ignore[arg-type]
    scores = report.modes["dense"]
    assert scores.recall_at_1 == 0.25
    assert scores.recall_at_5 == 0.5
    assert scores.mrr_at_10 == pytest.approx((1 + 1 / 3 + 1 / 7) / 4)
    assert report.misses["dense"] == ["q3", "q4"]
    assert json.loads(report.to_json())["modes"]["dense"]["recall@5"] == 0.5


def test_relevance_needs_both_file_and_heading() -> None:
    q = _q("q")
    assert is_relevant(Hit(1, 1, Chunk("c", "a.md", "T", ("T", "Gold"), None, "x")), q)
    assert not is_relevant(Hit(1, 1, Chunk("c", "a.md", "T", ("T", "Other"), None, "x")), q)
    assert not is_relevant(Hit(1, 1, Chunk("c", "z.md", "T", ("T", "Gold"), None, "x")), q)


def test_bad_line_is_reported_with_its_number(tmp_path: Path) -> None:
    path = tmp_path / "qa.jsonl"
    good = {"id": "1", "question": "q", "gold_source": "a", "gold_section": "s"}
    path.write_text(json.dumps(good) + "\n" + json.dumps({"id": "2"}) + "\n", encoding="utf-8")
    with pytest.raises(PlantError, match=r"line 2: question"):
        load_questions(path)
