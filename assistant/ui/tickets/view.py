"""How the ticket queue and one ticket look in the chat: Markdown, source panels, buttons.

The customer wrote the subject, the message and the other ticket fields, so they are shown as
plain text (`plain`): every Markdown and HTML character is escaped, and nothing they wrote
becomes a link, an image or a tag. Drafts are the plant's own text and are shown as Markdown
made safe like every answer (`safe_markdown`).
"""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any

import chainlit as cl
from pydantic import ValidationError

from assistant.answering.answers import Citation
from assistant.answering.safe_markdown import safe_markdown
from assistant.persistence.tickets import TicketEventPublic, TicketPublic
from assistant.tickets.queue import QueueView, TicketView, actions_for, age_label, version_of
from assistant.ui.render import source_elements, source_name

# every ASCII punctuation character: CommonMark lets each be escaped with a backslash
_PUNCTUATION = re.compile(r"([!-/:-@\[-`{-~])")
SUBJECT_CHARS = 80  # in the queue's table; the ticket shows it whole
VALUE_CHARS = 60  # a changed field's value in the history
OPEN = "ticket_open"
QUEUE = "ticket_queue"
STEP_ACTIONS = {
    "edit": "ticket_edit",
    "approve": "ticket_approve",
    "reassign": "ticket_reassign",
    "close": "ticket_close",
}
_LABELS = {"edit": "Edit draft", "approve": "Approve", "reassign": "Reassign", "close": "Close"}
_ICONS = {"edit": "pencil", "approve": "check", "reassign": "user-round", "close": "archive"}
_SHOWN_VALUES = ("status", "assignee", "category", "urgency", "subject", "language")


def plain(text: str) -> str:
    r"""`text` as it was written, with no Markdown or HTML meaning; lines joined by spaces.

    Example:
        >>> print(plain("![x](http://e/) <b>"))
        \!\[x\]\(http\:\/\/e\/\) \<b\>
    """
    return _PUNCTUATION.sub(r"\\\1", " ".join(text.split()))


def quoted(text: str, most: int) -> str:
    """A customer's message as a block quote of plain text, its line breaks kept, cut at
    `most` characters."""
    cut = text[:most]
    lines = [plain(line) for line in cut.strip().splitlines()]
    quote = "\n".join(f"> {line}  " if line else ">" for line in lines) or "> (empty)"
    if len(text) > most:
        quote += f"\n>\n> *… {len(text) - most:,} more characters not shown.*"
    return quote


def _short(text: str, most: int) -> str:
    return text if len(text) <= most else text[: most - 1].rstrip() + "…"


def _when(moment: dt.datetime) -> str:
    utc = moment.replace(tzinfo=dt.UTC) if moment.tzinfo is None else moment.astimezone(dt.UTC)
    return f"{utc:%Y-%m-%d %H:%M} UTC"


# ------------------------------------------------------------------------------ the queue
def queue_content(view: QueueView, now: dt.datetime) -> str:
    """The open tickets as a table, urgent first, then oldest."""
    if not view.tickets:
        return (
            "**No open tickets.** New ones arrive with `plant tickets import FILE...`; closed "
            "tickets are not listed."
        )
    total = len(view.tickets) + view.more
    lines = [
        f"**Ticket queue:** {total} open ticket{'s' if total != 1 else ''}, urgent first, "
        "then the oldest.",
        "",
        "| # | Age | Urgency | Category | Status | Customer | Subject |",
        "|---:|---|---|---|---|---|---|",
    ]
    for t in view.tickets:
        cells = (
            str(t.id), age_label(t.created_at, now), t.triage.urgency or "—",
            (t.triage.category or "—").replace("_", " "), t.status,
            plain(_short(t.customer, SUBJECT_CHARS)) or "—",
            plain(_short(t.subject, SUBJECT_CHARS)) or "*(no subject)*",
        )  # fmt: skip
        lines.append("| " + " | ".join(cells) + " |")
    if view.more:
        lines += ["", f"*{view.more} more open ticket(s) not shown: `plant tickets list` lists "
                      "them all.*"]  # fmt: skip
    return "\n".join(lines)


def queue_actions(view: QueueView) -> list[cl.Action]:
    """One "Open #id" button per ticket shown."""
    return [
        cl.Action(name=OPEN, label=f"Open #{t.id}", payload={"ticket_id": t.id}, icon="folder-open")
        for t in view.tickets
    ]


