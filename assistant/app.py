"""The Chainlit chat UI: thin handlers that read the session, call the service, render."""

from __future__ import annotations

import asyncio
import json
import logging
from pathlib import Path
from typing import Any

import chainlit as cl
import chainlit.server as chainlit_server
from chainlit.types import ThreadDict

from assistant import accounts
from assistant.accounts import SignedIn
from assistant.api import make_api, mount_first
from assistant.capabilities.base import Upload
from assistant.chat_service import answer_events, correct_intent
from assistant.persistence.auth_secret import auth_secret
from assistant.profiles import Profile, profile_named, profiles_for
from assistant.routing.router import INTENT_PHRASES
from assistant.settings import get_settings
from assistant.ui import products as product_ui
from assistant.ui import routes
from assistant.ui.element_store import LocalElementStore
from assistant.ui.history import make_data_layer, turns_from_steps
from assistant.ui.render import (
    answer_actions,
    chart_elements,
    final_text,
    sentence,
    source_elements,
    source_name,
)
from assistant.ui.session_files import use_private_files_dir
from assistant.ui.tickets import handlers as ticket_queue
from assistant.ui.upload_limit import UploadLimit
from tools.common.errors import PlantError
from tools.common.intents import INTENTS

log = logging.getLogger(__name__)

# Chainlit signs its session tokens with this secret; it is made on first run and kept in the
# data directory (mode 0600), so restarts keep users signed in and nothing is committed.
get_settings().apply_auth_secret(auth_secret(get_settings().data_dir))
_FAILURES = accounts.FailedLogins(
    get_settings().login_failures_before_delay, get_settings().login_delay_max_s
)
TOOL_NAMES = {
    "spc": "SPC analysis",
    "failure": "Failure prediction",
    "inspection": "Defect inspection",
}
MAX_TOOL_OUTPUT_CHARS = 20_000  # a long series is cut in the step, never in the answer
SIGNED_OUT = "Your account is disabled or was removed. Please sign in again or ask an admin."


def _cl_user(signed_in: SignedIn) -> cl.User:
    return cl.User(
        identifier=signed_in.name, display_name=signed_in.name, metadata={"role": signed_in.role}
    )


@cl.password_auth_callback
async def password_login(username: str, password: str) -> cl.User | None:
    """A plant user with the right password (slowed after repeated failures), else None."""
    signed_in = await asyncio.to_thread(
        accounts.password_login, get_settings(), _FAILURES, username, password
    )
    return _cl_user(signed_in) if signed_in else None


if get_settings().auth_header:  # a single-sign-on proxy in front names the user in a header

    @cl.header_auth_callback
    async def header_login(headers: Any) -> cl.User | None:
        signed_in = await asyncio.to_thread(accounts.header_login, get_settings(), dict(headers))
        return _cl_user(signed_in) if signed_in else None


use_private_files_dir(get_settings().data_dir)  # uploads: not in a folder shared by processes
_ELEMENTS = LocalElementStore(get_settings().elements_dir)
routes.install(chainlit_server.app, routes.element_router(_ELEMENTS))
mount_first(chainlit_server.app, "/api", make_api(get_settings()))  # helpdesk API, tokens only
# an upload over the largest file the app takes is refused while it arrives
chainlit_server.app.add_middleware(UploadLimit, max_bytes=get_settings().max_upload_bytes)


@cl.data_layer
def data_layer() -> Any:
    """Chat history in the project database; without a usable database the chat still
    answers (nothing is kept, and the log says so)."""
    try:
        return make_data_layer(get_settings().resolved_database_url, storage=_ELEMENTS)
    except Exception as exc:  # down, corrupt, locked past the busy timeout
        log.error("Chat history is off: the database cannot be used (%.200s)", exc)
        return None


def _role(user: cl.User | None) -> str | None:
    return (user.metadata or {}).get("role") if user is not None else None


@cl.set_chat_profiles
async def chat_profiles(user: cl.User | None = None, language: str | None = None) -> list[Any]:
    """The profiles of the user's role, each with its own starters."""
    return [
        cl.ChatProfile(
            name=p.name,
            markdown_description=p.description,
            default=i == 0,
            starters=[cl.Starter(label=label, message=message) for label, message in p.starters],
        )
        for i, p in enumerate(profiles_for(_role(user)))
    ]


async def _signed_in() -> SignedIn | None:
    """The session's user as the database has them now (None once disabled or removed)."""
    user = cl.user_session.get("user")
    if user is None:
        return None
    return await asyncio.to_thread(accounts.current_user, get_settings(), user.identifier)


def _profile(role: str) -> Profile | None:
    """The profile picked in the chat, if the user's role (as stored now) may use it."""
    return profile_named(cl.user_session.get("chat_profile"), role)


@cl.on_chat_start
async def start() -> None:
    cl.user_session.set("history", [])
    if await _signed_in() is None:
        await cl.Message(content=SIGNED_OUT).send()
    await ticket_queue.offer_commands()  # the Tickets button in the Customer service profile
    await product_ui.new_session()  # no product picked yet for this session's photos


@cl.on_chat_resume
async def resume(thread: ThreadDict) -> None:
    """A resumed thread answers follow-ups with its own history."""
    keep = get_settings().history_messages
    steps: list[Any] = list(thread.get("steps") or [])
    cl.user_session.set("history", turns_from_steps(steps, keep))
    await ticket_queue.offer_commands()


