"""The chat server's own HTTP routes, added to Chainlit's app ahead of its catch-all page route:
stored element contents for their owner, and the small script that fixes the source panel."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import APIRouter, Depends, HTTPException
from fastapi.responses import FileResponse, Response

from assistant.ui.element_store import URL_PREFIX, ElementKeyError, LocalElementStore, owner_of

STATIC = Path(__file__).with_name("static")
SIDE_PANEL_JS = "/plant/static/side-panel.js"


def element_router(store: LocalElementStore) -> APIRouter:
    from chainlit.auth import get_current_user

    router = APIRouter()

    signed_in = Depends(get_current_user)

    @router.get(URL_PREFIX + "{object_key:path}")
    async def stored_element(object_key: str, user: Any = signed_in) -> Response:
        """An element of one of the caller's threads; anyone else's is "not found" (not
        "forbidden": whether a key exists is nobody else's business)."""
        try:
            owner = owner_of(object_key)
        except ElementKeyError:
            raise HTTPException(status_code=404, detail="no such element") from None
        stored = store.read(object_key) if getattr(user, "id", None) == owner else None
        if stored is None:
            raise HTTPException(status_code=404, detail="no such element")
        data, mime = stored
        return Response(content=data, media_type=mime, headers={"Cache-Control": "private"})

    @router.get(SIDE_PANEL_JS)
    async def side_panel_script() -> FileResponse:
        return FileResponse(STATIC / "side-panel.js", media_type="text/javascript")

    return router


def install(app: Any, router: APIRouter) -> None:
    """Put `router`'s routes first in `app`, so Chainlit's `/{full_path:path}` page route
    (registered when Chainlit's server module loads) does not answer for them; a route
    already installed (the module imported twice) is not added again."""
    present = {getattr(r, "path", None) for r in app.router.routes}
    if all(getattr(r, "path", None) in present for r in router.routes):
        return
    before = len(app.router.routes)
    app.include_router(router)  # bound to `app` (its dependency overrides apply), then moved
    added = app.router.routes[before:]
    del app.router.routes[before:]
    app.router.routes[0:0] = added
