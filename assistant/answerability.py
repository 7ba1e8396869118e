"""Can the retrieved passages answer the question? A calibrated logistic model over six signals.

A single similarity threshold cannot tell "the VMC's coolant" (answerable) from "the EDM
machine's coolant" (the plant has no EDM machine): both retrieve coolant passages that look
alike. The model therefore also asks whether the question's rare words occur in the passages
at all, whether the corpus knows them, and how well the best single sentence matches.

The model is fitted by `plant calibrate` on a development set — the retrieval questions
(answerable) and `knowledge/eval/unanswerable_dev.jsonl` — never on the answer evaluation set,
which stays a held-out test. Its threshold is chosen on the development set too.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import astuple, dataclass, fields
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from pydantic import BaseModel, Field

from retrieval.bm25 import tokenize

if TYPE_CHECKING:
    from assistant.answers import Citation
    from retrieval.search import Searcher

DEFAULT_MODEL_PATH = Path(__file__).with_name("answerability.json")


@dataclass(frozen=True)
class AnswerabilitySignals:
    """What the model sees for one question and its retrieved passages (all in [0, 1])."""

    dense_score: float  # cosine similarity of the best passage by embeddings
    passage_coverage: float  # share of the question's IDF mass found in the best passage
    unknown_share: float  # share of content words the corpus never uses (after typo repair)
    unknown_code: float  # 1 when the question names a code the corpus never mentions
    sentence_similarity: float  # cosine similarity of the best single sentence or table row
    sentence_coverage: float  # share of the question's IDF mass in the best sentence

    @classmethod
    def names(cls) -> list[str]:
        return [f.name for f in fields(cls)]

    def vector(self) -> np.ndarray:
        return np.array(astuple(self), dtype=np.float64)


def signals(
    searcher: Searcher, question: str, citations: Sequence[Citation], dense_score: float | None
) -> AnswerabilitySignals:
    """Measure the six signals; `citations` are the passages the answer would use."""
    from assistant.extractive import passage_units

    bm25 = searcher.bm25
    terms = bm25.resolve_terms(question)
    weights = {term: bm25.idf(term) for term, _ in terms}
    total = sum(weights.values()) or 1.0

    def coverage(tokens: set[str]) -> float:
        return sum(w for term, w in weights.items() if term in tokens) / total

    passage_cov = max(
        (coverage(set(tokenize(f"{c.title} {c.section}\n{c.text}"))) for c in citations),
        default=0.0,
    )
    units = [u for c in citations for u in passage_units(c.text)]
    sentence_sim = sentence_cov = 0.0
    if units:
        vectors = searcher.embedder.encode([question, *units])
        sentence_sim = float(np.max(vectors[1:] @ vectors[0]))
        sentence_cov = max(coverage(set(tokenize(u))) for u in units)
    codes, words, n_content = bm25.unknown_terms(question)
    return AnswerabilitySignals(
        dense_score=float(dense_score or 0.0),
        passage_coverage=passage_cov,
        unknown_share=len(words) / max(1, n_content),
        unknown_code=1.0 if codes else 0.0,
        sentence_similarity=sentence_sim,
        sentence_coverage=sentence_cov,
    )


class AnswerabilityModel(BaseModel):
    """Logistic regression on `AnswerabilitySignals`: P(the documents cannot answer)."""

    features: list[str]
    coefficients: list[float]
    intercept: float
    threshold: float = Field(ge=0.0, le=1.0, description="Abstain at or above this probability.")
    fitted_on: dict[str, int] = Field(default_factory=dict)
    development: dict[str, float] = Field(default_factory=dict)

    def probability(self, s: AnswerabilitySignals) -> float:
        """P(unanswerable) for one question."""
        if self.features != AnswerabilitySignals.names():
            raise ValueError("answerability model was fitted on other signals; run plant calibrate")
        z = float(np.dot(self.coefficients, s.vector()) + self.intercept)
        return float(1.0 / (1.0 + np.exp(-z)))

    def abstains(self, s: AnswerabilitySignals) -> bool:
        return self.probability(s) >= self.threshold

    @classmethod
    def load(cls, path: Path) -> AnswerabilityModel:
        return cls.model_validate_json(path.read_text(encoding="utf-8"))

    def save(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(self.model_dump(), indent=2) + "\n", encoding="utf-8")


def fit(
    answerable: Sequence[AnswerabilitySignals],
    unanswerable: Sequence[AnswerabilitySignals],
    *,
    min_precision: float = 0.9,
) -> AnswerabilityModel:
    """Fit the model (classes balanced) and choose its threshold on the same development set:
    the lowest threshold at which at least `min_precision` of the abstentions are right —
    declining an answerable question costs the user an answer the documents hold, so
    precision is held and recall taken as far as it goes. Without such a threshold, the one
    with the best F1."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import precision_recall_curve

    if not answerable or not unanswerable:
        raise ValueError("calibration needs answerable and unanswerable questions")
    x = np.array([s.vector() for s in [*answerable, *unanswerable]])
    y = np.array([0] * len(answerable) + [1] * len(unanswerable))
    regression = LogisticRegression(class_weight="balanced", C=10.0, max_iter=1000).fit(x, y)
    probabilities = regression.predict_proba(x)[:, 1]
    precision, recall, thresholds = precision_recall_curve(y, probabilities)
    precision, recall = precision[:-1], recall[:-1]  # the last point has no threshold
    meets = np.flatnonzero(precision >= min_precision)
    if meets.size:
        best = int(meets[np.argmax(recall[meets])])
    else:
        f1 = 2 * precision * recall / np.maximum(precision + recall, 1e-12)
        best = int(np.argmax(f1))
    return AnswerabilityModel(
        features=AnswerabilitySignals.names(),
        coefficients=[float(c) for c in regression.coef_[0]],
        intercept=float(regression.intercept_[0]),
        threshold=round(float(thresholds[best]), 4),
        fitted_on={"answerable": len(answerable), "unanswerable": len(unanswerable)},
        development={
            "abstention_precision": float(precision[best]),
            "abstention_recall": float(recall[best]),
        },
    )
