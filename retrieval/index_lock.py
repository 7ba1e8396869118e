"""One ingest at a time per index folder, across processes: a lock file, and a note of who
holds it so that a refused ingest can say whom it waited for."""

from __future__ import annotations

import json
import os
import secrets
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path

from retrieval.errors import IndexBusyError

LOCK_FILE = ".ingest.lock"
OWNER_FILE = ".ingest.owner"
LOCK_TIMEOUT_S = 30.0

_held = threading.local()  # index folders this thread holds: taking one again is a no-op


@contextmanager
def ingest_lock(index_dir: Path, timeout_s: float = LOCK_TIMEOUT_S) -> Iterator[None]:
    """Hold the ingest lock of `index_dir` (re-entrant within a thread). Waits up to
    `timeout_s` seconds for another holder, then raises `IndexBusyError` naming it."""
    from filelock import FileLock, Timeout

    key = os.path.realpath(index_dir)
    held: set[str] = _held.__dict__.setdefault("dirs", set())
    if key in held:
        yield
        return
    index_dir.mkdir(parents=True, exist_ok=True)
    lock = FileLock(index_dir / LOCK_FILE, timeout=max(timeout_s, 0.0))
    try:
        lock.acquire()
    except Timeout:
        raise IndexBusyError(busy_message(index_dir)) from None
    held.add(key)
    try:
        _write_owner(index_dir)
        yield
    finally:
        held.discard(key)
        (index_dir / OWNER_FILE).unlink(missing_ok=True)
        lock.release()


def busy_message(index_dir: Path) -> str:
    """What a refused ingest tells the user, with the holder's process and start time."""
    try:
        owner = json.loads((index_dir / OWNER_FILE).read_text(encoding="utf-8"))
        started = datetime.fromisoformat(owner["started"])
        when = started.strftime("%H:%M" if started.date() == date.today() else "%Y-%m-%d %H:%M")
        host = "" if owner["host"] == socket.gethostname() else f" on {owner['host']}"
        holder = f" (started {when} by pid {owner['pid']}{host})"
    except (OSError, ValueError, KeyError, TypeError):  # just released, or written by hand
        holder = ""
    return f"Another ingest is running on {index_dir}{holder}; try again when it finishes."


def _write_owner(index_dir: Path) -> None:
    owner = {
        "pid": os.getpid(),
        "host": socket.gethostname(),
        "started": datetime.now().isoformat(timespec="seconds"),
    }
    tmp = index_dir / f"{OWNER_FILE}.{secrets.token_hex(4)}.tmp"
    tmp.write_text(json.dumps(owner), encoding="utf-8")
    os.replace(tmp, index_dir / OWNER_FILE)
