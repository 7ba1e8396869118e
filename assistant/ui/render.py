"""How answers look in the chat: text with sources, source panels, charts, buttons."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import chainlit as cl

from assistant.answering.answers import Answer, Citation
from assistant.answering.safe_markdown import safe_markdown
from assistant.routing.router import INTENT_PHRASES


def source_elements(citations: list[Citation]) -> list[cl.Text]:
    """One side element per source, named as the answer cites it ("[1]"), so every inline
    citation and the sources line open the passage it stands for. A passage's images and
    links that point outside the app are shown as text (`safe_markdown`)."""
    return [
        cl.Text(name=citation_mark(c), content=source_body(c), display="side") for c in citations
    ]


def source_body(c: Citation) -> str:
    """A source panel's Markdown: name, section and place, then the passage."""
    return safe_markdown(f"**{source_name(c)}**\n\n*{c.section}* ({c.where})\n\n{c.text}")


def citation_mark(c: Citation) -> str:
    return f"[{c.n}]"


def source_name(c: Citation) -> str:
    page = f" p.{c.page}" if c.page else ""
    return f"[{c.n}] {c.heading} · {c.source}{page}"


def final_text(answer: Answer) -> str:
    """The reply as shown: notice, answer, sources line, how it was understood. Whatever
    route wrote it, images and links that point outside the app are shown as text."""
    parts = [answer.text]
    if answer.notice:
        parts.insert(0, f"*{answer.notice}*")
    if answer.citations:
        label = "Closest sources" if answer.abstained else "Sources"
        parts.append(f"**{label}:** " + ", ".join(source_name(c) for c in answer.citations))
    if answer.intent and not answer.clarify_options:
        sure = f" ({answer.intent_confidence:.0%})" if answer.intent_confidence is not None else ""
        parts.append(f"*Understood as: {answer.intent.replace('_', ' ')}{sure}*")
    return safe_markdown("\n\n".join(parts))


def chart_elements(answer: Answer) -> list[Any]:
    """Interactive Plotly charts where the tool made them, else the PNG images."""
    if answer.figures:
        import plotly.io

        return [
            cl.Plotly(name=f"chart-{i}", figure=plotly.io.from_json(js), display="inline")
            for i, js in enumerate(answer.figures, start=1)
        ]
    return [cl.Image(path=p, name=Path(p).name, display="inline") for p in answer.images]


def sentence(phrase: str) -> str:
    return phrase[:1].upper() + phrase[1:]


def answer_actions(answer: Answer) -> list[cl.Action]:
    """Buttons: the two intents to choose from when unsure, else "wrong topic?"; a button
    carries only the stored message's id and an intent, both checked when it is clicked."""
    if answer.clarify_options and answer.message_id:
        return [
            cl.Action(
                name="choose_intent",
                label=sentence(INTENT_PHRASES.get(option, option)),
                payload={"intent": option, "message_id": answer.message_id},
            )
            for option in answer.clarify_options
        ]
    if answer.message_id and answer.intent:
        return [
            cl.Action(
                name="wrong_intent",
                label="Wrong topic?",
                payload={"message_id": answer.message_id, "intent": answer.intent},
            )
        ]
    return []
