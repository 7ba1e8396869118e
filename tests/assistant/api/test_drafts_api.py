"""POST /api/tickets/{id}/draft: the reply drafted, stored and the ticket `drafted`."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlmodel import Session

from assistant.answering.answers import Citation
from assistant.api import make_api, mount_first
from assistant.persistence.db import make_engine
from assistant.persistence.tickets import transition
from assistant.persistence.tokens import create_token
from assistant.settings import Settings
from assistant.tickets.drafting import Draft, DraftRequest, TicketDrafter
from tools.common.errors import PlantError

TICKET = {"external_id": "HD-7", "subject": "Claim", "body": "How long is the warranty?"}


class FixedDrafter:
    """Stands in for the drafter over an index: records what it was asked, returns one draft."""

    def __init__(self) -> None:
        self.seen: list[tuple[DraftRequest, str]] = []

    def draft(self, ticket: DraftRequest, agent: str) -> Draft:
        self.seen.append((ticket, agent))
        cited = Citation(n=1, source="warranty.docx", section="Periods", text="24 months.")
        return Draft(
            text=f"Dear customer,\n\nValve bodies: 24 months. [1]\n\nKind regards,\n{agent}",
            citations=[cited], unanswered=["Which grease?"], notes=["Urgent ticket"],
        )  # fmt: skip


def _no_index() -> TicketDrafter:
    raise PlantError("No index in /nowhere: run plant ingest first.")


@pytest.fixture
def settings(tmp_path: Path, suite_database: str) -> Settings:
    return Settings(data_dir=tmp_path / "data", database_url=suite_database)


@pytest.fixture
def session(settings: Settings) -> Iterator[Session]:
    with Session(make_engine(settings.resolved_database_url)) as session:
        yield session


def _client(settings: Settings, drafter: Any) -> TestClient:
    app = FastAPI()
    mount_first(app, "/api", make_api(settings, load_drafter=lambda: drafter()))
    return TestClient(app)


def _headers(session: Session) -> dict[str, str]:
    _, token = create_token(session, name="helpdesk", scopes=["tickets:write"])
    return {"Authorization": f"Bearer {token}"}


def _created(client: TestClient, headers: dict[str, str]) -> int:
    response = client.post("/api/tickets", json=TICKET, headers=headers)
    assert response.status_code == 201, response.text
    ticket_id: int = response.json()["id"]
    return ticket_id


def test_a_draft_is_stored_with_its_citations_and_the_ticket_drafted(
    settings: Settings, session: Session
) -> None:
    drafter = FixedDrafter()
    client, headers = _client(settings, lambda: drafter), _headers(session)
    ticket_id = _created(client, headers)
    response = client.post(
        f"/api/tickets/{ticket_id}/draft", json={"agent": "Ana"}, headers=headers
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["ticket"]["status"] == "drafted" and body["ticket"]["draft"].endswith("Ana")
    assert body["ticket"]["citations"][0]["source"] == "warranty.docx"
    assert body["unanswered"] == ["Which grease?"] and body["unsupported_promises"] == []
    [(request, agent)] = drafter.seen
    assert (request.body, request.external_id, agent) == (TICKET["body"], "HD-7", "Ana")
    fields = [e["field"] for e in body["ticket"]["events"]]
    assert {"draft", "citations", "status"} <= set(fields)


def test_an_approved_ticket_is_not_redrafted(settings: Settings, session: Session) -> None:
    drafter = FixedDrafter()
    client, headers = _client(settings, lambda: drafter), _headers(session)
    ticket_id = _created(client, headers)
    client.post(f"/api/tickets/{ticket_id}/draft", json={}, headers=headers)
    transition(session, ticket_id=ticket_id, to="approved", actor="t", final_reply="Dear ...")
    again = client.post(f"/api/tickets/{ticket_id}/draft", json={}, headers=headers)
    assert again.status_code == 409 and "approved" in again.json()["detail"]


def test_without_an_index_the_draft_is_refused_with_503(
    settings: Settings, session: Session
) -> None:
    client, headers = _client(settings, _no_index), _headers(session)
    ticket_id = _created(client, headers)
    response = client.post(f"/api/tickets/{ticket_id}/draft", json={}, headers=headers)
    assert response.status_code == 503 and "plant ingest" in response.json()["detail"]


def test_drafting_needs_the_write_scope(settings: Settings, session: Session) -> None:
    client = _client(settings, FixedDrafter)
    _, token = create_token(session, name="reader", scopes=["tickets:read"])
    response = client.post(
        "/api/tickets/1/draft", json={}, headers={"Authorization": f"Bearer {token}"}
    )
    assert response.status_code == 403
