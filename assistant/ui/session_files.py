"""Each chat process keeps its sessions' uploaded files in a folder of its own.

Chainlit keeps them in `<app root>/.files/<session>` and deletes the whole `.files` folder
when a server stops, so with two app processes in one folder (two ports on one database) a
restart of one deleted the uploads of the other's running sessions. Here each process uses
`<data dir>/sessions/<pid>`; folders of processes that are gone are removed at start.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: alive
        return True
    return True


def use_private_files_dir(data_dir: Path, pid: int | None = None) -> Path:
    """Point Chainlit's session files at this process's own folder (made now) and remove the
    folders of processes that no longer run; returns the folder."""
    import chainlit.config

    pid = os.getpid() if pid is None else pid
    root = data_dir / "sessions"
    root.mkdir(parents=True, exist_ok=True)
    for folder in root.iterdir():
        other = folder.is_dir() and folder.name.isdigit() and int(folder.name) != pid
        if other and not _alive(int(folder.name)):
            shutil.rmtree(folder, ignore_errors=True)
    mine = root / str(pid)
    mine.mkdir(exist_ok=True)
    chainlit.config.FILES_DIRECTORY = mine  # read at each use by chainlit.session
    return mine
