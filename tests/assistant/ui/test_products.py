"""Products in the chat, run in a Chainlit chat made for the test (the recorder of
`tests/assistant/ui/tickets/test_handlers.py`): an admin's "new product NAME" with a zip is
learnt with its progress shown, anyone else is refused; "product NAME" and the product
buttons set the pick and inspect the last photo again."""

from __future__ import annotations

import asyncio
import tomllib
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import chainlit as cl
import pytest
from chainlit.context import init_http_context
from sqlmodel import Session

from assistant.answering.answers import Answer
from assistant.capabilities.base import Upload
from assistant.persistence.db import make_engine
from assistant.persistence.users import add_user
from assistant.settings import get_settings
from assistant.ui import products
from assistant.wiring import product_catalog
from tests.assistant.capabilities.defects.test_training import good_entries, make_zip
from tests.assistant.ui.tickets.test_handlers import Browser

ROOT = Path(__file__).resolve().parents[3]


class Recorder(Browser):
    """The browser, keeping each message's content as it is updated too."""

    async def update_step(self, step_dict: Any) -> None:
        self.messages.append(step_dict["output"])


@pytest.fixture
def users(suite_database: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("PLANT_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("PLANT_DATABASE_URL", suite_database)
    monkeypatch.setenv("PLANT_PRODUCT_WORKING_SIZE", "64")
    get_settings.cache_clear()
    with Session(make_engine(suite_database)) as session:
        add_user(session, name="ada", role="admin", password="a long enough password")
        add_user(session, name="otto", role="operator", password="a long enough password")
    yield
    get_settings.cache_clear()


def chat(
    user: str, role: str, steps: Callable[[], Awaitable[Any]], answers: list[Any] | None = None
) -> tuple[Recorder, Any]:
    """`steps` run in a chat of `user`, who answers each question with the next of `answers`."""

    async def run() -> tuple[Recorder, Any]:
        context = init_http_context(user=cl.User(identifier=user, metadata={"role": role}))
        browser = Recorder(context.session, list(answers or []))
        context.emitter = browser
        return browser, await steps()

    return asyncio.run(run())


def button(**payload: str) -> cl.Action:
    return cl.Action(name=products.CHOOSE, payload=payload)


def test_an_admin_teaches_a_product_from_a_zip_with_progress(users: None, tmp_path: Path) -> None:
    archive = make_zip(tmp_path / "upload-7", {**good_entries(12), "notes.txt": b"x"})
    zipped = Upload(archive, "castings.zip")
    browser, answered = chat("ada", "admin", lambda: products.answers_message(
        cl.Message("new product Castings"), [zipped]))  # fmt: skip
    assert answered is True
    assert browser.messages[0] == "Learning 'castings' from castings.zip: reading the photos…"
    final = browser.messages[-1]
    assert final.startswith("**Product 'castings' learnt** from ") and "notes.txt" in final
    assert product_catalog(get_settings()).names() == ["surface", "castings"]


def test_anyone_else_is_refused_and_nothing_is_learnt(users: None, tmp_path: Path) -> None:
    zipped = Upload(make_zip(tmp_path / "upload-8", good_entries(12)), "castings.zip")
    browser, answered = chat("otto", "operator", lambda: products.answers_message(
        cl.Message("new product castings"), [zipped]))  # fmt: skip
    assert answered is True
    assert browser.messages == ["Only an admin can teach me a new product (your role: operator)."]
    assert product_catalog(get_settings()).names() == ["surface"]


def test_product_name_sets_the_pick_and_buttons_inspect_the_photo_again(
    users: None, tmp_path: Path
) -> None:
    photo = Upload(tmp_path / "upload-9", "part.png")
    picks = product_catalog(get_settings()).picks

    async def steps() -> Any:
        assert await products.answers_message(cl.Message("product Surfaces"), []) is True
        assert await products.answers_message(cl.Message("product recall?"), []) is False
        assert await products.answers_message(cl.Message("check this"), [photo]) is False
        forged = await products.chosen(button(product="../etc", photo="x"))
        again = await products.chosen(button(product="surface", photo="part.png"))
        return forged, again

    browser, (forged, again) = chat("otto", "operator", steps)
    assert browser.messages == ["Your next photos will be inspected as 'surface'.",
                                products.OUT_OF_DATE]  # fmt: skip
    assert forged is None and again == products.Again("inspect as surface", [photo])
    assert picks.get("otto") == "surface"


def test_product_buttons_for_a_choice_and_for_a_verdict() -> None:
    asked = Answer(question="", text="", tool_result={"choose_product": ["surface", "tile"],
                                                      "photo": "a.png"})  # fmt: skip
    graded = Answer(question="", text="", tool_result={"product_options": ["tile"], "photo": "a"})

    async def shown() -> list[list[cl.Action]]:
        return [products.product_actions(a) for a in (asked, graded, Answer(question="", text=""))]

    _, (choice, verdict, none) = chat("otto", "operator", shown)
    assert [(a.label, a.payload) for a in choice] == [
        ("surface", {"product": "surface", "photo": "a.png"}),
        ("tile", {"product": "tile", "photo": "a.png"}),
    ]
    assert [a.label for a in verdict] == ["Inspect as tile"] and none == []


def test_the_chat_takes_zips_from_the_paperclip(monkeypatch: pytest.MonkeyPatch) -> None:
    """Chainlit checks each upload's type against the accept list of `.chainlit/config.toml`
    before the app sees it: a zip must pass (who may use it is the app's decision)."""
    from chainlit import server
    from fastapi import UploadFile
    from starlette.datastructures import Headers

    config = tomllib.loads((ROOT / ".chainlit" / "config.toml").read_text(encoding="utf-8"))
    accept = config["features"]["spontaneous_file_upload"]["accept"]
    feature = server.config.features.spontaneous_file_upload
    assert feature is not None
    monkeypatch.setattr(feature, "accept", accept)

    def upload(kind: str) -> UploadFile:
        return UploadFile(file=None, filename="photos.zip",  # type: ignore[arg-type]
                          headers=Headers({"content-type": kind}))  # fmt: skip

    for kind in ("application/zip", "application/x-zip-compressed", "image/png"):
        server.validate_file_mime_type(upload(kind), None)
    with pytest.raises(ValueError, match="File type not allowed"):
        server.validate_file_mime_type(upload("application/x-msdownload"), None)


def test_a_zip_over_the_upload_limit_is_refused_and_nothing_is_learnt(
    users: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PLANT_MAX_DOCUMENT_MB", "0.01")  # a zip is held to the document limit
    get_settings.cache_clear()
    zipped = Upload(make_zip(tmp_path / "upload-10", good_entries(12)), "castings.zip")
    browser, _ = chat("ada", "admin", lambda: products.answers_message(
        cl.Message("new product castings"), [zipped]))  # fmt: skip
    [said] = browser.messages
    assert said.startswith("castings.zip: ") and "MB allowed for a zip of photos" in said
    assert said.endswith("Nothing was learnt.")
    assert product_catalog(get_settings()).names() == ["surface"]


def test_the_new_product_button_asks_the_name_then_the_zip(users: None, tmp_path: Path) -> None:
    archive = make_zip(tmp_path / "upload-11", good_entries(12))
    sent = {"id": "f1", "name": "tiles.zip", "path": str(archive), "size": 1,
            "type": "application/zip"}  # fmt: skip
    click = cl.Action(name=products.NEW, payload={})
    browser, _ = chat("ada", "admin", lambda: products.new_product_clicked(click),
                      answers=[{"output": " Tile-2 "}, [sent]])  # fmt: skip
    asked_zip = products.ASK_ZIP.format(name="tile-2", least=10)
    assert browser.messages[:2] == [products.ASK_NAME, asked_zip]
    assert browser.messages[-1].startswith("**Product 'tile-2' learnt** from ")
    assert product_catalog(get_settings()).names() == ["surface", "tile-2"]
    browser, _ = chat("ada", "admin", lambda: products.answers_message(
        cl.Message("new product"), []), answers=[{"output": "../etc"}])  # fmt: skip
    assert browser.messages[0] == products.ASK_NAME
    assert "'../etc' is not a product name" in browser.messages[1] and len(browser.messages) == 2


def test_an_admin_gets_a_new_product_button_with_an_inspection(users: None) -> None:
    graded = Answer(question="", text="", tool_result={"product": "surface", "photo": "a.png",
                                                       "product_options": []})  # fmt: skip
    answered = Answer(question="", text="an answer")

    def buttons(answer: Answer) -> Callable[[], Awaitable[list[str]]]:
        async def names() -> list[str]:
            return [a.name for a in products.product_actions(answer)]

        return names

    assert chat("ada", "admin", buttons(graded))[1] == [products.NEW]
    assert chat("otto", "operator", buttons(graded))[1] == []
    assert chat("ada", "admin", buttons(answered))[1] == []
