"""The element store keeps a thread's element contents; the route serves them to their owner."""

from __future__ import annotations

import asyncio
from pathlib import Path
from types import SimpleNamespace

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from assistant.ui import routes
from assistant.ui.element_store import ElementKeyError, LocalElementStore, owner_of


def test_contents_round_trip_and_deleting_removes_them(tmp_path: Path) -> None:
    store = LocalElementStore(tmp_path / "elements")
    stored = asyncio.run(store.upload_file("u1/e1/[1]", "**[1] Alarm codes**", mime="text/plain"))
    assert stored == {"object_key": "u1/e1/[1]", "url": "/plant/elements/u1/e1/%5B1%5D"}
    assert store.read("u1/e1/[1]") == (b"**[1] Alarm codes**", "text/plain")
    assert asyncio.run(store.delete_file("u1/e1/[1]")) is True
    assert store.read("u1/e1/[1]") is None
    assert asyncio.run(store.delete_file("u1/e1/[1]")) is False


def test_no_key_names_a_file_outside_the_store(tmp_path: Path) -> None:
    store = LocalElementStore(tmp_path / "elements")
    asyncio.run(store.upload_file("../../etc/passwd", b"x"))
    written = [p for p in tmp_path.rglob("*") if p.is_file()]
    assert written and all((tmp_path / "elements") in p.parents for p in written)
    with pytest.raises(ElementKeyError):
        owner_of("no-slash")
    with pytest.raises(ElementKeyError):
        owner_of("/starts-with-a-slash")


def app_for(store: LocalElementStore, user_id: str | None) -> TestClient:
    from chainlit.auth import get_current_user

    app = FastAPI()

    @app.get("/{full_path:path}")  # as Chainlit's page route, registered first
    async def page(full_path: str) -> dict[str, str]:
        return {"page": full_path}

    routes.install(app, routes.element_router(store))
    routes.install(app, routes.element_router(store))  # a second import adds nothing
    app.dependency_overrides[get_current_user] = lambda: SimpleNamespace(id=user_id)
    return TestClient(app)


def test_the_route_serves_an_element_to_its_owner_only(tmp_path: Path) -> None:
    store = LocalElementStore(tmp_path / "elements")
    asyncio.run(store.upload_file("anna-id/e1/chart-1", b'{"data": []}', "application/json"))
    owner = app_for(store, "anna-id")
    response = owner.get("/plant/elements/anna-id/e1/chart-1")
    assert response.status_code == 200 and response.json() == {"data": []}
    assert response.headers["content-type"].startswith("application/json")
    assert app_for(store, "olaf-id").get("/plant/elements/anna-id/e1/chart-1").status_code == 404
    assert owner.get("/plant/elements/anna-id/e2/missing").status_code == 404
    script = owner.get(routes.SIDE_PANEL_JS)
    assert script.status_code == 200 and "side-view-content" in script.text
    assert owner.get("/some/page").json() == {"page": "some/page"}  # the rest is Chainlit's
