from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from assistant.ui.session_files import use_private_files_dir


def test_each_process_gets_its_own_folder_and_dead_ones_are_cleared(tmp_path: Path) -> None:
    import chainlit.config

    finished = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                              capture_output=True, text=True, check=True)  # fmt: skip
    dead = tmp_path / "sessions" / finished.stdout.strip()
    (dead / "some-session").mkdir(parents=True)
    before = chainlit.config.FILES_DIRECTORY
    try:
        mine = use_private_files_dir(tmp_path)
        assert mine == tmp_path / "sessions" / str(os.getpid()) and mine.is_dir()
        assert mine == chainlit.config.FILES_DIRECTORY
        assert not dead.exists()
        other = use_private_files_dir(tmp_path, pid=1)  # pid 1 runs: kept as it is
        assert other.is_dir() and mine.is_dir()
    finally:
        chainlit.config.FILES_DIRECTORY = before
