"""The ticket queue's chat handlers: who may use it, its buttons and the questions they ask.

Each handler checks the user as the database has them now (a role that cannot see the
Customer service profile is refused), checks the button's payload (the browser sends it),
calls one `TicketDesk` step in a worker thread and shows the ticket again. A `PlantError` is
shown as it is; anything else is logged and the user gets a short apology.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import re
from collections.abc import Awaitable, Callable, Coroutine
from functools import partial
from typing import Any, TypeVar

import chainlit as cl

from assistant import accounts
from assistant.accounts import SignedIn
from assistant.profiles import profile_named
from assistant.settings import get_settings
from assistant.tickets.queue import (
    SERVICE_PROFILE,
    TicketDesk,
    TicketView,
    may_use_tickets,
    seen_of,
    ticket_id_of,
    ticket_number,
    wants_queue,
)
from assistant.ui.tickets import view
from assistant.wiring import usable_engine
from tools.common.errors import PlantError

log = logging.getLogger(__name__)
T = TypeVar("T")
Step = Callable[[TicketDesk, int, str, SignedIn, str], TicketView]
Ask = Callable[[TicketDesk, TicketView], Awaitable[str | None]]

COMMAND = "Tickets"  # the command button in the Customer service profile's composer
COMMAND_HELP = "The open tickets (send any text), or one ticket (send its number)"
NOT_ALLOWED = (
    "The ticket queue belongs to customer service: your role ({role}) cannot work on "
    "tickets. Ask an admin if you need it."
)
SIGNED_OUT = "Your account is disabled or was removed. Please sign in again or ask an admin."
NO_DATABASE = "Tickets cannot be shown now: the plant's database cannot be opened. Try again later."
FAILED = "Something went wrong on our side and it has been logged. Nothing may have changed."
UNCHANGED = "Nothing was changed."
_running: set[asyncio.Task[None]] = set()  # steps waiting for the user's answer


async def _say(text: str) -> None:
    await cl.Message(content=text).send()


async def offer_commands() -> None:
    """The Tickets command button in the Customer service profile, and none elsewhere."""
    profile = profile_named(cl.user_session.get("chat_profile"), _role(cl.user_session.get("user")))
    shown = profile is not None and profile.name == SERVICE_PROFILE
    command = {"id": COMMAND, "icon": "inbox", "button": True, "description": COMMAND_HELP}
    await cl.context.emitter.set_commands([command] if shown else [])  # type: ignore[list-item]


def _role(user: Any) -> str | None:
    return (getattr(user, "metadata", None) or {}).get("role")


async def answers_message(message: cl.Message) -> bool:
    """Show the queue when the message asks for it (the Tickets command, or "tickets" typed in
    the Customer service profile) or, with the command, the ticket whose number it gives;
    whether it did. Other messages are left to the router."""
    asked = message.command == COMMAND
    if not asked and not wants_queue(message.content or ""):
        return False
    role = _role(cl.user_session.get("user"))
    profile = profile_named(cl.user_session.get("chat_profile"), role)
    if not asked and (profile is None or profile.name != SERVICE_PROFILE):
        return False  # "tickets" in another profile is a question like any other
    if await _staff() is None:
        return True
    number = ticket_number(message.content or "") if asked else None
    await (show_queue() if number is None else _open(number))
    return True


async def _staff() -> SignedIn | None:
    """The user as the database has them now, if they may work on tickets; else None, and the
    user is told why."""
    user = cl.user_session.get("user")
    name = getattr(user, "identifier", None)
    signed_in = (
        await asyncio.to_thread(accounts.current_user, get_settings(), name) if name else None
    )
    if signed_in is None:
        await _say(SIGNED_OUT)
    elif not may_use_tickets(signed_in.role):
        await _say(NOT_ALLOWED.format(role=signed_in.role))
    else:
        return signed_in
    return None


async def _desk() -> TicketDesk | None:
    settings = get_settings()
    engine = await asyncio.to_thread(usable_engine, settings)
    if engine is None:
        await _say(NO_DATABASE)
        return None
    return TicketDesk(
        engine, queue_shown=settings.ticket_queue_shown,
        history_shown=settings.ticket_history_shown, max_draft_chars=settings.max_paste_chars,
    )  # fmt: skip


async def _call(function: Callable[[], T]) -> T | None:
    """`function()` in a worker thread; a `PlantError` or a failure is told, and gives None."""
    try:
        return await asyncio.to_thread(function)
    except PlantError as exc:
        await _say(str(exc))
    except Exception:
        log.exception("ticket queue step failed")
        await _say(FAILED)
    return None


async def show_queue() -> None:
    """The open tickets, urgent first, then the oldest, each with its Open button."""
    desk = await _desk()
    shown = await _call(desk.queue) if desk is not None else None
    if shown is not None:
        now = dt.datetime.now(dt.UTC)
        await cl.Message(view.queue_content(shown, now), actions=view.queue_actions(shown)).send()


async def _show(ticket: TicketView, notice: str = "") -> None:
    now = dt.datetime.now(dt.UTC)
    chars = get_settings().ticket_message_shown_chars
    content = view.ticket_content(ticket, now, message_chars=chars)
    await cl.Message(
        content=f"*{notice}*\n\n{content}" if notice else content,
        elements=view.ticket_elements(ticket.ticket),
        actions=view.ticket_actions(ticket.ticket),
    ).send()


async def on_queue(action: cl.Action) -> None:
    """The "Back to the queue" button."""
    if await _staff() is not None:
        await show_queue()


async def on_open(action: cl.Action) -> None:
    """An "Open #id" button: the ticket, its triage, its draft with the sources beside it and
    its latest changes."""
    if await _staff() is None:
        return
    ticket_id = await _call(partial(ticket_id_of, action.payload))
    if ticket_id is not None:
        await _open(ticket_id)


async def _open(ticket_id: int) -> None:
    desk = await _desk()
    shown = await _call(partial(desk.ticket, ticket_id)) if desk is not None else None
    if shown is not None:
        await _show(shown)


async def _step(action: cl.Action, ask: Ask,
                step: Step, done: str) -> None:  # fmt: skip
    """Check who and which ticket, ask for what the step needs, take it, show the ticket (as
    it is now, also when the step was refused)."""
    if (staff := await _staff()) is None or (desk := await _desk()) is None:
        return
    checked = await _call(lambda: (ticket_id_of(action.payload), seen_of(action.payload)))
    if checked is None:
        return
    ticket_id, seen = checked
    current = await _call(partial(desk.ticket, ticket_id))
    if current is None or (answer := await ask(desk, current)) is None:
        return
    result = await _call(partial(step, desk, ticket_id, answer, staff, seen))
    if result is not None:
        await _show(result, done.format(id=ticket_id))
    elif (again := await _call(partial(desk.ticket, ticket_id))) is not None:
        await _show(again)


def _in_background(work: Coroutine[Any, Any, None]) -> None:
    """Run a step that waits for the user without holding the button's request open."""
    task = asyncio.create_task(_logged(work))
    _running.add(task)
    task.add_done_callback(_running.discard)


