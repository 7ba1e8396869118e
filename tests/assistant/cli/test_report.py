"""`plant report feedback` on Chainlit's history tables in a migrated SQLite file."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text
from typer.testing import CliRunner

from assistant.cli.main import app
from assistant.settings import get_settings
from assistant.wiring import make_engine

runner = CliRunner()


@pytest.fixture
def history(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Two threads of two users: one answer marked wrong with a comment, one marked right."""
    monkeypatch.setenv("PLANT_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("PLANT_DATABASE_URL", raising=False)
    get_settings.cache_clear()
    meta = {"question": "what torque for the vice?", "intent": "manual_question",
            "sources": ["[1] Vices · om-vmc-850.pdf p.12"]}  # fmt: skip
    rows = [
        'INSERT INTO users ("id", "identifier", "createdAt", "metadata") VALUES '
        "('u1', 'anna', '2026-11-01T08:00:00Z', '{}'), ('u2', 'olaf', '2026-11-01', '{}')",
        'INSERT INTO threads ("id", "userId", "userIdentifier", "createdAt") VALUES '
        "('t1', 'u1', 'anna', '2026-11-20T09:00:00Z'), ('t2', 'u2', 'olaf', '2026-11-02')",
        'INSERT INTO steps ("id", "name", "type", "threadId", "streaming", "output", '
        '"metadata", "createdAt") VALUES '
        "('s1', 'Assistant', 'assistant_message', 't1', false, 'Use 40 Nm [1]', :meta, "
        "'2026-11-20T09:00:05Z'), "
        "('s2', 'Assistant', 'assistant_message', 't2', false, 'Shift A starts 06:00', '{}', "
        "'2026-11-02T10:00:00Z'), ('r1', 'on_message', 'run', 't1', false, '', '{}', "
        "'2026-11-20T09:00:01Z')",
        "UPDATE steps SET \"parentId\" = 'r1' WHERE \"id\" = 's1'",
        'INSERT INTO feedbacks ("id", "forId", "threadId", "value", "comment") VALUES '
        # the chat rates the run step of the message an answer replied to (s1 is under r1)
        "('f1', 'r1', 't1', 0, 'the manual says 60 Nm'), ('f2', 's2', 't2', 1, NULL)",
    ]
    with make_engine(get_settings()).begin() as connection:
        for sql in rows:
            connection.execute(text(sql), {"meta": json.dumps(meta)})
    yield tmp_path
    get_settings.cache_clear()


def test_answers_marked_wrong_as_json_lines(history: Path) -> None:
    result = runner.invoke(app, ["report", "feedback", "--json"])
    assert result.exit_code == 0, result.output
    [line] = result.stdout.splitlines()
    assert json.loads(line) == {
        "question": "what torque for the vice?",
        "answer": "Use 40 Nm [1]",
        "rating": 0,
        "comment": "the manual says 60 Nm",
        "intent": "manual_question",
        "user": "anna",
        "thread_id": "t1",
        "sources": ["[1] Vices · om-vmc-850.pdf p.12"],
    }


def test_since_all_and_a_bad_date(history: Path) -> None:
    later = runner.invoke(app, ["report", "feedback", "--since", "2026-11-21", "--json"])
    assert later.exit_code == 0 and later.stdout == ""
    every = runner.invoke(app, ["report", "feedback", "--all", "--json"])
    assert [json.loads(x)["rating"] for x in every.stdout.splitlines()] == [1, 0]
    table = runner.invoke(app, ["report", "feedback"])
    assert "manual" in table.stdout and "anna" in table.stdout and "olaf" not in table.stdout
    bad = runner.invoke(app, ["report", "feedback", "--since", "last tuesday"])
    assert bad.exit_code != 0 and "YYYY-MM-DD" in bad.output
