"""Which trained models are ready, which are training and when they will be: the status file
the background trainer (`plant train missing`) writes and the capabilities read.

`make run` starts the chat while the models that are missing train one after another in a
background process. That process holds `training/train.lock` (so a second `make run` does
not train them again), trains each model into a folder of its own and renames it into place
(so no reader ever sees half a model), and keeps `training/status.json` up to date: per
model its state (queued, training, ready, failed), when it started, how long it is expected
to take (the last run measured on this machine, else the 2-core figure of
`docs/benchmarks.md`), when it finished and why it failed. A capability whose model is
missing reads that file to say when it will be ready instead of a generic error.

Example:
    >>> load = explained(lambda: DefectModel.load(d), "defects", path)  # doctest: +SKIP
    >>> load()  # doctest: +SKIP
    DefectModelMissing: Photo inspection is not ready yet: its model is training, about 4
    minutes left.
"""

from __future__ import annotations

import json
import logging
import math
import os
import shutil
import time
import traceback
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, TypeVar

from pydantic import BaseModel, ValidationError

from tools.common.errors import ModelMissing, PlantError

log = logging.getLogger(__name__)
T = TypeVar("T")
State = Literal["queued", "training", "ready", "failed"]


@dataclass(frozen=True)
class ModelInfo:
    """One trained model the assistant needs, and the capability that waits for it."""

    name: str
    capability: str  # what the user cannot use while it is missing
    command: str  # how to train it by hand
    markers: tuple[str, ...]  # files in its folder, any of which means it is trained
    default_seconds: float  # training time on 2 CPU cores (docs/benchmarks.md)


# In training order (routing first, the longest last); default times: a fresh clone's `make
# run` on 2 cores (docs/benchmarks.md), then each model's own measured time (durations.json).
_MODELS = (
    ModelInfo("intent", "Message routing", "plant train intent", ("labels.json",), 90),
    ModelInfo("failure", "Failure-risk estimation", "plant train failure",
              ("failure_model.json",), 15),
    ModelInfo("tickets", "Ticket triage", "plant train tickets",
              ("triage.json", "urgency/labels.json"), 55),
    ModelInfo("drafts", "Reply drafts across languages", "plant tickets prepare",
              ("multilingual-e5-passages.npz",), 40),
    ModelInfo("defects", "Photo inspection", "plant train defects", ("defect_model.json",), 375),
)  # fmt: skip
MODELS: dict[str, ModelInfo] = {info.name: info for info in _MODELS}


class ModelStatus(BaseModel):
    """One model in the background trainer's queue (times: seconds since the epoch)."""

    state: State
    estimated_s: float
    queued: float
    started: float | None = None
    finished: float | None = None
    error: str | None = None


class TrainingStatus(BaseModel):
    """What the background trainer is doing: its process and its models, in training order."""

    pid: int
    log: str | None = None
    models: dict[str, ModelStatus]


class AlreadyTraining(PlantError):
    """Another process holds the training lock."""


# ------------------------------------------------------------------------------ files
def training_dir(data_dir: Path) -> Path:
    return data_dir / "training"


def status_file(data_dir: Path) -> Path:
    return training_dir(data_dir) / "status.json"


def _write_json(path: Path, data: str) -> None:
    """Atomically: a reader sees the old file or the new one, never half of one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.{os.getpid()}.partial")
    partial.write_text(data, encoding="utf-8")
    partial.replace(path)


def read_status(path: Path) -> TrainingStatus | None:
    """The status file, or None when there is none (or it cannot be read: logged)."""
    try:
        return TrainingStatus.model_validate_json(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValidationError) as exc:
        log.warning("training status %s unreadable: %s", path, str(exc).splitlines()[0])
        return None


def write_status(path: Path, status: TrainingStatus) -> None:
    _write_json(path, status.model_dump_json(indent=2))


def read_durations(path: Path) -> dict[str, float]:
    """Seconds each model's last training took on this machine."""
    try:
        found = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(found, dict):
        return {}
    return {str(k): float(v) for k, v in found.items() if isinstance(v, int | float)}


def estimate_seconds(name: str, durations: dict[str, float]) -> float:
    return durations.get(name, MODELS[name].default_seconds)


def process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: it exists
        return True
    return True


