"""The learned half of the passage guard: a logistic model that says whether a sentence speaks
to an AI assistant, over character n-grams and MiniLM sentence embeddings.

`finetune/injection_detector.py` fits it on `finetune/data/injection/sentences.jsonl` (with the
plant's own documents as further harmless text) and writes `injection_detector.json` next to
this module. Nothing heavy happens at import: the JSON file is read on first use, the embedder
loaded on the first sentence that needs it, both once per process. Scores are cached by
sentence, because the same passages come back question after question. Without the file the
guard runs on its patterns alone (logged once).
"""

from __future__ import annotations

import json
import logging
import math
import re
import threading
from collections import Counter, OrderedDict
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
from pydantic import BaseModel, Field

log = logging.getLogger(__name__)

DEFAULT_MODEL_PATH = Path(__file__).with_name("injection_detector.json")
_WHITE_SPACES = re.compile(r"\s\s+")
Encoder = Callable[[list[str]], np.ndarray]


class CharNgrams(BaseModel):
    """TF-IDF over character n-grams inside word boundaries, as scikit-learn's
    `TfidfVectorizer(analyzer="char_wb", sublinear_tf=True, lowercase=True)` computes them."""

    ngram_range: tuple[int, int]
    vocabulary: list[str]
    idf: list[float]

    def model_post_init(self, context: Any, /) -> None:
        self._index = {gram: i for i, gram in enumerate(self.vocabulary)}

    def grams(self, text: str) -> list[str]:
        low, high = self.ngram_range
        found = []
        for word in _WHITE_SPACES.sub(" ", text.lower()).split():
            word = f" {word} "
            for n in range(low, high + 1):
                found += [word[i : i + n] for i in range(max(1, len(word) - n + 1))]
                if len(word) <= n:  # a short word counts once
                    break
        return found

    def transform(self, texts: Sequence[str]) -> np.ndarray:
        """One L2-normalised row per text, (len(texts), len(vocabulary))."""
        matrix = np.zeros((len(texts), len(self.vocabulary)))
        idf = np.asarray(self.idf)
        for row, text in enumerate(texts):
            counts = Counter(self._index[g] for g in self.grams(text) if g in self._index)
            for column, count in counts.items():
                matrix[row, column] = (1.0 + math.log(count)) * idf[column]
            norm = np.linalg.norm(matrix[row])
            if norm > 0:
                matrix[row] /= norm
        return matrix


class InstructionModel(BaseModel):
    """P(a sentence addresses an AI assistant): logistic regression on character n-grams
    and/or normalised sentence embeddings, flagged at or above `threshold`."""

    features: str = Field(pattern="^(char|embedding|both)$")
    embedder: str | None = None  # the sentence-embedding model's name, for "embedding"/"both"
    char_ngrams: CharNgrams | None = None
    coefficients: list[float]  # n-gram columns first, then embedding dimensions
    intercept: float
    threshold: float = Field(gt=0.0, lt=1.0)
    # how far below the threshold's log-odds the n-gram part may fall and the sentence still
    # be embedded; None: embed every sentence
    embedding_gate: float | None = None
    corpus_sha256: str = ""
    metrics: dict[str, Any] = Field(default_factory=dict)

    @property
    def uses_embeddings(self) -> bool:
        return self.features in ("embedding", "both")

    def probabilities(self, texts: Sequence[str], encode: Encoder | None = None) -> np.ndarray:
        """P(instruction) for each text; `encode` embeds texts when the model uses embeddings.

        With `embedding_gate`, only texts whose n-gram part alone comes within the gate of the
        threshold's log-odds are embedded (the slow step); the others stay below it."""
        if not texts:
            return np.zeros(0)
        weights = np.asarray(self.coefficients)
        z = np.full(len(texts), self.intercept)
        columns = 0
        if self.char_ngrams is not None:
            columns = len(self.char_ngrams.vocabulary)
            z += self.char_ngrams.transform(texts) @ weights[:columns]
        if self.uses_embeddings:
            if encode is None:
                raise ValueError("this instruction model needs a sentence encoder")
            embed = np.ones(len(texts), dtype=bool)
            if self.embedding_gate is not None and self.char_ngrams is not None:
                embed = z >= math.log(self.threshold / (1.0 - self.threshold)) - self.embedding_gate
            if embed.any():
                vectors = np.asarray(encode([t for t, e in zip(texts, embed, strict=True) if e]))
                z[embed] += vectors.astype(np.float64) @ weights[columns:]
        return np.asarray(1.0 / (1.0 + np.exp(-z)))

    @classmethod
    def load(cls, path: Path) -> InstructionModel:
        return cls.model_validate_json(path.read_text(encoding="utf-8"))

    def save(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(self.model_dump(), indent=1) + "\n", encoding="utf-8")


