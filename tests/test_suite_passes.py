"""The PostgreSQL pass of `make test` (`--settings-database-only`) leaves out the tests a
first pass already ran on both backends and the modules marked `database_free`, and keeps
the tests whose code opens the settings' database."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MODULES = [
    "tests/assistant/persistence/test_tokens.py",  # takes `database_url`: both backends
    "tests/assistant/tickets/test_triage.py",  # marked `database_free`
    "tests/assistant/cli/test_tokens.py",  # `plant tokens` opens the settings' database
]


def collected(*options: str) -> set[str]:
    env = {**os.environ, "PLANT_TEST_DATABASE": "postgresql"}
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider",
         *options, *MODULES],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    return {line for line in done.stdout.splitlines() if "::" in line}


def test_the_postgresql_pass_keeps_only_the_settings_database_tests() -> None:
    every, kept = collected(), collected("--settings-database-only")
    assert {test.split("::")[0] for test in every} == set(MODULES)
    assert {test for test in every if test.startswith(MODULES[2])} <= kept  # all of them
    assert not any(test.startswith(MODULES[1]) for test in kept)
    persistence = {test for test in every if test.startswith(MODULES[0])}
    # of the persistence module only the test that opens no database is left (it is quick)
    assert persistence & kept == {f"{MODULES[0]}::test_scopes_are_checked_and_normalised"}
