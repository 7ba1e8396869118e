"""The background trainer's queue, lock and status file, and what a capability says while its
model is missing: fake trainers that write a marker file, a status file in a tmp folder."""

from __future__ import annotations

import json
import os
import subprocess
import time
from pathlib import Path

import pytest

from assistant.readiness import (
    MODELS,
    AlreadyTraining,
    ModelStatus,
    TrainingJob,
    TrainingStatus,
    explained,
    not_ready_message,
    read_status,
    replaced_folder,
    status_file,
    train_missing,
    trainer_running,
    training_lock,
    write_status,
)
from tools.common.errors import ModelMissing
from tools.defects.model import DefectModelMissing


class Clock:
    """A clock each trainer moves on by the seconds it "takes"."""

    def __init__(self) -> None:
        self.now = 1_000.0

    def __call__(self) -> float:
        return self.now


def writes(folder: Path, marker: str, clock: Clock, seconds: float) -> TrainingJob:
    name = {"labels.json": "intent", "failure_model.json": "failure"}.get(marker, "defects")

    def train() -> None:
        with replaced_folder(folder) as partial:
            clock.now += seconds
            (partial / marker).write_text("{}", encoding="utf-8")

    return TrainingJob(MODELS[name], folder, train)


def test_missing_models_train_in_order_and_the_status_says_how_each_went(
    tmp_path: Path,
) -> None:
    clock = Clock()
    models, folder = tmp_path / "models", tmp_path / "training"
    (models / "intent").mkdir(parents=True)
    (models / "intent" / "labels.json").write_text("{}", encoding="utf-8")  # trained already
    order: list[str] = []

    def broken() -> None:
        order.append("failure")
        raise ValueError("out of memory")

    def defects() -> None:
        order.append("defects")
        writes(models / "defects", "defect_model.json", clock, 300).train()

    jobs = [
        TrainingJob(MODELS["intent"], models / "intent", lambda: order.append("intent")),
        TrainingJob(MODELS["failure"], models / "failure", broken),
        TrainingJob(MODELS["defects"], models / "defects", defects),
    ]
    status = train_missing(jobs, folder, clock=clock)

    assert order == ["failure", "defects"]  # the trained one is left alone
    stored = read_status(folder / "status.json")
    assert stored == status and list(stored.models) == ["failure", "defects"]
    assert stored.models["failure"].state == "failed"
    assert stored.models["failure"].error == "out of memory"
    assert stored.models["defects"].state == "ready"
    assert stored.models["defects"].finished == 1_300.0
    assert stored.models["defects"].estimated_s == MODELS["defects"].default_seconds
    durations = json.loads((folder / "durations.json").read_text(encoding="utf-8"))
    assert durations == {"defects": 300.0}  # measured here: the next estimate
    (models / "defects" / "defect_model.json").unlink()
    again = train_missing(jobs[2:], folder, clock=clock)
    assert again.models["defects"].estimated_s == 300.0


def test_a_second_trainer_is_refused_while_one_holds_the_lock(tmp_path: Path) -> None:
    assert not trainer_running(tmp_path)
    with training_lock(tmp_path):
        assert trainer_running(tmp_path)
        with pytest.raises(AlreadyTraining, match="being trained already"):
            train_missing([], tmp_path)
    assert not trainer_running(tmp_path)


def test_a_model_folder_is_replaced_whole_or_not_at_all(tmp_path: Path) -> None:
    target = tmp_path / "defects"
    target.mkdir()
    (target / "defect_model.json").write_text("old", encoding="utf-8")
    with pytest.raises(RuntimeError), replaced_folder(target) as partial:
        (partial / "defect_model.json").write_text("half", encoding="utf-8")
        raise RuntimeError("killed while saving")
    assert (target / "defect_model.json").read_text(encoding="utf-8") == "old"
    with replaced_folder(target) as partial:
        (partial / "defect_model.json").write_text("new", encoding="utf-8")
        assert (target / "defect_model.json").read_text(encoding="utf-8") == "old"
    assert (target / "defect_model.json").read_text(encoding="utf-8") == "new"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["defects"]  # nothing left over


def test_a_killed_trainings_partial_folder_is_removed_by_the_next_one(tmp_path: Path) -> None:
    target = tmp_path / "defects"
    gone = tmp_path / f".defects.partial-{_ended_pid()}"
    running = tmp_path / f".defects.partial-{os.getppid()}"  # another training, still going
    for folder in (gone, running):
        folder.mkdir()
        (folder / "defect_model.pt").write_bytes(b"half a model")
    with replaced_folder(target) as partial:
        (partial / "defect_model.json").write_text("new", encoding="utf-8")
    assert not gone.exists() and running.is_dir() and (target / "defect_model.json").is_file()


