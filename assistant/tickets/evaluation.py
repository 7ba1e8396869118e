"""`plant eval tickets`: the triage measured on labelled sample tickets (category accuracy and
macro-F1, urgent recall and precision), by the model and by the safety rule; and the reply
drafts: the share of the key facts a correct reply contains that the drafts contain, and the
drafts that promise what their sources do not state."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

from pydantic import BaseModel, Field

from assistant.tickets.drafting import DraftRequest, TicketDrafter
from assistant.tickets.promises import stated_phrases
from assistant.tickets.triage import TicketTriage, TriageResult
from tools.common.errors import PlantError
from tools.common.tickets import CATEGORIES, URGENCIES


class LabelledTicket(BaseModel):
    id: str
    subject: str = ""
    body: str = Field(min_length=1)
    language: str | None = None
    category: str
    urgency: str
    customer: str | None = None
    external_id: str | None = None
    key_facts: list[str] = Field(default_factory=list)
    must_not_promise: list[str] = Field(default_factory=list)


class TicketReport(BaseModel):
    n: int
    category_accuracy: float
    category_macro_f1: float
    urgent_recall: float
    urgent_precision: float
    urgent_by_rule: int = Field(description="Tickets made urgent by the safety wording")
    per_category: dict[str, dict[str, float]]
    by_language: dict[str, float] = Field(description="Category accuracy per language")
    failures: list[str] = Field(default_factory=list, description="ids with a wrong label")
    key_fact_coverage: float | None = Field(
        default=None, description="Key facts found in the drafts / all key facts"
    )
    unsupported_promises: int | None = Field(
        default=None, description="Drafts that promise what their cited sources do not state"
    )
    draft_failures: dict[str, list[str]] = Field(
        default_factory=dict, description="id -> key facts missing and promises made"
    )


def load_tickets(path: Path) -> list[LabelledTicket]:
    """The labelled tickets of a JSONL file; a bad line is named by its number."""
    rows = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            row = LabelledTicket.model_validate_json(line)
        except ValueError as exc:
            raise PlantError(f"{path}, line {number}: not a labelled ticket ({exc})") from None
        if row.category not in CATEGORIES or row.urgency not in URGENCIES:
            raise PlantError(f"{path}, line {number}: unknown label {row.category}/{row.urgency}")
        rows.append(row)
    return rows


def score(tickets: Sequence[LabelledTicket], results: Sequence[TriageResult]) -> TicketReport:
    from sklearn.metrics import f1_score, precision_recall_fscore_support

    truth = [t.category for t in tickets]
    predicted = [r.category for r in results]
    labels = list(CATEGORIES)
    precision, recall, f1, _ = precision_recall_fscore_support(
        truth, predicted, labels=labels, zero_division=0
    )
    urgent = [t.urgency == "urgent" for t in tickets]
    flagged = [r.urgency == "urgent" for r in results]
    hits = sum(u and f for u, f in zip(urgent, flagged, strict=True))
    languages = sorted({t.language or "unknown" for t in tickets})
    by_language = {
        lang: _share(
            [p == t.category for t, p in zip(tickets, predicted, strict=True)
             if (t.language or "unknown") == lang]
        )
        for lang in languages
    }  # fmt: skip
    return TicketReport(
        n=len(tickets),
        category_accuracy=_share([p == t for p, t in zip(predicted, truth, strict=True)]),
        category_macro_f1=float(
            f1_score(truth, predicted, labels=labels, average="macro", zero_division=0)
        ),
        urgent_recall=hits / max(1, sum(urgent)),
        urgent_precision=hits / max(1, sum(flagged)),
        urgent_by_rule=sum(bool(r.safety_terms) for r in results),
        per_category={
            name: {"precision": float(p), "recall": float(r), "f1": float(f)}
            for name, p, r, f in zip(labels, precision, recall, f1, strict=True)
        },
        by_language=by_language,
        failures=[
            t.id
            for t, r in zip(tickets, results, strict=True)
            if r.category != t.category or r.urgency != t.urgency
        ],
    )


def _share(flags: Sequence[bool]) -> float:
    return sum(flags) / len(flags) if flags else 0.0


def evaluate(triage: TicketTriage, path: Path, drafter: TicketDrafter | None = None) -> (
    TicketReport
):  # fmt: skip
    """Triage every ticket of `path`; with a drafter, draft each from its triage too."""
    tickets = load_tickets(path)
    results = triage.triage_many([(t.subject, t.body) for t in tickets])
    report = score(tickets, results)
    if drafter is not None:
        score_drafts(report, drafter, tickets, results)
    return report


def score_drafts(
    report: TicketReport,
    drafter: TicketDrafter,
    tickets: Sequence[LabelledTicket],
    results: Sequence[TriageResult],
) -> None:
    """Add the drafts' key-fact coverage and unsupported promises to `report`: a promise is
    a commitment no cited passage states (`promises.unsupported_promises`) or one of the
    ticket's `must_not_promise` phrases written outside a quote of a source."""
    found = total = promising = 0
    for ticket, result in zip(tickets, results, strict=True):
        request = DraftRequest(
            subject=ticket.subject, body=ticket.body, customer=ticket.customer or "",
            category=result.category, language=ticket.language, urgency=result.urgency,
            external_id=ticket.external_id,
        )  # fmt: skip
        draft = drafter.draft(request, agent="Evaluation")
        text = _plain(draft.text)
        missing = [f for f in ticket.key_facts if _plain(f) not in text]
        passages = {c.n: c.text for c in draft.citations}
        promised = draft.unsupported + stated_phrases(draft.text, ticket.must_not_promise, passages)
        found += len(ticket.key_facts) - len(missing)
        total += len(ticket.key_facts)
        promising += bool(promised)
        if missing or promised:
            report.draft_failures[ticket.id] = missing + [f"promised: {p}" for p in promised]
    report.key_fact_coverage = found / total if total else 0.0
    report.unsupported_promises = promising


def _plain(text: str) -> str:
    return " ".join(text.lower().split())


def report_json(report: TicketReport) -> str:
    return json.dumps(report.model_dump(), ensure_ascii=False)
