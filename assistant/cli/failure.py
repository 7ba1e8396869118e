"""`plant train failure`, `plant eval failure` and `plant predict-failure`."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from assistant.cli.common import JsonOption
from assistant.settings import get_settings
from tools.common.errors import PlantError

out = Console()
err = Console(stderr=True)


def _model_dir(model: Path | None) -> Path:
    return model or get_settings().failure_model_dir


def _load(model: Path | None) -> Any:
    from assistant.wiring import failure_model

    return failure_model(_model_dir(model))


def _read(csv: Path) -> list[Any]:
    """The rows of a readings CSV, within the settings' row and column caps."""
    from tools.failure.io import read_readings

    settings = get_settings()
    return read_readings(
        csv, max_rows=settings.max_rows_per_file, max_columns=settings.max_columns_per_file
    )


def train_failure(
    train_rows: Annotated[int | None, typer.Option(help="Simulated processes to train on.")] = None,
    output: Annotated[Path | None, typer.Option(help="Model folder (default: data dir).")] = None,
    kinds: Annotated[str, typer.Option(help="Model kinds to compare: gbt, mlp.")] = "gbt,mlp",
) -> None:
    """Train the failure model on simulated AI4I processes; compare trees and an MLP."""
    from assistant.readiness import MODELS, replaced_folder
    from finetune.failure import main

    target = output or get_settings().failure_model_dir
    args = ["--kinds", kinds]
    if train_rows is not None:
        args += ["--train_rows", str(train_rows)]
    with replaced_folder(target, MODELS["failure"].markers) as partial:  # never half a model
        metrics = main([*args, "--output_dir", str(partial)])
    seconds = metrics["train_seconds"]
    out.print(f"Failure model ({metrics['chosen']}) written to {target} ({seconds:.0f} s)")
    for kind, m in metrics["test"].items():
        out.print(
            f"{kind}: test ROC-AUC {m['roc_auc']:.4f}, PR-AUC {m['pr_auc']:.4f}, precision "
            f"{m['precision']:.3f}, recall {m['recall']:.3f}, F1 {m['f1']:.3f} at "
            f"{m['threshold']:.3f}; recall HDF {m['per_mode_recall']['HDF']:.2f}, PWF "
            f"{m['per_mode_recall']['PWF']:.2f}, OSF {m['per_mode_recall']['OSF']:.2f}"
        )


def _report_json(metrics: dict[str, Any]) -> dict[str, Any]:
    keys = ("n", "roc_auc", "pr_auc", "precision", "recall", "f1", "threshold", "per_mode_recall")
    return {k: metrics[k] for k in keys}


def eval_failure(
    csv: Annotated[
        Path | None, typer.Option(help="A CSV in the AI4I public format, with its labels.")
    ] = None,
    model: Annotated[Path | None, typer.Option(help="Model folder (default: data dir).")] = None,
    as_json: JsonOption = False,
) -> None:
    """ROC-AUC, PR-AUC, precision, recall, F1 and recall per failure mode.

    Without --csv: on a generated test run independent of the training data.
    """
    from finetune.data.machines import simulate
    from finetune.failure import evaluate, labels_of, readings_of
    from tools.failure.io import labels_array
    from tools.failure.readings import frame_from_readings

    loaded = _load(model)
    if csv is None:
        args = loaded.metrics.get("args", {})
        test = simulate(
            int(args.get("test_rows", 20_000)), seed=int(args.get("seed", 0)) + 1_000_003
        )
        metrics = evaluate(loaded, readings_of(test), labels_of(test))
        source = f"generated test run ({len(test)} rows)"
    else:
        results = _read(csv)
        for bad in (r for r in results if r.error):
            err.print(f"{csv.name} row {bad.row}: {bad.error} (skipped)")
        labels = labels_array(results)
        if labels is None:
            raise PlantError(
                f"{csv.name}: evaluation needs the label columns 'Machine failure', TWF, HDF, "
                "PWF, OSF and RNF with 0/1 in every scored row."
            )
        readings = [r.reading for r in results if r.reading is not None]
        metrics = evaluate(loaded, frame_from_readings(readings), labels)
        source = f"{csv.name} ({len(readings)} valid rows of {len(results)})"
    if as_json:
        print(json.dumps(_report_json(metrics)))
        return
    table = Table(title=f"Machine failure on the {source}")
    for name in ("ROC-AUC", "PR-AUC", "precision", "recall", "F1", "threshold"):
        table.add_column(name)
    table.add_row(
        *(
            "-" if metrics[k] is None else f"{metrics[k]:.3f}"
            for k in ("roc_auc", "pr_auc", "precision", "recall", "f1", "threshold")
        )
    )
    out.print(table)
    modes = ", ".join(
        f"{m} {'-' if v is None else f'{v:.2f}'}" for m, v in metrics["per_mode_recall"].items()
    )
    out.print(f"recall per failure mode: {modes}")


