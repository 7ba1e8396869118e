"""The failure-risk handler while its model is missing: it says so, and uses the model from
the message after it appears (a stand-in loader; the real model is tested in test_tool.py)."""

from __future__ import annotations

from typing import Any

from assistant.capabilities.base import Request
from assistant.capabilities.failure.handler import DOCUMENTS_SAY, NO_MACHINES, FailureCapability
from assistant.persistence.db import make_engine
from tools.failure.model import FailureModelMissing


def test_the_handoff_says_when_the_model_is_ready_and_then_uses_it(database_url: str) -> None:
    models: list[Any] = []

    def load() -> Any:
        if not models:
            raise FailureModelMissing(
                "Failure-risk estimation is not ready yet: its model is training, less than "
                "a minute left."
            )
        return models[0]

    tool = FailureCapability(make_engine(database_url), load, chain=None)  # type: ignore[arg-type]
    request = Request("will M1-02 fail?")
    assert tool.handoff(request) == (
        "Failure-risk estimation is not ready yet: its model is training, less than a minute "
        f"left. {DOCUMENTS_SAY}"
    )
    assert not tool.can_handle(request)
    models.append(object())  # trained in the background meanwhile
    assert tool.handoff(request) == NO_MACHINES  # now the model is there: no machines stored