class InstructionScorer:
    """The model file and its embedder, each loaded once and on first use; scores cached."""

    def __init__(self, path: Path = DEFAULT_MODEL_PATH, cache_size: int = 20_000) -> None:
        self.path = path
        self.cache_size = cache_size
        self._lock = threading.RLock()
        self._model: InstructionModel | None = None
        self._loaded = False
        self._encode: Encoder | None = None
        self._offered: tuple[str, Encoder] | None = None
        self._cache: OrderedDict[str, bool] = OrderedDict()

    def use_encoder(self, encode: Encoder | None) -> None:
        """Embed with `encode` (e.g. the application's own embedder) instead of loading one."""
        with self._lock:
            self._encode = encode
            self._cache.clear()

    def offer_encoder(self, model_name: str, encode: Encoder) -> None:
        """An embedder the application has loaded anyway (`model_name`: the name or path it
        was loaded from). It is used, instead of a second copy of the model, when it is the
        model the detector was trained with; otherwise the detector loads its own."""
        with self._lock:
            self._offered = (model_name, encode)

    def model(self) -> InstructionModel | None:
        with self._lock:
            if not self._loaded:
                self._loaded = True
                if self.path.is_file():
                    self._model = InstructionModel.load(self.path)
                else:
                    log.warning("no instruction model at %s: the passage guard uses its "
                                "patterns only", self.path)  # fmt: skip
            return self._model

    def flags(self, sentences: Sequence[str]) -> list[bool]:
        """Whether the model flags each sentence; one batch for all that are not cached."""
        model = self.model()
        if model is None or not sentences:
            return [False] * len(sentences)
        with self._lock:
            todo = list(dict.fromkeys(s for s in sentences if s not in self._cache))
            if todo:
                scores = model.probabilities(todo, self._encoder(model))
                for sentence, score in zip(todo, scores, strict=True):
                    self._cache[sentence] = bool(score >= model.threshold)
            found = []
            for sentence in sentences:
                self._cache.move_to_end(sentence)
                found.append(self._cache[sentence])
            while len(self._cache) > self.cache_size:
                self._cache.popitem(last=False)
            return found

    def remember(self, sentences: Sequence[str], flagged: bool) -> None:
        """Cache a verdict reached elsewhere (by this model, at ingest) for `sentences`."""
        with self._lock:
            for sentence in sentences:
                self._cache[sentence] = flagged
                self._cache.move_to_end(sentence)
            while len(self._cache) > self.cache_size:
                self._cache.popitem(last=False)

    def _encoder(self, model: InstructionModel) -> Encoder | None:
        if not model.uses_embeddings or self._encode is not None:
            return self._encode
        from assistant.settings import BUNDLED_EMBEDDING_ALIASES, Settings
        from retrieval.embeddings import SentenceEmbedder

        name = model.embedder or ""
        if name.strip().lower() in BUNDLED_EMBEDDING_ALIASES:
            name = Settings(embedding_model=name).resolved_embedding_model()
        if self._offered is not None and self._offered[0] in (name, model.embedder):
            self._encode = self._offered[1]
            log.info("the passage guard embeds with the application's %s", name)
        else:
            self._encode = SentenceEmbedder(name, device="cpu").encode
        return self._encode


_scorer = InstructionScorer()


def scorer() -> InstructionScorer:
    """The process-wide scorer the passage guard uses."""
    return _scorer
