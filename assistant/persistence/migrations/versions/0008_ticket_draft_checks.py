"""Tickets keep what the agent must check before sending a draft (the message was flagged,
notes on language and urgency, questions the documents do not answer, promises no source
states), as the drafter left it: a batch drafted by `plant tickets draft` shows it when the
ticket is opened later.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("ticket") as batch:
        batch.add_column(
            sa.Column("draft_checks", sa.String(), nullable=False, server_default="{}")
        )


def downgrade() -> None:
    with op.batch_alter_table("ticket") as batch:
        batch.drop_column("draft_checks")
