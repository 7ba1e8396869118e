"""Triage with the trained classifiers: a category and an urgency for every ticket, urgent by
rule whenever safety wording is there, and a clear message without a model."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.tickets.evaluation import evaluate, load_tickets
from assistant.tickets.triage import (
    MODEL_CHARS,
    FineTunedScorer,
    TicketTriage,
    TriageModelMissing,
)
from tools.common.errors import PlantError
from tools.common.tickets import CATEGORIES

pytestmark = pytest.mark.database_free  # the PostgreSQL pass leaves it out

DEV = Path(__file__).parents[3] / "knowledge" / "eval" / "tickets" / "tickets_dev.jsonl"


def test_every_ticket_gets_a_category_and_safety_makes_it_urgent(tiny_ticket_model: Path) -> None:
    triage = TicketTriage.load(tiny_ticket_model)
    assert not isinstance(triage.scorer, FineTunedScorer)  # the default recipe's triage.json
    results = triage.triage_many(
        [("Invoice", "Please send a copy of invoice 4471."), ("", "Der Monteur hat sich verbrüht")]
    )
    assert all(r.category in CATEGORIES and 0 <= r.confidence <= 1 for r in results)
    scalded = results[1]
    assert scalded.urgency == "urgent" and scalded.safety_terms
    assert scalded.reason.startswith("urgent by rule")


def test_evaluation_scores_the_development_tickets(tiny_ticket_model: Path) -> None:
    report = evaluate(TicketTriage.load(tiny_ticket_model), DEV)
    assert report.n == 80 and 0 <= report.category_accuracy <= 1
    assert report.urgent_by_rule >= 5  # the dev set's safety tickets, whatever the model says
    assert set(report.by_language) == {"en", "de", "fr"}


def test_a_fine_tuned_folder_still_loads(tiny_finetuned_ticket_model: Path) -> None:
    triage = TicketTriage.load(tiny_finetuned_ticket_model)
    assert isinstance(triage.scorer, FineTunedScorer)
    result = triage.triage("", "Der Monteur hat sich verbrüht")
    assert result.category in CATEGORIES and result.urgency == "urgent"


def test_missing_model_says_how_to_train(tmp_path: Path) -> None:
    with pytest.raises(TriageModelMissing, match="plant train tickets"):
        TicketTriage.load(tmp_path)


def test_a_bad_evaluation_line_is_named(tmp_path: Path) -> None:
    path = tmp_path / "t.jsonl"
    path.write_text('{"id": "a", "body": "hi", "category": "billing", "urgency": "normal"}\nnope\n')
    with pytest.raises(PlantError, match="line 2"):
        load_tickets(path)


class _Recording:
    """A scorer that records what the triage gives it to read."""

    def __init__(self) -> None:
        self.read: list[str] = []

    def score(self, texts: list[str]) -> list[tuple[str, float, float]]:
        self.read += texts
        return [("billing", 0.9, 0.0) for _ in texts]


def test_a_long_body_is_cut_for_the_models_and_read_whole_for_safety() -> None:
    scorer = _Recording()
    triage = TicketTriage(scorer, urgent_threshold=0.5)
    body = "Invoice 4471 is wrong. " * 50_000 + "Also, our fitter got an electric shock."
    result = triage.triage("Invoice", body)
    assert len(scorer.read[0]) <= MODEL_CHARS + 310  # the subject and the body's start
    assert scorer.read[0].startswith("Invoice. Invoice 4471 is wrong.")
    assert result.urgency == "urgent" and result.safety_terms  # found at the very end
