"""Chainlit's own data layer keeps chat history in the tables revision 0003 makes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from sqlalchemy import inspect

from assistant.persistence.db import make_engine
from assistant.ui.history import async_connection

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[2]


def _async(url: str) -> list[str]:
    """The async URL Chainlit is given for `url`, and the search path (PostgreSQL schema)."""
    async_url, connect_args = async_connection(url)
    schema = connect_args.get("server_settings", {}).get("search_path")
    return [async_url, schema] if schema else [async_url]


def _run_chainlit(url: str, cwd: Path) -> dict[str, Any]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("DATABASE_URL", None)  # Chainlit would build a data layer of its own from it
    done = subprocess.run(
        [sys.executable, str(HERE / "chainlit_history.py"), *_async(url)],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def test_chainlit_stores_and_reads_a_conversation(database_url: str, tmp_path: Path) -> None:
    engine = make_engine(database_url)
    result = _run_chainlit(database_url, tmp_path)
    assert result["warnings"] == []
    assert result["user"] == ["anna", {"role": "operator"}]
    assert result["author"] == "anna"
    name, user_identifier, metadata = result["thread"]
    assert [name, user_identifier, json.loads(metadata)] == ["OD-12", "anna", {"topic": "spc"}]
    steps = sorted(map(tuple, result["steps"]))
    assert steps == [("tool", "in control"), ("user_message", "is OD-12 in control?")]
    assert [(f["value"], f["comment"]) for f in result["feedback"]] == [(1, "right")]
    assert result["listed"] == [True]
    assert result["favorites"] == ["in control"]
    assert result["after_delete"] is None
    columns = {
        table: {c["name"] for c in inspect(engine).get_columns(table)}
        for table in ("steps", "elements", "feedbacks")
    }
    for table, keys in result["keys"].items():
        assert set(keys) <= columns[table], f"{table} lacks {set(keys) - columns[table]}"
