"""Customer-service tickets and the log of every change made to them.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def _ticket() -> None:
    op.create_table(
        "ticket",
        sa.Column("external_id", sa.String(), nullable=True),
        sa.Column("customer", sa.String(), nullable=False),
        sa.Column("product", sa.String(), nullable=False),
        sa.Column("serial", sa.String(), nullable=False),
        sa.Column("channel", sa.String(), nullable=False),
        sa.Column("subject", sa.String(), nullable=False),
        sa.Column("body", sa.String(), nullable=False),
        sa.Column("language", sa.String(), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("fingerprint", sa.String(), nullable=False),
        sa.Column("attachments", sa.String(), nullable=False),
        sa.Column("status", sa.String(), nullable=False),
        sa.Column("category", sa.String(), nullable=True),
        sa.Column("urgency", sa.String(), nullable=True),
        sa.Column("triage_confidence", sa.Float(), nullable=True),
        sa.Column("draft", sa.String(), nullable=True),
        sa.Column("final_reply", sa.String(), nullable=True),
        sa.Column("citations", sa.String(), nullable=False),
        sa.Column("assignee", sa.String(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    # unique where given: SQLite and PostgreSQL both let any number of rows hold NULL
    op.create_index("ix_ticket_external_id", "ticket", ["external_id"], unique=True)
    op.create_index("ix_ticket_fingerprint", "ticket", ["fingerprint"])
    op.create_index("ix_ticket_status", "ticket", ["status"])
    op.create_index("ix_ticket_created_at", "ticket", ["created_at"])


def _ticketevent() -> None:
    op.create_table(
        "ticketevent",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ticket_id", sa.Integer(), nullable=False),
        sa.Column("actor", sa.String(), nullable=False),
        sa.Column("action", sa.String(), nullable=False),
        sa.Column("field", sa.String(), nullable=True),
        sa.Column("before", sa.String(), nullable=True),
        sa.Column("after", sa.String(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["ticket_id"], ["ticket.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_ticketevent_ticket_id", "ticketevent", ["ticket_id"])


def upgrade() -> None:
    _ticket()
    _ticketevent()


def downgrade() -> None:
    op.drop_index("ix_ticketevent_ticket_id", table_name="ticketevent")
    op.drop_table("ticketevent")
    for column in ("created_at", "status", "fingerprint", "external_id"):
        op.drop_index(f"ix_ticket_{column}", table_name="ticket")
    op.drop_table("ticket")
