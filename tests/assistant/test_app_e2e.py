"""End to end: the Chainlit server on a free port, driven by headless Debian Chromium."""

from __future__ import annotations

import asyncio
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import Session

from assistant.demo import seed_spc
from assistant.persistence.db import make_engine
from assistant.persistence.users import add_user
from retrieval.embeddings import SentenceEmbedder
from retrieval.ingest import IngestConfig, ingest
from tests.conftest import ROOT

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARTIFACTS = ROOT / "test-artifacts"
BROWSER_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

pytestmark = pytest.mark.skipif(
    not Path(CHROMIUM).exists(), reason="Debian chromium is not installed (.ci/run installs it)"
)


_DATA_DIRS: dict[str, str] = {}
PASSWORD = "torque-wrench-7"
USERS = {"anna": "admin", "olaf": "operator", "sam": "service"}


def server_data_dir(url: str) -> str:
    return _DATA_DIRS[url]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def prepare_data(
    data_dir: Path, corpus: Path, ingest_config: IngestConfig, embedder: SentenceEmbedder,
    database_url: str,
) -> None:  # fmt: skip
    """The index, the demo SPC data and the test users, as `make run` leaves them."""
    ingest(
        [corpus],
        IngestConfig(**{**ingest_config.__dict__, "index_dir": data_dir / "index"}),
        embedder,
    )
    with Session(make_engine(database_url)) as session:
        seed_spc(session, ROOT / "knowledge" / "src" / "control-plan.md")  # as `make run` does
        for name, role in USERS.items():
            add_user(session, name=name, role=role, password=PASSWORD)


@contextmanager
def serving(data_dir: Path, corpus: Path, extra: dict[str, str], log_name: str) -> Iterator[str]:
    """A Chainlit server on a free port for `data_dir`; its URL while it runs."""
    port = free_port()
    env = {
        **os.environ,
        "PLANT_DATA_DIR": str(data_dir),
        "PLANT_CHUNK_SIZE": "400",
        "PLANT_CHUNK_OVERLAP": "50",
        "PLANT_KNOWLEDGE_DIR": str(corpus),
        **extra,
    }
    ARTIFACTS.mkdir(exist_ok=True)
    log = (ARTIFACTS / log_name).open("w")
    command = ["-m", "chainlit", "run", "assistant/app.py", "--headless", "--host", "127.0.0.1"]
    process = subprocess.Popen(
        [sys.executable, *command, "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}/"
    _DATA_DIRS[url] = str(data_dir)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if urllib.request.urlopen(url, timeout=2).status == 200:
                    break
            except OSError:
                time.sleep(0.5)
        else:
            pytest.fail(f"the Chainlit server did not start within 60 s (see {log_name})")
        yield url
    finally:
        process.terminate()
        process.wait(timeout=20)
        log.close()


@pytest.fixture
def server(
    tmp_path: Path, corpus: Path, ingest_config: IngestConfig, embedder: SentenceEmbedder
) -> Iterator[str]:
    data_dir = tmp_path / "data"
    prepare_data(data_dir, corpus, ingest_config, embedder, f"sqlite:///{data_dir / 'plant.db'}")
    with serving(data_dir, corpus, {}, "chainlit-server.log") as url:
        yield url


async def sign_in(page: Any, url: str, name: str = "anna", password: str = PASSWORD) -> None:
    """Open the chat and sign in on its login form."""
    await page.goto(url)
    await page.wait_for_selector("#email", timeout=30_000)
    await page.fill("#email", name)
    await page.fill("#password", password)
    await page.keyboard.press("Enter")


async def open_chat(browser: Any, url: str, name: str = "anna") -> Any:
    """A new page on the chat, signed in as `name`, ready to type."""
    page = await browser.new_page(viewport={"width": 1280, "height": 900})
    await sign_in(page, url, name)
    await page.wait_for_selector("#chat-input", timeout=30_000)
    return page


async def send(browser: Any, url: str, question: str, name: str = "anna") -> Any:
    """A new page on the chat with `question` sent (Enter does not send; the button does)."""
    page = await open_chat(browser, url, name)
    await page.fill("#chat-input", question)
    await page.click("#chat-submit")
    return page


async def ask_in_browser(url: str, question: str) -> tuple[str, list[str]]:
    from playwright.async_api import async_playwright

    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, args=BROWSER_ARGS)
        page = await send(browser, url, question)
        await page.wait_for_selector("text=Sources:", timeout=60_000)
        await page.get_by_text("[1] Alarm codes", exact=False).first.click()
        await page.wait_for_timeout(500)
        ARTIFACTS.mkdir(exist_ok=True)
        await page.screenshot(path=str(ARTIFACTS / "chat-answer.png"))
        body = await page.inner_text("body")
        links = await page.locator("text=/\\[\\d\\] /").all_inner_texts()
        await browser.close()
    return body, links


def test_question_gets_a_cited_answer_and_source_elements(server: str) -> None:
    body, links = asyncio.run(ask_in_browser(server, "What does press alarm H-310 mean?"))
    assert "Hydraulic oil too hot" in body
    assert "[1]" in body and "press.pdf" in body
    assert any(link.startswith("[1] Alarm codes") for link in links)
    assert (ARTIFACTS / "chat-answer.png").stat().st_size > 10_000


async def correct_route_in_browser(
    url: str,
    question: str,
    choice: str = "Draft a reply to a customer",
    wait_for: str = "Draft reply",
) -> str:
    from playwright.async_api import async_playwright

    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, args=BROWSER_ARGS)
        page = await send(browser, url, question)
        await page.get_by_role("button", name="Wrong topic?").first.click(timeout=60_000)
        await page.get_by_role("button", name=choice).first.click(timeout=30_000)
        await page.wait_for_selector(f"text={wait_for}", timeout=60_000)
        await page.wait_for_timeout(1000)
        ARTIFACTS.mkdir(exist_ok=True)
        shot = "chat-corrected-route.png" if "reply" in choice else "chat-spc.png"
        await page.screenshot(path=str(ARTIFACTS / shot))
        body = await page.inner_text("body")
        plots = await page.locator(".js-plotly-plot").count()
        body += f"\n[interactive charts: {plots}]"
        await browser.close()
    return body