async def _logged(work: Coroutine[Any, Any, None]) -> None:
    try:
        await work
    except Exception:  # the chat went away while it waited, or Chainlit failed
        log.exception("ticket queue step failed")
    finally:  # Chainlit marks the chat busy again after each answer; a button's step ends it
        await cl.context.emitter.task_end()


def _duration(seconds: int) -> str:
    return f"{seconds // 60} min" if seconds >= 120 else f"{seconds} s"


async def _typed(question: str) -> str | None:
    """The user's typed answer; None (and the user told) on "cancel" or no answer in time."""
    timeout = get_settings().ticket_answer_timeout_s
    reply = await cl.AskUserMessage(content=question, timeout=timeout).send()
    text = str((reply or {}).get("output") or "").strip()
    if reply is None:
        await _say(f"No answer within {_duration(timeout)}. {UNCHANGED}")
    elif not text or text.lower() == "cancel":
        await _say(f"Cancelled. {UNCHANGED}")
    else:
        return text
    return None


async def _confirmed(question: str, label: str) -> str | None:
    """An empty answer when the user confirms; None (and the user told) when not."""
    buttons = [
        cl.Action(name="confirm", label=label, payload={"confirmed": True}),
        cl.Action(name="cancel", label="Cancel", payload={"confirmed": False}),
    ]
    timeout = get_settings().ticket_answer_timeout_s
    chosen = await cl.AskActionMessage(content=question, actions=buttons, timeout=timeout).send()
    if chosen is not None and chosen.get("name") == "confirm":
        return ""
    await _say(UNCHANGED)
    return None


