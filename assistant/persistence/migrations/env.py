"""Alembic's environment: runs the migrations on the connection `db.upgrade` hands over."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection, create_engine, pool

from assistant.persistence.db import include_name, project_metadata

config = context.config


def _configure(**options: object) -> None:
    context.configure(
        target_metadata=project_metadata(),
        include_name=include_name,
        render_as_batch=True,  # SQLite alters a table by copying it; autogenerate writes that
        compare_type=True,
        **options,  # type: ignore[arg-type]
    )


def _run_on(connection: Connection) -> None:
    _configure(connection=connection)
    with context.begin_transaction():
        context.run_migrations()


def run() -> None:
    if context.is_offline_mode():  # `--sql`: print the statements instead of running them
        _configure(url=config.get_main_option("sqlalchemy.url"), literal_binds=True)
        with context.begin_transaction():
            context.run_migrations()
        return
    connection = config.attributes.get("connection")
    if connection is not None:
        _run_on(connection)
        return
    engine = create_engine(config.get_main_option("sqlalchemy.url", ""), poolclass=pool.NullPool)
    with engine.connect() as connection:
        _run_on(connection)


run()
