"""Oversized uploads are refused while they arrive (Chainlit reads a whole upload first)."""

from __future__ import annotations

from collections.abc import Iterator

from fastapi import FastAPI, Request
from fastapi.testclient import TestClient

from assistant.ui.upload_limit import MULTIPART_SLACK, UploadLimit


def client(max_bytes: int) -> tuple[TestClient, list[int]]:
    app = FastAPI()
    read: list[int] = []

    @app.post("/project/file")
    async def upload(request: Request) -> dict[str, int]:
        body = await request.body()
        read.append(len(body))
        return {"bytes": len(body)}

    @app.post("/other")
    async def other(request: Request) -> dict[str, int]:
        return {"bytes": len(await request.body())}

    app.add_middleware(UploadLimit, max_bytes=max_bytes)
    return TestClient(app), read


def test_a_declared_oversized_upload_is_refused_unread() -> None:
    test, read = client(max_bytes=1024)
    refused = test.post("/project/file", content=b"x" * (1024 + MULTIPART_SLACK + 1))
    assert refused.status_code == 413 and "larger than" in refused.json()["detail"]
    assert read == []  # the route never saw it
    assert test.post("/project/file", content=b"x" * 2048).json() == {"bytes": 2048}
    assert test.post("/other", content=b"x" * (3 * MULTIPART_SLACK)).status_code == 200


def test_a_chunked_upload_is_cut_off_when_it_passes_the_limit() -> None:
    test, read = client(max_bytes=1024)

    def chunks() -> Iterator[bytes]:
        for _ in range(40):
            yield b"x" * 65536  # 2.5 MB in all, with no declared length

    refused = test.post("/project/file", content=chunks())
    assert refused.status_code == 413 and read == []