def _ended_pid() -> int:
    """The id of a process that has ended (and been reaped): no process has it now."""
    process = subprocess.Popen(["true"])
    process.wait()
    return process.pid


def status_with(path: Path, **models: ModelStatus) -> Path:
    write_status(path, TrainingStatus(pid=os.getpid(), log="training.log", models=models))
    return path


def test_the_message_says_which_capability_waits_and_for_how_long(tmp_path: Path) -> None:
    path = status_with(
        tmp_path / "status.json",
        tickets=ModelStatus(state="training", estimated_s=120, queued=0, started=1_000),
        defects=ModelStatus(state="queued", estimated_s=300, queued=0),
    )
    training = not_ready_message("tickets", path, now=1_030)
    assert training == (
        "Ticket triage is not ready yet: its model is training, about 2 minutes left."
    )
    queued = not_ready_message("defects", path, now=1_030)  # 90 s of tickets, then its 300 s
    assert queued == (
        "Photo inspection is not ready yet: its model is queued for training and will be "
        "ready in about 7 minutes."
    )
    late = not_ready_message("tickets", path, now=1_500)  # past its estimate: no false promise
    assert late == (
        "Ticket triage is not ready yet: its model is training, longer than expected on this "
        "machine (8 minutes so far)."
    )
    slow = not_ready_message("defects", path, now=1_500)  # the queue goes at this run's pace
    assert slow and "ready in about 21 minutes" in slow  # 300 s at 500/120 the estimate
    assert not_ready_message("failure", path) is None  # not being trained: no news
    assert not_ready_message("defects", tmp_path / "none.json") is None


def test_a_failed_or_abandoned_training_is_told_with_what_to_do(tmp_path: Path) -> None:
    path = status_with(
        tmp_path / "status.json",
        failure=ModelStatus(state="failed", estimated_s=20, queued=0, error="disk full"),
        defects=ModelStatus(state="training", estimated_s=300, queued=0, started=0),
    )
    failed = not_ready_message("failure", path)
    assert failed and "training its model failed (disk full)" in failed
    assert "plant train failure" in failed and "training.log" in failed
    stopped = not_ready_message("defects", path, alive=lambda pid: False)
    assert stopped and "stopped before it finished" in stopped and "make run" in stopped


def test_a_model_that_appears_later_is_loaded_without_a_restart(tmp_path: Path) -> None:
    folder = tmp_path / "models" / "defects"
    path = status_with(
        status_file(tmp_path),
        defects=ModelStatus(state="training", estimated_s=240, queued=0, started=time.time()),
    )
    loads = []

    def load() -> str:
        loads.append(1)
        if not (folder / "defect_model.json").is_file():
            raise DefectModelMissing(f"No defect model in {folder}")
        return "model"

    model = explained(load, "defects", path)
    with pytest.raises(DefectModelMissing) as missing:  # the class callers catch is kept
        model()
    assert str(missing.value) == (
        "Photo inspection is not ready yet: its model is training, about 4 minutes left."
    )
    writes(folder, "defect_model.json", Clock(), 0).train()
    assert model() == "model" and len(loads) == 2


def test_without_news_from_the_trainer_the_loader_says_how_to_train(tmp_path: Path) -> None:
    def load() -> None:
        raise ModelMissing("No failure model in x: run `plant train failure`")

    with pytest.raises(ModelMissing) as missing:
        explained(load, "failure", tmp_path / "status.json")()
    assert str(missing.value) == (
        "Failure-risk estimation is not available yet. No failure model in x: run "
        "`plant train failure`."
    )


def test_files_that_are_not_a_model_are_kept_when_a_model_takes_their_folder(
    tmp_path: Path,
) -> None:
    target = tmp_path / "mine"
    target.mkdir()
    (target / "notes.txt").write_text("keep me", encoding="utf-8")
    with replaced_folder(target, ("defect_model.json",)) as partial:
        (partial / "defect_model.json").write_text("{}", encoding="utf-8")
    kept = [p for p in tmp_path.iterdir() if p.name.startswith(".mine.old-")]
    assert len(kept) == 1 and (kept[0] / "notes.txt").read_text(encoding="utf-8") == "keep me"
    assert (target / "defect_model.json").is_file()
