"""Products in the chat: the product buttons of an inspection, "product NAME" to change the
pick, and an admin's "new product NAME" (or its "New product" button or starter) with a zip of
good-part photos, learnt in a worker with its progress shown in a message that is updated
while it runs.

Nothing here decides a verdict: photos go through the router to `DefectCapability`, which
chooses the product (`capabilities/defects/products.py`); this module keeps the session's
last photos so that a button can inspect them again as the product it names.
"""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

import chainlit as cl

from assistant import accounts, chat_service
from assistant.answering.answers import Answer
from assistant.capabilities.base import Upload
from assistant.capabilities.defects.products import (
    DEMO_PRODUCT,
    NEW_PRODUCT_COMMAND,
    PRODUCT_COMMAND,
    named_in,
)
from assistant.capabilities.defects.training import (
    TrainingProgress,
    format_seconds,
    product_training,
)
from assistant.capabilities.uploads import screen
from assistant.settings import get_settings
from assistant.wiring import product_catalog, upload_limits
from tools.common.errors import PlantError
from tools.defects.product_store import check_name

log = logging.getLogger(__name__)

CHOOSE = "choose_product"
NEW = "new_product"  # an admin's button: teach a product from a zip
PHOTOS_KEY = "product_photos"  # the last message's uploads, for the product buttons
ZIP_TYPES = ["application/zip", "application/x-zip-compressed", "application/octet-stream"]
ADMIN_ONLY = "Only an admin can teach me a new product (your role: {role})."
ASK_NAME = (
    "What is the new product called? Use lower-case letters, digits, '-' or '_' (e.g. "
    "pump-impeller)."
)
ASK_ZIP = (
    "Send a zip of photos of **good** '{name}' parts (at least {least}; more is better, 200 "
    "is plenty). Folders inside the zip are fine; other files are skipped."
)
ZIP_HINT = (
    "To teach me a new product from a zip of good-part photos (admins only), send it with "
    'the message "new product NAME".'
)
OUT_OF_DATE = "That button is out of date: send the photo again."
FAILED = "Something went wrong on our side and it has been logged. No product was changed."
POLL_S = 2.0


@dataclass(frozen=True)
class Again:
    """What a product button asks for: these photos inspected as the product it names."""

    question: str
    uploads: list[Upload]


def _user() -> Any:
    return cl.user_session.get("user")


async def _say(text: str) -> None:
    await cl.Message(content=text).send()


async def new_session() -> None:
    """A new chat session starts without a product pick."""
    user = getattr(_user(), "identifier", None)
    await asyncio.to_thread(lambda: product_catalog(get_settings()).picks.forget(user))


def product_actions(answer: Answer) -> list[cl.Action]:
    """One button per product to inspect the photo as (the choice when it was ambiguous,
    else the other products), and for an admin, "New product" with an inspection's."""
    result = answer.tool_result or {}
    options = result.get("choose_product") or result.get("product_options") or []
    label = "{}" if "choose_product" in result else "Inspect as {}"
    actions = [
        cl.Action(
            name=CHOOSE,
            label=label.format(name),
            payload={"product": name, "photo": result.get("photo", "")},
        )
        for name in options
        if isinstance(name, str)
    ]
    shown_as_admin = (getattr(_user(), "metadata", None) or {}).get("role") == "admin"
    if shown_as_admin and ("choose_product" in result or "product" in result):
        actions.append(cl.Action(name=NEW, label="New product", payload={}))  # checked again
    return actions


async def new_product_clicked(action: cl.Action) -> None:
    """The "New product" button: the name asked for, then the zip (an admin's only)."""
    await _new_product(None, [])


async def answers_message(message: cl.Message, uploads: list[Upload]) -> bool:
    """Handle "new product NAME" (with its zip, or asking for one), "product NAME" without a
    photo, and a zip sent without a name; keep the photos for the buttons. Whether it did."""
    text = message.content or ""
    if wanted := NEW_PRODUCT_COMMAND.match(text):
        await _new_product((wanted.group(1) or "").lower() or None, uploads)
        return True
    if uploads:
        cl.user_session.set(PHOTOS_KEY, uploads)
        if any(u.name.lower().endswith(".zip") for u in uploads):
            await _say(ZIP_HINT)
        return False
    if picked := PRODUCT_COMMAND.match(text):
        return await _pick(picked.group(1))
    return False


async def _pick(said: str) -> bool:
    """ "product NAME": the pick for the next photos (only when NAME is a product)."""
    catalog = product_catalog(get_settings())
    names = await asyncio.to_thread(catalog.names)
    found = named_in(said, names)
    if len(found) != 1:
        return False  # "product recall procedure?": a question like any other
    catalog.picks.remember(getattr(_user(), "identifier", None), found[0])
    await _say(f"Your next photos will be inspected as '{found[0]}'.")
    return True


