"""Refuse an oversized upload while it arrives, not after it is in memory.

Chainlit's upload route reads the whole file into memory and only then compares its size with
`max_size_mb`, so a client that skips the browser's check could make the server hold any
amount. `UploadLimit` answers 413 for uploads whose declared length is over the limit, and
stops reading one that sends more than it may (a chunked body has no declared length).
"""

from __future__ import annotations

from assistant.body_limit import ASGIApp, BodyLimit

UPLOAD_PATH = "/project/file"
MULTIPART_SLACK = 1024 * 1024  # form boundaries and headers around the file itself


class UploadLimit(BodyLimit):
    """Wrap `app`: POSTs to `path` may carry at most `max_bytes` (plus form overhead)."""

    def __init__(self, app: ASGIApp, max_bytes: int, path: str = UPLOAD_PATH) -> None:
        super().__init__(app, max_bytes, path=path, slack=MULTIPART_SLACK, what="file")
