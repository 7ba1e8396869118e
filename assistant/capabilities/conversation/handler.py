"""Fixed replies: a greeting that says what the assistant can do, and a polite refusal."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from assistant.answering.chain import ChainEvent
from assistant.capabilities.base import Request, Upload, answer_event

CAPABILITIES = (
    "I can answer questions from the plant's manuals and procedures (alarms, maintenance, "
    "quality, safety), help new staff with starting here, and draft replies to customers from "
    "our customer-service documents, and check whether a process is in control (try: is OD-12 "
    "in control?), and estimate which machines are likely to fail (try: which machines are at "
    "highest risk?), and inspect a photo of a part for defects (attach it to your message)."
)
GREETING = f"Hello! {CAPABILITIES} What can I do for you?"
REFUSAL = f"Sorry, that is outside what I can help with here. {CAPABILITIES}"


@dataclass
class FixedReply:
    """Always the same text (smalltalk, out of scope)."""

    text: str

    def can_handle(self, request: Request) -> bool:
        return True

    def accepts(self, upload: Upload) -> bool:
        return False

    def handoff(self, request: Request) -> str | None:
        return None

    def handle(self, request: Request) -> Iterator[ChainEvent]:
        yield answer_event(request, self.text, "router")
