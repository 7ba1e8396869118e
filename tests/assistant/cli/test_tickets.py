"""`plant tickets import|list|show` on a real database (the suite's: SQLite or PostgreSQL)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import Session
from typer.testing import CliRunner

from assistant.cli.main import app
from assistant.cli.tickets import LIST_KEYS, STATUSES_HELP
from assistant.persistence.db import make_engine
from assistant.persistence.tickets import STATUSES, TicketUpdate, find_ticket, update_ticket
from assistant.settings import get_settings

runner = CliRunner()

CSV = (
    "external_id,customer,product,serial,channel,subject,body,priority\n"
    "HD-1,Anna,VB-200,4711,web,Leak,The valve is leaking since Monday,high\n"
    "HD-2,Ben,P-100,,web,Broken,a comma, not quoted,low\n"
    "HD-3,Carl,P-100,,phone,Invoice,,\n"
    "HD-4,Dora,SK-6,,web,Seal kit,Where is my seal kit? It was due last week.,\n"
)
JSONL = (
    '{"external_id": "HD-5", "subject": "Pumpe", "body": "Die Pumpe ist seit gestern laut."}\n'
    "{not json}\n"
    '{"body": "A ticket without an id, thanks for checking"}\n'
)
EML = """\
From: Jo Customer <jo@customer.example>
Subject: Seal kit for VB-200
Message-ID: <m-1@customer.example>
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="B"

--B
Content-Type: text/plain; charset="utf-8"
Content-Transfer-Encoding: quoted-printable

Please send a new seal kit =E2=80=93 the old one leaks.
--B
Content-Type: application/pdf
Content-Disposition: attachment; filename="invoice.pdf"

%PDF-1.4
--B--
"""
PHOTO_ONLY_EML = """\
From: ops@customer.example
Subject: photo
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="B"

--B
Content-Type: image/png
Content-Disposition: attachment; filename="leak.png"

