"""Fine-tune the intent classifier: MiniLM with a sequence-classification head.

Shaped like transformers' `run_classification.py`: dataclass arguments from flags or one JSON
file, a seed, then the shared pipeline (`text_classification.py`): the `Trainer` with early
stopping on validation macro-F1, evaluation on
the held-out test split, temperature scaling on the validation split, a frozen-embedding
logistic-regression baseline on the same split, and the artefacts a reviewer needs:
model, label map, `metrics.json`, a model card and a confusion-matrix PNG.

Example:
    python -m finetune.intent --output_dir .plant/models/intent
    python -m finetune.intent args.json
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from finetune import text_classification as tc
from finetune.text_classification import (
    BUNDLED_MODEL,
    ModelArguments,
    expected_calibration_error,
    fit_temperature,
    resolve_model,
    softmax,
)
from tools.common.intents import INTENTS

log = logging.getLogger(__name__)

LABELS = INTENTS
DATA_DIR = Path(__file__).parent / "data" / "intents"
__all__ = [
    "BUNDLED_MODEL",
    "DATA_DIR",
    "LABELS",
    "ModelArguments",
    "classification_metrics",
    "expected_calibration_error",
    "fit_temperature",
    "main",
    "read_examples",
    "resolve_model",
    "softmax",
    "split_validation",
]


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


def read_examples(path: str | Path) -> list[dict[str, str]]:
    """JSONL lines `{"text", "label"}`; a bad line raises ValueError naming file and line."""
    rows = []
    for number, row in tc.jsonl_objects(path):
        try:
            text, label = str(row["text"]), str(row["label"])
        except KeyError as exc:
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
    return tc.split_validation(rows, share, seed, LABELS)


def classification_metrics(y_true: list[int], y_pred: list[int]) -> dict[str, Any]:
    return tc.classification_metrics(y_true, y_pred, LABELS)


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
    from transformers import set_seed

    model_args, data_args, training_args = tc.parse_classifier_arguments(
        DataArguments, argv, tc.default_training_flags(".plant/models/intent", 12, "1e-4")
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
    data = tc.ClassifierData(
        labels=LABELS,
        train=train_rows,
        validation=validation_rows,
        test=read_examples(data_args.test_file),
        max_seq_length=data_args.max_seq_length,
    )
    metrics = tc.train_classifier(
        model_path, data, training_args, title="Intent classifier, test split"
    ).metrics
    metrics["n_extra_train"] = len(extra)
    (output / "metrics.json").write_text(json.dumps(metrics, indent=2), encoding="utf-8")
    write_model_card(
        output / "README.md",
        metrics,
        {"model": model_args.model_name_or_path, "seed": training_args.seed},
    )
    log.info("intent classifier saved to %s", output)
    return metrics


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO)
    main()