async def chosen(action: cl.Action) -> Again | None:
    """A product button: remembered as the pick, and the photo it was shown with inspected
    again as that product (None when there is nothing to inspect; the user is told)."""
    payload = action.payload if isinstance(action.payload, dict) else {}
    product, photo = payload.get("product"), payload.get("photo")
    catalog = product_catalog(get_settings())
    names = await asyncio.to_thread(catalog.names)
    if not isinstance(product, str) or product not in names:
        await _say(OUT_OF_DATE)
        return None
    catalog.picks.remember(getattr(_user(), "identifier", None), product)
    uploads = [u for u in cl.user_session.get(PHOTOS_KEY) or [] if u.name == photo]
    if not uploads:
        await _say(f"Your next photos will be inspected as '{product}'.")
        return None
    return Again(f"inspect as {product}", uploads)


async def _new_product(name: str | None, uploads: list[Upload]) -> None:
    """An admin's new product: its name asked for when none was given, checked, its zip
    (screened like every upload: the size limits apply) asked for when none came, learnt."""
    user = _user()
    who = getattr(user, "identifier", "")
    signed_in = await asyncio.to_thread(accounts.current_user, get_settings(), who)
    if signed_in is None or not signed_in.is_admin:
        await _say(ADMIN_ONLY.format(role=getattr(signed_in, "role", "signed out")))
        return
    name = name or await _ask_name()
    if name is None:
        return
    if name == DEMO_PRODUCT:
        await _say(f"'{name}' is the demo product's name; choose another.")
        return
    archive, refused = await asyncio.to_thread(_zip_in, uploads)
    if archive is None and refused:
        await _say("\n".join([*refused, "", "Nothing was learnt."]))
        return
    if archive is None:
        archive = await _ask_zip(name)
    if archive is not None:
        await _learn(name, archive)


def _zip_in(uploads: list[Upload]) -> tuple[Upload | None, list[str]]:
    """The first zip among `uploads` within the upload limits, and why others were refused."""
    kept, refused = screen(uploads, upload_limits(get_settings()), can_add_documents=True)
    return next((u for u in kept if u.kind == "archive"), None), refused


async def _ask_name() -> str | None:
    answer = await cl.AskUserMessage(content=ASK_NAME, timeout=600).send()
    said = str((answer or {}).get("output", "")).strip().lower()
    try:
        return check_name(said)
    except PlantError as exc:
        await _say(f'{exc}. Nothing was learnt; send "new product NAME" to try again.')
        return None


async def _ask_zip(name: str) -> Upload | None:
    settings = get_settings()
    asked = cl.AskFileMessage(
        content=ASK_ZIP.format(name=name, least=settings.product_min_ok_photos),
        accept=ZIP_TYPES, max_size_mb=int(settings.max_document_mb), timeout=600,
    )  # fmt: skip
    files = await asked.send()
    if not files:
        await _say(f'No zip arrived, so nothing was learnt. Send "new product {name}" again.')
        return None
    upload, refused = await asyncio.to_thread(_zip_in, [Upload(Path(files[0].path), files[0].name)])
    if upload is None:
        why = refused[0] if refused else f"{files[0].name}: not a zip of photos."
        await _say(f"{why} Nothing was learnt.")
    return upload


async def _learn(name: str, archive: Upload) -> None:
    """Train in the chat's worker pool; the message shows the stage and time left."""
    settings = get_settings()
    work_dir = settings.data_dir / "product-uploads" / uuid.uuid4().hex
    shown = cl.Message(content=f"Learning '{name}' from {archive.name}: reading the photos…")
    await shown.send()
    started = time.monotonic()
    training, progress = product_training(settings), TrainingProgress()
    learn = partial(training.train_zip, progress=progress)
    job = asyncio.ensure_future(chat_service.in_worker(
        learn, name, archive.path, work_dir, archive.name))  # fmt: skip
    while not job.done():
        await asyncio.wait({job}, timeout=POLL_S)
        stage = progress.now() or "reading the photos"
        elapsed = format_seconds(time.monotonic() - started)
        shown.content = f"Learning '{name}' from {archive.name} ({elapsed} so far): {stage}…"
        await shown.update()
    try:
        metrics = job.result()
    except PlantError as exc:
        shown.content = f"'{name}' was not learnt: {exc}"
    except Exception:
        log.exception("learning product %s from %s failed", name, archive.name)
        shown.content = FAILED
    else:
        shown.content = learnt_text(name, metrics)
    await shown.update()


def learnt_text(name: str, metrics: dict[str, Any]) -> str:
    lines = [
        f"**Product '{name}' learnt** from {metrics['bank_photos']} good photos "
        f"({metrics['held_out_photos']} more held out to set its thresholds) in "
        f"{format_seconds(metrics['train_seconds'])}"
        + (", replacing the earlier model." if metrics.get("replaced") else ".")
        + f" Photos can now be inspected as '{name}' (\"inspect this {name}\").",
    ]
    if skipped := metrics.get("skipped"):
        lines += ["", f"Skipped {len(skipped)} files:", *(f"- {s}" for s in skipped[:20])]
    return "\n".join(lines)