PNG
--B--
"""


@pytest.fixture
def env(data_dir_env: Path) -> Path:
    """A data directory of its own (`conftest.data_dir_env`)."""
    return data_dir_env


def _files(folder: Path) -> list[str]:
    files = {"t.csv": CSV, "t.jsonl": JSONL, "m.eml": EML, "photo.eml": PHOTO_ONLY_EML}
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    return [str(folder / name) for name in files]


def _run(*args: str) -> Any:
    result = runner.invoke(app, ["tickets", *args])
    assert result.exit_code == 0, result.output
    return result


def _json(*args: str) -> Any:
    return json.loads(_run(*args, "--json").stdout)


def test_import_reports_bad_rows_by_line_and_imports_the_rest(env: Path) -> None:
    summary = _json("import", *_files(env), "--by", "imp")
    assert {k: summary[k] for k in ("files", "read", "created", "already_imported")} == {
        "files": 4, "read": 5, "created": 5, "already_imported": 0,
    }  # fmt: skip
    problems = [(Path(p["file"]).name, p["line"], p["message"][:14]) for p in summary["problems"]]
    assert problems == [
        ("t.csv", 3, "malformed row:"),
        ("t.csv", 4, "no body: the c"),
        ("t.jsonl", 2, "not valid JSON"),
        ("photo.eml", None, "no text body ("),
    ]
    assert "leak.png" in summary["problems"][-1]["message"]
    assert [(Path(n["file"]).name, n["message"]) for n in summary["notices"]] == [
        ("t.csv", "unknown columns ignored: priority")
    ]


def test_a_second_import_creates_nothing_and_says_so(env: Path) -> None:
    files = _files(env)
    first = _run("import", *files)
    assert "Imported 5 new ticket(s) from 4 files; 4 skipped." in first.stdout
    again = _run("import", *files)
    assert "Nothing new: the 5 ticket(s) in 4 files were imported before." in again.stdout
    assert "t.csv:3: malformed row" in " ".join(again.stderr.split())  # still reported
    assert len(_run("list", "--json").stdout.splitlines()) == 5


def test_list_is_urgent_first_then_oldest_with_stable_keys(env: Path) -> None:
    _run("import", *_files(env))
    with Session(make_engine(get_settings().resolved_database_url)) as session:
        for external_id, urgency in (("HD-4", "normal"), ("HD-5", "urgent")):
            ticket = find_ticket(session, external_id=external_id)
            assert ticket is not None and ticket.id is not None
            update = TicketUpdate(urgency=urgency, category="delivery")
            update_ticket(session, ticket_id=ticket.id, update=update, actor="triage")
    rows = [json.loads(line) for line in _run("list", "--json").stdout.splitlines()]
    assert all(tuple(row) == LIST_KEYS for row in rows)
    expected = ["HD-5", "HD-4", "HD-1", None, "<m-1@customer.example>"]
    assert [row["external_id"] for row in rows] == expected
    assert rows[0]["urgency"] == "urgent" and rows[0]["category"] == "delivery"
    assert _run("list", "--status", "closed", "--json").stdout == ""
    assert "No tickets with status closed" in _run("list", "--status", "closed").stdout
    table = _run("list").stdout
    assert "5 ticket(s)" in table and "Seal kit" in table


def test_show_json_has_the_ticket_its_triage_and_its_events(env: Path) -> None:
    _run("import", *_files(env), "--by", "dora")
    shown = _json("show", "<m-1@customer.example>")
    assert set(shown) >= {
        "id", "external_id", "status", "customer", "subject", "body", "language", "triage",
        "draft", "final_reply", "citations", "attachments", "assignee", "created_at", "events",
    }  # fmt: skip
    assert shown["triage"] == {"category": None, "urgency": None, "confidence": None}
    assert (shown["draft"], shown["citations"], shown["attachments"]) == (None, [], ["invoice.pdf"])
    assert shown["body"] == "Please send a new seal kit – the old one leaks."
    assert (shown["customer"], shown["channel"], shown["language"]) == (
        "Jo Customer <jo@customer.example>", "email", "en",
    )  # fmt: skip
    [event] = shown["events"]
    assert (event["actor"], event["action"], event["before"]) == ("dora", "imported", None)
    assert Path(event["after"]["file"]).name == "m.eml"
    assert _json("show", str(shown["id"])) == shown
    text = _run("show", str(shown["id"])).stdout
    assert "Seal kit for VB-200" in text and "imported" in text and "invoice.pdf" in text


def test_user_errors_name_the_file_or_ticket(env: Path) -> None:
    (env / "notes.txt").write_text("hello", encoding="utf-8")
    for args, message in (
        (["import", str(env / "notes.txt")], "notes.txt: not a ticket file"),
        (["import", str(env / "gone.csv")], "gone.csv: cannot be read"),
        (["show", "99"], "No ticket 99"),
        (["show", "HD-404"], "No ticket 'HD-404'"),
        (["list", "--status", "open"], "Unknown status 'open'"),
    ):
        result = runner.invoke(app, ["tickets", *args])
        assert result.exit_code == 1, result.output
        assert message in " ".join(result.stderr.split()), result.stderr


def test_the_status_help_names_every_status() -> None:
    assert all(status in STATUSES_HELP for status in STATUSES)


def test_triage_sets_category_and_urgency_and_records_it(
    env: Path, tiny_ticket_model: Path
) -> None:
    import shutil

    shutil.copytree(tiny_ticket_model, get_settings().ticket_model_dir)
    _json("import", *_files(env))
    lines = [json.loads(line) for line in _run("triage", "--json").stdout.splitlines()]
    assert len(lines) == 5 and all(line["urgency"] in ("urgent", "normal") for line in lines)
    listed = [json.loads(line) for line in _run("list", "--json").stdout.splitlines()]
    assert all(t["category"] and t["urgency"] for t in listed)
    shown = _json("show", str(lines[0]["id"]))
    assert shown["triage"]["category"] == lines[0]["category"]
    assert {e["field"] for e in shown["events"] if e["action"] == "edited"} >= {
        "category",
        "urgency",
    }


def test_triage_without_a_model_says_how_to_train(env: Path) -> None:
    result = runner.invoke(app, ["tickets", "triage"])
    assert result.exit_code != 0 and "plant train tickets" in result.output


def test_an_unknown_training_recipe_is_named(env: Path) -> None:
    result = runner.invoke(app, ["train", "tickets", "--recipe", "bert"])
    assert result.exit_code == 1, result.output
    assert "Unknown recipe 'bert'" in " ".join(result.stderr.split())
    assert not get_settings().ticket_model_dir.exists()