def _fence(text: str) -> str:
    """`text` in a code block none of its lines can close (shown as it is, with a copy
    button)."""
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}text\n{text}\n{fence}"


async def _ask_draft(desk: TicketDesk, current: TicketView) -> str | None:
    t = current.ticket
    draft = t.draft or ""
    shown = f"The draft now (copy it, change it, send it back):\n\n{_fence(draft)}\n\n"
    approved = t.status == "approved"
    withdrawn = " Its approval is then withdrawn: it needs approving again." if approved else ""
    return await _typed(
        f"{shown if draft else ''}Send the new draft for ticket #{t.id} as your next "
        f"message, or **cancel**.{withdrawn}"
    )


async def _ask_approval(desk: TicketDesk, current: TicketView) -> str | None:
    return await _confirmed(
        f"Approve the draft of ticket #{current.ticket.id} as the reply to send?", "Approve"
    )


async def _ask_assignee(desk: TicketDesk, current: TicketView) -> str | None:
    now = view.plain(current.ticket.assignee or "") or "nobody"
    names = await _call(desk.assignees)
    who = f" Who works on tickets: {view.plain(', '.join(names))}." if names else ""
    return await _typed(
        f"Who should take ticket #{current.ticket.id}? It is with {now} now.{who} Send their "
        "user name, or **cancel**."
    )


async def _ask_closing(desk: TicketDesk, current: TicketView) -> str | None:
    return await _confirmed(
        f"Close ticket #{current.ticket.id}? A closed ticket cannot be opened again.", "Close"
    )


def _edit(desk: TicketDesk, ticket_id: int, text: str, who: SignedIn, seen: str) -> TicketView:
    return desk.edit_draft(ticket_id, text, actor=who.name, seen=seen)


def _approve(desk: TicketDesk, ticket_id: int, _: str, who: SignedIn, seen: str) -> TicketView:
    return desk.approve(ticket_id, actor=who.name, seen=seen)


def _reassign(desk: TicketDesk, ticket_id: int, name: str, who: SignedIn, seen: str) -> TicketView:
    return desk.reassign(ticket_id, name, actor=who.name, seen=seen)


def _close(desk: TicketDesk, ticket_id: int, _: str, who: SignedIn, seen: str) -> TicketView:
    return desk.close(ticket_id, actor=who.name, seen=seen)


async def on_edit(action: cl.Action) -> None:
    """The "Edit draft" button: show the draft, ask for the new text and store it."""
    _in_background(
        _step(action, _ask_draft, _edit, "Draft saved: ticket #{id} waits for approval.")
    )


async def on_approve(action: cl.Action) -> None:
    """The "Approve" button: once confirmed, the draft as shown becomes the final reply."""
    _in_background(
        _step(action, _ask_approval, _approve, "Ticket #{id} approved: its reply is final.")
    )


async def on_reassign(action: cl.Action) -> None:
    """The "Reassign" button: ask for the user name of the person who takes the ticket."""
    _in_background(_step(action, _ask_assignee, _reassign, "Ticket #{id} reassigned."))


async def on_close(action: cl.Action) -> None:
    """The "Close" button, once confirmed (a closed ticket stays closed)."""
    _in_background(_step(action, _ask_closing, _close, "Ticket #{id} closed."))


# the buttons' names and their handlers, registered by assistant/app.py
ACTIONS: dict[str, Callable[[cl.Action], Awaitable[None]]] = {
    view.QUEUE: on_queue,
    view.OPEN: on_open,
    view.STEP_ACTIONS["edit"]: on_edit,
    view.STEP_ACTIONS["approve"]: on_approve,
    view.STEP_ACTIONS["reassign"]: on_reassign,
    view.STEP_ACTIONS["close"]: on_close,
}
