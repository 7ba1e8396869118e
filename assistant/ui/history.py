"""Chat history in the project database: Chainlit's SQLAlchemy data layer, and turns to resume.

The tables are the project's own (created by its migrations, like every other table), so a
thread started on one app process can be resumed on another that shares the database.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.engine import make_url

SQLITE_TIMEOUT_S = 30  # as the project's own engine waits for a write lock


def async_connection(url: str) -> tuple[str, dict[str, Any]]:
    """The async-driver URL and connect arguments Chainlit's data layer needs for `url`; a
    PostgreSQL schema chosen with `options=-csearch_path=X` becomes asyncpg's search path.

    Example:
        >>> async_connection("sqlite:///.plant/plant.db")
        ('sqlite+aiosqlite:///.plant/plant.db', {'timeout': 30})
        >>> async_connection("postgresql+psycopg://plant:pw@db/plant")
        ('postgresql+asyncpg://plant:pw@db/plant', {})
    """
    parsed = make_url(url)
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        async_url = parsed.set(drivername="sqlite+aiosqlite")
        return async_url.render_as_string(hide_password=False), {"timeout": SQLITE_TIMEOUT_S}
    if backend != "postgresql":
        raise ValueError(f"chat history needs SQLite or PostgreSQL, not {backend}")
    options = str(parsed.query.get("options", ""))
    connect_args: dict[str, Any] = {}
    if options.startswith("-csearch_path="):
        connect_args["server_settings"] = {"search_path": options.removeprefix("-csearch_path=")}
    async_url = parsed.set(drivername="postgresql+asyncpg").difference_update_query(["options"])
    return async_url.render_as_string(hide_password=False), connect_args


def turns_from_steps(steps: list[dict[str, Any]], keep: int) -> list[tuple[str, str]]:
    """The last `keep` (role, text) turns of a stored thread, oldest first, for follow-ups.

    Example:
        >>> turns_from_steps([{"type": "user_message", "output": "alarm E-114?"},
        ...                   {"type": "assistant_message", "output": "Coolant low [1]"},
        ...                   {"type": "run", "output": "x"}], keep=10)
        [('user', 'alarm E-114?'), ('assistant', 'Coolant low [1]')]
    """
    roles = {"user_message": "user", "assistant_message": "assistant"}
    ordered = sorted(steps, key=lambda s: str(s.get("createdAt") or ""))
    turns = [
        (roles[s["type"]], str(s.get("output") or ""))
        for s in ordered
        if s.get("type") in roles and s.get("output")
    ]
    return turns[-keep:] if keep > 0 else []


def make_data_layer(database_url: str, storage: Any = None) -> Any:
    """Chainlit's SQLAlchemy data layer on the project database (its tables migrated first);
    `storage` keeps element contents (source passages, charts) for resumed threads."""
    from chainlit.data.sql_alchemy import SQLAlchemyDataLayer

    from assistant.persistence.db import make_engine

    class PlantDataLayer(SQLAlchemyDataLayer):
        """SQLite cannot store a Python list: a thread's tags (the chat profile's name, also
        kept in the thread's metadata) are left out there instead of failing the write."""

        async def update_thread(
            self,
            thread_id: str,
            name: str | None = None,
            user_id: str | None = None,
            metadata: dict[str, Any] | None = None,
            tags: list[str] | None = None,
        ) -> None:
            if self._conninfo.startswith("sqlite"):
                tags = None
            await super().update_thread(thread_id, name, user_id, metadata, tags)

    make_engine(database_url)  # runs the migrations, Chainlit's tables included
    url, connect_args = async_connection(database_url)
    return PlantDataLayer(conninfo=url, connect_args=connect_args, storage_provider=storage)
