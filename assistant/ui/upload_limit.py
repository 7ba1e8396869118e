"""Refuse an oversized upload while it arrives, not after it is in memory.

Chainlit's upload route reads the whole file into memory and only then compares its size with
`max_size_mb`, so a client that skips the browser's check could make the server hold any
amount. This ASGI middleware answers 413 for uploads whose declared length is over the limit,
and stops reading one that sends more than it may (a chunked body has no declared length).
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

UPLOAD_PATH = "/project/file"
MULTIPART_SLACK = 1024 * 1024  # form boundaries and headers around the file itself


class TooLarge(Exception):
    """The body went past the limit while it was read."""


class UploadLimit:
    """Wrap `app`: POSTs to `path` may carry at most `max_bytes` (plus form overhead)."""

    def __init__(self, app: ASGIApp, max_bytes: int, path: str = UPLOAD_PATH) -> None:
        self.app, self.path = app, path
        self.most = max_bytes + MULTIPART_SLACK
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not str(scope.get("path", "")).endswith(self.path):
            await self.app(scope, receive, send)
            return
        declared = _content_length(scope)
        if declared is not None and declared > self.most:
            await self._refuse(send)
            return
        seen = 0
        started = False

        async def counted() -> Message:
            nonlocal seen
            message = await receive()
            seen += len(message.get("body", b""))
            if seen > self.most:
                raise TooLarge
            return message

        async def tracked(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counted, tracked)
        except TooLarge:
            if not started:
                await self._refuse(send)

    async def _refuse(self, send: Send) -> None:
        most = self.max_bytes / 1024 / 1024
        body = json.dumps({"detail": f"The file is larger than the {most:.0f} MB allowed."})
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [(b"content-type", b"application/json")],
            }
        )
        await send({"type": "http.response.body", "body": body.encode()})


def _content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", []):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None
