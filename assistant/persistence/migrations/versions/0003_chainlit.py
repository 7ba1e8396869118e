"""The tables Chainlit's SQLAlchemyDataLayer (chainlit 2.12) reads and writes: chat history.

Revision ID: 0003
Revises: 0002
Create Date: 2025-01-20

Chainlit writes these with its own SQL (`chainlit/data/sql_alchemy.py`), naming the columns in
quoted camelCase, so the names are its and every column it inserts must exist. Types that work
on SQLite and PostgreSQL alike:
- ids are text (Chainlit makes uuid4 strings and compares them with text parameters);
- JSON payloads (metadata, generation, props, ...) are text: Chainlit writes `json.dumps(...)`
  and decodes strings when it reads; it filters steps with `"metadata" LIKE ...` and groups
  threads by "metadata", which PostgreSQL's json type cannot do;
- times are text: Chainlit writes ISO strings and asserts it reads a string back;
- tags are a text array on PostgreSQL, where Chainlit binds a Python list (JSON on SQLite).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

_TAGS = sa.JSON().with_variant(postgresql.ARRAY(sa.Text()), "postgresql")


def _users() -> None:
    op.create_table(
        "users",
        sa.Column("id", sa.Text(), primary_key=True),
        sa.Column("identifier", sa.Text(), nullable=False, unique=True),
        sa.Column("metadata", sa.Text(), nullable=False),
        sa.Column("createdAt", sa.Text()),
    )


def _threads() -> None:
    op.create_table(
        "threads",
        sa.Column("id", sa.Text(), primary_key=True),
        sa.Column("createdAt", sa.Text()),
        sa.Column("name", sa.Text()),
        sa.Column("userId", sa.Text(), sa.ForeignKey("users.id", ondelete="CASCADE")),
        sa.Column("userIdentifier", sa.Text()),
        sa.Column("tags", _TAGS),
        sa.Column("metadata", sa.Text()),
    )
    op.create_index("ix_threads_userId", "threads", ["userId"])


def _steps() -> None:
    op.create_table(
        "steps",
        sa.Column("id", sa.Text(), primary_key=True),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("type", sa.Text(), nullable=False),
        sa.Column(
            "threadId",
            sa.Text(),
            sa.ForeignKey("threads.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("parentId", sa.Text()),
        sa.Column("streaming", sa.Boolean(), nullable=False),
        sa.Column("waitForAnswer", sa.Boolean()),
        sa.Column("isError", sa.Boolean()),
        sa.Column("metadata", sa.Text()),
        sa.Column("tags", _TAGS),
        sa.Column("input", sa.Text()),
        sa.Column("output", sa.Text()),
        sa.Column("createdAt", sa.Text()),
        sa.Column("command", sa.Text()),
        sa.Column("modes", sa.Text()),
        sa.Column("start", sa.Text()),
        sa.Column("end", sa.Text()),
        sa.Column("generation", sa.Text()),
        sa.Column("showInput", sa.Text()),
        sa.Column("language", sa.Text()),
        sa.Column("indent", sa.Integer()),
        sa.Column("defaultOpen", sa.Boolean()),
        sa.Column("autoCollapse", sa.Boolean()),
    )
    op.create_index("ix_steps_threadId", "steps", ["threadId"])


def _elements() -> None:
    op.create_table(
        "elements",
        sa.Column("id", sa.Text(), primary_key=True),
        sa.Column("threadId", sa.Text(), sa.ForeignKey("threads.id", ondelete="CASCADE")),
        sa.Column("type", sa.Text()),
        sa.Column("url", sa.Text()),
        sa.Column("chainlitKey", sa.Text()),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("display", sa.Text()),
        sa.Column("objectKey", sa.Text()),
        sa.Column("size", sa.Text()),
        sa.Column("page", sa.Integer()),
        sa.Column("language", sa.Text()),
        sa.Column("forId", sa.Text()),
        sa.Column("mime", sa.Text()),
        sa.Column("props", sa.Text()),
        sa.Column("autoPlay", sa.Boolean()),
        sa.Column("playerConfig", sa.Text()),
    )
    op.create_index("ix_elements_threadId", "elements", ["threadId"])


def _feedbacks() -> None:
    op.create_table(
        "feedbacks",
        sa.Column("id", sa.Text(), primary_key=True),
        sa.Column("forId", sa.Text(), nullable=False),
        sa.Column("threadId", sa.Text(), sa.ForeignKey("threads.id", ondelete="CASCADE")),
        sa.Column("value", sa.Integer(), nullable=False),
        sa.Column("comment", sa.Text()),
    )
    op.create_index("ix_feedbacks_forId", "feedbacks", ["forId"])


def upgrade() -> None:
    _users()
    _threads()
    _steps()
    _elements()
    _feedbacks()


def downgrade() -> None:
    for table in ("feedbacks", "elements", "steps", "threads", "users"):
        op.drop_table(table)
