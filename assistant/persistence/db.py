"""The database engine, made in one place: SQLite under the data dir by default, any URL."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine


@lru_cache(maxsize=4)
def make_engine(url: str) -> Engine:
    """An engine for `url` with every table created (SQLite folders are made as needed)."""
    from sqlmodel import SQLModel, create_engine

    import assistant.persistence.inspections
    import assistant.persistence.machines
    import assistant.persistence.messages
    import assistant.persistence.spc  # noqa: F401  (each registers its tables)

    connect_args = {}
    if url.startswith("sqlite:///"):
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
        connect_args = {"check_same_thread": False}  # the chat answers in worker threads
    engine = create_engine(url, connect_args=connect_args)
    SQLModel.metadata.create_all(engine)
    return engine
