"""The chat service behind the UI: one router per process, answers streamed as events."""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import AsyncIterator, Iterator

from assistant.answers import Answer
from assistant.chain import ChainEvent, History
from assistant.router import Router, make_router
from assistant.settings import get_settings

log = logging.getLogger(__name__)

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
    question: str, history: History, *, intent: str | None = None, user: str | None = None
) -> AsyncIterator[ChainEvent]:
    """Run the (blocking) router in a worker thread so other users keep being served."""
    router = await asyncio.to_thread(get_router)
    events: Iterator[ChainEvent] = router.stream(question, history, intent=intent, user=user)
    sentinel = object()
    while True:
        event = await asyncio.to_thread(next, events, sentinel)
        if event is sentinel:
            return
        yield event  # type: ignore[misc]


async def correct_intent(message_id: str, label: str, user: str | None = None) -> None:
    """Store a user's correction of where a message was routed."""
    from sqlmodel import Session

    from assistant.records import record_correction
    from assistant.router import INTENTS

    router = await asyncio.to_thread(get_router)
    if router.engine is None:
        return

    def store() -> None:
        with Session(router.engine) as session:
            record_correction(session, message_id=message_id, label=label, labels=INTENTS,
                              user=user)  # fmt: skip

    await asyncio.to_thread(store)


async def spc_file_answer(path: str, name: str) -> Answer:
    """An uploaded measurement file, charted by the SPC tool."""
    from pathlib import Path

    from assistant.spc_tool import run_spc_file

    router = await asyncio.to_thread(get_router)
    chart_dir = router.chart_dir or Path(get_settings().data_dir) / "charts"
    found = await asyncio.to_thread(run_spc_file, Path(path), chart_dir, name)
    return Answer(
        question=name,
        text=f"**{name}**\n\n{found.verdict}",
        backend="spc",
        intent="spc_analysis",
        images=[found.image] if found.image else [],
        figures=[found.figure] if found.figure else [],
        tool_result=found.result,
    )


async def inspection_answer(path: str, name: str, user: str | None = None) -> Answer:
    """An uploaded part photo, inspected, stored, with the catalogue's disposition cited."""
    from pathlib import Path

    from sqlmodel import Session

    from assistant.defect_service import load_model
    from assistant.defect_tool import inspect
    from retrieval.errors import PlantError
    from tools.defect_model import DefectModelMissing

    router = await asyncio.to_thread(get_router)
    settings = get_settings()
    try:
        model = await asyncio.to_thread(load_model, settings.defect_model_dir, settings.device)
    except DefectModelMissing as exc:
        raise PlantError(f"Photo inspection is not available yet: {exc}") from exc
    heatmap_dir = Path(settings.data_dir) / "heatmaps"

    def run() -> Answer:
        with Session(router.engine) if router.engine is not None else _no_session() as session:
            found = inspect(
                model, Path(path), session, name=name, heatmap_dir=heatmap_dir,
                chain=router.chain, user=user,
            )  # fmt: skip
        return Answer(
            question=name,
            text=f"**{name}**: {found.text}",
            backend="inspection",
            intent="defect_inspection",
            citations=found.citations,
            images=[found.inspection.heatmap] if found.inspection.heatmap else [],
            tool_result=found.model_dump(mode="json"),
        )

    return await asyncio.to_thread(run)


class _no_session:
    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: object) -> None:
        return None
