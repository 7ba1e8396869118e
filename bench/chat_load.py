"""Chat under load: simultaneous signed-in sessions over Chainlit's real websocket protocol.

Usage:
    python -m bench.chat_load [--sessions 20] [--messages 5] [--url URL] [--no-write]

Without `--url` the script starts the chat itself (`chainlit run assistant/app.py` on a free
port of 127.0.0.1) on this data directory's index and models, with a throwaway SQLite
database holding the bench's users, so nothing of the plant's own users or history is touched.
Each session signs in through `POST /login` like the browser, opens a socket.io connection
with the session cookie, and sends its messages one after another (a mix of document, SPC,
failure-risk and onboarding questions); a reply is timed from sending to the final answer
(the message that carries its question in its metadata). Target (issue 16): 20 sessions x 5
messages with zero errors; p50/p95 reported.
Results go into the `bench.chat_load` section of docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.machine import describe_machine
from bench.report import write_section

ROOT = Path(__file__).resolve().parents[1]
PASSWORD = "bench-password-1"
QUESTIONS = (
    "What does alarm E-114 on the VMC-850 mean?",
    "Is OD-12 in control?",
    "Which machines are most at risk of failing?",
    "What are the late shift times?",
    "How long is the warranty on PH-55 pump housings?",
    "Where are the lockout points on the IM-220?",
    "what torque for the vice jaws on the VMC",
)
ERROR_WORDS = ("Something went wrong", "Traceback", "took longer than")


@dataclass
class SessionResult:
    """One session's reply times (seconds) and the errors it saw."""

    latencies: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def chat_server(sessions: int) -> Iterator[str]:
    """The chat on a free port, with `sessions` bench users in a throwaway database."""
    with chat_process(sessions) as (base, _):
        yield base


