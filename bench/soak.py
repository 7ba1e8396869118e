"""Soak: mixed chat traffic for minutes, with bad uploads among it; the server must not grow.

Usage:
    python -m bench.soak [--minutes 10] [--sessions 10] [--url URL] [--no-write]

Starts the chat like `bench.chat_load` (a throwaway database of bench users, this data
directory's index and models) unless `--url` names one, then keeps `--sessions` signed-in
websocket sessions asking questions one after another for `--minutes`. Once a minute one
session uploads a "photo" over the largest file the chat takes (refused by the server while
it arrives) and
another adds a document that cannot be read (a PDF that is not one: refused with a message,
nothing stored). Measured: replies, refusals, errors (a crash, a traceback, a reply that
never comes), and the server's resident memory after warm-up and at the end. Targets (issue
17): zero crashes, every request answered or refused with a message, memory growth ≤ 200 MB.
Results go into the `bench.soak` section of docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import asyncio
import time
import urllib.request
import uuid
from dataclasses import dataclass, field
from typing import Any

from bench.chat_load import QUESTIONS, chat_process, run_session
from bench.machine import describe_machine
from bench.report import write_section


def oversized_bytes() -> int:
    """Past the largest upload the chat takes (its document limit, 100 MB by default)."""
    from assistant.settings import get_settings

    return get_settings().max_upload_bytes + 2 * 1024 * 1024


@dataclass
class Tally:
    replies: int = 0
    refused_uploads: int = 0
    refused_documents: int = 0
    errors: list[str] = field(default_factory=list)
    latencies: list[float] = field(default_factory=list)


def server_rss_mb(pid: int) -> float:
    import psutil

    process = psutil.Process(pid)
    return sum(p.memory_info().rss for p in [process, *process.children(recursive=True)]) / 1e6


async def chatter(base: str, index: int, until: float, tally: Tally) -> None:
    """One session after another for this user until the time is up (a session asks a few
    questions, like a person, then a new one starts)."""
    while time.monotonic() < until:
        result = await run_session(base, index, 3)
        tally.replies += len(result.latencies)
        tally.latencies += result.latencies
        tally.errors += result.errors


async def bad_upload(base: str, name: str) -> int:
    """POST an oversized 'photo' to the upload route as a client that skips the browser's
    check would; the status the server answers."""
    import aiohttp

    from bench.chat_load import _sign_in

    body = b"\x89PNG\r\n\x1a\n" + b"\0" * oversized_bytes()
    async with aiohttp.ClientSession() as http:
        cookie = await _sign_in(http, base, name)
        form = aiohttp.FormData()
        form.add_field("file", body, filename="huge.png", content_type="image/png")
        url = f"{base}/project/file?session_id=none"
        async with http.post(url, data=form, headers={"Cookie": cookie}) as response:
            return response.status


async def add_broken_document(base: str, name: str) -> str:
    """An admin attaches a "PDF" that is not one, as the browser does (upload, then a message
    naming the file); the text of the reply."""
    import aiohttp
    import socketio

    from bench.chat_load import _payload, _sign_in

    session_id, reply = str(uuid.uuid4()), asyncio.get_running_loop().create_future()
    client = socketio.AsyncClient(reconnection=False)

    async def on_step(step: dict[str, Any]) -> None:
        text = str(step.get("output") or "")
        if step.get("type") == "assistant_message" and "could not" in text and not reply.done():
            reply.set_result(text)

    client.on("new_message", on_step)
    client.on("update_message", on_step)
    auth = {"sessionId": session_id, "clientType": "webapp", "userEnv": "{}",
            "chatProfile": "Admin"}  # fmt: skip
    async with aiohttp.ClientSession() as http:
        cookie = await _sign_in(http, base, name)
        await client.connect(base, headers={"Cookie": cookie}, auth=auth, wait_timeout=60,
                             socketio_path="/ws/socket.io", transports=["websocket"])  # fmt: skip
        try:
            await client.emit("connection_successful")
            form = aiohttp.FormData()
            form.add_field("file", b"%PDF-1.4 this is no PDF", filename="manual.pdf",
                           content_type="application/pdf")  # fmt: skip
            url = f"{base}/project/file?session_id={session_id}"
            async with http.post(url, data=form, headers={"Cookie": cookie}) as response:
                uploaded = await response.json()
            payload = _payload("please add this manual")
            payload["fileReferences"] = [{"id": uploaded["id"]}]
            await client.emit("client_message", payload)
            return str(await asyncio.wait_for(reply, 300))
        finally:
            await client.disconnect()


async def mischief(base: str, until: float, tally: Tally) -> None:
    """Once a minute: an oversized upload and a document that cannot be read."""
    while time.monotonic() < until:
        status = await bad_upload(base, "bench0")
        if status == 413:
            tally.refused_uploads += 1
        else:
            tally.errors.append(f"oversized upload answered HTTP {status}, not 413")
        told = await add_broken_document(base, "bench1")
        if "could not be added" in told:
            tally.refused_documents += 1
        else:
            tally.errors.append(f"broken document: {told[:120]!r}")
        await asyncio.sleep(max(0.0, min(60.0, until - time.monotonic())))


async def soak(base: str, sessions: int, seconds: float) -> Tally:
    tally = Tally()
    until = time.monotonic() + seconds
    await asyncio.gather(
        mischief(base, until, tally), *(chatter(base, i, until, tally) for i in range(sessions))
    )
    return tally


def report(tally: Tally, sessions: int, minutes: float, rss: tuple[float, float]) -> str:
    growth = rss[1] - rss[0]
    lat = sorted(tally.latencies)
    p95 = lat[max(0, round(0.95 * len(lat)) - 1)] if lat else float("nan")
    lines = [
        f"Measured {time.strftime('%Y-%m-%d')} on {describe_machine()}: {sessions} signed-in "
        f"sessions asking questions ({len(QUESTIONS)} kinds) for {minutes:g} minutes, with an "
        f"oversized upload ({oversized_bytes() / 2**20:.0f} MB 'photo', over the largest "
        "file the chat takes) and a broken document once a minute.",
        "",
        "| measure | value | target |",
        "|---|---|---|",
        f"| replies | {tally.replies} (p95 {p95:.1f} s) | all answered |",
        f"| oversized uploads refused (413) | {tally.refused_uploads} | all |",
        f"| broken documents refused with a message | {tally.refused_documents} | all |",
        f"| errors (crash, traceback, no reply) | {len(tally.errors)} | 0 |",
        f"| server memory after warm-up → end | {rss[0]:.0f} → {rss[1]:.0f} MB | |",
        f"| growth | {growth:+.0f} MB | ≤ 200 MB |",
    ]
    if tally.errors:
        lines += ["", "Errors:", "", *[f"- {e}" for e in tally.errors[:10]]]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> Tally:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=10)
    parser.add_argument("--sessions", type=int, default=10)
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args(argv)
    with chat_process(max(args.sessions, 2)) as (base, pid):
        warm = asyncio.run(run_session(base, 0, 2))  # loads the index and the models
        if warm.errors:
            raise SystemExit(f"the chat did not answer: {warm.errors}")
        before = server_rss_mb(pid)
        tally = asyncio.run(soak(base, args.sessions, args.minutes * 60))
        after = server_rss_mb(pid)
        urllib.request.urlopen(base + "/", timeout=10)  # still up
    markdown = report(tally, args.sessions, args.minutes, (before, after))
    print(markdown)
    if not args.no_write:
        write_section("soak", "Soak: mixed traffic with bad uploads", markdown)
    return tally


if __name__ == "__main__":
    main()
