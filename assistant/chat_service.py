"""The chat service behind the UI: one router per process, answers streamed as events.

This is the one place where an error becomes a chat reply: a `PlantError` (anything a user can
cause) is shown as it is; anything else is logged with its traceback and the user gets a
short apology — never a traceback.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections.abc import AsyncIterator, Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from typing import Any

from assistant.answering.answers import Answer
from assistant.answering.chain import ChainEvent, History
from assistant.capabilities.base import Upload
from assistant.capabilities.uploads import screen
from assistant.housekeeping import remove_older_than
from assistant.loaded import load_once
from assistant.profiles import Profile
from assistant.routing.router import Router
from assistant.settings import Settings, get_settings
from assistant.wiring import make_router, upload_limits
from retrieval.index_store import current_version
from tools.common.errors import PlantError

log = logging.getLogger(__name__)

INTERNAL_ERROR = (
    "Something went wrong on our side and it has been logged. "
    "Please try again, or ask your shift leader."
)

TIMED_OUT = (
    "This took longer than {seconds:.0f} s, so I stopped waiting for it. Try a shorter "
    "question or a smaller file, or try again when the plant's server is less busy."
)

_lock = threading.Lock()
_router: Router | None = None
_version: str | None = None  # the index version the router was built on
TOO_LONG = (
    "Your message has {chars:,} characters; the most one message may hold is {most:,}. "
    "Attach long measurement series as a CSV or XLSX file, or ask a shorter question."
)
_retry_at: float | None = None  # when to try a database that could not be opened again
DATABASE_RETRY_S = 60.0
_cleaned_at = float("-inf")
CLEAN_EVERY_S = 3600.0


def _workers() -> ThreadPoolExecutor:
    """The bounded pool every chat reply runs in: CPU-heavy work never runs on the event loop,
    and a burst of requests queues instead of starting a thread each."""
    size = get_settings().chat_workers
    return load_once(
        ("chat-workers", size),
        lambda: ThreadPoolExecutor(max_workers=size, thread_name_prefix="chat"),
    )


async def in_worker(function: Callable[..., Any], *args: Any) -> Any:
    """`function(*args)` in the chat's worker pool, awaited (for the UI's long jobs too)."""
    return await asyncio.get_running_loop().run_in_executor(_workers(), function, *args)


def get_router() -> Router:
    """Build the router on first use (loads the index and the models), then reuse it until
    the index has a new version (an admin added a document, or `plant ingest` ran): then it
    is built again, so every session searches the new documents without a restart."""
    global _router, _version, _retry_at
    settings = get_settings()
    live = current_version(settings.index_dir)
    with _lock:
        # a router built while the database was down tries it again now and then
        retry = _retry_at is not None and time.monotonic() > _retry_at
        if _router is None or live != _version or retry:
            _router = make_router(settings)
            _version = live
            down = _router.engine is None
            _retry_at = time.monotonic() + DATABASE_RETRY_S if down else None
        router = _router
    _clean_now_and_then(settings)
    return router


def _clean_now_and_then(settings: Settings) -> None:
    """Remove old chart and heatmap files, at most once an hour (in the caller's worker)."""
    global _cleaned_at
    if time.monotonic() - _cleaned_at < CLEAN_EVERY_S:
        return
    _cleaned_at = time.monotonic()
    removed = remove_older_than(settings.temp_dirs, settings.temp_files_max_age_h * 3600)
    if removed:
        log.info("removed %d chart and heatmap files older than %.0f h", removed,
                 settings.temp_files_max_age_h)  # fmt: skip


async def answer_events(
    question: str,
    history: History,
    *,
    intent: str | None = None,
    user: str | None = None,
    uploads: Sequence[Upload] = (),
    previous_intent: str | None = None,
    profile: Profile | None = None,
    can_add_documents: bool = False,
) -> AsyncIterator[ChainEvent]:
    """The events of the reply (one final answer per file the tools take, else one for the
    text), each produced in a worker thread so other users keep being served."""
    most = get_settings().max_paste_chars
    if len(question) > most:  # refused before any model or pattern sees it
        told = TOO_LONG.format(chars=len(question), most=most)
        yield ChainEvent(
            "answer", answer=Answer(question=question[:200], text=told, backend="error")
        )
        return
    router = await in_worker(get_router)
    screened, refused = [], []
    if uploads:  # most messages carry no file: no screening, no extra hop to a worker
        limits = upload_limits(get_settings())
        screened, refused = await in_worker(
            partial(screen, list(uploads), limits, can_add_documents=can_add_documents)
        )
    for reason in refused:  # each refused file is told, the others are still taken
        yield ChainEvent("answer", answer=Answer(question=question, text=reason, backend="error"))
    taken = [u for u in screened if router.accepts(u)]
    if not taken and refused and not question.strip():
        return  # only files, all refused: the refusals are the reply
    if not taken:  # text alone, or with files no tool takes: the message is answered

        def text() -> Iterator[ChainEvent]:
            return router.stream(question, history, intent=intent, user=user,
                                 previous_intent=previous_intent, profile=profile)  # fmt: skip

        async for event in _replies(text, question):
            yield event
        return
    for upload in taken:  # text sent with files is about them: the tool answers it

        def one(u: Upload = upload) -> Iterator[ChainEvent]:
            return router.stream(question, history, user=user, uploads=[u], profile=profile)

        async for event in _replies(one, question, prefix=f"{upload.name}: "):
            yield event


async def _replies(
    start: Callable[[], Iterator[ChainEvent]], question: str, *, prefix: str = ""
) -> AsyncIterator[ChainEvent]:
    """Run `start()`'s events in worker threads; an error becomes the final answer."""
    sentinel = object()
    timeout = get_settings().request_timeout_s
    deadline = asyncio.get_running_loop().time() + timeout
    events: Iterator[ChainEvent] | None = None
    try:
        events = start()
        while True:
            left = deadline - asyncio.get_running_loop().time()
            event = await asyncio.wait_for(in_worker(next, events, sentinel), max(left, 0.0))
            if event is sentinel:
                events = None
                return
            yield event
    except TimeoutError:
        log.warning("chat reply stopped after %.0f s: %.200s", timeout, question)
        text = prefix + TIMED_OUT.format(seconds=timeout)
    except PlantError as exc:
        text = f"{prefix}{exc}"
    except Exception:
        log.exception("chat answer failed")
        text = f"{prefix}{INTERNAL_ERROR}"
    finally:  # stopped (the user's Stop, a timeout, an error): no more work on this reply
        if events is not None:
            _workers().submit(_close, events)
    yield ChainEvent("answer", answer=Answer(question=question, text=text, backend="error"))


def _close(events: Iterator[ChainEvent]) -> None:
    """End a reply's generator where it waits (generation stops at its next token); one still
    inside a step finishes that step and is then left alone."""
    close = getattr(events, "close", None)
    try:
        if close is not None:
            close()
    except ValueError:  # "generator already executing": it is dropped after its step
        pass


async def correct_intent(message_id: str, label: str, user: str | None = None) -> str:
    """Store a user's correction of where their message was routed; return its stored text
    (the question to answer again, never one the browser sends). A `PlantError` names what
    is wrong: an unknown intent, a message that is not the user's, a second correction."""
    from sqlmodel import Session

    from assistant.persistence.messages import record_correction
    from tools.common.intents import INTENTS

    router = await in_worker(get_router)
    if router.engine is None:
        raise PlantError("Corrections are not stored here: there is no database.")

    def store() -> str:
        with Session(router.engine) as session:
            correction = record_correction(session, message_id=message_id, label=label,
                                           labels=INTENTS, user=user)  # fmt: skip
            return correction.text

    result: str = await in_worker(store)
    return result
