"""Chainlit's SQLAlchemyDataLayer on a migrated database; prints what it stored and read, as JSON.

Run by `test_chainlit_tables.py` in a process of its own: importing Chainlit reads and writes
`.chainlit/` in the working directory and keeps that directory for the process.
Usage: python chainlit_history.py ASYNC_URL [SEARCH_PATH]
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import logging
import sys
from typing import Any


class _Warnings(logging.Handler):
    """Chainlit's data layer logs failed SQL as a warning and carries on: collect them."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        if "storage client is not initialized" not in record.getMessage():
            self.messages.append(record.getMessage())


async def _history(url: str, connect_args: dict[str, Any]) -> dict[str, Any]:
    import chainlit as cl
    from chainlit.context import context, init_http_context
    from chainlit.data.sql_alchemy import SQLAlchemyDataLayer
    from chainlit.types import Feedback, Pagination, ThreadFilter
    from chainlit.user import User

    layer = SQLAlchemyDataLayer(url, connect_args=connect_args)
    user = await layer.create_user(User(identifier="anna", metadata={"role": "operator"}))
    assert user is not None, "create_user stored nothing"
    init_http_context()
    thread_id = context.session.thread_id
    question = cl.Message(content="is OD-12 in control?", author="anna", type="user_message")
    tool = cl.Step(name="spc", type="tool", show_input="json", default_open=True)
    tool.input, tool.output, tool.metadata = "OD-12", "in control", {"favorite": True}
    element = cl.Text(content="chart", name="OD-12 chart", for_id=question.id)
    await layer.update_thread(thread_id, name="OD-12", user_id=user.id, metadata={"topic": "spc"})
    await layer.create_step(question.to_dict())
    await layer.create_step(tool.to_dict())
    await layer.upsert_feedback(
        Feedback(forId=question.id, value=1, threadId=thread_id, comment="right")
    )
    thread = await layer.get_thread(thread_id)
    listed = await layer.list_threads(Pagination(first=10), ThreadFilter(userId=user.id))
    result: dict[str, Any] = {
        "user": [user.identifier, user.metadata],
        "author": await layer.get_thread_author(thread_id),
        "thread": thread and [thread["name"], thread["userIdentifier"], thread["metadata"]],
        "steps": thread and [[s["type"], s["output"]] for s in thread["steps"]],
        "feedback": thread and [s["feedback"] for s in thread["steps"] if s.get("feedback")],
        "listed": [t["id"] == thread_id for t in listed.data],
        "favorites": [s["output"] for s in await layer.get_favorite_steps(user.id)],
        "keys": {
            "steps": sorted({*question.to_dict(), *tool.to_dict()}),
            "elements": sorted(element.to_dict()),
            "feedbacks": sorted(f.name for f in dataclasses.fields(Feedback)),
        },
    }
    await layer.delete_thread(thread_id)
    result["after_delete"] = await layer.get_thread(thread_id)
    await layer.close()
    return result


def main(argv: list[str]) -> None:
    from chainlit.logger import logger

    warnings = _Warnings()
    logger.addHandler(warnings)
    url, *search_path = argv
    connect_args = {"server_settings": {"search_path": search_path[0]}} if search_path else {}
    result = asyncio.run(_history(url, connect_args))
    print(json.dumps({**result, "warnings": warnings.messages}))


if __name__ == "__main__":
    main(sys.argv[1:])
