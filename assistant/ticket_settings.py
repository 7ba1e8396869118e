"""The customer-service ticket settings: one group of the one `Settings` object (which
inherits them, so they are read from the same `PLANT_*` variables and `.env`)."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings


class TicketSettings(BaseSettings):
    """Ticket import, triage, drafting, the chat's queue and the helpdesk API."""

    ticket_file_max_mb: float = Field(
        50, gt=0, description="Largest CSV, JSONL or .eml file `plant tickets import` reads."
    )
    ticket_file_max_rows: int = Field(
        100_000, ge=1, description="Tickets read from one CSV or JSONL file; the rest is reported."
    )
    ticket_body_max_chars: int = Field(
        5_000_000,
        ge=1_000,
        description="Longest ticket body imported (stored whole; a longer one is reported and "
        "skipped). Also the CSV field size the reader accepts.",
    )
    ticket_import_batch: int = Field(
        200,
        ge=1,
        description="Tickets an import stores per transaction: an interrupted import keeps "
        "every finished batch and is completed by running it again.",
    )
    ticket_train_epochs: int = Field(
        4,
        ge=1,
        description="Epochs at most for each triage classifier of `plant train tickets --recipe "
        "finetune`; early stopping ends it.",
    )
    ticket_language_min_stopwords: int = Field(
        2,
        ge=1,
        description="Common words of one language a ticket must hold for its language to be "
        "set (en, de, fr, es, it); fewer: unknown.",
    )
    api_max_request_mb: float = Field(2, gt=0, description="Largest /api request body (else 413).")
    ticket_queue_shown: int = Field(
        20, ge=1, description="Open tickets the chat's ticket queue lists (the rest are counted)."
    )
    ticket_history_shown: int = Field(
        8, ge=1, description="Latest changes shown under a ticket opened in the chat."
    )
    ticket_message_shown_chars: int = Field(
        4_000, ge=200, description="Characters of a customer's message shown in the chat."
    )
    ticket_answer_timeout_s: int = Field(
        600,
        ge=10,
        description="How long the chat waits for a new draft, an assignee or a "
        "confirmation before it gives up and changes nothing.",
    )
    company_name: str = Field(
        "Kestrel Fluid Components",
        description='The company that signs reply drafts ("Customer Service, <company>").',
    )
    draft_passages: int = Field(
        8,
        ge=1,
        le=20,
        description="Passages a ticket's reply draft is written from (chosen on the "
        "development tickets with 8 quoted: 6 -> 0.796 of the key facts, 7 -> 0.814, "
        "8 -> 0.832).",
    )
    draft_search_depth: int = Field(
        20,
        ge=1,
        le=100,
        description="Passages each of a draft's searches returns before they are fused by "
        "reciprocal rank (development tickets: 6 -> 0.841 of the key facts in the 6 best "
        "fused passages, 20 -> 0.850).",
    )
    draft_multilingual: bool = Field(
        True,
        description="Reply drafts also search the documents with multilingual-e5-small "
        "(bundled): a German or French message finds the English policy. Its passage vectors "
        "are cached under data_dir/cache (about 2 minutes for 600 passages on 2 cores, once).",
    )
    draft_lines_per_passage: int = Field(
        2,
        ge=1,
        le=5,
        description="Lines a reply draft quotes from each of its best passages (chosen on "
        "the development tickets: 1 -> 0.735 of the key facts, 2 -> 0.779, 3 -> 0.779).",
    )
    draft_quoted_passages: int = Field(
        8,
        ge=1,
        le=20,
        description="A reply draft quotes the best lines of each of this many best passages "
        "(chosen on the development tickets: 3 -> 0.61 of the key facts, 5 -> 0.66; with 8 "
        "passages, 6 -> 0.796, 8 -> 0.832).",
    )
    draft_section_chars: int = Field(
        2_400,
        ge=0,
        description="A passage of a reply draft is read with the rest of its section (the "
        "other chunks of the same heading) when the section holds at most this many "
        "characters; 0 reads the chunks alone (development tickets: 0.885 -> 0.894).",
    )
    draft_body_chars: int = Field(
        4_000,
        ge=200,
        description="Characters of a ticket's message the reply draft reads (a longer message "
        "is stored whole; its start is searched and quoted from).",
    )
