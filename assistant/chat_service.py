"""The chat service behind the UI: one chain per process, answers streamed as events."""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import AsyncIterator, Iterator

from assistant.chain import ChainEvent, History, RagChain, make_chain
from assistant.settings import get_settings

log = logging.getLogger(__name__)

_lock = threading.Lock()
_chain: RagChain | None = None


def get_chain() -> RagChain:
    """Build the chain on first use (loads the index and the models), then reuse it."""
    global _chain
    with _lock:
        if _chain is None:
            _chain = make_chain(get_settings())
        return _chain


async def answer_events(question: str, history: History) -> AsyncIterator[ChainEvent]:
    """Run the (blocking) chain in a worker thread so other users keep being served."""
    chain = await asyncio.to_thread(get_chain)
    events: Iterator[ChainEvent] = chain.stream(question, history)
    sentinel = object()
    while True:
        event = await asyncio.to_thread(next, events, sentinel)
        if event is sentinel:
            return
        yield event  # type: ignore[misc]
