"""Tickets read from CSV, JSONL and .eml files: bad rows reported by line, the rest read."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from assistant.tickets.importing import read_file
from assistant.tickets.language import detect_language
from assistant.tickets.reading import ReadLimits, ticket_files
from tools.common.errors import PlantError

LIMITS = ReadLimits(max_bytes=5 * 2**20, max_rows=100, max_body_chars=2_000_000,
                    min_language_hits=2)  # fmt: skip

MULTIPART_EML = """\
From: =?utf-8?q?J=C3=BCrgen_M=C3=BCller?= <juergen@example.com>
To: service@plant.example
Subject: =?utf-8?q?Ventil_VB-200_undicht?=
Message-ID: <a1b2@mail.example.com>
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="OUTER"

--OUTER
Content-Type: multipart/alternative; boundary="INNER"

--INNER
Content-Type: text/plain; charset="utf-8"
Content-Transfer-Encoding: quoted-printable

Guten Tag, das Ventil ist seit gestern undicht. Bitte schicken Sie uns eine =
neue Dichtung f=C3=BCr die Seriennummer 4711.
--INNER
Content-Type: text/html; charset="utf-8"

<p>the HTML version is not used</p>
--INNER--
--OUTER
Content-Type: application/pdf
Content-Disposition: attachment; filename="lieferschein.pdf"
Content-Transfer-Encoding: base64

JVBERi0xLjQK
--OUTER
Content-Type: image/jpeg; name="leck.jpg"
Content-Transfer-Encoding: base64

/9j/4AAQ
--OUTER--
"""

PHOTO_ONLY_EML = """\
From: ops@customer.example
Subject: see photo
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="X"

--X
Content-Type: image/jpeg
Content-Disposition: attachment; filename="leak.jpg"
Content-Transfer-Encoding: base64

/9j/4AAQ
--X--
"""

HTML_EML = """\
From: b@customer.example
Subject: html only
Content-Type: text/html; charset=utf-8

