"""Driving the chat in a browser: the server on a free port, signing in, sending messages.

Shared by the end-to-end tests (`tests/assistant/test_app_*_e2e.py`) and their fixtures.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import Session

from assistant.demo import seed_fleet, seed_spc
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


needs_chromium = pytest.mark.skipif(
    not Path(CHROMIUM).exists(), reason="Debian chromium is not installed (.ci/run installs it)"
)

_DATA_DIRS: dict[str, str] = {}
_DATABASES: dict[str, str] = {}
PASSWORD = "torque-wrench-7"
USERS = {
    "anna": "admin",
    "olaf": "operator",
    "sam": "service",
    "quinn": "quality",
    "tess": "trainee",
}


def server_data_dir(url: str) -> str:
    return _DATA_DIRS[url]


def server_database(url: str) -> str:
    """The database URL of the server at `url`."""
    return _DATABASES[url]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def prepare_data(
    data_dir: Path, corpus: Path, ingest_config: IngestConfig, embedder: SentenceEmbedder,
    database_url: str, failure_model: Path | None = None,
) -> None:  # fmt: skip
    """The index, the demo data, a failure model and the test users, as `make run` leaves
    them."""
    if failure_model is not None:
        shutil.copytree(failure_model, data_dir / "models" / "failure")
    ingest(
        [corpus],
        IngestConfig(**{**ingest_config.__dict__, "index_dir": data_dir / "index"}),
        embedder,
    )
    with Session(make_engine(database_url)) as session:
        seed_spc(session, ROOT / "knowledge" / "src" / "control-plan.md")  # as `make run` does
        seed_fleet(session, processes=30)
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
    _DATABASES[url] = env.get("PLANT_DATABASE_URL") or f"sqlite:///{data_dir / 'plant.db'}"
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
