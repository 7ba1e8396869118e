"""Where a thread's elements (source passages, charts, heatmaps) are kept so a resumed thread
shows them again: files in the data directory, read back only by the thread's owner.

Chainlit's SQLAlchemy data layer stores an element's row in the database and its content with
a storage client; the cloud ones (S3, Azure, GCS) do not fit a plant that runs on one server,
so this one writes under `.plant/elements` and the chat server serves the files at
`/plant/elements/...` (see `assistant.ui.routes`) to the signed-in user whose key it is.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from pathlib import Path
from typing import Any
from urllib.parse import quote

from chainlit.data.storage_clients.base import BaseStorageClient

URL_PREFIX = "/plant/elements/"


class ElementKeyError(ValueError):
    """An object key that is empty or tries to leave the store."""


def owner_of(object_key: str) -> str:
    """The user id an object key starts with (Chainlit's keys are `user_id/element_id/name`).

    Example:
        >>> owner_of("6b1f/0c2e/[1]")
        '6b1f'
    """
    owner, _, rest = object_key.partition("/")
    if not owner or not rest or "\x00" in object_key:
        raise ElementKeyError(f"not an element key: {object_key!r}")
    return owner


class LocalElementStore(BaseStorageClient):
    """Element contents as files: one file per key (named by the key's hash, so no key can
    name a path outside the folder) and a small JSON file with its MIME type."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def _path(self, object_key: str) -> Path:
        owner = owner_of(object_key)
        digest = hashlib.sha256(object_key.encode()).hexdigest()
        return self.root / hashlib.sha256(owner.encode()).hexdigest()[:16] / digest

    async def upload_file(
        self,
        object_key: str,
        data: bytes | str,
        mime: str = "application/octet-stream",
        overwrite: bool = True,
        content_disposition: str | None = None,
    ) -> dict[str, Any]:
        path = self._path(object_key)
        if path.exists() and not overwrite:
            return {"object_key": object_key, "url": await self.get_read_url(object_key)}
        path.parent.mkdir(parents=True, exist_ok=True)
        raw = data.encode() if isinstance(data, str) else data
        _write_atomically(path, raw)
        _write_atomically(path.with_suffix(".json"), json.dumps({"mime": mime}).encode())
        return {"object_key": object_key, "url": await self.get_read_url(object_key)}

    async def delete_file(self, object_key: str) -> bool:
        path = self._path(object_key)
        existed = path.exists()
        path.unlink(missing_ok=True)
        path.with_suffix(".json").unlink(missing_ok=True)
        return existed

    async def get_read_url(self, object_key: str) -> str:
        return URL_PREFIX + quote(object_key, safe="/")

    async def close(self) -> None:
        return None

    def read(self, object_key: str) -> tuple[bytes, str] | None:
        """The stored bytes and MIME type of a key, or None when nothing is stored under it."""
        path = self._path(object_key)
        if not path.is_file():
            return None
        try:
            mime = json.loads(path.with_suffix(".json").read_text()).get("mime")
        except (OSError, ValueError):
            mime = None
        return path.read_bytes(), str(mime or "application/octet-stream")


def _write_atomically(path: Path, data: bytes) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
