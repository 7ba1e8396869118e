"""Who froze a characteristic's control limits.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("characteristic") as batch:
        batch.add_column(sa.Column("frozen_by", sa.String(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("characteristic") as batch:
        batch.drop_column("frozen_by")
