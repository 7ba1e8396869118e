"""Objects loaded once per process: trained models, the index's drafter, worker pools. A chat
server with many sessions holds one copy of each; a model trained again (its folder replaced)
or an index ingested again is loaded anew at its next use, without a restart."""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable
from pathlib import Path
from typing import Any, TypeVar

T = TypeVar("T")

_loaded: dict[Hashable, Any] = {}
_locks: dict[Hashable, threading.Lock] = {}
_lock = threading.Lock()


def load_once(key: Hashable, load: Callable[[], T]) -> T:
    """`load()` the first time `key` is asked for in this process, the same object after.
    One lock per key: loading one model does not hold up answers that need another."""
    with _lock:
        key_lock = _locks.setdefault(key, threading.Lock())
    with key_lock:
        if key not in _loaded:
            _loaded[key] = load()
        found: T = _loaded[key]
        return found


def load_current(key: Hashable, version: Hashable, load: Callable[[], T]) -> T:
    """Like `load_once`, but `load()` again when `version` differs from the one the held
    object was loaded for (an index ingested since); only the latest is kept."""
    with _lock:
        key_lock = _locks.setdefault(key, threading.Lock())
    with key_lock:
        held = _loaded.get(key)
        if held is None or held[0] != version:
            held = _loaded[key] = (version, load())
        found: T = held[1]
        return found


def folder_version(folder: Path) -> tuple[int, int] | None:
    """What changes when a model folder is replaced (training renames a new one into place):
    its inode and modification time; None while there is none."""
    try:
        found = folder.stat()
    except OSError:
        return None
    return found.st_ino, found.st_mtime_ns


def load_model(key: Hashable, folder: Path, load: Callable[[], T]) -> T:
    """`load()` once per version of the model in `folder` (`folder_version`)."""
    return load_current(key, folder_version(folder), load)