def test_wrong_topic_button_reroutes_and_stores_the_correction(server: str) -> None:
    from sqlmodel import Session, select

    from assistant.persistence.db import make_engine
    from assistant.persistence.messages import IntentCorrection

    body = asyncio.run(
        correct_route_in_browser(server, "How long is the warranty on valve bodies?")
    )
    assert "Draft reply" in body and "24 months" in body
    data_dir = Path(server_data_dir(server))
    with Session(make_engine(f"sqlite:///{data_dir / 'plant.db'}")) as session:
        stored = session.exec(select(IntentCorrection)).all()
    assert [(c.predicted, c.corrected) for c in stored] == [("manual_question", "ticket_reply")]


def test_spc_question_shows_the_chart_and_verdict(server: str) -> None:
    body = asyncio.run(
        correct_route_in_browser(
            server,
            "Is BD-16 in control?",
            choice="Check a process with SPC",
            wait_for="Out of control",
        )
    )
    assert "BD-16" in body and "nelson-1" in body
    assert "SPC analysis" in body  # the tool call is shown as a step
    assert "[interactive charts: 0]" not in body  # the Plotly chart is shown
    assert "What the reaction plan says" not in body  # this small corpus has no reaction plan


async def send_with_upload(browser: Any, url: str, upload: Path, message: str) -> Any:
    """A new page on the chat with `upload` attached and `message` sent with it."""
    page = await open_chat(browser, url)
    await page.wait_for_timeout(3000)  # the chat session must exist before an upload
    await page.set_input_files("#upload-button-input", str(upload))
    if upload.suffix.lower() in (".png", ".jpg", ".jpeg"):
        await page.wait_for_timeout(4000)  # an image shows as a thumbnail, not its name
    else:
        await page.wait_for_selector(f"text={upload.name}", timeout=30_000)  # the file's chip
        await page.wait_for_timeout(2000)
    await page.fill("#chat-input", message)
    await page.click("#chat-submit")
    return page


