"""The Chainlit chat UI: thin handlers that read the session, call the service, render."""

from __future__ import annotations

import logging

import chainlit as cl

from assistant.answers import Answer, Citation
from assistant.chat_service import answer_events
from retrieval.errors import PlantError

log = logging.getLogger(__name__)
MAX_HISTORY = 8

STARTERS = [
    ("Alarm on a machine", "What does alarm E-141 on the VMC-850 mean and what do I do?"),
    ("Lockout before repair", "Where are the lockout points on the IM-220 moulding machine?"),
    ("Warranty question", "How long is the warranty on PH-55 pump housings?"),
    ("Returning parts", "A customer ordered the wrong parts. Is there a restocking fee?"),
    ("My first day", "What time do I start on my first day and where do I go?"),
    ("Shift times", "What are the late shift times and when is the meal break?"),
]


@cl.set_starters
async def starters(user: cl.User | None = None) -> list[cl.Starter]:
    return [cl.Starter(label=label, message=message) for label, message in STARTERS]


@cl.on_chat_start
async def start() -> None:
    cl.user_session.set("history", [])


def source_elements(citations: list[Citation]) -> list[cl.Text]:
    elements = []
    for c in citations:
        page = f", page {c.page}" if c.page else ""
        body = f"**{c.title}**\n\n*{c.section}* ({c.source}{page})\n\n{c.text}"
        elements.append(cl.Text(name=source_name(c), content=body, display="side"))
    return elements


def source_name(c: Citation) -> str:
    page = f" p.{c.page}" if c.page else ""
    return f"[{c.n}] {c.section.split(' > ')[-1] or c.title} · {c.source}{page}"


def final_text(answer: Answer) -> str:
    parts = [answer.text]
    if answer.notice:
        parts.insert(0, f"*{answer.notice}*")
    if answer.citations:
        label = "Closest sources" if answer.abstained else "Sources"
        parts.append(f"**{label}:** " + ", ".join(source_name(c) for c in answer.citations))
    return "\n\n".join(parts)


@cl.on_message
async def on_message(message: cl.Message) -> None:
    history = cl.user_session.get("history") or []
    reply = cl.Message(content="")
    try:
        async for event in answer_events(message.content, history):
            if event.kind == "sources":
                reply.elements = source_elements(event.citations)  # type: ignore[assignment]
                reply.content = "Looking in the plant documents…"
                await reply.send()
                reply.content = ""
            elif event.kind == "token":
                await reply.stream_token(event.token)
            elif event.answer is not None:
                reply.content = final_text(event.answer)
                await reply.update()
                history = [*history, ("user", message.content), ("assistant", event.answer.text)]
                cl.user_session.set("history", history[-MAX_HISTORY:])
    except PlantError as exc:
        reply.content = str(exc)
        await reply.send()
    except Exception:
        log.exception("chat answer failed")
        reply.content = (
            "Something went wrong on our side and it has been logged. "
            "Please try again, or ask your shift leader."
        )
        await reply.send()
