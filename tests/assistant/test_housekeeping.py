from __future__ import annotations

import os
import time
from pathlib import Path

from assistant.housekeeping import remove_older_than


def test_only_old_files_in_the_given_folders_are_removed(tmp_path: Path) -> None:
    charts, elsewhere = tmp_path / "charts", tmp_path / "elements"
    charts.mkdir()
    elsewhere.mkdir()
    old, new, kept = charts / "old.png", charts / "new.png", elsewhere / "old.png"
    for path in (old, new, kept):
        path.write_bytes(b"png")
    two_days_ago = time.time() - 48 * 3600
    for path in (old, kept):
        os.utime(path, (two_days_ago, two_days_ago))
    (charts / "link.png").symlink_to(kept)  # never followed
    (charts / "sub").mkdir()
    assert remove_older_than([charts, tmp_path / "missing"], max_age_s=24 * 3600) == 1
    assert not old.exists() and new.exists() and kept.exists()
    assert (charts / "link.png").is_symlink() and (charts / "sub").is_dir()
