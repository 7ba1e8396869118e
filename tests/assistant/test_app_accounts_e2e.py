"""End to end: signing in, profiles, history across sign-ins and servers, feedback."""

from __future__ import annotations

import asyncio
import json
import re
import urllib.error
import urllib.request
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
    sign_in,
)

pytestmark = needs_chromium


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
    """Body text after a wrong password, and the start page of a user of every role (their
    profile and its starters)."""
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
        for name in ("olaf", "sam", "quinn", "tess", "anna"):
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
    assert "Quality" in seen["quinn"] and "Control chart" in seen["quinn"]
    assert "Warranty question" not in seen["quinn"]
    assert "My first day" in seen["tess"]  # one profile: no chooser, its starters
    assert "Control chart" not in seen["tess"]
    assert "Admin" in seen["anna"] and "What is indexed?" in seen["anna"]


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
    monkeypatch.setenv("PLANT_DATABASE_URL", server_database(server))
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
