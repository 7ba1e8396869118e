"""Chat profiles: what each kind of user starts with, which documents come first, how we answer.

A profile is what a person picks at the top of the chat: Operator, Quality, Customer service,
New starter or Admin. It brings its own starters, a document scope (the audiences its
questions are searched in first; a scope that finds nothing widens to all documents) and an
answer style ("reply" drafts a letter to a customer). A user sees only the profiles of their
role; an admin sees them all.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal


@dataclass(frozen=True)
class Profile:
    """One chat profile: its name, who gets it, where it searches first and how it answers."""

    name: str
    description: str
    roles: tuple[str, ...]
    audience: tuple[str, ...] = ()  # empty: every document
    style: Literal["answer", "reply"] = "answer"
    starters: tuple[tuple[str, str], ...] = ()
    can_admin: bool = False  # adds documents, retrains models


PROFILES: tuple[Profile, ...] = (
    Profile(
        "Operator",
        "Alarms, set-up, lockout, SPC checks and machine health on the shop floor.",
        ("operator", "admin"),
        audience=("operator", "maintenance", "all"),
        starters=(
            ("Alarm on a machine", "What does alarm E-141 on the VMC-850 mean and what do I do?"),
            (
                "Lockout before repair",
                "Where are the lockout points on the IM-220 moulding machine?",
            ),
            ("Is my process in control?", "Is OD-12 in control?"),
            ("Which machine needs attention?", "Which machines are most at risk of failing?"),
        ),
    ),
    Profile(
        "Quality",
        "Control plans, SPC, inspection of parts and the reaction plan.",
        ("quality", "admin"),
        audience=("quality", "operator", "all"),
        starters=(
            ("Control chart", "Is BD-16 in control?"),
            ("Reaction plan", "What do I do when a control chart signals?"),
            ("Capability target", "What Cpk target applies to OD-12?"),
            ("Defect catalogue", "What causes flash on moulded parts and how is it graded?"),
        ),
    ),
    Profile(
        "Customer service",
        "Cited reply drafts on warranty, returns, deliveries and spare parts; the ticket queue.",
        ("service", "admin"),
        audience=("customer_service", "all"),
        style="reply",
        starters=(
            ("Warranty question", "How long is the warranty on PH-55 pump housings?"),
            ("Returning parts", "A customer ordered the wrong parts. Is there a restocking fee?"),
            ("Delivery terms", "What are the standard delivery terms?"),
            ("Ticket queue", "Show the ticket queue"),  # the queue, not a question
        ),
    ),
    Profile(
        "New starter",
        "Your first days: shifts, where to go, safety rules and who to ask.",
        ("trainee", "operator", "quality", "service", "admin"),
        audience=("new_staff", "all"),
        starters=(
            ("My first day", "What time do I start on my first day and where do I go?"),
            ("Shift times", "What are the late shift times and when is the meal break?"),
            ("Safety shoes", "Where do I get my safety shoes?"),
        ),
    ),
    Profile(
        "Admin",
        "Everything, over all documents; adds documents and retrains models.",
        ("admin",),
        starters=(
            ("What is indexed?", "Which documents describe the VMC-850?"),
            ("Machine health", "Which machines are most at risk of failing?"),
            ("New product", "new product"),  # asks its name, then a zip of good-part photos
        ),
        can_admin=True,
    ),
)


def profiles_for(role: str | None) -> list[Profile]:
    """The profiles a role may use, its own first; an unknown or missing role gets none.

    Example:
        >>> [p.name for p in profiles_for("service")]
        ['Customer service', 'New starter']
    """
    allowed = [p for p in PROFILES if role in p.roles]
    return sorted(allowed, key=lambda p: p.roles[0] != role)  # stable: the role's own first


def profile_named(name: str | None, role: str | None) -> Profile | None:
    """The profile called `name` if `role` may use it, else the role's first profile."""
    allowed = profiles_for(role)
    return next((p for p in allowed if p.name == name), allowed[0] if allowed else None)
