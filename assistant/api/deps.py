"""What every API request gets: the settings the API was made with, the triage model, and a
database session of its own."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated

from fastapi import Depends, HTTPException, Request
from sqlmodel import Session

if TYPE_CHECKING:
    from assistant.settings import Settings
    from assistant.tickets.drafting import TicketDrafter
    from assistant.tickets.triage import TicketTriage


@dataclass(frozen=True)
class ApiContext:
    """Set once by `make_api`; `load_triage` raises `TriageModelMissing` while there is none,
    `load_drafter` raises `PlantError` while the documents are not indexed."""

    settings: Settings
    load_triage: Callable[[], TicketTriage]
    load_drafter: Callable[[], TicketDrafter]


def api_context(request: Request) -> ApiContext:
    """The context of the API app serving the request (a mounted app is its own `app`)."""
    context: ApiContext = request.app.state.context
    return context


Context = Annotated[ApiContext, Depends(api_context)]


def db_session(context: Context) -> Iterator[Session]:
    """A session per request, on the engine the settings name (migrated once per process).
    Endpoints that use it are plain `def`s: FastAPI runs them in its thread pool, so the
    database never blocks the chat's event loop."""
    from assistant.wiring import usable_engine

    engine = usable_engine(context.settings)
    if engine is None:
        raise HTTPException(503, "The database cannot be used now. Try again in a minute.")
    with Session(engine) as session:
        yield session


DbSession = Annotated[Session, Depends(db_session)]
