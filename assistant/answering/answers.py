"""Typed answers with citations: the contract between the RAG chain, the CLI and the UI."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field


class Citation(BaseModel):
    """A numbered source shown with an answer; `[n]` in the text refers to `n`."""

    n: int = Field(ge=1)
    source: str
    title: str = ""
    section: str = ""
    page: int | None = None
    text: str = Field(description="The passage (or the part of it that was quoted).")
    score: float = 0.0
    chunk_id: str = ""
    doc_type: str = ""

    @property
    def heading(self) -> str:
        """The section's own heading (the last part of its path), else the title."""
        return self.section.split(" > ")[-1] or self.title

    @property
    def where(self) -> str:
        """The file and page: "manual.pdf, page 4"."""
        return self.source + (f", page {self.page}" if self.page else "")


class Timings(BaseModel):
    """Seconds spent in each stage; `first_token` is from the question to the first token."""

    retrieval: float = 0.0
    first_token: float | None = None
    generation: float = 0.0
    total: float = 0.0


class Answer(BaseModel):
    """What the assistant says, which sources back it, and whether it declined to answer."""

    question: str
    standalone_question: str = ""
    text: str
    citations: list[Citation] = Field(default_factory=list)
    abstained: bool = False
    retrieval_score: float | None = Field(
        None, description="Cosine similarity of the best passage."
    )
    abstain_reason: (
        Literal[
            "unknown_subject",
            "not_answerable",
            "low_similarity",
            "no_sources",
            "attribute_missing",
            "generator",
        ]
        | None
    ) = Field(None, description="Why the assistant declined, when it did.")
    unanswerable_probability: float | None = Field(
        None, description="The answerability model's P(the documents cannot answer this)."
    )
    backend: str = ""
    intent: str | None = None
    intent_confidence: float | None = None
    clarify_options: list[str] = Field(
        default_factory=list, description="Intents to choose from when the router was unsure."
    )
    message_id: str | None = Field(None, description="Stored message id, for corrections.")
    images: list[str] = Field(default_factory=list, description="Chart files to show")
    figures: list[str] = Field(default_factory=list, description="Plotly figures (JSON)")
    tool_result: dict[str, Any] | None = Field(None, description="A tool's machine-readable output")
    notice: str | None = Field(None, description="e.g. a backend fallback, shown to the user")
    timings: Timings = Field(default_factory=Timings)

    def to_cli_json(self) -> dict[str, object]:
        """The `plant ask --json` shape documented in the README."""
        return {
            "question": self.question,
            "answer": self.text,
            "abstained": self.abstained,
            "abstain_reason": self.abstain_reason,
            "intent": self.intent,
            "intent_confidence": self.intent_confidence,
            "clarify_options": self.clarify_options,
            "message_id": self.message_id,
            "backend": self.backend,
            "notice": self.notice,
            "citations": [
                {
                    "n": c.n,
                    "source": c.source,
                    "section": c.section,
                    "page": c.page,
                    "text": c.text,
                    "score": round(c.score, 6),
                }
                for c in self.citations
            ],
            "timings": self.timings.model_dump(),
        }