<html><head><style>p {color: red}</style></head><body><p>Hello,<br>the <b>pump</b> is
broken.</p><div>Thanks</div><script>alert(1)</script></body></html>
"""


def _write(folder: Path, name: str, text: str, encoding: str = "utf-8") -> Path:
    path = folder / name
    path.write_text(text, encoding=encoding)
    return path


def test_a_malformed_csv_row_is_reported_by_line_and_the_rest_read(tmp_path: Path) -> None:
    text = (
        "External_ID, Customer ,subject,body,colour\n"
        "T-1,Anna,Leak,The valve is leaking,red\n"
        "T-2,Ben,Broken,a comma, unquoted,blue\n"
        'T-3,Carl,"Two lines","first line\nsecond line",\n'
        'T-4,Dora,Bad quote,"x"y,\n'
        "T-5,Eve,No body,,\n"
        "T-6,Finn,Last,The last one,\n"
    )
    read = read_file(_write(tmp_path, "t.csv", "\ufeff" + text), LIMITS)
    assert [(t.line, t.ticket.external_id) for t in read.tickets] == [
        (2, "T-1"), (4, "T-3"), (8, "T-6"),
    ]  # fmt: skip
    assert read.tickets[1].ticket.body == "first line\nsecond line"
    assert read.tickets[0].ticket.customer == "Anna"
    assert [(p.line, p.message.split(" ")[0]) for p in read.problems] == [
        (3, "malformed"), (6, "malformed"), (7, "no"),
    ]  # fmt: skip
    assert "6 fields where the header has 5" in read.problems[0].message
    assert [n.message for n in read.notices] == ["unknown columns ignored: colour"]


def test_a_quote_never_closed_swallows_no_rows(tmp_path: Path) -> None:
    text = (
        "external_id,customer,subject,body\n"
        "A1,Anna,Leak,The valve is leaking\n"
        'A2,Ben,Open,"the quote never closes\n'
        "A3,Carl,Claim,Our claim number please\n"
        "A4,Dora,Refund,Where is our credit note\n"
    )
    read = read_file(_write(tmp_path, "t.csv", text), LIMITS)
    assert [(t.line, t.ticket.external_id) for t in read.tickets] == [
        (2, "A1"), (4, "A3"), (5, "A4"),
    ]  # fmt: skip
    assert [p.line for p in read.problems] == [3]
    # closed rows later, the record then too long: the rows inside it are read all the same
    text = text.replace("Our claim number please", 'Our claim number please",x')
    read = read_file(_write(tmp_path, "u.csv", text), LIMITS)
    assert [t.ticket.external_id for t in read.tickets] == ["A1", "A4"]
    assert [p.line for p in read.problems] == [3, 4]
    assert "an unclosed quote?" in read.problems[0].message


def test_a_csv_without_a_body_column_is_reported(tmp_path: Path) -> None:
    read = read_file(_write(tmp_path, "t.csv", "id,text\n1,hello\n"), LIMITS)
    assert not read.tickets and "no `body` column (columns: id, text)" in str(read.problems[0])


def test_a_megabyte_body_is_read_whole_and_csv_keeps_its_field_limit(tmp_path: Path) -> None:
    body = "The pump leaks. " * 65_536  # 1 MiB, over csv's default field limit
    limit = csv.field_size_limit()
    read = read_file(_write(tmp_path, "big.csv", f'body\n"{body}"\n'), LIMITS)
    assert [len(t.ticket.body) for t in read.tickets] == [len(body.strip())]
    assert csv.field_size_limit() == limit  # process-wide: put back after the file


def test_a_windows_1252_csv_is_read_and_noticed(tmp_path: Path) -> None:
    path = _write(tmp_path, "excel.csv", "body\nDie Dichtung für Ventil 3\n", encoding="cp1252")
    read = read_file(path, LIMITS)
    assert read.tickets[0].ticket.body == "Die Dichtung für Ventil 3"
    assert "read as Windows-1252" in read.notices[0].message


def test_too_many_rows_are_reported_where_reading_stopped(tmp_path: Path) -> None:
    limits = ReadLimits(max_bytes=2**20, max_rows=2, max_body_chars=1_000, min_language_hits=2)
    read = read_file(_write(tmp_path, "t.csv", "body\none\ntwo\nthree\nfour\n"), limits)
    assert [t.ticket.body for t in read.tickets] == ["one", "two"]
    assert read.problems[0].line == 4 and "more than 2 tickets" in read.problems[0].message


def test_bad_jsonl_lines_are_reported_and_the_rest_read(tmp_path: Path) -> None:
    lines = [
        '{"external_id": "J-1", "body": "Where is my delivery?", "priority": "high"}',
        '{"body": "unterminated',
        "",
        '["a", "list"]',
        '{"body": {"nested": true}}',
        '{"external_id": 17, "serial": 4711, "body": "Wrong invoice\\u2028amount", "x": 1}',
        '{"subject": "no body"}',
    ]
    read = read_file(_write(tmp_path, "t.jsonl", "\n".join(lines) + "\n"), LIMITS)
    assert [(t.line, t.ticket.external_id, t.ticket.serial) for t in read.tickets] == [
        (1, "J-1", ""), (6, "17", "4711"),
    ]  # fmt: skip
    assert read.tickets[1].ticket.body == "Wrong invoice\u2028amount"
    assert [(p.line, p.message[:16]) for p in read.problems] == [
        (2, "not valid JSON ("), (4, "not a JSON objec"), (5, "`body` must be t"),
        (7, "no body: the cus"),
    ]  # fmt: skip
    assert [n.message for n in read.notices] == ["unknown columns ignored: priority, x"]


def test_a_multipart_quoted_printable_mail_lists_its_attachments(tmp_path: Path) -> None:
    read = read_file(_write(tmp_path, "m.eml", MULTIPART_EML), LIMITS)
    [incoming] = read.tickets
    ticket = incoming.ticket
    assert ticket.body.endswith("eine neue Dichtung für die Seriennummer 4711.")
    assert "HTML" not in ticket.body
    assert (ticket.external_id, ticket.customer, ticket.subject, ticket.channel) == (
        "<a1b2@mail.example.com>", "Jürgen Müller <juergen@example.com>",
        "Ventil VB-200 undicht", "email",
    )  # fmt: skip
    assert ticket.attachments == ["lieferschein.pdf", "leck.jpg"]
    assert ticket.language == "de" and not read.problems


def test_an_html_mail_is_read_as_text(tmp_path: Path) -> None:
    [incoming] = read_file(_write(tmp_path, "h.eml", HTML_EML), LIMITS).tickets
    assert incoming.ticket.body == "Hello,\nthe pump is broken.\nThanks"
    assert incoming.ticket.external_id is None and incoming.ticket.attachments == []


def test_a_mail_without_a_text_body_is_skipped_with_a_message(tmp_path: Path) -> None:
    read = read_file(_write(tmp_path, "p.eml", PHOTO_ONLY_EML), LIMITS)
    assert not read.tickets
    assert [str(p) for p in read.problems] == [
        f"{tmp_path / 'p.eml'}: no text body (attachments: leak.jpg)"
    ]


def test_files_are_checked_before_anything_is_read(tmp_path: Path) -> None:
    with pytest.raises(PlantError, match=r"notes\.txt: not a ticket file"):
        ticket_files([_write(tmp_path, "notes.txt", "hi")], LIMITS)
    with pytest.raises(PlantError, match=r"missing\.csv: cannot be read"):
        ticket_files([tmp_path / "missing.csv"], LIMITS)
    small = ReadLimits(max_bytes=10, max_rows=1, max_body_chars=1_000, min_language_hits=2)
    with pytest.raises(PlantError, match=r"big\.csv: .* over the limit .*TICKET_FILE_MAX_MB"):
        ticket_files([_write(tmp_path, "big.csv", "body\n" + "x" * 20)], small)
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    mails = [_write(inbox, name, HTML_EML) for name in ("b.eml", "a.EML")]
    _write(inbox, "readme.md", "not a ticket")
    assert ticket_files([inbox, mails[0]], LIMITS) == sorted(mails)
    (tmp_path / "empty").mkdir()
    with pytest.raises(PlantError, match=r"empty: holds no \.csv, \.jsonl, \.eml files"):
        ticket_files([tmp_path / "empty"], LIMITS)


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("The pump has been leaking since Monday, please send a technician.", "en"),
        ("Die Pumpe ist seit Montag undicht. Bitte schicken Sie einen Techniker.", "de"),
        ("Bonjour, la pompe ne fonctionne pas depuis lundi. Merci de nous aider.", "fr"),
        ("Hola, la bomba no funciona desde el lunes. Gracias por su ayuda.", "es"),
        ("Buongiorno, la pompa non funziona da lunedì. Grazie per il vostro aiuto.", "it"),
        ("VB-200 SN 4711", None),
    ],
)
def test_the_language_is_guessed_from_common_words(text: str, language: str | None) -> None:
    assert detect_language(text, min_hits=2) == language