# ------------------------------------------------------------------------------ reading
def pace(status: TrainingStatus, now: float) -> float:
    """How much slower than estimated this run goes (2.0: twice the time), from the models
    trained so far and the one training past its estimate; 1.0 before there is any news.
    A busy machine makes every estimate too short by about the same factor."""
    spent = expected = 0.0
    for entry in status.models.values():
        if entry.state == "ready" and entry.started and entry.finished:
            spent, expected = spent + entry.finished - entry.started, expected + entry.estimated_s
        elif entry.state == "training" and entry.started:
            elapsed = max(now - entry.started, 0.0)
            if elapsed > entry.estimated_s:  # overdue: at least this slow
                spent, expected = spent + elapsed, expected + entry.estimated_s
    return min(max(spent / expected, 0.5), 10.0) if expected else 1.0


def seconds_left(status: TrainingStatus, name: str, now: float) -> float | None:
    """Until `name` is trained: what is left of the model training now and the whole
    estimate of each one queued before it and of itself, all at this run's `pace`; None
    when it is not waiting."""
    total, factor = 0.0, pace(status, now)
    for key, entry in status.models.items():
        if entry.state == "training":
            elapsed = max(now - (entry.started or now), 0.0)
            total += max(entry.estimated_s * factor - elapsed, 0.0)
        elif entry.state == "queued":
            total += entry.estimated_s * factor
        else:
            continue
        if key == name:
            return total
    return None


def in_words(seconds: float) -> str:
    if seconds < 45:
        return "less than a minute"
    minutes = max(1, math.ceil((seconds - 15) / 60))  # 75 s: "about 1 minute"
    return f"about {minutes} minute{'s' if minutes > 1 else ''}"


def not_ready_message(
    name: str,
    path: Path,
    *,
    now: float | None = None,
    alive: Callable[[int], bool] = process_alive,
) -> str | None:
    """Why `name`'s capability cannot be used yet and when it can, from the status file at
    `path`; None when the background trainer has nothing to say about it."""
    status = read_status(path)
    entry = status.models.get(name) if status is not None else None
    if status is None or entry is None or entry.state == "ready":
        return None
    info = MODELS[name]
    if entry.state == "failed":
        where = f" (log: {status.log})" if status.log else ""
        return (
            f"{info.capability} is not available: training its model failed ({entry.error})"
            f"{where}. `{info.command}` trains it again."
        )
    if not alive(status.pid):
        return (
            f"{info.capability} is not available yet: the training of its model stopped before "
            "it finished. `make run` or `plant train missing` starts it again."
        )
    now_s = time.time() if now is None else now
    left = seconds_left(status, name, now_s) or 0.0
    so_far = round((now_s - (entry.started or now_s)) / 60)
    if entry.state == "training" and left < 30 and so_far >= 1:  # past its estimate
        return (
            f"{info.capability} is not ready yet: its model is training, longer than expected "
            f"on this machine ({so_far} minute{'s' if so_far > 1 else ''} so far)."
        )
    if entry.state == "training":
        return f"{info.capability} is not ready yet: its model is training, {in_words(left)} left."
    return (
        f"{info.capability} is not ready yet: its model is queued for training and will be "
        f"ready in {in_words(left)}."
    )


def explained(load: Callable[[], T], name: str, path: Path) -> Callable[[], T]:
    """`load`, whose `ModelMissing` names the capability and says when it will be ready.

    The error keeps its class (a caller catching `TriageModelMissing` still does); without
    news from the trainer the message keeps the loader's reason and how to train it. Each
    call loads again while the model is missing, so a model trained in the meantime is used
    from the next call on, without a restart.
    """

    def call() -> T:
        try:
            return load()
        except ModelMissing as exc:
            told = not_ready_message(name, path)
            if told is None:
                reason = str(exc).rstrip()
                ending = "" if reason.endswith((".", "!", "?")) else "."
                told = f"{MODELS[name].capability} is not available yet. {reason}{ending}"
            raise type(exc)(told) from exc

    return call


# ------------------------------------------------------------------------------ training
@dataclass(frozen=True)
class TrainingJob:
    """One model to train: where it lives and the trainer that writes it there (atomically:
    `replaced_folder`)."""

    info: ModelInfo
    folder: Path
    train: Callable[[], object]

    def ready(self) -> bool:
        return any((self.folder / marker).is_file() for marker in self.info.markers)


