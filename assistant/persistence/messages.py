"""What the assistant keeps: routed chat messages and the users' corrections of their intent."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlmodel import Field, Session, SQLModel, col, select

from tools.common.errors import PlantError


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class ChatMessageBase(SQLModel):
    text: str
    intent: str | None = None
    confidence: float | None = None
    user: str | None = None


class ChatMessage(ChatMessageBase, table=True):
    id: str = Field(default_factory=lambda: uuid.uuid4().hex[:12], primary_key=True)
    created_at: dt.datetime = Field(default_factory=_now)


class IntentCorrectionBase(SQLModel):
    message_id: str = Field(foreign_key="chatmessage.id", index=True)
    corrected: str
    user: str | None = None


class IntentCorrection(IntentCorrectionBase, table=True):
    id: int | None = Field(default=None, primary_key=True)
    text: str
    predicted: str | None = None
    created_at: dt.datetime = Field(default_factory=_now)


def record_message(
    session: Session, *, text: str, intent: str | None, confidence: float | None,
    user: str | None = None,
) -> ChatMessage:  # fmt: skip
    message = ChatMessage(text=text, intent=intent, confidence=confidence, user=user)
    session.add(message)
    session.commit()
    session.refresh(message)
    return message


def record_correction(
    session: Session, *, message_id: str, label: str, labels: tuple[str, ...],
    user: str | None = None,
) -> IntentCorrection:  # fmt: skip
    """Store that `message_id` should have gone to `label`; both are checked first. A signed-in
    `user` may correct only their own message, and each message once."""
    if label not in labels:
        raise PlantError(f"Unknown intent '{label}'. Choose one of: {', '.join(labels)}.")
    message = session.get(ChatMessage, message_id)
    if message is None or (user is not None and message.user != user):
        raise PlantError(f"No stored message with id '{message_id}'.")
    if (
        user is not None
        and session.exec(
            select(IntentCorrection).where(IntentCorrection.message_id == message_id)
        ).first()
    ):
        raise PlantError("This message has already been corrected.")
    correction = IntentCorrection(
        message_id=message_id, corrected=label, user=user, text=message.text,
        predicted=message.intent,
    )  # fmt: skip
    session.add(correction)
    session.commit()
    session.refresh(correction)
    return correction


def corrections_as_examples(session: Session) -> list[dict[str, str]]:
    """The latest correction of every corrected message, as `{"text", "label"}` rows."""
    rows = session.exec(select(IntentCorrection).order_by(col(IntentCorrection.created_at))).all()
    latest = {row.message_id: row for row in rows}
    return [{"text": row.text, "label": row.corrected} for row in latest.values()]
