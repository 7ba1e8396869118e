"""The intents a chat message can have: the labels the classifier is trained on and routed by."""

from __future__ import annotations

INTENTS: tuple[str, ...] = (
    "manual_question",
    "defect_inspection",
    "failure_risk",
    "spc_analysis",
    "ticket_reply",
    "onboarding",
    "smalltalk",
    "out_of_scope",
)
