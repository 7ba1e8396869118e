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
# How the assistant names each intent when it asks which one was meant.
INTENT_PHRASES = {
    "manual_question": "look it up in the plant documents",
    "defect_inspection": "inspect a part photo for defects",
    "failure_risk": "estimate a machine's failure risk",
    "spc_analysis": "check a process with SPC",
    "ticket_reply": "draft a reply to a customer",
    "onboarding": "answer a question about starting here",
    "smalltalk": "just chat",
    "out_of_scope": "something outside the plant",
}