def predict_failure(
    product_type: Annotated[str | None, typer.Option("--type", help="L, M or H.")] = None,
    air_temp: Annotated[float | None, typer.Option(help="Air temperature in K.")] = None,
    process_temp: Annotated[float | None, typer.Option(help="Process temperature in K.")] = None,
    rpm: Annotated[float | None, typer.Option(help="Rotational speed in rpm.")] = None,
    torque: Annotated[float | None, typer.Option(help="Torque in Nm.")] = None,
    tool_wear: Annotated[float | None, typer.Option(help="Tool wear in minutes.")] = None,
    csv: Annotated[Path | None, typer.Option(help="Score every row of an AI4I-format CSV.")] = None,
    model: Annotated[Path | None, typer.Option(help="Model folder (default: data dir).")] = None,
    as_json: JsonOption = False,
) -> None:
    """Failure probability, per-mode probabilities and why, for readings or a CSV file."""
    from tools.failure.predict import predict

    if csv is not None:
        results = _read(csv)
    else:
        given = {
            "product_type": product_type,
            "air_temperature": air_temp,
            "process_temperature": process_temp,
            "rotational_speed": rpm,
            "torque": torque,
            "tool_wear": tool_wear,
        }
        results = [_flag_reading(given)]
    loaded = _load(model)
    valid = [r for r in results if r.reading is not None]
    predictions = iter(predict(loaded, [r.reading for r in valid if r.reading is not None]))
    for result in results:
        if result.reading is None:
            if as_json:
                print(json.dumps({"row": result.row, "error": result.error}))
            else:
                err.print(f"row {result.row}: {result.error}")
            continue
        _print_prediction(result.row, next(predictions), as_json)
    sys.stdout.flush()


FLAGS = {
    "product_type": "--type", "air_temperature": "--air-temp",
    "process_temperature": "--process-temp", "rotational_speed": "--rpm",
    "torque": "--torque", "tool_wear": "--tool-wear",
}  # fmt: skip


def _flag_reading(given: dict[str, Any]) -> Any:
    """The readings given as flags, checked; errors name the flag."""
    from pydantic import ValidationError

    from tools.failure.io import RowResult
    from tools.failure.readings import Reading

    missing = [FLAGS[k] for k, v in given.items() if v is None]
    if missing:
        raise PlantError(f"Give {', '.join(missing)}, or --csv FILE.")
    try:
        return RowResult(1, reading=Reading.model_validate(given))
    except ValidationError as exc:
        problems = "; ".join(
            f"{FLAGS.get(str(e['loc'][0]), 'input') if e['loc'] else 'input'}: "
            f"{str(e['msg']).removeprefix('Value error, ')}"
            for e in exc.errors()
        )
        raise PlantError(problems) from exc


def _print_prediction(row: int, prediction: Any, as_json: bool) -> None:
    if as_json:
        print(
            json.dumps(
                {
                    "row": row,
                    "probability": prediction.probability,
                    "label": int(prediction.label),
                    "risk": prediction.risk,
                    "modes": prediction.modes,
                    "explanation": prediction.explanation,
                }
            )
        )
        return
    out.print(
        f"[bold]row {row}[/]: failure probability {prediction.probability:.1%} — "
        f"{prediction.risk} risk" + (" (predicted to fail)" if prediction.label else "")
    )
    out.print("  modes: " + ", ".join(f"{m} {p:.1%}" for m, p in prediction.modes.items()))
    for line in prediction.explanation:
        out.print(f"  - {line}")


def machines_seed(
    processes: Annotated[int, typer.Option(help="Simulated processes per machine.")] = 200,
    seed: Annotated[int, typer.Option(help="Random seed of the simulation.")] = 0,
) -> None:
    """Store the demo plant's machines with a recent simulated history of readings.

    Machines already stored keep their readings; only missing ones are added.
    """
    from sqlmodel import Session

    from assistant.demo import seed_fleet
    from assistant.persistence.machines import machines
    from assistant.wiring import make_engine

    with Session(make_engine(get_settings())) as session:
        added = seed_fleet(session, processes=processes, seed=seed)
        total = len(machines(session))
    if added:
        out.print(f"{added} machine(s) added with {processes} readings each; {total} stored.")
    else:
        out.print(f"All demo machines are already stored ({total}); nothing was changed.")


def machines_risk(
    model: Annotated[Path | None, typer.Option(help="Model folder (default: data dir).")] = None,
    as_json: JsonOption = False,
) -> None:
    """Every stored machine ranked by failure risk from its latest readings."""
    from sqlmodel import Session

    from assistant.capabilities.failure.tool import FailureToolInput, check
    from assistant.wiring import make_engine

    loaded = _load(model)
    with Session(make_engine(get_settings())) as session:
        result = check(FailureToolInput(fleet=True), session, loaded)
    if as_json:
        print(result.model_dump_json())
        return
    from rich.markdown import Markdown

    out.print(Markdown(result.text))
