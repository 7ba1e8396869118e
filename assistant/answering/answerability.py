"""Can the retrieved passages answer the question? A calibrated logistic model over nine signals.

A single similarity threshold cannot tell "the VMC's coolant" (answerable) from "the EDM
machine's coolant" (the plant has no EDM machine): both retrieve coolant passages that look
alike. The model therefore also asks whether the question's rare words occur in the passages
at all, whether the corpus knows them, how well the best single sentence matches, how well
each of the question's words is matched in context by some word of the passages (a
BERTScore-style recall: "weigh" finds no partner in a robot's payload table, "cut it off"
finds "removal" in the lock-removal procedure), whether the passages hold the kind of value
the question asks for, and whether it asks for live figures no manual holds
(`assistant/answering/question_cues.py`).

Users set the scene before they ask ("the CMM results look odd, what temperature is that
room held at?"); the matching signals take the better of the whole message and its asking
clause alone, so the scene does not read as words the passages fail to match.

The model is fitted by `plant calibrate` on a development set — the retrieval questions
(answerable), `knowledge/eval/unanswerable_dev.jsonl`, and the conversational questions of
both kinds in `knowledge/eval/conversational_dev.jsonl` — never on the answer evaluation set,
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

from assistant.answering.retrieval_result import TextVectors
from retrieval.bm25 import tokenize

if TYPE_CHECKING:
    from assistant.answering.answers import Citation
    from retrieval.bm25 import BM25Index
    from retrieval.embeddings import TokenVectors
    from retrieval.search import Searcher

DEFAULT_MODEL_PATH = Path(__file__).with_name("answerability.json")


@dataclass(frozen=True)
class AnswerabilitySignals:
    """What the model sees for one question and its retrieved passages (all in [0, 1])."""

    dense_score: float  # cosine similarity of the best passage by embeddings
    passage_coverage: float  # share of the question's IDF mass found in the best passage
    unknown_share: float  # share of content words the corpus never uses, by specificity
    unknown_code: float  # 1 when the question names a code the corpus never mentions
    sentence_similarity: float  # cosine similarity of the best single sentence or table row
    sentence_coverage: float  # share of the question's IDF mass in the best sentence
    token_coverage: float  # IDF-weighted soft match of the question's words in the passages
    answer_type_missing: float  # 1 when the asked kind of value (kg, V, price...) is absent
    live_figures: float  # 1 when the question is about a given day, week or month

    @classmethod
    def names(cls) -> list[str]:
        return [f.name for f in fields(cls)]

    def vector(self) -> np.ndarray:
        return np.array(astuple(self), dtype=np.float64)


def signals(
    searcher: Searcher,
    question: str,
    citations: Sequence[Citation],
    dense_score: float | None,
    *,
    vectors: TextVectors | None = None,
    type_missing: bool | None = None,
) -> AnswerabilitySignals:
    """Measure the signals; `citations` are the passages the answer would use.

    `vectors` (the question's `Retrieval.vectors`) supplies the vectors already computed —
    the query's — and keeps the sentences' for the answer that follows; `type_missing`, the
    `answer_type_missing` test's result where the caller has it already.
    """
    from assistant.answering.asked_value import answer_type_missing
    from assistant.answering.extractive import passage_units
    from assistant.answering.question_cues import asking_clause, asks_for_live_figures

    bm25 = searcher.bm25
    texts = [f"{c.title} {c.section}\n{c.text}" for c in citations]
    units = [u for c in citations for u in passage_units(c.text)]
    passages = _Passages(
        units=units,
        passage_tokens=[set(tokenize(text)) for text in texts],
        unit_tokens=[set(tokenize(unit)) for unit in units],
        token_vectors=searcher.embedder.token_vectors(texts) if texts else [],
        # a one-off measurement (calibration) has no vectors to share
        vectors=vectors if vectors is not None else TextVectors(searcher.embedder),
    )
    # the question whole, and its asking clause alone: the scene a user sets ("the CMM
    # results look odd, ...") must not dilute how well what they ask is matched
    asked = [text for text in (question, asking_clause(question)) if text]
    found = [_matches(searcher, text, passages) for text in asked]
    passage_cov, sentence_sim, sentence_cov, token_cov = (
        max(values) for values in zip(*found, strict=True)
    )
    codes, _, _ = bm25.unknown_terms(question)
    return AnswerabilitySignals(
        dense_score=float(dense_score or 0.0),
        passage_coverage=passage_cov,
        unknown_share=bm25.unknown_share(question),
        unknown_code=1.0 if codes else 0.0,
        sentence_similarity=sentence_sim,
        sentence_coverage=sentence_cov,
        token_coverage=token_cov,
        answer_type_missing=float(
            answer_type_missing(question, texts) if type_missing is None else type_missing
        ),
        live_figures=1.0 if asks_for_live_figures(question) else 0.0,
    )


@dataclass(frozen=True)
class _Passages:
    """What the question and its asking clause are both matched against, prepared once."""

    units: list[str]  # the passages' sentences and table rows
    passage_tokens: list[set[str]]
    unit_tokens: list[set[str]]
    token_vectors: list[TokenVectors]  # each passage's, with its title and section
    vectors: TextVectors  # sentence vectors, shared with the answer


def _matches(
    searcher: Searcher, question: str, passages: _Passages
) -> tuple[float, float, float, float]:
    """How well `question` is matched by the passages: the share of its IDF mass in the best
    passage, the best sentence's cosine similarity and IDF share, and its token coverage."""
    bm25 = searcher.bm25
    weights = {term: bm25.idf(term) for term, _ in bm25.resolve_terms(question)}
    total = sum(weights.values()) or 1.0

    def coverage(tokens: set[str]) -> float:
        return sum(w for term, w in weights.items() if term in tokens) / total

    passage_cov = max(map(coverage, passages.passage_tokens), default=0.0)
    sentence_sim = sentence_cov = token_cov = 0.0
    if passages.units:
        encoded = passages.vectors.encode([question, *passages.units])
        sentence_sim = float(np.max(encoded[1:] @ encoded[0]))
        sentence_cov = max(map(coverage, passages.unit_tokens))
    if passages.token_vectors:
        repaired = bm25.repair_spelling(question)  # a typo must not read as an unmatched word
        (question_vectors,) = searcher.embedder.token_vectors([repaired])
        token_cov = token_coverage(bm25, question_vectors, passages.token_vectors)
    return passage_cov, sentence_sim, sentence_cov, token_cov


def token_coverage(
    bm25: BM25Index, question: TokenVectors, passages: Sequence[TokenVectors]
) -> float:
    """BERTScore recall of the question against the passages, over content words.

    Each word piece of the question takes its best cosine similarity to any word piece of any
    passage; a word scores the mean of its pieces; the words are averaged with their corpus
    IDF as weights (Zhang et al. 2020, "BERTScore", with IDF weighting). Stop words and
    punctuation do not count. 1.0 for a question without content words.
    """
    if not passages:
        return 0.0
    stacked = np.vstack([p.vectors for p in passages])
    best = (question.vectors @ stacked.T).max(axis=1)
    weights, scores = [], []
    for index, word in enumerate(question.words):
        terms = tokenize(word) if word.isalnum() else []
        if not terms:
            continue
        weights.append(max(bm25.idf(terms[0]), 1e-6))
        scores.append(float(best[question.word_of_piece == index].mean()))
    if not weights:
        return 1.0
    return float(np.average(scores, weights=weights))


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
    with the best F1.

    The threshold is read off out-of-fold probabilities (5-fold cross-validation), not the
    fitted model's own: those are optimistic on the questions it was fitted to, and a
    threshold chosen on them lets through more wrong abstentions on new questions."""
    if not answerable or not unanswerable:
        raise ValueError("calibration needs answerable and unanswerable questions")
    x = np.array([s.vector() for s in [*answerable, *unanswerable]])
    y = np.array([0] * len(answerable) + [1] * len(unanswerable))
    coefficients, intercept = _regression(x, y, np.arange(len(y)))
    folds = min(5, len(answerable), len(unanswerable))
    if folds >= 2:
        probabilities = _out_of_fold_probabilities(x, y, folds)
    else:  # too few questions to hold any out
        probabilities = 1.0 / (1.0 + np.exp(-(x @ coefficients + intercept)))
    threshold, precision, recall = _choose_threshold(y, probabilities, min_precision)
    return AnswerabilityModel(
        features=AnswerabilitySignals.names(),
        coefficients=[float(c) for c in coefficients],
        intercept=intercept,
        threshold=round(threshold, 4),
        fitted_on={"answerable": len(answerable), "unanswerable": len(unanswerable)},
        development={"abstention_precision": precision, "abstention_recall": recall},
    )


def _regression(x: np.ndarray, y: np.ndarray, rows: np.ndarray) -> tuple[np.ndarray, float]:
    """Plain logistic-regression coefficients and intercept fitted on `rows` of `x`."""
    from sklearn.linear_model import LogisticRegression

    # standardized so that one penalty suits signals of different spread (0/1 flags next
    # to similarities that vary by a few hundredths); folded back into plain coefficients
    mean, scale = x[rows].mean(axis=0), x[rows].std(axis=0)
    scale[scale == 0] = 1.0
    model = LogisticRegression(class_weight="balanced", C=1.0, max_iter=2000)
    model.fit((x[rows] - mean) / scale, y[rows])
    weights = model.coef_[0] / scale
    return weights, float(model.intercept_[0] - np.dot(weights, mean))


def _out_of_fold_probabilities(x: np.ndarray, y: np.ndarray, folds: int) -> np.ndarray:
    """Each question's P(unanswerable) from a model fitted without its fold."""
    from sklearn.model_selection import StratifiedKFold

    probabilities = np.zeros(len(y))
    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=0)
    for train, held_out in splitter.split(x, y):
        weights, bias = _regression(x, y, train)
        probabilities[held_out] = 1.0 / (1.0 + np.exp(-(x[held_out] @ weights + bias)))
    return probabilities