@contextmanager
def replaced_folder(target: Path, markers: Sequence[str] = ()) -> Iterator[Path]:
    """A fresh folder next to `target` to write the model in; renamed to `target` when the
    block ends without an error, deleted otherwise. The old `target` is removed when it
    held a model (one of `markers`; any folder when none are given) or nothing; otherwise
    (someone's files, not a model) it is kept beside it as `.NAME.old-PID`, and logged."""
    for abandoned in target.parent.glob(f".{target.name}.partial-*"):
        pid = abandoned.name.rsplit("-", 1)[-1]
        if pid.isdigit() and not _alive(int(pid)):  # left by a training that was killed
            shutil.rmtree(abandoned, ignore_errors=True)
    partial = target.with_name(f".{target.name}.partial-{os.getpid()}")
    shutil.rmtree(partial, ignore_errors=True)
    partial.mkdir(parents=True)
    try:
        yield partial
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    old = target.with_name(f".{target.name}.old-{os.getpid()}")
    shutil.rmtree(old, ignore_errors=True)
    foreign = bool(markers) and target.is_dir() and any(target.iterdir())
    foreign = foreign and not any((target / m).is_file() for m in markers)
    if target.exists():
        target.rename(old)
    partial.rename(target)
    if foreign:
        log.warning("%s held files that are not a model: kept in %s", target, old)
    else:
        shutil.rmtree(old, ignore_errors=True)


def _alive(pid: int) -> bool:
    """Whether a process with this id runs (one of another user's counts as running)."""
    try:
        os.kill(pid, 0)
    except OSError as exc:  # PermissionError: it runs, as another user
        return not isinstance(exc, ProcessLookupError)
    return True


@contextmanager
def training_lock(folder: Path) -> Iterator[None]:
    """Held while models train; a second trainer is refused at once."""
    from filelock import FileLock, Timeout

    folder.mkdir(parents=True, exist_ok=True)
    lock = FileLock(str(folder / "train.lock"), timeout=0)
    try:
        lock.acquire()
    except Timeout:
        raise AlreadyTraining(
            f"The missing models are being trained already (see {folder / 'status.json'})."
        ) from None
    try:
        yield
    finally:
        lock.release()


def trainer_running(folder: Path) -> bool:
    """Whether a process holds the training lock now."""
    try:
        with training_lock(folder):
            return False
    except AlreadyTraining:
        return True


def train_missing(
    jobs: Sequence[TrainingJob],
    folder: Path,
    *,
    log_path: Path | None = None,
    clock: Callable[[], float] = time.time,
    announce: Callable[[str], None] = log.info,
) -> TrainingStatus:
    """Train, one after another under the lock, each job whose model is missing, keeping
    `folder/status.json` up to date; one model's failure is recorded and the next trained.
    Raises `AlreadyTraining` when another process trains them."""
    with training_lock(folder):
        durations_path = folder / "durations.json"
        durations = read_durations(durations_path)
        missing = [job for job in jobs if not job.ready()]
        status = TrainingStatus(
            pid=os.getpid(),
            log=str(log_path) if log_path else None,
            models={
                job.info.name: ModelStatus(
                    state="queued",
                    estimated_s=estimate_seconds(job.info.name, durations),
                    queued=clock(),
                )
                for job in missing
            },
        )
        write_status(folder / "status.json", status)
        for number, job in enumerate(missing, start=1):
            entry = status.models[job.info.name]
            announce(f"[{number}/{len(missing)}] {job.info.name}: training, "
                     f"{in_words(entry.estimated_s)} expected")  # fmt: skip
            seconds = _train_one(job, entry, folder / "status.json", status, clock)
            if seconds is not None:
                durations[job.info.name] = round(seconds, 1)
                _write_json(durations_path, json.dumps(durations, indent=2))
            announce(f"[{number}/{len(missing)}] {job.info.name}: {entry.state}"
                     + (f" ({entry.error})" if entry.error else ""))  # fmt: skip
        return status


def _train_one(
    job: TrainingJob,
    entry: ModelStatus,
    path: Path,
    status: TrainingStatus,
    clock: Callable[[], float],
) -> float | None:
    """Train one job into its folder; the seconds it took, or None when it failed."""
    entry.state, entry.started = "training", clock()
    write_status(path, status)
    try:
        job.train()
        if not job.ready():
            raise RuntimeError(f"the trainer wrote none of {', '.join(job.info.markers)}")
    except (Exception, SystemExit) as exc:  # one model's failure must not stop the others
        log.exception("training %s failed", job.info.name)
        traceback.print_exc()  # into the trainer's own log too (`.plant/logs/training.log`)
        entry.state, entry.error = "failed", " ".join(str(exc).split())[:300] or repr(exc)
    else:
        entry.state = "ready"
    entry.finished = clock()
    write_status(path, status)
    return entry.finished - entry.started if entry.state == "ready" else None
