"""The API application (`make_api`) and its mount in the chat server (`mount_first`)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from fastapi import FastAPI
from starlette.routing import Mount

from assistant.api import tickets
from assistant.api.deps import ApiContext
from assistant.body_limit import BodyLimit

if TYPE_CHECKING:
    from assistant.settings import Settings
    from assistant.tickets.drafting import TicketDrafter
    from assistant.tickets.triage import TicketTriage

DESCRIPTION = """\
Tickets for a helpdesk: send a customer's ticket in, read the queue and one ticket with its
history, have its reply drafted from the plant's documents, approve the reply. Every request
carries an API token made with
`plant tokens create NAME --scope tickets:read|tickets:write`, as
`Authorization: Bearer pa_…`.
"""


def make_api(
    settings: Settings,
    *,
    load_triage: Callable[[], TicketTriage] | None = None,
    load_drafter: Callable[[], TicketDrafter] | None = None,
) -> FastAPI:
    """The helpdesk API for `settings`: its OpenAPI docs at `/docs`, schema at
    `/openapi.json`. `load_triage` and `load_drafter` replace the trained triage and the
    drafter over the plant index (tests, other models).

    Example:
        >>> from assistant.settings import Settings
        >>> make_api(Settings()).title
        'Plant Assistant API'
    """
    api = FastAPI(
        title="Plant Assistant API", description=DESCRIPTION, version="1",
        docs_url="/docs", openapi_url="/openapi.json", redoc_url=None,
    )  # fmt: skip
    from assistant.wiring import drafter_loader, triage_loader

    api.state.context = ApiContext(
        settings, load_triage or triage_loader(settings), load_drafter or drafter_loader(settings)
    )
    api.include_router(tickets.router)
    api.add_middleware(BodyLimit, max_bytes=int(settings.api_max_request_mb * 1024 * 1024))
    return api


def mount_first(app: Any, path: str, subapp: Any) -> None:
    """Mount `subapp` at `path` ahead of every route of `app`, so Chainlit's `/{full_path:path}`
    page route (registered when its server module loads) does not answer for it; once only
    (the module imported twice mounts nothing more)."""
    if any(isinstance(r, Mount) and r.path == path for r in app.router.routes):
        return
    app.router.routes.insert(0, Mount(path, app=subapp))
