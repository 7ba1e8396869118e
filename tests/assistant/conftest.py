"""Fixtures of the application tests: databases (a SQLite file, and PostgreSQL when there is
one) and the chat served for the browser tests.

PostgreSQL is PLANT_TEST_POSTGRES_URL when set; otherwise, where Debian's `postgresql` package
is installed (`.ci/run` installs it), a throwaway server started for the session on a Unix
socket of its own (no TCP port); otherwise the PostgreSQL cases skip and say why.
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, make_url, text

from retrieval.embeddings import SentenceEmbedder
from retrieval.ingest import IngestConfig
from tests.assistant.browser import prepare_data, serving

POSTGRES_ENV = "PLANT_TEST_POSTGRES_URL"


def _initdb() -> str | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    return found[-1] if found else shutil.which("initdb")


def _throwaway_server(initdb: str) -> Iterator[str]:
    """initdb + pg_ctl start in a temporary folder; as root, run as the `postgres` user
    (the server refuses to run as root)."""
    folder = Path(tempfile.mkdtemp(prefix="plant-pg-"))
    as_user: list[str] = []
    if os.geteuid() == 0:
        as_user = ["runuser", "-u", "postgres", "--"]
        shutil.chown(folder, "postgres")
    pg_ctl = str(Path(initdb).with_name("pg_ctl"))
    data, log = folder / "data", folder / "server.log"
    options = f"-k {folder} -c listen_addresses='' -F"
    started = False
    try:
        subprocess.run(
            [*as_user, initdb, "-D", str(data), "-A", "trust", "-U", "plant", "--no-sync"],
            check=True,
            capture_output=True,
        )
        start = [*as_user, pg_ctl, "-D", str(data), "-o", options, "-l", str(log), "-w", "start"]
        subprocess.run(start, check=True, capture_output=True, timeout=60)
        started = True
        yield f"postgresql+psycopg://plant@/postgres?host={folder}"
    except (OSError, subprocess.SubprocessError) as exc:
        detail = log.read_text(errors="replace")[-500:] if log.exists() else ""
        pytest.skip(f"could not start a throwaway PostgreSQL ({exc}); {detail}")
    finally:
        if started:
            subprocess.run([*as_user, pg_ctl, "-D", str(data), "-m", "immediate", "stop"])
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A PostgreSQL server's URL for the session (see the module docstring)."""
    if url := os.environ.get(POSTGRES_ENV):
        yield url
        return
    initdb = _initdb()
    if initdb is None:
        pytest.skip(
            f"no PostgreSQL to test on: install Debian's postgresql or set {POSTGRES_ENV}="
            "postgresql+psycopg://USER:PASSWORD@HOST/DB"
        )
    yield from _throwaway_server(initdb)


def _schema_url(base: str) -> Iterator[str]:
    """`base` with a new, empty schema first on the search path; the schema is dropped after."""
    schema = f"plant_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(base)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = make_url(base).update_query_dict({"options": f"-csearch_path={schema}"})
    try:
        yield url.render_as_string(hide_password=False)
    finally:  # the test's pooled connections are idle (rolled back): they do not block this
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A URL of an empty database: a SQLite file, or a fresh schema on PostgreSQL."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'plant.db'}"
        return
    yield from _schema_url(request.getfixturevalue("postgres_url"))


# ------------------------------------------------------------------ the chat in a browser
@pytest.fixture
def server(
    tmp_path: Path, corpus: Path, ingest_config: IngestConfig, embedder: SentenceEmbedder
) -> Iterator[str]:
    """The chat on a free port over the small corpus, with the test users, on SQLite."""
    data_dir = tmp_path / "data"
    prepare_data(data_dir, corpus, ingest_config, embedder, f"sqlite:///{data_dir / 'plant.db'}")
    with serving(data_dir, corpus, {}, "chainlit-server.log") as url:
        yield url


@pytest.fixture
def two_servers_on_postgres(
    tmp_path: Path,
    corpus: Path,
    ingest_config: IngestConfig,
    embedder: SentenceEmbedder,
    postgres_url: str,
) -> Iterator[tuple[str, str]]:
    """Two app processes on different ports sharing one PostgreSQL database (a fresh schema)."""
    data_dir = tmp_path / "data"
    for url in _schema_url(postgres_url):
        prepare_data(data_dir, corpus, ingest_config, embedder, url)
        shared = {"PLANT_DATABASE_URL": url}
        with (
            serving(data_dir, corpus, shared, "chainlit-server-a.log") as first,
            serving(data_dir, corpus, shared, "chainlit-server-b.log") as second,
        ):
            yield first, second