async def upload_in_browser(url: str, upload: Path, message: str, wait_for: str, shot: str) -> str:
    """Body text of the chat after sending `upload` with `message`, with the counts of
    interactive charts and heatmap images appended."""
    from playwright.async_api import async_playwright

    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, args=BROWSER_ARGS)
        page = await send_with_upload(browser, url, upload, message)
        await page.wait_for_selector(wait_for, timeout=60_000)
        await page.wait_for_timeout(1500)
        ARTIFACTS.mkdir(exist_ok=True)
        await page.screenshot(path=str(ARTIFACTS / shot))
        body = await page.inner_text("body")
        body += f"\n[interactive charts: {await page.locator('.js-plotly-plot').count()}]"
        heatmaps = await page.locator("img[alt*='heatmap']").count()
        body += f"\n[heatmaps: {heatmaps}]"
        await browser.close()
    return body


def test_an_uploaded_csv_is_charted(server: str, tmp_path: Path) -> None:
    upload = tmp_path / "od-upload.csv"
    rows = ["x1,x2,x3"] + [
        f"{12 + i % 3 * 0.001},12.002,{11.999 + i % 2 * 0.002}" for i in range(12)
    ]
    upload.write_text("\n".join(rows) + "\n", encoding="utf-8")
    body = asyncio.run(
        upload_in_browser(
            server, upload, "check these measurements", "text=/In control|Out of control/",
            "chat-upload.png",
        )
    )  # fmt: skip
    assert "**od-upload.csv**" not in body and "od-upload.csv" in body
    assert "In control" in body or "Out of control" in body
    assert "[interactive charts: 0]" not in body
    assert "od-upload.csv — xbar-r" in body  # the chart is titled with the user's file name
    assert "Most of the words" not in body  # the text sent with it is not answered separately


@pytest.fixture
def defect_model(server: str) -> Path:
    """A tiny defect model in the server's data folder (loaded at the first photo)."""
    from finetune.defects import main

    target = Path(server_data_dir(server)) / "models" / "defects"
    main(["--output_dir", str(target), "--image_size", "64", "--train_images", "32",
          "--validation_images", "8", "--test_images", "8", "--epochs", "1",
          "--batch_size", "16"])  # fmt: skip
    return target


def test_an_uploaded_photo_gets_a_verdict_heatmap_and_stored_inspection(
    server: str, defect_model: Path, tmp_path: Path
) -> None:
    from PIL import Image
    from sqlmodel import Session, select

    from assistant.persistence.db import make_engine
    from assistant.persistence.inspections import Inspection
    from finetune.data.surfaces import generate

    photo = tmp_path / "bracket-17.png"
    Image.fromarray(generate(3, seed=5).image).save(photo)
    body = asyncio.run(
        upload_in_browser(
            server, photo, "is this part OK?", "text=Grade probabilities", "chat-photo.png"
        )
    )
    assert "bracket-17.png" in body
    assert "Grade probabilities: ok" in body and ("**OK**" in body or "defect" in body)
    assert "[heatmaps: 0]" not in body  # the heatmap overlay is shown with the verdict
    assert "Traceback" not in body
    data_dir = Path(server_data_dir(server))
    with Session(make_engine(f"sqlite:///{data_dir / 'plant.db'}")) as session:
        stored = session.exec(select(Inspection)).all()
    assert [s.verdict in ("ok", "minor", "severe") for s in stored] == [True]


