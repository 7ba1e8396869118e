"""The secret that signs the chat's sign-in tokens: made once per data dir, owner-only."""

from __future__ import annotations

import contextlib
import os
import secrets
import stat
from pathlib import Path

from tools.common.errors import PlantError

SECRET_FILE = "auth_secret"
_PRIVATE = 0o600


def auth_secret(data_dir: Path) -> str:
    """The secret in `data_dir/auth_secret`, made on first use (mode 0600).

    Several processes may start at once: the file appears complete or not at all (written
    under another name, then linked into place), and the first one linked is the one kept.
    """
    path = data_dir / SECRET_FILE
    if not path.exists():
        data_dir.mkdir(parents=True, exist_ok=True)
        _create(path, secrets.token_urlsafe(48))
    return _read(path)


def _create(path: Path, secret: str) -> None:
    temporary = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, _PRIVATE)
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8") as file:
            file.write(secret + "\n")
            file.flush()
            os.fsync(file.fileno())
        with contextlib.suppress(FileExistsError):  # another process was first: keep its secret
            os.link(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)


def _read(path: Path) -> str:
    if stat.S_IMODE(path.stat().st_mode) & 0o077:  # readable by others: tighten, then use it
        path.chmod(_PRIVATE)
    secret = path.read_text(encoding="utf-8").strip()
    if not secret:
        raise PlantError(
            f"{path} is empty. Delete it and a new secret is made; everyone signs in again."
        )
    return secret
