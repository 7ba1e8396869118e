"""Answer evaluation: key facts, citation correctness, abstention and latency per backend."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from pydantic import BaseModel, Field
from tqdm import tqdm

from assistant.answering.answerability import AnswerabilitySignals, signals
from assistant.answering.answers import Answer
from assistant.answering.chain import RagChain
from assistant.answering.grounding import cited_numbers
from retrieval.evaluation import read_jsonl


class AnswerQuestion(BaseModel):
    id: str
    question: str = Field(min_length=1)
    answerable: bool
    gold_source: str | None = None
    key_facts: list[str] = Field(default_factory=list)
    also_sources: list[str] = Field(
        default_factory=list,
        description="Other documents that state every key fact for the asked subject "
        "(pooled judgments, see knowledge/eval/README.md).",
    )
    kind: str | None = Field(
        None, description="fact, table, procedure, definition; near_miss or absent if unanswerable"
    )


class AnswerReport(BaseModel):
    backend: str
    n_answerable: int
    n_unanswerable: int
    key_fact_accuracy: float
    citation_correctness: float
    abstention_precision: float
    abstention_recall: float
    ttft_p50_s: float
    total_p50_s: float
    total_p95_s: float
    failures: list[str] = Field(default_factory=list, exclude=True)


def load_answer_questions(path: Path) -> list[AnswerQuestion]:
    return read_jsonl(path, AnswerQuestion)


def _norm(text: str) -> str:
    return " ".join(re.sub(r"[|*_`>]", " ", text).lower().split())


def facts_present(answer_text: str, facts: Sequence[str]) -> bool:
    text = _norm(answer_text)
    return all(_norm(fact) in text for fact in facts)


def cites_gold(answer: Answer, gold_sources: Sequence[str | None]) -> bool:
    """Whether a passage cited in the answer's text comes from one of the gold documents."""
    by_number = {c.n: c.source for c in answer.citations}
    return any(by_number.get(n) in gold_sources for n in cited_numbers(answer.text))


def score(
    backend: str,
    questions: Sequence[AnswerQuestion],
    answers: Sequence[Answer],
    threshold: float | None = None,
) -> AnswerReport:
    """Metrics for answers already produced; `threshold` re-decides abstention from scores."""

    def abstained(a: Answer) -> bool:
        if threshold is None or a.unanswerable_probability is None:
            return a.abstained
        if a.abstained and a.abstain_reason != "not_answerable":
            return True  # declined for a reason the threshold does not govern
        return a.unanswerable_probability >= threshold

    answerable = [(q, a) for q, a in zip(questions, answers, strict=True) if q.answerable]
    unanswerable = [(q, a) for q, a in zip(questions, answers, strict=True) if not q.answerable]
    correct = [not abstained(a) and facts_present(a.text, q.key_facts) for q, a in answerable]
    answered = [(q, a) for q, a in answerable if not abstained(a)]
    cited_ok = [cites_gold(a, [q.gold_source, *q.also_sources]) for q, a in answered]
    abstain_flags = [abstained(a) for _, a in answerable + unanswerable]
    true_abstain = sum(abstained(a) for _, a in unanswerable)
    totals = [a.timings.total for a in answers]
    ttfts = [a.timings.first_token for a in answers if a.timings.first_token is not None]
    return AnswerReport(
        backend=backend,
        n_answerable=len(answerable),
        n_unanswerable=len(unanswerable),
        key_fact_accuracy=sum(correct) / max(1, len(answerable)),
        citation_correctness=sum(cited_ok) / max(1, len(cited_ok)),
        abstention_precision=true_abstain / max(1, sum(abstain_flags)),
        abstention_recall=true_abstain / max(1, len(unanswerable)),
        ttft_p50_s=float(np.percentile(ttfts, 50)) if ttfts else 0.0,
        total_p50_s=float(np.percentile(totals, 50)) if totals else 0.0,
        total_p95_s=float(np.percentile(totals, 95)) if totals else 0.0,
        failures=[q.id for (q, _), ok in zip(answerable, correct, strict=True) if not ok]
        + [q.id for q, a in unanswerable if not abstained(a)],
    )


def run(
    chain: RagChain, questions: Sequence[AnswerQuestion], *, show_progress: bool = False
) -> list[Answer]:
    return [
        chain.invoke(q.question)
        for q in tqdm(questions, desc=f"answers ({chain.backend})", disable=not show_progress)
    ]


def calibration_signals(
    chain: RagChain, questions: Sequence[str], *, show_progress: bool = False
) -> list[AnswerabilitySignals]:
    """The answerability signals of each question, retrieved exactly as the chain does."""
    measured = []
    for question in tqdm(questions, desc="signals", disable=not show_progress):
        citations, best = chain.retrieve(question)
        measured.append(signals(chain.searcher, question, citations[: chain.answer_k], best))
    return measured


def report_json(report: AnswerReport) -> str:
    return json.dumps(report.model_dump())
