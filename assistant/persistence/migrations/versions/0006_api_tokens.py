"""API tokens of the helpdesk REST API: name, scopes, the token's sha256 and first characters.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "apitoken",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("scopes", sa.String(), nullable=False),
        sa.Column("token_hash", sa.String(), nullable=False),
        sa.Column("prefix", sa.String(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_apitoken_name", "apitoken", ["name"], unique=True)
    op.create_index("ix_apitoken_token_hash", "apitoken", ["token_hash"], unique=True)


def downgrade() -> None:
    op.drop_index("ix_apitoken_token_hash", table_name="apitoken")
    op.drop_index("ix_apitoken_name", table_name="apitoken")
    op.drop_table("apitoken")
