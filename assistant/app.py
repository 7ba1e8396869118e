"""The Chainlit chat UI: thin handlers that read the session, call the service, render."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import chainlit as cl

from assistant.answers import Answer, Citation
from assistant.chat_service import (
    answer_events,
    correct_intent,
    inspection_answer,
    spc_file_answer,
)
from assistant.router import INTENT_PHRASES, INTENTS
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


async def reply_to(question: str, *, intent: str | None = None) -> None:
    history = cl.user_session.get("history") or []
    reply = cl.Message(content="")
    sent = False
    try:
        async for event in answer_events(question, history, intent=intent, user=_user()):
            if event.kind == "sources":
                reply.elements = source_elements(event.citations)  # type: ignore[assignment]
                reply.content = "Looking in the plant documents…"
                await reply.send()
                sent = True
                reply.content = ""
            elif event.kind == "token":
                await reply.stream_token(event.token)
                sent = True
            elif event.answer is not None:
                reply.content = final_text(event.answer)
                images = chart_elements(event.answer)
                reply.elements = [*(reply.elements or []), *images]
                reply.actions = answer_actions(event.answer, question)
                await (reply.update() if sent else reply.send())
                history = [*history, ("user", question), ("assistant", event.answer.text)]
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


def _user() -> str | None:
    user = cl.user_session.get("user")
    return getattr(user, "identifier", None)


MEASUREMENT_FILES = (".csv", ".xlsx")
PHOTO_FILES = (".png", ".jpg", ".jpeg", ".bmp", ".tif", ".tiff", ".webp")


def _uploads(message: cl.Message, endings: tuple[str, ...]) -> list[Any]:
    return [
        e for e in message.elements or []
        if getattr(e, "path", None) and str(e.name).lower().endswith(endings)
    ]  # fmt: skip


@cl.on_message
async def on_message(message: cl.Message) -> None:
    files = _uploads(message, MEASUREMENT_FILES)
    photos = _uploads(message, PHOTO_FILES)
    for upload in files:  # measurements: the SPC tool charts them
        await chart_upload(str(upload.path), str(upload.name))
    for photo in photos:  # part photos: the inspection tool judges them
        await inspect_upload(str(photo.path), str(photo.name))
    if not files and not photos:  # text sent with files is about them: the tool answers it
        await reply_to(message.content)


async def inspect_upload(path: str, name: str) -> None:
    try:
        answer = await inspection_answer(path, name, _user())
    except PlantError as exc:
        await cl.Message(content=f"{name}: {exc}").send()
        return
    except Exception:
        log.exception("inspection failed")
        await cl.Message(content=f"{name}: the inspection failed on our side; it is logged.").send()
        return
    elements = [*chart_elements(answer), *source_elements(answer.citations)]
    await cl.Message(content=final_text(answer), elements=elements).send()


async def chart_upload(path: str, name: str) -> None:
    try:
        answer = await spc_file_answer(path, name)
    except PlantError as exc:
        await cl.Message(content=f"{name}: {exc}").send()
        return
    images = chart_elements(answer)
    await cl.Message(content=answer.text, elements=images).send()


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
