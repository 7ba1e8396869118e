"""The chat service behind the UI: one router per process, answers streamed as events.

This is the one place where an error becomes a chat reply: a `PlantError` (anything a user can
cause) is shown as it is; anything else is logged with its traceback and the user gets a
short apology — never a traceback.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import AsyncIterator, Callable, Iterator, Sequence

from assistant.answering.answers import Answer
from assistant.answering.chain import ChainEvent, History
from assistant.capabilities.base import Upload
from assistant.routing.router import Router
from assistant.settings import get_settings
from assistant.wiring import make_router
from tools.common.errors import PlantError

log = logging.getLogger(__name__)

INTERNAL_ERROR = (
    "Something went wrong on our side and it has been logged. "
    "Please try again, or ask your shift leader."
)

_lock = threading.Lock()
_router: Router | None = None


def get_router() -> Router:
    """Build the router on first use (loads the index and the models), then reuse it."""
    global _router
    with _lock:
        if _router is None:
            _router = make_router(get_settings())
        return _router


async def answer_events(
    question: str,
    history: History,
    *,
    intent: str | None = None,
    user: str | None = None,
    uploads: Sequence[Upload] = (),
    previous_intent: str | None = None,
) -> AsyncIterator[ChainEvent]:
    """The events of the reply (one final answer per file the tools take, else one for the
    text), each produced in a worker thread so other users keep being served."""
    router = await asyncio.to_thread(get_router)
    taken = [u for u in uploads if router.accepts(u)]
    if not taken:  # text alone, or with files no tool takes: the message is answered

        def text() -> Iterator[ChainEvent]:
            return router.stream(question, history, intent=intent, user=user,
                                 previous_intent=previous_intent)  # fmt: skip

        async for event in _replies(text, question):
            yield event
        return
    for upload in taken:  # text sent with files is about them: the tool answers it

        def one(u: Upload = upload) -> Iterator[ChainEvent]:
            return router.stream(question, history, user=user, uploads=[u])

        async for event in _replies(one, question, prefix=f"{upload.name}: "):
            yield event


async def _replies(
    start: Callable[[], Iterator[ChainEvent]], question: str, *, prefix: str = ""
) -> AsyncIterator[ChainEvent]:
    """Run `start()`'s events in worker threads; an error becomes the final answer."""
    sentinel = object()
    try:
        events = start()
        while True:
            event = await asyncio.to_thread(next, events, sentinel)
            if event is sentinel:
                return
            yield event  # type: ignore[misc]
    except PlantError as exc:
        text = f"{prefix}{exc}"
    except Exception:
        log.exception("chat answer failed")
        text = f"{prefix}{INTERNAL_ERROR}"
    yield ChainEvent("answer", answer=Answer(question=question, text=text, backend="error"))


async def correct_intent(message_id: str, label: str, user: str | None = None) -> None:
    """Store a user's correction of where a message was routed."""
    from sqlmodel import Session

    from assistant.persistence.messages import record_correction
    from tools.common.intents import INTENTS

    router = await asyncio.to_thread(get_router)
    if router.engine is None:
        return

    def store() -> None:
        with Session(router.engine) as session:
            record_correction(session, message_id=message_id, label=label, labels=INTENTS,
                              user=user)  # fmt: skip

    await asyncio.to_thread(store)
