"""Refuse a request body over a limit while it arrives, not after it is in memory (ASGI).

A declared larger length is answered 413 at once; a body without one (chunked) is counted and
stopped when it goes past the limit. Used for the chat's file uploads (Chainlit reads a whole
upload into memory before it checks its size) and for the helpdesk API.
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


class TooLarge(Exception):
    """The body went past the limit while it was read."""


class BodyLimit:
    """Wrap `app`: HTTP requests (those whose path ends with `path`, when given) may carry at
    most `max_bytes` of body, plus `slack` (e.g. a form's boundaries around a file); the
    refusal names the limit and what was too large ("request", "file")."""

    def __init__(
        self, app: ASGIApp, max_bytes: int, *, path: str | None = None, slack: int = 0,
        what: str = "request",
    ) -> None:  # fmt: skip
        self.app, self.path, self.what = app, path, what
        self.max_bytes, self.most = max_bytes, max_bytes + slack

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = str(scope.get("path", ""))
        if scope["type"] != "http" or (self.path is not None and not path.endswith(self.path)):
            await self.app(scope, receive, send)
            return
        declared = _content_length(scope)
        if declared is not None and declared > self.most:
            await self._refuse(send)
            return
        seen, started, over = 0, False, False

        async def counted() -> Message:
            nonlocal seen, over
            message = await receive()
            seen += len(message.get("body", b""))
            if seen > self.most:
                over = True
                raise TooLarge
            return message

        async def tracked(message: Message) -> None:
            nonlocal started
            if over:  # the app answers a body it could not read (FastAPI: 400): ours is 413
                if message["type"] == "http.response.start" and not started:
                    started = True
                    await self._refuse(send)
                return
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counted, tracked)
        except TooLarge:
            if not started:
                await self._refuse(send)

    async def _refuse(self, send: Send) -> None:
        most = self.max_bytes / 1024 / 1024
        body = json.dumps({"detail": f"The {self.what} is larger than the {most:g} MB allowed."})
        headers = [(b"content-type", b"application/json")]
        await send({"type": "http.response.start", "status": 413, "headers": headers})
        await send({"type": "http.response.body", "body": body.encode()})


def _content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", []):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None
