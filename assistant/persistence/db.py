"""The database engine, made in one place, with the schema brought to head by Alembic migrations."""

from __future__ import annotations

import logging
import threading
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from alembic.config import Config
    from sqlalchemy import Connection, MetaData
    from sqlalchemy.engine import Engine

MIGRATIONS_DIR = Path(__file__).with_name("migrations")
# The revision that made the tables `SQLModel.metadata.create_all` used to make: a database
# from before the migrations holds these tables and no alembic_version, and is stamped with it.
BASELINE_REVISION = "0001"
BASELINE_TABLES = frozenset(
    {
        "chatmessage",
        "intentcorrection",
        "inspection",
        "machine",
        "sensorreading",
        "characteristic",
        "measurement",
    }
)
# Tables of Chainlit's SQLAlchemyDataLayer (revision 0003): written by Chainlit's own SQL, so
# they have no SQLModel models and autogenerate must not offer to drop them.
CHAINLIT_TABLES = frozenset({"users", "threads", "steps", "elements", "feedbacks"})
# The chat server and the command line may write at once: a writer waits this long for the
# other's lock before failing with "database is locked" (Python's sqlite3 waits 5 s).
SQLITE_BUSY_TIMEOUT_MS = 30_000
# Any fixed number: concurrent upgrades of one PostgreSQL database take turns on this lock.
_PG_MIGRATION_LOCK = 727_001
# Alembic runs a migration through module-level proxies (`alembic.op`, `alembic.context`): one
# migration at a time per process, even when two threads ask for new engines at once.
_migrating = threading.Lock()


@lru_cache(maxsize=4)
def make_engine(url: str) -> Engine:
    """An engine for `url` whose schema is at the latest revision (SQLite folders are made).

    Cached: the migrations run once per process and URL.
    """
    from sqlalchemy import create_engine, event

    connect_args: dict[str, Any] = {}
    if url.startswith("sqlite:///"):
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
        connect_args = {"check_same_thread": False}  # the chat answers in worker threads
    engine = create_engine(url, connect_args=connect_args)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    upgrade(engine)
    return engine


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    """Wait for locks, and let readers read while one writes (WAL: the chat and the CLI)."""
    cursor = dbapi_connection.cursor()
    cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA journal_mode = WAL")
    cursor.close()


def alembic_config(connection: Connection | None = None, *, url: str = "") -> Config:
    """Alembic's configuration without an alembic.ini: the migrations shipped in the package,
    run on `connection` (or on a new connection to `url`).

    Example, a new revision from the changed models (then read and edit it):
        >>> from alembic import command  # doctest: +SKIP
        >>> command.revision(alembic_config(url="sqlite:///.plant/plant.db"),
        ...                  "add x", autogenerate=True, rev_id="0004")  # doctest: +SKIP
    """
    import sys

    from alembic.config import Config

    # the stream of now: Config's default is sys.stdout as it was when alembic was imported
    # (inside a CLI test runner that stream is closed by the time a later test reports)
    config = Config(stdout=sys.stdout)
    config.set_main_option("script_location", str(MIGRATIONS_DIR).replace("%", "%%"))
    config.set_main_option("path_separator", "os")
    if url:
        config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    config.attributes["connection"] = connection
    return config


def upgrade(engine: Engine) -> None:
    """Bring the schema to the latest revision, keeping the data of a pre-migration database.

    In one transaction that concurrent upgrades take turns on, so that a chat server and a
    command started together do not both create the tables.
    """
    from alembic import command
    from sqlalchemy import inspect, text

    # "Will assume transactional DDL" and friends on every start are noise in the chat's log
    logging.getLogger("alembic").setLevel(logging.WARNING)
    with _migrating, engine.begin() as connection:
        if connection.dialect.name == "sqlite":
            connection.exec_driver_sql("BEGIN IMMEDIATE")  # the write lock, before any read
        elif connection.dialect.name == "postgresql":
            connection.execute(
                text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_MIGRATION_LOCK}
            )
        config = alembic_config(connection)
        tables = set(inspect(connection).get_table_names())
        if "alembic_version" not in tables and BASELINE_TABLES.issubset(tables):
            command.stamp(config, BASELINE_REVISION)  # made by create_all: 0001 is there
        command.upgrade(config, "head")


def project_metadata() -> MetaData:
    """SQLModel's metadata with every table of the project registered (what autogenerate and
    the schema test compare the migrated database with)."""
    from sqlmodel import SQLModel

    import assistant.persistence.inspections
    import assistant.persistence.machines
    import assistant.persistence.messages
    import assistant.persistence.spc
    import assistant.persistence.tickets
    import assistant.persistence.tokens
    import assistant.persistence.users  # noqa: F401  (each registers its tables)

    return SQLModel.metadata


def include_name(name: str | None, type_: str, _parents: Any) -> bool:
    """What autogenerate compares: everything but Chainlit's tables."""
    return not (type_ == "table" and name in CHAINLIT_TABLES)
