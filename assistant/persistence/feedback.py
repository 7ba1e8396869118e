"""Answers people marked in the chat (thumbs and comments), read from Chainlit's history tables.

The chat keeps each answer's question, intent and sources in its step's metadata (see
`assistant/app.py`), so a report needs no guessing about which question an answer was for.
Chainlit rates either the answer's own step or the run step of the message it answered
(`on_message`); the answers are found either way.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from pydantic import BaseModel
from sqlalchemy import text
from sqlmodel import Session

_MARKED = text(
    """
    SELECT f."value" AS rating, f."comment" AS comment, s."output" AS answer,
           s."metadata" AS metadata, s."createdAt" AS created, t."id" AS thread_id,
           t."userIdentifier" AS user_name
    FROM feedbacks f
    JOIN steps s ON (s."id" = f."forId" OR s."parentId" = f."forId")
        AND s."type" = 'assistant_message'
    JOIN threads t ON t."id" = s."threadId"
    ORDER BY s."createdAt"
    """
)


class MarkedAnswer(BaseModel):
    """One answer with the rating a user gave it (1 right, 0 wrong) and their comment."""

    question: str
    answer: str
    rating: int
    comment: str | None
    intent: str | None
    user: str | None
    thread_id: str
    sources: list[str]
    created: str | None


def _metadata(raw: Any) -> dict[str, Any]:
    if isinstance(raw, dict):
        return raw
    try:
        loaded = json.loads(raw or "{}")
    except (TypeError, ValueError):
        return {}
    return loaded if isinstance(loaded, dict) else {}


def marked_answers(
    session: Session, *, since: dt.date | None = None, only_wrong: bool = True
) -> list[MarkedAnswer]:
    """Answers with feedback, oldest first: those marked wrong (or all), from `since` on."""
    found = []
    for row in session.connection().execute(_MARKED).mappings():
        if only_wrong and row["rating"] != 0:
            continue
        created = str(row["created"] or "")
        if since is not None and created[:10] < since.isoformat():
            continue
        meta = _metadata(row["metadata"])
        found.append(
            MarkedAnswer(
                question=str(meta.get("question") or ""),
                answer=str(row["answer"] or ""),
                rating=int(row["rating"]),
                comment=row["comment"] or None,
                intent=meta.get("intent"),
                user=row["user_name"],
                thread_id=str(row["thread_id"]),
                sources=[str(s) for s in meta.get("sources") or []],
                created=created or None,
            )
        )
    return found
