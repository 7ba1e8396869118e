"""`plant train missing` and `plant train status` with stand-in trainers: no model is really
trained here (each trainer has its own tests)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from typer.testing import CliRunner

from assistant.cli import training
from assistant.cli.main import app
from assistant.readiness import MODELS, TrainingJob, read_status, training_lock
from assistant.settings import get_settings

runner = CliRunner()


def fake_jobs(data: Path, broken: str | None = None) -> list[TrainingJob]:
    def trainer(name: str) -> TrainingJob:
        folder = data / "models" / name

        def train() -> None:
            if name == broken:
                raise RuntimeError("no space left on device")
            folder.mkdir(parents=True, exist_ok=True)
            (folder / MODELS[name].markers[0]).write_text("{}", encoding="utf-8")

        return TrainingJob(MODELS[name], folder, train)

    return [trainer(name) for name in MODELS]


def test_train_missing_trains_each_missing_model_and_reports_failures(
    data_dir_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = data_dir_env / "data"
    monkeypatch.setattr(training, "training_jobs", lambda settings: fake_jobs(data, "tickets"))
    result = runner.invoke(app, ["train", "missing"])
    assert result.exit_code == 1 and "Not trained: tickets" in result.output
    status = read_status(data / "training" / "status.json")
    assert status is not None
    assert {n: e.state for n, e in status.models.items()} == {
        "intent": "ready", "failure": "ready", "tickets": "failed", "defects": "ready",
        "drafts": "ready",
    }  # fmt: skip
    shown = runner.invoke(app, ["train", "status"])
    assert shown.exit_code == 0 and "no space left on device" in shown.output


def test_the_background_trainer_is_not_started_twice(
    data_dir_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = data_dir_env / "data"
    monkeypatch.setattr(training, "training_jobs", lambda settings: fake_jobs(data))
    started: list[list[str]] = []
    monkeypatch.setattr(subprocess, "Popen", lambda command, **kw: started.append(command))
    with training_lock(data / "training"):  # a trainer from an earlier `make run`
        busy = runner.invoke(app, ["train", "missing", "--background"])
    assert busy.exit_code == 0 and "being trained already" in busy.output and not started
    fresh = runner.invoke(app, ["train", "missing", "--background"])
    assert fresh.exit_code == 0 and "Training in the background" in fresh.output
    assert len(started) == 1 and started[0][-2:] == ["train", "missing"]
    assert (get_settings().data_dir / "logs" / "training.log").is_file()