@contextmanager
def chat_process(sessions: int) -> Iterator[tuple[str, int]]:
    """`chat_server`'s URL and the server's process id (for its memory)."""
    from sqlmodel import Session

    from assistant.persistence.db import make_engine
    from assistant.persistence.users import add_user

    with tempfile.TemporaryDirectory(prefix="plant-bench-chat-") as tmp:
        url = f"sqlite:///{Path(tmp) / 'bench.db'}"
        with Session(make_engine(url)) as db:
            for i in range(sessions):
                add_user(db, name=f"bench{i}", role="admin", password=PASSWORD)
        port = _free_port()
        env = {**os.environ, "PLANT_DATABASE_URL": url}
        log = (Path(tempfile.gettempdir()) / "plant-bench-chat-server.log").open("w")
        command = [sys.executable, "-m", "chainlit", "run", "assistant/app.py", "--headless"]
        process = subprocess.Popen(
            [*command, "--host", "127.0.0.1", "--port", str(port)],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            _wait_until_up(base)
            yield base, process.pid
        finally:
            process.terminate()
            process.wait(timeout=30)
            log.close()


def _wait_until_up(base: str, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if urllib.request.urlopen(base + "/", timeout=2).status == 200:
                return
        except OSError:
            time.sleep(0.5)
    raise RuntimeError(f"the chat did not start within {seconds:.0f} s")


async def _sign_in(http: Any, base: str, name: str) -> str:
    """The Cookie header of a signed-in browser."""
    form = {"username": name, "password": PASSWORD}
    async with http.post(base + "/login", data=form) as response:
        if response.status != 200:
            raise RuntimeError(f"sign-in of {name} failed: HTTP {response.status}")
        return "; ".join(f"{k}={v.value}" for k, v in response.cookies.items())


def _payload(text: str) -> dict[str, Any]:
    now = dt.datetime.now(dt.UTC).isoformat()
    message = {"id": str(uuid.uuid4()), "name": "User", "type": "user_message",
               "output": text, "createdAt": now}  # fmt: skip
    return {"message": message, "fileReferences": None}


async def run_session(base: str, index: int, messages: int) -> SessionResult:
    """Sign in, connect, send `messages` questions one after another; time each reply."""
    import aiohttp
    import socketio

    result = SessionResult()
    done = asyncio.Event()
    asked: dict[str, str] = {"question": ""}
    client = socketio.AsyncClient(reconnection=False)

    async def on_step(step: dict[str, Any]) -> None:
        text = str(step.get("output") or "")
        if step.get("isError") or any(word in text for word in ERROR_WORDS):
            result.errors.append(f"session {index}: {text[:120]}")
        meta = step.get("metadata") or {}
        # the final answer carries the question it answers (assistant/app.py)
        if step.get("type") == "assistant_message" and meta.get("question") == asked["question"]:
            done.set()

    client.on("new_message", on_step)
    client.on("update_message", on_step)
    auth = {"sessionId": str(uuid.uuid4()), "clientType": "webapp", "userEnv": "{}",
            "chatProfile": "Operator"}  # fmt: skip
    try:
        async with aiohttp.ClientSession() as http:
            cookie = await _sign_in(http, base, f"bench{index}")
        await client.connect(base, headers={"Cookie": cookie}, auth=auth, wait_timeout=60,
                             socketio_path="/ws/socket.io", transports=["websocket"])  # fmt: skip
        await client.emit("connection_successful")
        for m in range(messages):
            asked["question"] = QUESTIONS[(index + m) % len(QUESTIONS)]
            done.clear()
            started = time.perf_counter()
            await client.emit("client_message", _payload(asked["question"]))
            await asyncio.wait_for(done.wait(), 600)
            result.latencies.append(time.perf_counter() - started)
    except Exception as exc:  # a refused connection or a reply that never ends
        result.errors.append(f"session {index}: {type(exc).__name__}: {exc}")
    finally:
        await client.disconnect()
    return result


async def load(base: str, sessions: int, messages: int) -> list[SessionResult]:
    return await asyncio.gather(*(run_session(base, i, messages) for i in range(sessions)))


def summary(results: list[SessionResult], sessions: int, messages: int, wall: float) -> str:
    latencies = sorted(x for r in results for x in r.latencies)
    errors = [e for r in results for e in r.errors]
    p95 = latencies[max(0, round(0.95 * len(latencies)) - 1)] if latencies else float("nan")
    p50 = statistics.median(latencies) if latencies else float("nan")
    lines = [
        f"Measured {time.strftime('%Y-%m-%d')} on {describe_machine()}: {sessions} signed-in "
        f"sessions at once over the websocket, {messages} messages each (sent one after "
        "another per session), extractive answers, default worker pool (4 threads); timed "
        "after one warm-up reply.",
        "",
        "| measure | value | target |",
        "|---|---|---|",
        f"| replies | {len(latencies)} of {sessions * messages} | all |",
        f"| errors | {len(errors)} | 0 |",
        f"| reply latency p50 | {p50:.2f} s | |",
        f"| reply latency p95 | {p95:.2f} s | |",
        f"| wall time | {wall:.1f} s | |",
    ]
    if errors:
        lines += ["", "Errors:", "", *[f"- {e}" for e in errors[:10]]]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=20)
    parser.add_argument("--messages", type=int, default=5)
    parser.add_argument("--url", default=None, help="A running chat (users bench0..N).")
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args(argv)
    with chat_server(args.sessions) if args.url is None else _given(args.url) as base:
        # the first reply builds the router (index, models): a start-up cost, timed apart
        cold = asyncio.run(run_session(base, 0, 1))
        started = time.perf_counter()
        results = asyncio.run(load(base, args.sessions, args.messages))
        wall = time.perf_counter() - started
    markdown = summary(results, args.sessions, args.messages, wall)
    first = f"{cold.latencies[0]:.1f} s" if cold.latencies else "failed: " + "; ".join(cold.errors)
    markdown += f"\n\nFirst reply after start (loads the index and the models): {first}."
    print(markdown)
    if not args.no_write:
        write_section("chat_load", "Chat under load", markdown)


@contextmanager
def _given(url: str) -> Iterator[str]:
    yield url.rstrip("/")


if __name__ == "__main__":
    main()
