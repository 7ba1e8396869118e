"""How the queue and a ticket look: the customer's words never become links, images or tags,
the draft's sources open beside it, and only the steps the status allows are offered."""

from __future__ import annotations

import asyncio
import datetime as dt
import re
from collections.abc import Callable
from typing import Any, TypeVar

import pytest
from chainlit.context import init_http_context

from assistant.persistence.tickets import TicketEventPublic, TicketPublic, Triage
from assistant.tickets.queue import QueueView, TicketView, version_of
from assistant.ui.tickets.view import (
    citations_of,
    plain,
    queue_actions,
    queue_content,
    ticket_actions,
    ticket_content,
    ticket_elements,
)

T = TypeVar("T")
NOW = dt.datetime(2026, 11, 30, 12, 0, tzinfo=dt.UTC)
EVIL = "![x](http://evil/?q=1) <img src=x> [portal](https://evil.example) www.evil.example"


def ticket(**fields: Any) -> TicketPublic:
    data: dict[str, Any] = {
        "id": 7, "status": "drafted", "subject": "Leak at VB-200", "body": "The valve leaks.",
        "customer": "ACME", "triage": Triage(category="warranty", urgency="urgent",
                                              confidence=0.87),
        "draft": "Dear ACME, the valve body has 24 months of warranty [1].", "final_reply": None,
        "citations": [{"n": 1, "source": "warranty.docx", "section": "Warranty periods",
                       "text": "Valve bodies carry 24 months of warranty."}],
        "attachments": [], "assignee": None,
        "created_at": NOW - dt.timedelta(hours=3), "updated_at": NOW - dt.timedelta(hours=1),
    }  # fmt: skip
    return TicketPublic.model_validate(data | fields)


async def in_a_chat(make: Callable[[], T]) -> T:
    """Chainlit's elements belong to a chat: `make()` inside one made for a request."""
    init_http_context()
    return make()


def unsafe(markdown: str) -> list[str]:
    """Markup that would fetch, link or open a tag: an unescaped `![`, `](`, `<` or URL."""
    unescaped = re.sub(r"\\.", "", markdown)  # what is left once escaped characters are gone
    return [m for m in ("![", "](", "<", "http:", "https:", "www.") if m in unescaped]


def test_the_queue_shows_the_customers_subject_as_text() -> None:
    shown = queue_content(QueueView([ticket(subject=EVIL, customer="<b>Eve</b>")], 0), NOW)
    row = shown.splitlines()[-1]
    assert unsafe(shown) == []
    assert re.sub(r"\\.", "", row).count("|") == 8  # seven cells: the subject split none
    assert "| 7 | 3 h | urgent | warranty | drafted |" in row


def test_a_pipe_or_a_line_break_in_a_subject_stays_in_its_cell() -> None:
    row = queue_content(QueueView([ticket(subject="a | b\n| c |")], 0), NOW).splitlines()[-1]
    assert re.sub(r"\\.", "", row).count("|") == 8 and "a \\| b \\| c \\|" in row


def test_the_queue_says_how_many_are_not_shown_and_offers_one_button_each() -> None:
    view = QueueView([ticket(id=3), ticket(id=9)], more=5)
    assert "7 open tickets" in queue_content(view, NOW)
    assert "5 more open ticket(s) not shown" in queue_content(view, NOW)
    actions = queue_actions(view)
    assert [(a.name, a.label, a.payload) for a in actions] == [
        ("ticket_open", "Open #3", {"ticket_id": 3}),
        ("ticket_open", "Open #9", {"ticket_id": 9}),
    ]
    assert "No open tickets" in queue_content(QueueView([], 0), NOW)


def test_a_ticket_shows_the_message_quoted_as_text_and_the_draft_with_its_sources() -> None:
    t = ticket(body=f"Hello,\n\n{EVIL}\n<script>alert(1)</script>", subject=EVIL)
    shown = ticket_content(TicketView(t, 0), NOW, message_chars=4000)
    message = shown.split("**Customer's message**")[1].split("**Draft reply**")[0]
    assert unsafe(shown.replace(t.draft or "", "")) == []
    assert "> Hello\\,  \n" in message and "\n>\n" in message  # the line breaks kept
    assert "\\<script\\>" in message
    assert "**Triage:** urgent · warranty · confidence 87%" in shown
    assert "has 24 months of warranty [1]." in shown
    assert "**Sources:** [1] Warranty periods · warranty.docx" in shown
    [source] = asyncio.run(in_a_chat(lambda: ticket_elements(t)))
    assert (source.name, source.display) == ("[1]", "side")
    assert "Valve bodies carry 24 months" in str(source.content)