# ------------------------------------------------------------------------------ one ticket
def ticket_content(view: TicketView, now: dt.datetime, *, message_chars: int) -> str:
    """One ticket: its fields and triage, the customer's message, the reply with its sources
    (each opens in the side panel) and the latest changes."""
    t = view.ticket
    parts = [f"### Ticket #{t.id}: {plain(t.subject) or '(no subject)'}", _fields(t, now)]
    parts += ["**Customer's message**", quoted(t.body, message_chars)]
    parts += _reply(t)
    parts.append(_history(t.events, view.earlier_events))
    return "\n\n".join(parts)


def _fields(t: TicketPublic, now: dt.datetime) -> str:
    confidence = t.triage.confidence
    triage = " · ".join(
        [t.triage.urgency or "not triaged", (t.triage.category or "no category").replace("_", " ")]
        + ([f"confidence {confidence:.0%}"] if confidence is not None else [])
    )
    lines = [
        [("Status", t.status), ("Assignee", plain(t.assignee or "") or "nobody"),
         ("Received", f"{_when(t.created_at)}, {age_label(t.created_at, now)} ago")],
        [("Triage", triage)],
        [("Customer", plain(t.customer) or "—"), ("Product", plain(t.product) or "—"),
         ("Serial", plain(t.serial) or "—")],
        [("Channel", plain(t.channel) or "—"), ("Language", t.language or "unknown"),
         ("External id", plain(t.external_id or "") or "—"),
         ("Attachments", plain(", ".join(t.attachments)) or "none")],
    ]  # fmt: skip
    return "  \n".join(" · ".join(f"**{name}:** {value}" for name, value in line) for line in lines)


def _reply(t: TicketPublic) -> list[str]:
    final = t.status in ("approved", "closed") and bool(t.final_reply)
    text = t.final_reply if final else t.draft
    title = "**Approved reply**" if final else "**Draft reply**"
    if not (text or "").strip():
        return [title, "*No draft yet: use Edit draft to write one.*"]
    shown = [title, safe_markdown(text or "")]
    citations = citations_of(t)
    if citations:
        shown.append("**Sources:** " + ", ".join(source_name(c) for c in citations))
    if not final:
        shown += _checks(t.draft_checks)
    return shown


def _checks(checks: dict[str, Any]) -> list[str]:
    """What the drafter left for the agent to check before sending: never part of the reply."""
    lines = [str(n) for n in checks.get("notes") or []]
    lines += [f"Not answered by the documents: {q}" for q in checks.get("unanswered") or []]
    lines += [f"States what no source does: {p}" for p in checks.get("unsupported_promises") or []]
    if not lines:
        return []
    return ["**Check before sending**", "\n".join(f"- {plain(line)}" for line in lines)]


def citations_of(t: TicketPublic) -> list[Citation]:
    """The draft's stored sources as citations, numbered in order where they carry no number;
    an entry that is not a source is left out."""
    found = []
    for n, raw in enumerate(t.citations, start=1):
        if not isinstance(raw, dict):
            continue
        try:
            found.append(Citation.model_validate({"n": n, "source": "", "text": "", **raw}))
        except ValidationError:
            continue
    return found


def ticket_elements(t: TicketPublic) -> list[cl.Text]:
    """The draft's sources as side panels, named as the draft cites them ("[1]")."""
    return source_elements(citations_of(t))


def _history(events: list[TicketEventPublic], earlier: int) -> str:
    if not events:
        return "**Recent changes:** none"
    lines = [f"**Recent changes** (newest first{f'; {earlier} earlier' if earlier else ''})"]
    for e in reversed(events):
        lines.append(f"- {_when(e.at)} · {plain(e.actor)} · {_change(e)}")
    return "\n".join(lines)


def _change(e: TicketEventPublic) -> str:
    if e.field is None:
        return e.action
    if e.field in _SHOWN_VALUES:
        return f"{e.field}: {_value(e.before)} → {_value(e.after)}"
    return f"edited {e.field.replace('_', ' ')}"


def _value(value: Any) -> str:
    if value is None or value == "":
        return "—"
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    return plain(_short(text, VALUE_CHARS))


def ticket_actions(t: TicketPublic) -> list[cl.Action]:
    """The steps the ticket's status allows, each naming the version shown, then the way
    back to the queue."""
    payload = {"ticket_id": t.id, "seen": version_of(t)}
    steps = [
        cl.Action(
            name=STEP_ACTIONS[step],
            label="Write draft" if step == "edit" and not t.draft else _LABELS[step],
            payload=payload,
            icon=_ICONS[step],
        )
        for step in actions_for(t.status)
    ]
    return [*steps, cl.Action(name=QUEUE, label="Back to the queue", payload={}, icon="list")]
