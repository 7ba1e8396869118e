"""End to end: answers, buttons, charts and uploads in headless Debian Chromium."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest

from tests.assistant.browser import (
    ARTIFACTS,
    BROWSER_ARGS,
    CHROMIUM,
    needs_chromium,
    open_chat,
    send,
    server_data_dir,
    server_database,
)

pytestmark = needs_chromium


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
        # a loaded 2-core machine (the whole suite at once) can take minutes for a first reply
        await page.get_by_role("button", name="Wrong topic?").first.click(timeout=180_000)
        await page.get_by_role("button", name=choice).first.click(timeout=60_000)
        await page.wait_for_selector(f"text={wait_for}", timeout=180_000)
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
    with Session(make_engine(server_database(server))) as session:
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


def test_a_failure_check_ranks_the_stored_machines_in_a_tool_step(server: str) -> None:
    body = asyncio.run(
        correct_route_in_browser(
            server,
            "Which machines are most at risk of failing?",
            choice="Estimate a machine's failure risk",
            wait_for="L1-01",
        )
    )
    ranked = body.split("Which machines are most at risk of failing?")[-1]
    assert "Failure prediction" in ranked  # the tool call is shown as a step
    assert all(machine in ranked for machine in ("L1-01", "M1-01", "M1-04"))
    assert "risk" in ranked.lower()


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
    with Session(make_engine(server_database(server))) as session:
        stored = session.exec(select(Inspection)).all()
    assert [s.verdict in ("ok", "minor", "severe") for s in stored] == [True]
