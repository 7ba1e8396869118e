"""The sign-in secret: made once, kept, readable by its owner only."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from assistant.persistence.auth_secret import SECRET_FILE, auth_secret
from tools.common.errors import PlantError


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_the_secret_is_made_once_with_owner_only_access(tmp_path: Path) -> None:
    data_dir = tmp_path / "data" / "new"
    secret = auth_secret(data_dir)
    assert len(secret) >= 64 and secret.strip() == secret
    assert _mode(data_dir / SECRET_FILE) == 0o600
    assert auth_secret(data_dir) == secret
    assert [p.name for p in data_dir.iterdir()] == [SECRET_FILE]  # no temporary file left
    assert auth_secret(tmp_path / "other") != secret


def test_an_existing_secret_is_kept_and_its_access_tightened(tmp_path: Path) -> None:
    path = tmp_path / SECRET_FILE
    path.write_text("kept-secret\n", encoding="utf-8")
    path.chmod(0o644)
    assert auth_secret(tmp_path) == "kept-secret"
    assert _mode(path) == 0o600


def test_an_empty_secret_file_is_an_error_that_says_what_to_do(tmp_path: Path) -> None:
    (tmp_path / SECRET_FILE).write_text("", encoding="utf-8")
    with pytest.raises(PlantError, match="Delete it"):
        auth_secret(tmp_path)
