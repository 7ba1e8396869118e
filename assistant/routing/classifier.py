"""Classify a chat message into one of the assistant's intents, with calibrated confidence."""

from __future__ import annotations

import json
import re
import threading
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field

from assistant.settings import setting_default
from tools.common.errors import ModelMissing

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\ufffd]")
_WORD = re.compile(r"[^\W_]{2,}")  # two letters or digits in a row, in any script


class IntentPrediction(BaseModel):
    """The classifier's answer for one message."""

    text: str
    intent: str
    confidence: float = Field(ge=0.0, le=1.0)
    top: list[tuple[str, float]] = Field(description="Best labels first, with probabilities.")
    needs_clarification: bool = Field(
        False, description="Confidence below the threshold: ask which of the top two was meant."
    )
    reason: str | None = Field(None, description="Why a rule, not the model, decided.")

    def to_cli_json(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "intent": self.intent,
            "confidence": round(self.confidence, 4),
            "top": [[label, round(p, 4)] for label, p in self.top],
        }


class IntentModelMissing(ModelMissing):
    """No trained intent model where the settings point."""


class IntentClassifier:
    """A fine-tuned sequence classifier saved by `finetune.intent`, softmax at its temperature.

    Example:
        >>> classifier = IntentClassifier.load(Path(".plant/models/intent"))  # doctest: +SKIP
        >>> classifier.classify("is OD-12 in control?").intent  # doctest: +SKIP
        'spc_analysis'
    """

    def __init__(self, model: Any, tokenizer: Any, labels: list[str], temperature: float,
                 *, threshold: float, max_length: int = 64) -> None:  # fmt: skip
        self.model = model
        self.tokenizer = tokenizer
        self.labels = labels
        self.temperature = temperature
        self.threshold = threshold
        self.max_length = max_length
        self._lock = threading.Lock()  # one forward pass at a time per model

    @classmethod
    def load(cls, path: Path, *, threshold: float | None = None) -> IntentClassifier:
        meta = path / "labels.json"
        if not meta.is_file():
            raise IntentModelMissing(
                f"No intent model in {path}. Train it with: plant train intent"
            )
        from transformers import AutoModelForSequenceClassification, AutoTokenizer

        info = json.loads(meta.read_text(encoding="utf-8"))
        model = AutoModelForSequenceClassification.from_pretrained(str(path)).eval()
        tokenizer = AutoTokenizer.from_pretrained(str(path))
        return cls(model, tokenizer, list(info["labels"]), float(info.get("temperature", 1.0)),
                   threshold=threshold if threshold is not None
                   else setting_default("intent_confidence_threshold"))  # fmt: skip

    def classify(self, text: str) -> IntentPrediction:
        return self.classify_many([text])[0]

    def classify_many(self, texts: list[str], batch_size: int = 32) -> list[IntentPrediction]:
        """Predictions in input order; messages without words get `out_of_scope` by rule."""
        import torch

        results: list[IntentPrediction | None] = [None] * len(texts)
        pending = []
        for i, raw in enumerate(texts):
            text = " ".join(_CONTROL.sub(" ", raw).split())
            if not _WORD.search(text):
                results[i] = IntentPrediction(
                    text=raw, intent="out_of_scope", confidence=1.0,
                    top=[("out_of_scope", 1.0)], reason="no words to classify",
                )  # fmt: skip
            else:
                pending.append((i, text))
        for start in range(0, len(pending), batch_size):
            chunk = pending[start : start + batch_size]
            with self._lock:
                encoded = self.tokenizer(
                    [t for _, t in chunk], truncation=True, max_length=self.max_length,
                    padding=True, return_tensors="pt",
                )  # fmt: skip
                with torch.no_grad():
                    logits = self.model(**encoded).logits / self.temperature
            for (i, _), row in zip(chunk, torch.softmax(logits, dim=-1).tolist(), strict=True):
                ranked = sorted(zip(self.labels, row, strict=True), key=lambda lp: -lp[1])
                label, confidence = ranked[0]
                results[i] = IntentPrediction(
                    text=texts[i], intent=label, confidence=float(confidence),
                    top=[(lb, float(p)) for lb, p in ranked[:3]],
                    needs_clarification=confidence < self.threshold,
                )  # fmt: skip
        return [r for r in results if r is not None]
