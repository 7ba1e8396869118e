"""The Chainlit chat UI: thin handlers that read the session, call the service, render."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import chainlit as cl

from assistant.answering.answers import Answer, Citation
from assistant.capabilities.base import Upload
from assistant.chat_service import answer_events, correct_intent
from assistant.routing.router import INTENT_PHRASES
from assistant.settings import get_settings
from tools.common.intents import INTENTS

log = logging.getLogger(__name__)

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
        body = f"**{c.title}**\n\n*{c.section}* ({c.where})\n\n{c.text}"
        elements.append(cl.Text(name=source_name(c), content=body, display="side"))
    return elements


def source_name(c: Citation) -> str:
    page = f" p.{c.page}" if c.page else ""
    return f"[{c.n}] {c.heading} · {c.source}{page}"


def final_text(answer: Answer) -> str:
    parts = [answer.text]
    if answer.notice:
        parts.insert(0, f"*{answer.notice}*")
    if answer.citations:
        label = "Closest sources" if answer.abstained else "Sources"
        parts.append(f"**{label}:** " + ", ".join(source_name(c) for c in answer.citations))
    if answer.intent and not answer.clarify_options:
        sure = f" ({answer.intent_confidence:.0%})" if answer.intent_confidence is not None else ""
        parts.append(f"*Understood as: {answer.intent.replace('_', ' ')}{sure}*")
    return "\n\n".join(parts)


def chart_elements(answer: Answer) -> list[Any]:
    """Interactive Plotly charts where the tool made them, else the PNG images."""
    if answer.figures:
        import plotly.io

        return [
            cl.Plotly(name=f"chart-{i}", figure=plotly.io.from_json(js), display="inline")
            for i, js in enumerate(answer.figures, start=1)
        ]
    return [cl.Image(path=p, name=Path(p).name, display="inline") for p in answer.images]


def _sentence(phrase: str) -> str:
    return phrase[:1].upper() + phrase[1:]


def answer_actions(answer: Answer, question: str) -> list[cl.Action]:
    """Buttons: the two intents to choose from when unsure, else "wrong topic?"."""
    if answer.clarify_options:
        return [
            cl.Action(
                name="choose_intent",
                label=_sentence(INTENT_PHRASES.get(option, option)),
                payload={"intent": option, "question": question, "message_id": answer.message_id},
            )
            for option in answer.clarify_options
        ]
    if answer.message_id and answer.intent:
        return [
            cl.Action(
                name="wrong_intent",
                label="Wrong topic?",
                payload={
                    "question": question,
                    "message_id": answer.message_id,
                    "intent": answer.intent,
                },
            )
        ]
    return []


async def reply_to(
    question: str, *, intent: str | None = None, uploads: list[Upload] | None = None
) -> None:
    """Stream the service's events into messages: one message per final answer."""
    history = cl.user_session.get("history") or []
    reply, sent = cl.Message(content=""), False
    async for event in answer_events(
        question, history, intent=intent, user=_user(), uploads=uploads or [],
        previous_intent=cl.user_session.get("last_intent"),
    ):  # fmt: skip
        if event.kind == "sources":
            reply.elements = source_elements(event.citations)  # type: ignore[assignment]
            reply.content = "Looking in the plant documents…"
            await reply.send()
            sent, reply.content = True, ""
        elif event.kind == "token":
            await reply.stream_token(event.token)
            sent = True
        elif event.answer is not None:
            await _finish(reply, event.answer, question, sent)
            if event.answer.backend != "error" and not uploads:  # as before: a file is no turn
                if not event.answer.clarify_options:
                    cl.user_session.set("last_intent", event.answer.intent)
                history = [*history, ("user", question), ("assistant", event.answer.text)]
                cl.user_session.set("history", history[-get_settings().history_messages :])
            reply, sent = cl.Message(content=""), False


async def _finish(reply: cl.Message, answer: Answer, question: str, sent: bool) -> None:
    reply.content = final_text(answer)
    if not sent:  # a tool's answer: its sources come with it
        reply.elements = source_elements(answer.citations)  # type: ignore[assignment]
    reply.elements = [*(reply.elements or []), *chart_elements(answer)]
    reply.actions = answer_actions(answer, question)
    await (reply.update() if sent else reply.send())


def _user() -> str | None:
    user = cl.user_session.get("user")
    return getattr(user, "identifier", None)


@cl.on_message
async def on_message(message: cl.Message) -> None:
    uploads = [
        Upload(Path(str(e.path)), str(e.name))
        for e in message.elements or []
        if getattr(e, "path", None)
    ]
    await reply_to(message.content, uploads=uploads)


@cl.action_callback("choose_intent")
async def on_choose_intent(action: cl.Action) -> None:
    """The user picked one of the two intents offered: store it as a correction, answer."""
    payload = action.payload
    if payload.get("message_id"):
        await correct_intent(payload["message_id"], payload["intent"], _user())
    await reply_to(payload["question"], intent=payload["intent"])


@cl.action_callback("wrong_intent")
async def on_wrong_intent(action: cl.Action) -> None:
    """Offer every other intent; the one chosen is stored and the question answered again."""
    payload = action.payload
    actions = [
        cl.Action(
            name="choose_intent",
            label=_sentence(INTENT_PHRASES[intent]),
            payload={**payload, "intent": intent},
        )
        for intent in INTENTS
        if intent != payload.get("intent")
    ]
    await cl.Message(content="What did you want me to do?", actions=actions).send()
