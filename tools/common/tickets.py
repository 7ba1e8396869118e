"""The labels of a customer-service ticket's triage: what the classifiers are trained on and
the database accepts."""

from __future__ import annotations

CATEGORIES: tuple[str, ...] = (
    "warranty",
    "returns",
    "technical_fault",
    "delivery",
    "billing",
    "spare_parts",
    "other",
)
URGENCIES: tuple[str, ...] = ("urgent", "normal")


def ticket_text(subject: str, body: str) -> str:
    """What the triage classifiers read, in training and at run time: the subject, then the
    body, each on one line.

    Example:
        >>> ticket_text("Leak ", "Hot oil\\non the floor")
        'Leak. Hot oil on the floor'
    """
    subject, body = " ".join(subject.split()), " ".join(body.split())
    return f"{subject}. {body}" if subject else body
