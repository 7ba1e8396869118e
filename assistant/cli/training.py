"""`plant train missing` (every model not trained yet, one after another, in the background
with `--background`) and `plant train status` (what the background trainer is doing)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from assistant.cli.common import JsonOption, out
from assistant.readiness import (
    MODELS,
    TrainingJob,
    estimate_seconds,
    in_words,
    process_alive,
    read_durations,
    read_status,
    seconds_left,
    status_file,
    train_missing,
    trainer_running,
    training_dir,
)
from assistant.settings import Settings, get_settings

# A progress bar written to a log file redraws this seldom (tqdm reads TQDM_* variables).
LOG_PROGRESS_INTERVAL_S = "30"


def training_jobs(settings: Settings) -> list[TrainingJob]:
    """Every model `make run` needs, in `MODELS` order, each trained by its own command."""
    from assistant.cli.defects import train_defects
    from assistant.cli.failure import train_failure
    from assistant.cli.intent import train_intent
    from assistant.cli.ticket_drafts import prepare_command
    from assistant.cli.tickets import train_tickets

    return [  # each writes its model folder atomically (`readiness.replaced_folder`)
        TrainingJob(MODELS["intent"], settings.intent_model_dir, train_intent),
        TrainingJob(MODELS["failure"], settings.failure_model_dir, train_failure),
        TrainingJob(MODELS["tickets"], settings.ticket_model_dir, train_tickets),
        # the multilingual search of reply drafts: the corpus embedded once (not a model)
        TrainingJob(MODELS["drafts"], settings.data_dir / "cache", prepare_command),
        TrainingJob(MODELS["defects"], settings.defect_model_dir, train_defects),
    ]


def log_path(settings: Settings) -> Path:
    return settings.data_dir / "logs" / "training.log"


def train_missing_command(
    background: Annotated[
        bool,
        typer.Option(
            "--background", help="Train in a process of its own and return at once (make run)."
        ),
    ] = False,
) -> None:
    """Train every model that is not trained yet (intent, failure, tickets, defects), one
    after another, keeping .plant/training/status.json up to date for the chat. A second
    run while one trains is refused; each model is written to a folder of its own and
    renamed into place, so none is ever half-written."""
    settings = get_settings()
    folder = training_dir(settings.data_dir)
    jobs = [job for job in training_jobs(settings) if not job.ready()]
    if not jobs:
        out.print("Every model is trained.")
        return
    if background:
        _start_in_background(settings, folder, jobs)
        return
    status = train_missing(
        training_jobs(settings), folder, log_path=log_path(settings), announce=out.print
    )
    failed = [name for name, entry in status.models.items() if entry.state == "failed"]
    if failed:
        out.print(f"[red]Not trained: {', '.join(failed)}[/] (details: {settings.data_dir}/logs)")
        raise typer.Exit(code=1)


def _start_in_background(settings: Settings, folder: Path, jobs: list[TrainingJob]) -> None:
    if trainer_running(folder):
        out.print(f"The missing models are being trained already: `plant train status` ({folder})")
        return
    log_file = log_path(settings)
    log_file.parent.mkdir(parents=True, exist_ok=True)
    command = [sys.executable, "-m", "assistant.cli.main", "train", "missing"]
    if nice := shutil.which("nice"):  # the chat stays responsive while models train
        command = [nice, "-n", "10", *command]
    environment = os.environ | {"TQDM_MININTERVAL": LOG_PROGRESS_INTERVAL_S}
    with log_file.open("a", encoding="utf-8") as sink:
        sink.write(f"\n--- {time.strftime('%Y-%m-%d %H:%M:%S')} plant train missing\n")
        sink.flush()
        subprocess.Popen(  # our own command, no shell
            command, stdin=subprocess.DEVNULL, stdout=sink, stderr=subprocess.STDOUT,
            env=environment, start_new_session=True,
        )  # fmt: skip
    durations = read_durations(folder / "durations.json")
    planned = ", ".join(
        f"{job.info.name} ({in_words(estimate_seconds(job.info.name, durations))})" for job in jobs
    )
    out.print(
        f"Training in the background: {planned}. The chat says what is not ready yet; "
        f"progress: `plant train status`, log: {log_file}"
    )


def train_status_command(as_json: JsonOption = False) -> None:
    """What the background trainer is doing: each model's state and time left."""
    settings = get_settings()
    path = status_file(settings.data_dir)
    status = read_status(path)
    if status is None:
        out.print("No background training has run (`plant train missing` starts one).")
        return
    if as_json:
        print(json.dumps(status.model_dump(mode="json") | {"running": process_alive(status.pid)}))
        return
    now = time.time()
    running = process_alive(status.pid)
    table = Table("model", "state", "time left", "error", title=f"Training ({path})")
    for name, entry in status.models.items():
        left = seconds_left(status, name, now) if running else None
        when = "" if left is None else in_words(left)
        if entry.state == "training" and left is not None and left < 30:
            when = "past its estimate"
        table.add_row(name, entry.state, when, entry.error or "")
    out.print(table)
    if not running and any(e.state in ("queued", "training") for e in status.models.values()):
        out.print("[yellow]The trainer stopped; `plant train missing` starts it again.[/]")
