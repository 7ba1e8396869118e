"""The helpdesk API over HTTP (FastAPI's TestClient) on a real database (the suite's)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlmodel import Session

from assistant.api import make_api, mount_first
from assistant.persistence.db import make_engine
from assistant.persistence.tickets import TicketUpdate, transition, update_ticket
from assistant.persistence.tokens import create_token, revoke_token
from assistant.settings import Settings
from assistant.tickets.triage import TicketTriage, TriageModelMissing, TriageResult

TICKET = {
    "external_id": "HD-1", "customer": "Anna", "product": "VB-200", "serial": "4711",
    "channel": "web", "subject": "Leak", "body": "The valve leaks since Monday.",
    "attachments": ["leak.jpg"],
}  # fmt: skip


class FixedTriage(TicketTriage):
    """Stands in for the trained classifiers, which take minutes to train: every ticket is an
    urgent warranty case."""

    def __init__(self) -> None:
        self.seen: list[tuple[str, str]] = []

    def triage_many(self, tickets: list[tuple[str, str]]) -> list[TriageResult]:
        self.seen += tickets
        return [TriageResult("warranty", 0.91234, "urgent", 0.8) for _ in tickets]


def _no_model() -> TicketTriage:
    raise TriageModelMissing(
        "No ticket triage model in /nowhere. Train it with: plant train tickets"
    )


@pytest.fixture
def settings(tmp_path: Path, suite_database: str) -> Settings:
    return Settings(data_dir=tmp_path / "data", database_url=suite_database, api_max_request_mb=0.1)


@pytest.fixture
def session(settings: Settings) -> Iterator[Session]:
    with Session(make_engine(settings.resolved_database_url)) as session:
        yield session


@pytest.fixture
def client(settings: Settings) -> TestClient:
    """The API as the chat server serves it, under /api; no triage model trained."""
    app = FastAPI()
    mount_first(app, "/api", make_api(settings, load_triage=_no_model))
    return TestClient(app)


def _token(session: Session, *scopes: str, name: str = "helpdesk") -> dict[str, str]:
    _, token = create_token(session, name=name, scopes=scopes)
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def writer(session: Session) -> dict[str, str]:
    return _token(session, "tickets:write")


def _create(client: TestClient, headers: dict[str, str], **fields: Any) -> dict[str, Any]:
    response = client.post("/api/tickets", json=TICKET | fields, headers=headers)
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


# ------------------------------------------------------------------------------ tokens
@pytest.mark.parametrize(
    "authorization",
    [None, "Bearer pa_wrong", "Basic YWRtaW46YWRtaW4=", "Bearer", "pa_no-scheme"],
)
def test_no_valid_token_is_401_with_a_bearer_challenge(
    client: TestClient, writer: dict[str, str], authorization: str | None
) -> None:
    headers = {"Authorization": authorization} if authorization else {}
    response = client.get("/api/tickets", headers=headers)
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"
    assert response.json()["detail"]


def test_the_chat_sign_in_cookie_is_no_token(client: TestClient, writer: dict[str, str]) -> None:
    client.cookies.set("access_token", "eyJhbGciOiJIUzI1NiJ9.e30.signature")
    assert client.get("/api/tickets").status_code == 401


def test_a_revoked_token_is_401(client: TestClient, session: Session) -> None:
    headers = _token(session, "tickets:read")
    assert client.get("/api/tickets", headers=headers).status_code == 200
    revoke_token(session, name="helpdesk")
    response = client.get("/api/tickets", headers=headers)
    assert response.status_code == 401 and "revoked" in response.json()["detail"]


def test_a_read_token_may_not_write(client: TestClient, session: Session) -> None:
    reader = _token(session, "tickets:read")
    response = client.post("/api/tickets", json=TICKET, headers=reader)
    assert response.status_code == 403
    assert response.json() == {"detail": "The API token 'helpdesk' lacks the scope tickets:write."}
    assert client.get("/api/tickets", headers=reader).json() == []  # nothing was stored


# ------------------------------------------------------------------------------ create
def test_create_stores_the_ticket_untriaged_without_a_model(
    client: TestClient, writer: dict[str, str]
) -> None:
    created = _create(client, writer)
    assert (created["status"], created["external_id"], created["attachments"]) == (
        "new", "HD-1", ["leak.jpg"],
    )  # fmt: skip
    assert created["triaged"] is False and "plant train tickets" in created["triage_note"]
    assert created["triage"] == {"category": None, "urgency": None, "confidence": None}
    [event] = created["events"]
    assert (event["actor"], event["action"], event["after"]["via"]) == (
        "api:helpdesk", "created", "api",
    )  # fmt: skip


def test_create_triages_at_once_with_a_model(settings: Settings, session: Session) -> None:
    triage = FixedTriage()
    app = FastAPI()
    mount_first(app, "/api", make_api(settings, load_triage=lambda: triage))
    created = _create(TestClient(app), _token(session, "tickets:write"))
    assert triage.seen == [("Leak", "The valve leaks since Monday.")]
    assert created["triaged"] is True and created["triage_note"] is None
    assert created["triage"] == {"category": "warranty", "urgency": "urgent", "confidence": 0.9123}
    assert {e["field"] for e in created["events"]} == {None, "category", "urgency",
                                                      "triage_confidence"}  # fmt: skip


def test_create_detects_the_language_unless_it_is_given(
    client: TestClient, writer: dict[str, str]
) -> None:
    german = "Die Pumpe ist seit gestern undicht, bitte helfen Sie uns mit der Dichtung."
    assert _create(client, writer, body=german)["language"] == "de"
    given = _create(client, writer, external_id="HD-2", body=german, language="fr")
    assert given["language"] == "fr"
    assert _create(client, writer, external_id="HD-3", body="OK")["language"] is None


def test_the_same_external_id_again_is_409(client: TestClient, writer: dict[str, str]) -> None:
    _create(client, writer)
    again = client.post("/api/tickets", json=TICKET | {"body": "other"}, headers=writer)
    assert again.status_code == 409 and "'HD-1'" in again.json()["detail"]


@pytest.mark.parametrize(
    "body",
    [
        {k: v for k, v in TICKET.items() if k != "body"},  # no body
        TICKET | {"body": 42},  # not text
        TICKET | {"attachments": "leak.jpg"},  # not a list
        TICKET | {"body": "   "},  # nothing in it
    ],
)
def test_a_malformed_ticket_is_422(
    client: TestClient, writer: dict[str, str], body: dict[str, Any]
) -> None:
    response = client.post("/api/tickets", json=body, headers=writer)
    assert response.status_code == 422, response.text
    assert client.get("/api/tickets", headers=writer).json() == []


def test_a_request_over_the_limit_is_413(client: TestClient, writer: dict[str, str]) -> None:
    big = TICKET | {"body": "x" * 200_000}  # over the 0.1 MB of these settings
    response = client.post("/api/tickets", json=big, headers=writer)
    assert response.status_code == 413 and "MB allowed" in response.json()["detail"]
    chunks = (b"x" * 50_000 for _ in range(4))  # no Content-Length: counted as it arrives
    chunked = client.post("/api/tickets", content=chunks, headers=writer)
    assert chunked.status_code == 413
    assert client.get("/api/tickets", headers=writer).json() == []


# ------------------------------------------------------------------------------ read
def test_list_by_status_urgent_first(
    client: TestClient, writer: dict[str, str], session: Session
) -> None:
    first = _create(client, writer, external_id="HD-1")
    second = _create(client, writer, external_id="HD-2", subject="Fire")
    update_ticket(session, ticket_id=second["id"], update=TicketUpdate(urgency="urgent"),
                  actor="anna")  # fmt: skip
    rows = client.get("/api/tickets", params={"status": "new"}, headers=writer).json()
    assert [r["id"] for r in rows] == [second["id"], first["id"]]
    assert set(rows[0]) == {
        "id", "external_id", "status", "category", "urgency", "subject", "created_at",
    }  # fmt: skip
    drafted = client.get("/api/tickets", params={"status": "drafted"}, headers=writer)
    assert drafted.json() == []


def test_an_unknown_status_is_422_naming_the_statuses(
    client: TestClient, writer: dict[str, str]
) -> None:
    response = client.get("/api/tickets", params={"status": "open"}, headers=writer)
    assert response.status_code == 422
    assert "new, drafted, approved, closed" in response.json()["detail"]


def test_get_one_with_its_history_and_404_for_none(
    client: TestClient, writer: dict[str, str]
) -> None:
    created = _create(client, writer)
    got = client.get(f"/api/tickets/{created['id']}", headers=writer).json()
    assert got["body"] == TICKET["body"] and got["events"][0]["action"] == "created"
    missing = client.get("/api/tickets/9999", headers=writer)
    assert missing.status_code == 404 and "No ticket 9999" in missing.json()["detail"]


# ------------------------------------------------------------------------------ approve
def test_approve_a_drafted_ticket(
    client: TestClient, writer: dict[str, str], session: Session
) -> None:
    ticket_id = _create(client, writer)["id"]
    update_ticket(session, ticket_id=ticket_id, update=TicketUpdate(draft="We will send a kit."),
                  actor="drafter")  # fmt: skip
    transition(session, ticket_id=ticket_id, to="drafted", actor="drafter")
    reply = {"final_reply": "We send a new kit today.", "by": "anna"}
    response = client.post(f"/api/tickets/{ticket_id}/approve", json=reply, headers=writer)
    assert response.status_code == 200, response.text
    approved = response.json()
    assert (approved["status"], approved["final_reply"]) == ("approved", reply["final_reply"])
    assert approved["events"][-1]["actor"] == "anna via api:helpdesk"


def test_approving_a_new_ticket_is_409(client: TestClient, writer: dict[str, str]) -> None:
    ticket_id = _create(client, writer)["id"]
    reply = {"final_reply": "Thanks."}
    response = client.post(f"/api/tickets/{ticket_id}/approve", json=reply, headers=writer)
    assert response.status_code == 409 and "cannot become approved" in response.json()["detail"]
    assert client.get(f"/api/tickets/{ticket_id}", headers=writer).json()["status"] == "new"
    empty = client.post(f"/api/tickets/{ticket_id}/approve", json={}, headers=writer)
    assert empty.status_code == 422
    absent = client.post("/api/tickets/9999/approve", json=reply, headers=writer)
    assert absent.status_code == 404


# ------------------------------------------------------------------------------ the docs, the mount
def test_the_docs_and_schema_are_served_under_api(client: TestClient) -> None:
    assert client.get("/api/docs").status_code == 200
    schema = client.get("/api/openapi.json").json()
    assert schema["info"]["title"] == "Plant Assistant API"
    assert {"/tickets", "/tickets/{ticket_id}", "/tickets/{ticket_id}/approve"} <= set(
        schema["paths"]
    )
    assert "HTTPBearer" in schema["components"]["securitySchemes"]


def test_the_mount_comes_before_a_catch_all_page_route(settings: Settings) -> None:
    app = FastAPI()

    @app.get("/{full_path:path}")  # as Chainlit's page route, registered first
    async def page(full_path: str) -> dict[str, str]:
        return {"page": full_path}

    api = make_api(settings, load_triage=_no_model)
    mount_first(app, "/api", api)
    mount_first(app, "/api", api)  # the server module imported twice mounts nothing more
    client = TestClient(app)
    assert client.get("/api/openapi.json").json()["info"]["title"] == "Plant Assistant API"
    assert client.get("/api/tickets").status_code == 401  # the API's answer, not the page
    assert client.get("/threads/1").json() == {"page": "threads/1"}
    assert sum(getattr(r, "path", None) == "/api" for r in app.router.routes) == 1
