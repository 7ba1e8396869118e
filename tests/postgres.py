"""PostgreSQL for the tests: a throwaway server in a temporary folder, and a fresh schema per
test on it.

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

POSTGRES_ENV = "PLANT_TEST_POSTGRES_URL"


def initdb_path() -> str | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    return found[-1] if found else shutil.which("initdb")


def throwaway_server(initdb: str) -> Iterator[str]:
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


def schema_url(base: str) -> Iterator[str]:
    """`base` with a new, empty schema first on the search path; the schema is dropped after."""
    schema = f"plant_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(base)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = make_url(base).update_query_dict({"options": f"-csearch_path={schema}"})
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        # a session the test left open (idle in a transaction) would hold its locks on the
        # schema's tables for ever: the tests run one at a time, so it is ended first
        with admin.begin() as connection:
            connection.execute(
                text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE "
                    "datname = current_database() AND pid <> pg_backend_pid() AND "
                    "state LIKE 'idle in transaction%'"
                )
            )
            connection.execute(text("SET LOCAL lock_timeout = '30s'"))
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()
