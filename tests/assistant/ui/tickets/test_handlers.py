"""The ticket queue's chat handlers, run in a Chainlit chat made for the test: the browser's
side is a recorder that keeps what the app sends and gives the user's answers to its
questions; the users, tickets and database are real."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import chainlit as cl
import pytest
from chainlit.context import init_http_context
from chainlit.emitter import BaseChainlitEmitter
from sqlalchemy.engine import Engine
from sqlmodel import Session

from assistant.persistence.db import make_engine
from assistant.persistence.tickets import (
    TicketCreate,
    TicketUpdate,
    create_ticket,
    get_ticket,
    ticket_events,
    transition,
    update_ticket,
)
from assistant.persistence.users import add_user
from assistant.settings import get_settings
from assistant.tickets.queue import version_of
from assistant.ui.tickets import handlers


class Browser(BaseChainlitEmitter):
    """What one chat's browser receives, and the answers its user gives when asked."""

    def __init__(self, session: Any, answers: list[dict[str, Any] | None]) -> None:
        super().__init__(session)
        self.messages: list[str] = []
        self.actions: list[dict[str, Any]] = []
        self.commands: list[Any] | None = None
        self.answers = answers

    async def send_step(self, step_dict: Any) -> None:
        self.messages.append(step_dict["output"])

    async def emit(self, event: str, data: Any) -> None:
        if event == "action":
            self.actions.append(data)

    async def send_ask_user(self, step_dict: Any, spec: Any, raise_on_timeout: bool = False) -> Any:
        self.messages.append(step_dict["output"])
        return self.answers.pop(0)

    async def set_commands(self, commands: list[Any]) -> None:
        self.commands = commands