async def history_in_browser(url: str) -> dict[str, Any]:
    """anna asks, signs out and in, resumes her thread with a follow-up; olaf cannot see it."""
    from playwright.async_api import async_playwright

    seen: dict[str, Any] = {}
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, args=BROWSER_ARGS)
        page = await send(browser, url, "What does press alarm H-310 mean?")
        await page.wait_for_selector("text=Sources:", timeout=60_000)
        await page.wait_for_timeout(1500)
        link = page.locator('a[href*="/thread/"]').first
        await link.wait_for(timeout=30_000)
        thread_url = str(await link.get_attribute("href"))
        seen["thread"] = thread_url
        await page.context.clear_cookies()  # signed out
        await page.close()
        anna = await open_chat(browser, url, "anna")
        await anna.goto(url.rstrip("/") + thread_url)
        await anna.wait_for_selector("text=Hydraulic oil too hot", timeout=30_000)
        await anna.wait_for_selector("#chat-input", timeout=30_000)
        await anna.fill("#chat-input", "and what do I do about it?")
        await anna.click("#chat-submit")
        await anna.wait_for_timeout(1000)
        await anna.wait_for_function(
            "document.body.innerText.split('Sources:').length > 2", timeout=60_000
        )
        seen["resumed"] = await anna.inner_text("body")
        await anna.screenshot(path=str(ARTIFACTS / "chat-resumed.png"))
        olaf_context = await browser.new_context(viewport={"width": 1280, "height": 900})
        olaf = await olaf_context.new_page()
        await sign_in(olaf, url, "olaf")
        await olaf.wait_for_selector("#chat-input", timeout=30_000)
        await olaf.wait_for_timeout(2000)
        seen["olaf_links"] = await olaf.locator('a[href*="/thread/"]').count()
        await olaf.goto(url.rstrip("/") + thread_url)
        await olaf.wait_for_timeout(4000)
        seen["olaf_thread"] = await olaf.inner_text("body")
        await olaf.screenshot(path=str(ARTIFACTS / "chat-other-users-thread.png"))
        await browser.close()
    return seen


def test_a_thread_is_resumed_by_its_user_and_hidden_from_others(server: str) -> None:
    seen = asyncio.run(history_in_browser(server))
    assert seen["thread"].startswith("/thread/")
    resumed = seen["resumed"]
    # the stored turns are shown again (sidebar name and message), and the follow-up is
    # answered from them: "it" is the alarm of the first question
    assert resumed.count("What does press alarm H-310 mean?") >= 2
    assert "H-310" in resumed.split("and what do I do about it?")[-1]
    assert seen["olaf_links"] == 0
    assert "Hydraulic oil too hot" not in seen["olaf_thread"]


def test_other_sites_get_no_cross_origin_access_and_anonymous_calls_are_refused(
    server: str,
) -> None:
    request = urllib.request.Request(
        server.rstrip("/") + "/project/threads",
        data=b'{"pagination": {"first": 20}, "filter": {}}',
        headers={"Origin": "http://evil.example", "Content-Type": "application/json"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            status, headers = response.status, response.headers
    except urllib.error.HTTPError as refused:
        status, headers = refused.code, refused.headers
    assert status == 401  # no session cookie: nobody's threads
    assert headers.get("access-control-allow-origin") is None


async def sign_ins_in_browser(url: str) -> dict[str, str]:
    """Body text after a wrong password, and the start page of an operator and of a
    customer-service user (their profile and its starters)."""
    from playwright.async_api import async_playwright

    seen: dict[str, str] = {}
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, args=BROWSER_ARGS)
        context = await browser.new_context(viewport={"width": 1280, "height": 900})
        page = await context.new_page()
        await sign_in(page, url, "olaf", "not-the-password")
        await page.wait_for_timeout(3000)
        seen["wrong"] = await page.inner_text("body")
        seen["wrong_has_input"] = str(await page.locator("#chat-input").count())
        await context.close()
        for name in ("olaf", "sam"):
            context = await browser.new_context(viewport={"width": 1280, "height": 900})
            page = await context.new_page()
            await sign_in(page, url, name)
            await page.wait_for_selector("#chat-input", timeout=30_000)
            await page.wait_for_timeout(2000)
            seen[name] = await page.inner_text("body")
            await page.screenshot(path=str(ARTIFACTS / f"chat-start-{name}.png"))
            await context.close()
        await browser.close()
    return seen


def test_sign_in_refuses_a_wrong_password_and_each_role_gets_its_profile(server: str) -> None:
    seen = asyncio.run(sign_ins_in_browser(server))
    assert seen["wrong_has_input"] == "0"  # still on the sign-in form
    assert "password" in seen["wrong"].lower() and "olaf" not in seen["wrong"].lower()
    assert "Operator" in seen["olaf"] and "Alarm on a machine" in seen["olaf"]
    assert "Warranty question" not in seen["olaf"]
    assert "Customer service" in seen["sam"] and "Warranty question" in seen["sam"]
    assert "Alarm on a machine" not in seen["sam"]


@pytest.fixture
def two_servers_on_postgres(
    tmp_path: Path,
    corpus: Path,
    ingest_config: IngestConfig,
    embedder: SentenceEmbedder,
    postgres_url: str,
) -> Iterator[tuple[str, str]]:
    """Two app processes on different ports sharing one PostgreSQL database (a fresh schema)."""
    from tests.assistant.conftest import _schema_url

    data_dir = tmp_path / "data"
    for url in _schema_url(postgres_url):
        prepare_data(data_dir, corpus, ingest_config, embedder, url)
        shared = {"PLANT_DATABASE_URL": url}
        with (
            serving(data_dir, corpus, shared, "chainlit-server-a.log") as first,
            serving(data_dir, corpus, shared, "chainlit-server-b.log") as second,
        ):
            yield first, second


async def resume_elsewhere_in_browser(first: str, second: str) -> str:
    """anna starts a thread on the first server and resumes it on the second."""
    from playwright.async_api import async_playwright

    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, args=BROWSER_ARGS)
        page = await send(browser, first, "What does press alarm H-310 mean?")
        await page.wait_for_selector("text=Sources:", timeout=60_000)
        link = page.locator('a[href*="/thread/"]').first
        await link.wait_for(timeout=30_000)
        thread_path = str(await link.get_attribute("href"))
        other = await browser.new_context(viewport={"width": 1280, "height": 900})
        page = await other.new_page()
        await sign_in(page, second, "anna")
        await page.wait_for_selector("#chat-input", timeout=30_000)
        await page.goto(second.rstrip("/") + thread_path)
        await page.wait_for_selector("text=Hydraulic oil too hot", timeout=30_000)
        await page.fill("#chat-input", "and what do I do about it?")
        await page.click("#chat-submit")
        await page.wait_for_function(
            "document.body.innerText.split('Sources:').length > 2", timeout=60_000
        )
        body = str(await page.inner_text("body"))
        await page.screenshot(path=str(ARTIFACTS / "chat-resumed-on-second-server.png"))
        await browser.close()
    return body


