"""The intent fine-tuning script, its data and the classifier that loads its output."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import numpy as np
import pytest
from rapidfuzz import fuzz, process

from assistant.routing.classifier import IntentClassifier
from finetune.intent import (
    DATA_DIR,
    LABELS,
    fit_temperature,
    read_examples,
    softmax,
    split_validation,
)


def test_the_data_has_enough_independent_lines_per_label() -> None:
    train, test = read_examples(DATA_DIR / "train.jsonl"), read_examples(DATA_DIR / "test.jsonl")
    train_counts, test_counts = (
        Counter(r["label"] for r in train),
        Counter(r["label"] for r in test),
    )
    assert set(train_counts) == set(test_counts) == set(LABELS)
    assert min(train_counts.values()) >= 80 and min(test_counts.values()) >= 25
    train_texts = [r["text"].lower() for r in train]
    for row in test:  # written separately, not copies or near copies of training lines
        _, similarity, _ = process.extractOne(row["text"].lower(), train_texts, scorer=fuzz.ratio)
        assert similarity < 90, row["text"]


def test_bad_lines_are_named(tmp_path: Path) -> None:
    path = tmp_path / "d.jsonl"
    path.write_text('{"text": "hi", "label": "smalltalk"}\n{"text": "x", "label": "weather"}\n')
    with pytest.raises(ValueError, match="line 2: unknown label 'weather'"):
        read_examples(path)
    path.write_text("not json\n")
    with pytest.raises(ValueError, match="line 1"):
        read_examples(path)


def test_validation_split_is_stratified_and_disjoint() -> None:
    rows = [{"text": f"{label} {i}", "label": label} for label in LABELS for i in range(20)]
    train, validation = split_validation(rows, 0.15, seed=1)
    assert Counter(r["label"] for r in validation) == dict.fromkeys(LABELS, 3)
    assert not {r["text"] for r in train} & {r["text"] for r in validation}
    assert split_validation(rows, 0.15, seed=1) == (train, validation)


def test_temperature_scaling_recovers_an_overconfident_scale() -> None:
    rng = np.random.default_rng(0)
    true_logits = rng.normal(0, 1.5, size=(4000, 5))
    labels = np.array([rng.choice(5, p=p) for p in softmax(true_logits)])
    fitted = fit_temperature(3.0 * true_logits, labels)  # a model three times too sure
    assert fitted == pytest.approx(3.0, rel=0.1)


def test_training_writes_every_artefact(tiny_intent_model: Path) -> None:
    info = json.loads((tiny_intent_model / "labels.json").read_text())
    assert info["labels"] == list(LABELS) and info["temperature"] > 0
    config = json.loads((tiny_intent_model / "config.json").read_text())
    assert [config["id2label"][str(i)] for i in range(len(LABELS))] == list(LABELS)
    metrics = json.loads((tiny_intent_model / "metrics.json").read_text())
    assert {"test", "validation", "baseline_logreg", "temperature"} <= set(metrics)
    assert metrics["n_extra_train"] == 2  # stored corrections join the training data
    assert set(metrics["test"]["per_label"]) == set(LABELS)
    assert (tiny_intent_model / "confusion_matrix.png").read_bytes()[:4] == b"\x89PNG"
    assert "macro-F1" in (tiny_intent_model / "README.md").read_text()
    assert not list(tiny_intent_model.glob("checkpoint-*"))


@pytest.mark.parametrize(
    "text",
    ["", "   ", "🙂🙂🙂", "\x00\x01\x02\xff\xfe", "a" * 20_000, "wo ist die Kantine bitte?",
     "is OD-12 in control " * 2000],
)  # fmt: skip
def test_any_input_gets_a_defined_answer(tiny_intent_model: Path, text: str) -> None:
    prediction = IntentClassifier.load(tiny_intent_model).classify(text)
    assert prediction.intent in LABELS and 0.0 <= prediction.confidence <= 1.0
    assert prediction.top[0][0] == prediction.intent
    if not any(c.isalnum() for c in text):
        assert prediction.intent == "out_of_scope" and prediction.reason


def test_confidence_threshold_decides_clarification(tiny_intent_model: Path) -> None:
    sure = IntentClassifier.load(tiny_intent_model, threshold=0.0).classify("is OD-12 in control")
    unsure = IntentClassifier.load(tiny_intent_model, threshold=1.0).classify("is OD-12 in control")
    assert not sure.needs_clarification and unsure.needs_clarification
    assert len(unsure.top) == 3 and unsure.top[0][1] >= unsure.top[1][1] >= unsure.top[2][1]


def test_missing_model_says_how_to_train(tmp_path: Path) -> None:
    with pytest.raises(Exception, match="plant train intent"):
        IntentClassifier.load(tmp_path)


def test_loading_and_classifying_leave_autograd_alone(tiny_intent_model: Path) -> None:
    """The chat process also trains (failure model, feedback): grad must stay on."""
    import torch

    IntentClassifier.load(tiny_intent_model).classify("is OD-12 in control")
    assert torch.is_grad_enabled()