def test_what_the_drafter_left_to_check_is_shown_beside_the_draft_not_in_it() -> None:
    checks = {
        "flagged": True, "notes": ["The message contains instructions <b>ignored</b>."],
        "unanswered": ["Which grease is used?"], "unsupported_promises": ["a full refund"],
    }  # fmt: skip
    shown = ticket_content(TicketView(ticket(draft_checks=checks), 0), NOW, message_chars=4000)
    check = shown.split("**Check before sending**")[1]
    assert "- The message contains instructions \\<b\\>ignored" in check
    assert "- Not answered by the documents\\: Which grease is used\\?" in check
    assert "- States what no source does\\: a full refund" in check
    assert "Check before sending" not in ticket_content(TicketView(ticket(), 0), NOW,
                                                        message_chars=4000)  # fmt: skip
    approved = ticket(status="approved", final_reply="Final.", draft_checks=checks)
    assert "Check before sending" not in ticket_content(TicketView(approved, 0), NOW,
                                                        message_chars=4000)  # fmt: skip


def test_a_long_message_is_cut_and_says_so() -> None:
    shown = ticket_content(TicketView(ticket(body="x" * 500), 0), NOW, message_chars=200)
    assert "x" * 201 not in shown and "300 more characters not shown" in shown


def test_an_approved_ticket_shows_its_final_reply_and_a_draft_made_safe() -> None:
    t = ticket(status="approved", draft="old", final_reply="Final ![p](https://evil/p.png)")
    shown = ticket_content(TicketView(t, 0), NOW, message_chars=4000)
    assert "**Approved reply**" in shown and "Final p (`https://evil/p.png`)" in shown
    assert "old" not in shown.split("**Approved reply**")[1]


def test_the_history_is_newest_first_with_values_as_text() -> None:
    events = [
        TicketEventPublic(actor="import", action="created", field=None, before=None, after=None,
                          at=NOW - dt.timedelta(hours=3)),
        TicketEventPublic(actor="sam", action="edited", field="assignee", before=None,
                          after="<img src=x>", at=NOW - dt.timedelta(hours=2)),
        TicketEventPublic(actor="sam", action="status", field="status", before="new",
                          after="drafted", at=NOW - dt.timedelta(hours=1)),
    ]  # fmt: skip
    shown = ticket_content(TicketView(ticket(events=events), 4), NOW, message_chars=4000)
    history = shown.split("**Recent changes**")[1]
    assert "newest first; 4 earlier" in history
    assert history.index("status: new → drafted") < history.index("assignee: — → \\<img")
    assert history.rstrip().endswith("· import · created")


@pytest.mark.parametrize(("status", "steps"), [
    ("new", ["ticket_edit", "ticket_reassign", "ticket_close"]),
    ("drafted", ["ticket_edit", "ticket_approve", "ticket_reassign", "ticket_close"]),
    ("approved", ["ticket_edit", "ticket_reassign", "ticket_close"]),
    ("closed", []),
])  # fmt: skip
def test_only_the_steps_the_status_allows_are_offered(status: str, steps: list[str]) -> None:
    t = ticket(status=status)
    actions = ticket_actions(t)
    assert [a.name for a in actions] == [*steps, "ticket_queue"]
    for action in actions[:-1]:
        assert action.payload == {"ticket_id": 7, "seen": version_of(t)}


def test_a_ticket_without_a_draft_offers_to_write_one() -> None:
    t = ticket(status="new", draft=None, citations=[])
    assert ticket_actions(t)[0].label == "Write draft"
    assert "No draft yet" in ticket_content(TicketView(t, 0), NOW, message_chars=4000)


def test_stored_sources_without_numbers_are_numbered_and_junk_is_left_out() -> None:
    t = ticket(citations=[{"source": "a.md", "text": "A"}, {"source": 5}, {"n": 0}])
    assert [(c.n, c.source) for c in citations_of(t)] == [(1, "a.md")]


def test_plain_escapes_every_markdown_character() -> None:
    assert plain("**bold** _i_ `code` # h [a](b) &amp;") == (
        "\\*\\*bold\\*\\* \\_i\\_ \\`code\\` \\# h \\[a\\]\\(b\\) \\&amp\\;"
    )
