"""Retrieval evaluation: Recall@1, Recall@5 and MRR@10 per search mode on a gold question set."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TypeVar

from pydantic import BaseModel, Field, ValidationError
from tqdm import tqdm

from retrieval.search import SEARCH_MODES, Hit, Searcher, SearchMode
from tools.common.errors import PlantError

M = TypeVar("M", bound=BaseModel)


class GoldRef(BaseModel):
    """Another passage that answers the question just as well."""

    source: str
    section: str


class RetrievalQuestion(BaseModel):
    """One evaluation question and where its answer lives."""

    id: str
    question: str = Field(min_length=1)
    gold_source: str = Field(description="File name in the corpus, e.g. om-vmc-850.pdf")
    gold_section: str = Field(description="A heading on the path to the answer")
    also: list[GoldRef] = Field(default_factory=list)
    style: str = Field("", description="paraphrase, typo, code, part_number, ...")
    audience: str = ""

    def gold(self) -> list[GoldRef]:
        return [GoldRef(source=self.gold_source, section=self.gold_section), *self.also]


class ModeScores(BaseModel):
    recall_at_1: float = Field(serialization_alias="recall@1")
    recall_at_5: float = Field(serialization_alias="recall@5")
    mrr_at_10: float = Field(serialization_alias="mrr@10")


class RetrievalReport(BaseModel):
    n: int
    modes: dict[str, ModeScores]
    misses: dict[str, list[str]] = Field(default_factory=dict, exclude=True)

    def to_json(self) -> str:
        return json.dumps(self.model_dump(by_alias=True))


def read_jsonl(path: Path, model: type[M]) -> list[M]:
    """Validate each line of a JSONL file as `model`; a bad line is reported with its number."""
    if not path.is_file():
        raise PlantError(f"Evaluation set not found: {path}")
    rows = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            rows.append(model.model_validate_json(line))
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(p) for p in first["loc"]) or "line"
            raise PlantError(f"{path}, line {number}: {where}: {first['msg']}") from exc
    if not rows:
        raise PlantError(f"Evaluation set {path} holds no questions")
    return rows


def load_questions(path: Path) -> list[RetrievalQuestion]:
    return read_jsonl(path, RetrievalQuestion)


def _norm(text: str) -> str:
    return " ".join(text.lower().split())


def is_relevant(hit: Hit, question: RetrievalQuestion) -> bool:
    """A hit is relevant when it comes from a gold file, under that file's gold heading."""
    headings = {_norm(h) for h in hit.chunk.heading_path}
    return any(
        hit.chunk.source == ref.source and _norm(ref.section) in headings for ref in question.gold()
    )


def first_relevant_rank(hits: Sequence[Hit], question: RetrievalQuestion) -> int | None:
    for hit in hits:
        if is_relevant(hit, question):
            return hit.rank
    return None


def evaluate(
    searcher: Searcher,
    questions: Sequence[RetrievalQuestion],
    modes: Iterable[SearchMode] = SEARCH_MODES,
    *,
    show_progress: bool = False,
) -> RetrievalReport:
    """Score each mode: hit rate at 1 and 5 (one gold section per question) and MRR at 10."""
    results: dict[str, ModeScores] = {}
    misses: dict[str, list[str]] = {}
    for mode in modes:
        ranks = []
        for q in tqdm(questions, desc=f"eval {mode}", disable=not show_progress, unit="q"):
            ranks.append(first_relevant_rank(searcher.search(q.question, mode=mode, k=10), q))
        n = len(ranks)
        results[mode] = ModeScores(
            recall_at_1=sum(r == 1 for r in ranks) / n,
            recall_at_5=sum(r is not None and r <= 5 for r in ranks) / n,
            mrr_at_10=sum(1.0 / r for r in ranks if r is not None) / n,
        )
        misses[mode] = [q.id for q, r in zip(questions, ranks, strict=True) if r is None or r > 5]
    return RetrievalReport(n=len(questions), modes=results, misses=misses)
