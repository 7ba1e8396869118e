"""Triage a ticket: its category and urgency from the trained triage, and urgent by rule
whenever it holds safety wording (`safety.py`), whatever the model says.

Two kinds of trained folder: `triage.json` (the e5-ngrams recipe, `triage_model.py`), or the
fine-tuned classifiers' `category/` and `urgency/` (`plant train tickets --recipe finetune`)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from assistant.routing.classifier import IntentClassifier
from assistant.tickets.safety import safety_terms
from tools.common.errors import ModelMissing
from tools.common.tickets import CATEGORIES, ticket_text

MODEL_FILE = "triage.json"
# the models read the start of a message (its encoder sees 512 tokens at most, and a 1 MB
# body would take minutes); the safety rule reads all of it
MODEL_CHARS = 3_000


class TriageModelMissing(ModelMissing):
    """No trained ticket triage where the settings point."""


def _not_trained(path: Path) -> TriageModelMissing:
    """How to train the triage, or, while `make run` trains it in the background (its status
    file beside the models folder: `.plant/training/status.json`), when it will be ready."""
    from assistant.readiness import not_ready_message, status_file

    told = not_ready_message("tickets", status_file(path.parent.parent))
    return TriageModelMissing(
        told or f"No ticket triage model in {path}. Train it with: plant train tickets"
    )


@dataclass(frozen=True)
class TriageResult:
    """One ticket's triage: the category with its calibrated probability, the urgency, the
    model's probability of `urgent`, and the safety wording that made it urgent by rule."""

    category: str
    confidence: float
    urgency: str
    urgent_probability: float
    safety_terms: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "category": self.category,
            "confidence": round(self.confidence, 4),
            "urgency": self.urgency,
            "urgent_probability": round(self.urgent_probability, 4),
            "safety_terms": self.safety_terms,
            "reason": self.reason,
        }

    @property
    def reason(self) -> str:
        if self.safety_terms:
            return "urgent by rule: safety wording (" + ", ".join(self.safety_terms[:3]) + ")"
        return f"model: P(urgent) {self.urgent_probability:.2f}"


class TriageScorer(Protocol):
    def score(self, texts: list[str]) -> list[tuple[str, float, float]]:
        """(category, its calibrated probability, P(urgent)) for each text, in order."""
        ...


class FineTunedScorer:
    """The two fine-tuned classifiers (`category/`, `urgency/`) with the intent loader."""

    def __init__(self, category: IntentClassifier, urgency: IntentClassifier) -> None:
        self.category = category
        self.urgency = urgency

    def score(self, texts: list[str]) -> list[tuple[str, float, float]]:
        categories = self.category.classify_many(texts)
        urgencies = self.urgency.classify_many(texts)
        return [
            (c.intent, c.confidence, dict(u.top).get("urgent", 0.0))
            for c, u in zip(categories, urgencies, strict=True)
        ]


class TicketTriage:
    """The triage saved by `finetune.tickets`: `triage.json` when the folder has it, else the
    fine-tuned category and urgency classifiers.

    Example:
        >>> triage = TicketTriage.load(Path(".plant/models/tickets"))  # doctest: +SKIP
        >>> triage.triage("Leak", "Hot oil sprayed on our fitter").urgency  # doctest: +SKIP
        'urgent'
    """

    def __init__(self, scorer: TriageScorer, urgent_threshold: float) -> None:
        self.scorer = scorer
        self.urgent_threshold = urgent_threshold

    @classmethod
    def load(cls, path: Path, *, max_length: int = 128) -> TicketTriage:
        if (path / MODEL_FILE).is_file():
            from assistant.tickets.triage_model import E5NgramTriage

            try:
                model = E5NgramTriage.load(path / MODEL_FILE)
            except ValueError as exc:  # a damaged file, or one of another format
                reason = " ".join(str(exc).split())[:240]
                raise TriageModelMissing(
                    f"{path / MODEL_FILE} is not a usable ticket triage ({reason}). Train it "
                    "again with: plant train tickets"
                ) from exc
            return cls(model, model.urgent_threshold)
        meta = path / "urgency" / "labels.json"
        if not (path / "category" / "labels.json").is_file() or not meta.is_file():
            raise _not_trained(path)
        category = IntentClassifier.load(path / "category", threshold=0.0)
        urgency = IntentClassifier.load(path / "urgency", threshold=0.0)
        category.max_length = urgency.max_length = max_length
        info: dict[str, Any] = json.loads(meta.read_text(encoding="utf-8"))
        return cls(FineTunedScorer(category, urgency), float(info.get("urgent_threshold", 0.5)))

    def triage(self, subject: str, body: str) -> TriageResult:
        return self.triage_many([(subject, body)])[0]

    def triage_many(self, tickets: list[tuple[str, str]]) -> list[TriageResult]:
        """Triage in input order."""
        if not tickets:
            return []
        scores = self.scorer.score(
            [ticket_text(subject[:300], body[:MODEL_CHARS]) for subject, body in tickets]
        )
        results = []
        for (subject, body), (category, confidence, urgent) in zip(tickets, scores, strict=True):
            terms = safety_terms(f"{subject}\n{body}")
            results.append(
                TriageResult(
                    category=category if category in CATEGORIES else "other",
                    confidence=confidence,
                    urgency="urgent" if terms or urgent >= self.urgent_threshold else "normal",
                    urgent_probability=urgent,
                    safety_terms=terms,
                )
            )
        return results