async def reply_to(
    question: str, *, intent: str | None = None, uploads: list[Upload] | None = None
) -> None:
    """Stream the service's events into messages: one message per final answer."""
    signed_in = await _signed_in()
    if signed_in is None:
        await cl.Message(content=SIGNED_OUT).send()
        return
    history = cl.user_session.get("history") or []
    reply, sent = cl.Message(content=""), False
    async for event in answer_events(
        question, history, intent=intent, user=_user(), uploads=uploads or [],
        previous_intent=cl.user_session.get("last_intent"), profile=_profile(signed_in.role),
        can_add_documents=signed_in.is_admin,
    ):  # fmt: skip
        if event.kind == "sources":
            reply.elements = source_elements(event.citations)  # type: ignore[assignment]
            reply.content = "Looking in the plant documents…"
            await reply.send()
            sent, reply.content = True, ""
        elif event.kind == "token":
            await reply.stream_token(event.token)
            sent = True
        elif event.answer is not None:
            await _finish(reply, event.answer, question, sent)
            if event.answer.backend != "error" and not uploads:  # as before: a file is no turn
                if not event.answer.clarify_options:
                    cl.user_session.set("last_intent", event.answer.intent)
                history = [*history, ("user", question), ("assistant", event.answer.text)]
                cl.user_session.set("history", history[-get_settings().history_messages :])
            reply, sent = cl.Message(content=""), False


async def _finish(reply: cl.Message, answer: Any, question: str, sent: bool) -> None:
    if answer.tool_result is not None:  # the tool call, with its input and output, shown
        async with cl.Step(
            name=TOOL_NAMES.get(answer.backend, answer.backend), type="tool"
        ) as step:
            step.input = question
            step.language = "json"
            step.output = json.dumps(answer.tool_result, indent=1, ensure_ascii=False)[
                :MAX_TOOL_OUTPUT_CHARS
            ]
    reply.content = final_text(answer)
    if not sent:  # a tool's answer: its sources come with it
        reply.elements = source_elements(answer.citations)  # type: ignore[assignment]
    reply.elements = [*(reply.elements or []), *chart_elements(answer)]
    reply.actions = [*answer_actions(answer), *product_ui.product_actions(answer)]
    # kept with the stored step, for `plant report feedback`
    reply.metadata = {
        "question": question,
        "intent": answer.intent,
        "message_id": answer.message_id,
        "sources": [source_name(c) for c in answer.citations],
    }
    await (reply.update() if sent else reply.send())


def _user() -> str | None:
    user = cl.user_session.get("user")
    return getattr(user, "identifier", None)


@cl.on_message
async def on_message(message: cl.Message) -> None:
    if await ticket_queue.answers_message(message):  # "tickets": the ticket queue
        return
    uploads = [
        Upload(Path(str(e.path)), str(e.name))
        for e in message.elements or []
        if getattr(e, "path", None)
    ]
    if await product_ui.answers_message(message, uploads):  # "new product NAME", "product NAME"
        return
    await reply_to(message.content, uploads=uploads)


@cl.action_callback(product_ui.CHOOSE)
async def on_choose_product(action: cl.Action) -> None:
    """A product button: the pick for the next photos, and the photo inspected as it."""
    again = await product_ui.chosen(action)
    if again is not None:
        await reply_to(again.question, uploads=again.uploads)


cl.action_callback(product_ui.NEW)(product_ui.new_product_clicked)  # an admin's "New product"


for _name, _handler in ticket_queue.ACTIONS.items():  # open, edit, approve, reassign, close
    cl.action_callback(_name)(_handler)


def _checked(payload: Any) -> tuple[str, str] | None:
    """(message id, intent) from a button's payload when both are there and the intent is
    known; the browser sends the payload, so nothing else in it is trusted."""
    if not isinstance(payload, dict):
        return None
    message_id, intent = payload.get("message_id"), payload.get("intent")
    if not isinstance(message_id, str) or not isinstance(intent, str) or intent not in INTENTS:
        return None
    return message_id, intent


@cl.action_callback("choose_intent")
async def on_choose_intent(action: cl.Action) -> None:
    """The user picked an intent for one of their messages: store the correction (once per
    message, only for the user's own message) and answer the stored question that way."""
    checked = _checked(action.payload)
    if checked is None:
        await cl.Message(content="That button is out of date or not valid here.").send()
        return
    try:
        question = await correct_intent(checked[0], checked[1], _user())
    except PlantError as exc:  # not the user's message, or corrected already
        await cl.Message(content=str(exc)).send()
        return
    await reply_to(question, intent=checked[1])


@cl.action_callback("wrong_intent")
async def on_wrong_intent(action: cl.Action) -> None:
    """Offer every other intent; the one chosen is stored and the question answered again."""
    checked = _checked(action.payload)
    if checked is None:
        await cl.Message(content="That button is out of date or not valid here.").send()
        return
    actions = [
        cl.Action(
            name="choose_intent",
            label=sentence(INTENT_PHRASES[intent]),
            payload={"message_id": checked[0], "intent": intent},
        )
        for intent in INTENTS
        if intent != checked[1]
    ]
    await cl.Message(content="What did you want me to do?", actions=actions).send()