def test_two_app_processes_on_one_postgresql_share_users_and_threads(
    two_servers_on_postgres: tuple[str, str],
) -> None:
    first, second = two_servers_on_postgres
    assert first != second
    body = asyncio.run(resume_elsewhere_in_browser(first, second))
    assert body.count("What does press alarm H-310 mean?") >= 2  # the thread, from the other
    assert "H-310" in body.split("and what do I do about it?")[-1]


async def thumbs_down_in_browser(url: str, comment: str) -> None:
    from playwright.async_api import async_playwright

    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, args=BROWSER_ARGS)
        page = await send(browser, url, "What does press alarm H-310 mean?")
        await page.wait_for_selector("text=Sources:", timeout=60_000)
        await page.locator(".negative-feedback-off").last.click(timeout=30_000)
        await page.locator("textarea").last.fill(comment)
        await page.get_by_role("button", name=re.compile("submit", re.IGNORECASE)).click()
        await page.wait_for_selector(".negative-feedback-on", timeout=30_000)
        await page.wait_for_timeout(1000)
        await page.screenshot(path=str(ARTIFACTS / "chat-feedback.png"))
        await browser.close()


def test_an_answer_marked_wrong_is_reported_with_its_question_and_sources(
    server: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from typer.testing import CliRunner

    from assistant.cli.main import app
    from assistant.settings import get_settings

    asyncio.run(thumbs_down_in_browser(server, "the oil limit is wrong"))
    monkeypatch.setenv("PLANT_DATA_DIR", server_data_dir(server))
    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(app, ["report", "feedback", "--json"])
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 0, result.output
    [row] = [json.loads(line) for line in result.stdout.splitlines()]
    assert row["question"] == "What does press alarm H-310 mean?" and row["rating"] == 0
    assert row["comment"] == "the oil limit is wrong" and row["user"] == "anna"
    assert row["intent"] == "manual_question" and "Hydraulic oil too hot" in row["answer"]
    assert any("press.pdf" in source for source in row["sources"])
