"""Files the chat makes for one reply (chart and heatmap images) are removed when old.

A stored thread keeps its own copy of each (the element store), so removing the working
files loses nothing a user can still open.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable
from pathlib import Path

log = logging.getLogger(__name__)


def remove_older_than(folders: Iterable[Path], max_age_s: float, now: float | None = None) -> int:
    """Delete the regular files in `folders` (not below them, never through a link) last
    changed more than `max_age_s` ago; returns how many were deleted."""
    cutoff = (time.time() if now is None else now) - max_age_s
    removed = 0
    for folder in folders:
        if not folder.is_dir() or folder.is_symlink():
            continue
        for path in folder.iterdir():
            try:
                if path.is_file() and not path.is_symlink() and path.stat().st_mtime < cutoff:
                    path.unlink()
                    removed += 1
            except OSError as exc:  # gone already, or not ours to delete: the next run
                log.debug("could not remove %s: %s", path, exc)
    return removed
