"""`plant train intent`, `plant classify` and `plant eval intent`."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from assistant.cli.common import JsonOption
from assistant.settings import get_settings
from tools.common.errors import PlantError

out = Console()


def _read_texts(path: Path) -> list[str]:
    """One text per line, or JSONL objects with a `text` field."""
    if not path.is_file():
        raise PlantError(f"Not found: {path}")
    texts = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        if line.lstrip().startswith("{"):
            try:
                texts.append(str(json.loads(line)["text"]))
            except (json.JSONDecodeError, KeyError, TypeError) as exc:
                raise PlantError(
                    f"{path}, line {number}: expected a JSON object with 'text'"
                ) from exc
        else:
            texts.append(line)
    return texts


def train_intent(
    epochs: Annotated[
        int | None, typer.Option(help="Most epochs (early stopping may end sooner).")
    ] = None,
    output: Annotated[Path | None, typer.Option(help="Model folder (default: data dir).")] = None,
    with_feedback: Annotated[
        bool, typer.Option("--with-feedback", help="Add the users' stored intent corrections.")
    ] = False,
) -> None:
    """Fine-tune the intent classifier on finetune/data/intents and report its test metrics."""
    from assistant.readiness import MODELS, replaced_folder
    from finetune.intent import main

    settings = get_settings()
    target = output or settings.intent_model_dir
    args = [
        "--num_train_epochs", str(epochs or settings.intent_train_epochs),
        "--disable_tqdm", str(not sys.stderr.isatty()),
    ]  # fmt: skip
    if with_feedback:
        extra = _export_corrections(settings.data_dir / "intent_corrections.jsonl")
        args += ["--extra_train_file", str(extra)]
    with replaced_folder(target, MODELS["intent"].markers) as partial:  # never half a model
        metrics = main([*args, "--output_dir", str(partial)])
    test, base = metrics["test"], metrics["baseline_logreg"]
    out.print(f"Intent model written to {target} ({metrics['train_seconds']:.0f} s)")
    out.print(
        f"test: accuracy {test['accuracy']:.3f}, macro-F1 {test['macro_f1']:.3f}, out_of_scope "
        f"recall {test['per_label']['out_of_scope']['recall']:.3f}; baseline (frozen MiniLM + "
        f"logistic regression): {base['accuracy']:.3f}, {base['macro_f1']:.3f}"
    )


def _export_corrections(path: Path) -> Path:
    """Write the stored corrections as training lines; says how many there are."""
    from sqlmodel import Session

    from assistant.persistence.messages import corrections_as_examples
    from assistant.wiring import make_engine

    with Session(make_engine(get_settings())) as session:
        rows = corrections_as_examples(session)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), "utf-8")
    out.print(f"{len(rows)} stored correction(s) added to the training data ({path})")
    return path


def feedback_intent(
    message_id: Annotated[str, typer.Argument(help="The message id shown with the answer.")],
    label: Annotated[str, typer.Argument(help="The intent the message should have had.")],
) -> None:
    """Store that a message should have been routed to LABEL (used by --with-feedback)."""
    from sqlmodel import Session

    from assistant.persistence.messages import record_correction
    from assistant.routing.router import INTENTS
    from assistant.wiring import make_engine

    with Session(make_engine(get_settings())) as session:
        correction = record_correction(session, message_id=message_id, label=label, labels=INTENTS)
    out.print(
        f"Stored: message {message_id} ({correction.predicted or 'unclassified'} -> {label}). "
        "It is used by: plant train intent --with-feedback"
    )


def classify(
    text: Annotated[str | None, typer.Argument(help="The message to classify.")] = None,
    file: Annotated[
        Path | None, typer.Option("--file", help="One text per line, or JSONL.")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Which intent a message has, how sure the classifier is, and the runners-up."""
    from assistant.routing.classifier import IntentClassifier

    if (text is None) == (file is None):
        raise PlantError("Give either a text or --file FILE.")
    texts = _read_texts(file) if file is not None else [text or ""]
    settings = get_settings()
    classifier = IntentClassifier.load(
        settings.intent_model_dir, threshold=settings.intent_confidence_threshold
    )
    for prediction in classifier.classify_many(texts):
        if as_json:
            print(json.dumps(prediction.to_cli_json(), ensure_ascii=False))
            continue
        others = ", ".join(f"{label} {p:.2f}" for label, p in prediction.top[1:])
        flag = "  (unsure: would ask)" if prediction.needs_clarification else ""
        out.print(
            f"{prediction.intent} {prediction.confidence:.2f}{flag}  [dim]{others}[/]  "
            f"{prediction.text[:80]}",
            highlight=False,
        )


def eval_intent(
    file: Annotated[Path | None, typer.Option(help="JSONL with text and label.")] = None,
    as_json: JsonOption = False,
) -> None:
    """Accuracy, macro-F1 and per-label precision/recall/F1 on the intent test split."""
    from assistant.routing.classifier import IntentClassifier
    from finetune.intent import DATA_DIR, LABELS, classification_metrics, read_examples

    settings = get_settings()
    try:
        rows = read_examples(file or DATA_DIR / "test.jsonl")
    except (OSError, ValueError) as exc:
        raise PlantError(str(exc)) from exc
    classifier = IntentClassifier.load(
        settings.intent_model_dir, threshold=settings.intent_confidence_threshold
    )
    predictions = classifier.classify_many([r["text"] for r in rows])
    ids = {label: i for i, label in enumerate(LABELS)}
    metrics = classification_metrics(
        [ids[r["label"]] for r in rows], [ids[p.intent] for p in predictions]
    )
    if as_json:
        print(json.dumps(metrics))
        return
    table = Table(title=f"Intent classifier on {metrics['n']} texts")
    for column in ("label", "precision", "recall", "F1"):
        table.add_column(column, justify="left" if column == "label" else "right")
    for label, m in metrics["per_label"].items():
        table.add_row(label, f"{m['precision']:.3f}", f"{m['recall']:.3f}", f"{m['f1']:.3f}")
    out.print(table)
    out.print(f"accuracy {metrics['accuracy']:.3f}, macro-F1 {metrics['macro_f1']:.3f}")