def _choose_threshold(
    y: np.ndarray, probabilities: np.ndarray, min_precision: float
) -> tuple[float, float, float]:
    """The threshold `fit` documents, with the precision and recall it has on `y`."""
    from sklearn.metrics import precision_recall_curve

    precision, recall, thresholds = precision_recall_curve(y, probabilities)
    precision, recall = precision[:-1], recall[:-1]  # the last point has no threshold
    meets = np.flatnonzero(precision >= min_precision)
    if meets.size:
        best = int(meets[np.argmax(recall[meets])])
    else:
        f1 = 2 * precision * recall / np.maximum(precision + recall, 1e-12)
        best = int(np.argmax(f1))
    return float(thresholds[best]), float(precision[best]), float(recall[best])


def cross_validate(
    answerable: Sequence[AnswerabilitySignals],
    unanswerable: Sequence[AnswerabilitySignals],
    *,
    folds: int = 5,
    min_precision: float = 0.9,
    seed: int = 0,
) -> dict[str, float]:
    """Abstention precision and recall of the whole recipe (fit and threshold) out of fold.

    The numbers `fit` reports come from the same out-of-fold probabilities its threshold was
    chosen on, so they flatter it a little; here the whole recipe, threshold choice included,
    is repeated without the held-out fold (nested cross-validation) — the honest estimate of
    what it does on questions it has not seen.
    """
    from sklearn.model_selection import StratifiedKFold

    folds = min(folds, len(answerable), len(unanswerable))
    if folds < 2:
        return {}  # too few questions of a kind to hold any out
    signals_all = [*answerable, *unanswerable]
    y = np.array([0] * len(answerable) + [1] * len(unanswerable))
    declined = np.zeros(len(y), dtype=bool)
    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)
    for train, held_out in splitter.split(np.zeros(len(y)), y):
        model = fit(
            [signals_all[i] for i in train if y[i] == 0],
            [signals_all[i] for i in train if y[i] == 1],
            min_precision=min_precision,
        )
        for i in held_out:
            declined[i] = model.abstains(signals_all[i])
    right = int(np.sum(declined & (y == 1)))
    return {
        "cv_abstention_precision": right / max(1, int(declined.sum())),
        "cv_abstention_recall": right / max(1, int(y.sum())),
    }