@pytest.fixture
def engine(
    suite_database: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Engine]:
    """The settings' database, with a service user, an operator and one drafted ticket (1)."""
    monkeypatch.setenv("PLANT_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("PLANT_DATABASE_URL", suite_database)
    get_settings.cache_clear()
    engine = make_engine(suite_database)
    with Session(engine) as session:
        add_user(session, name="sam", role="service", password="a long enough password")
        add_user(session, name="otto", role="operator", password="a long enough password")
        new = TicketCreate(subject="Leak ![x](http://evil/?q=1)", body="The valve leaks.")
        ticket = create_ticket(session, ticket=new, actor="import")
        assert ticket.id == 1
        update_ticket(session, ticket_id=1, update=TicketUpdate(draft="Dear Jo"), actor="bot")
        transition(session, ticket_id=1, to="drafted", actor="bot")
    yield engine
    get_settings.cache_clear()


def chat(
    user: str, role: str, profile: str, answers: list[dict[str, Any] | None],
    steps: Callable[[], Awaitable[Any]],
) -> tuple[Browser, Any]:  # fmt: skip
    """Run `steps` in a chat of `user` in `profile`, with the steps waiting for answers
    finished; what the browser got, and what `steps` returned."""

    async def run() -> tuple[Browser, Any]:
        context = init_http_context(user=cl.User(identifier=user, metadata={"role": role}))
        context.session.chat_profile = profile
        browser = Browser(context.session, answers)
        context.emitter = browser
        returned = await steps()
        await asyncio.gather(*handlers._running)
        return browser, returned

    return asyncio.run(run())


def button(name: str, **payload: Any) -> cl.Action:
    return cl.Action(name=name, payload=payload)


def clicked(name: str) -> dict[str, Any]:
    """The answer to a question with buttons, as the browser sends it."""
    return {"name": name, "label": name.title(), "payload": {}, "tooltip": "", "forId": "m",
            "id": "a"}  # fmt: skip


def seen(engine: Engine) -> str:
    with Session(engine) as session:
        return version_of(get_ticket(session, ticket_id=1))


def test_tickets_typed_in_customer_service_show_the_queue(engine: Engine) -> None:
    browser, answered = chat("sam", "service", "Customer service", [],
                             lambda: handlers.answers_message(cl.Message("tickets")))  # fmt: skip
    assert answered is True
    [queue] = browser.messages
    assert "| 1 |" in queue and "Leak \\!\\[x\\]\\(http" in queue and "![" not in queue
    assert [a["label"] for a in browser.actions] == ["Open #1"]


def test_the_tickets_command_with_a_number_opens_that_ticket(engine: Engine) -> None:
    number = lambda: cl.Message("#1", command="Tickets")  # noqa: E731 (made inside the chat)
    browser, answered = chat("sam", "service", "Customer service", [],
                             lambda: handlers.answers_message(number()))  # fmt: skip
    assert answered is True and browser.messages[0].startswith("### Ticket #1: Leak")
    assert [a["label"] for a in browser.actions][:2] == ["Edit draft", "Approve"]


def test_tickets_typed_in_another_profile_is_a_question(engine: Engine) -> None:
    browser, answered = chat("otto", "operator", "Operator", [],
                             lambda: handlers.answers_message(cl.Message("tickets")))  # fmt: skip
    assert answered is False and browser.messages == []


def test_a_role_without_customer_service_is_refused_the_command_and_the_buttons(
    engine: Engine,
) -> None:
    forged = lambda: cl.Message("", command="Tickets")  # noqa: E731 (never offered to otto)
    browser, answered = chat("otto", "operator", "Operator", [],
                             lambda: handlers.answers_message(forged()))  # fmt: skip
    assert answered is True and "your role (operator) cannot work on tickets" in browser.messages[0]
    browser, _ = chat("otto", "operator", "Operator", [clicked("confirm")],
                      lambda: handlers.on_close(button("ticket_close", ticket_id=1,
                                                       seen=seen(engine))))  # fmt: skip
    assert len(browser.messages) == 1 and "cannot work on tickets" in browser.messages[0]
    with Session(engine) as session:
        assert get_ticket(session, ticket_id=1).status == "drafted"


def test_the_command_button_is_offered_in_customer_service_only(engine: Engine) -> None:
    browser, _ = chat("sam", "service", "Customer service", [], handlers.offer_commands)
    assert [c["id"] for c in browser.commands or []] == ["Tickets"]
    browser, _ = chat("otto", "operator", "Operator", [], handlers.offer_commands)
    assert browser.commands == []


@pytest.mark.parametrize(("payload", "told"), [
    ({"ticket_id": 999}, "No ticket 999"),
    ({"ticket_id": "1 OR 1=1"}, "out of date or not valid"),
])  # fmt: skip
def test_opening_a_missing_or_forged_ticket_says_so(
    engine: Engine, payload: dict[str, Any], told: str
) -> None:
    browser, _ = chat("sam", "service", "Customer service", [],
                      lambda: handlers.on_open(button("ticket_open", **payload)))  # fmt: skip
    assert len(browser.messages) == 1 and told in browser.messages[0]


def test_approving_after_the_confirmation_stores_the_final_reply(engine: Engine) -> None:
    approve = button("ticket_approve", ticket_id=1, seen=seen(engine))
    browser, _ = chat("sam", "service", "Customer service", [clicked("confirm")],
                      lambda: handlers.on_approve(approve))  # fmt: skip
    assert "Approve the draft of ticket #1" in browser.messages[0]
    assert "Ticket #1 approved" in browser.messages[-1]
    with Session(engine) as session:
        ticket = get_ticket(session, ticket_id=1)
        last = ticket_events(session, ticket_id=1)[-1]
    assert (ticket.status, ticket.final_reply) == ("approved", "Dear Jo")
    assert (last.actor, last.after) == ("sam", '"approved"')


def test_a_cancelled_or_unanswered_question_changes_nothing(engine: Engine) -> None:
    was = seen(engine)
    close = button("ticket_close", ticket_id=1, seen=was)
    browser, _ = chat("sam", "service", "Customer service", [clicked("cancel")],
                      lambda: handlers.on_close(close))  # fmt: skip
    assert browser.messages[-1] == "Nothing was changed."
    edit = button("ticket_edit", ticket_id=1, seen=was)
    browser, _ = chat("sam", "service", "Customer service", [None],
                      lambda: handlers.on_edit(edit))  # fmt: skip
    assert "```text\nDear Jo\n```" in browser.messages[0]  # the draft, to copy and change
    assert browser.messages[-1].startswith("No answer within") and seen(engine) == was


def test_an_edited_draft_is_stored_by_the_user_and_the_ticket_shown_again(engine: Engine) -> None:
    edit = button("ticket_edit", ticket_id=1, seen=seen(engine))
    browser, _ = chat("sam", "service", "Customer service", [{"output": "Dear Jo, sorry."}],
                      lambda: handlers.on_edit(edit))  # fmt: skip
    assert "Draft saved" in browser.messages[-1] and "Dear Jo, sorry." in browser.messages[-1]
    with Session(engine) as session:
        last = ticket_events(session, ticket_id=1)[-1]
    assert (last.actor, last.field, last.after) == ("sam", "draft", '"Dear Jo, sorry."')


def test_a_refused_step_is_told_and_the_ticket_shown_as_it_is(engine: Engine) -> None:
    stale = button("ticket_approve", ticket_id=1, seen="2020-01-01T00:00:00+00:00")
    browser, _ = chat("sam", "service", "Customer service", [clicked("confirm")],
                      lambda: handlers.on_approve(stale))  # fmt: skip
    assert "changed since it was shown to you" in browser.messages[-2]
    assert browser.messages[-1].startswith("### Ticket #1")
    assert "Traceback" not in "".join(browser.messages)


def test_reassigning_names_who_works_on_tickets_and_stores_the_choice(engine: Engine) -> None:
    reassign = button("ticket_reassign", ticket_id=1, seen=seen(engine))
    browser, _ = chat("sam", "service", "Customer service", [{"output": "Sam"}],
                      lambda: handlers.on_reassign(reassign))  # fmt: skip
    assert "It is with nobody now. Who works on tickets: sam." in browser.messages[0]
    assert "Ticket #1 reassigned" in browser.messages[-1]
    with Session(engine) as session:
        assert get_ticket(session, ticket_id=1).assignee == "sam"
