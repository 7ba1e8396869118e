"""The tables `SQLModel.metadata.create_all` made before migrations: messages, SPC, machines.

Revision ID: 0001
Revises:
Create Date: 2025-01-20

Types as SQLModel maps the models: str -> VARCHAR, float -> FLOAT, datetime -> DateTime with
time zone (sqlmodel's UTCDateTime). A database made by create_all that holds all of these
tables is stamped with this revision instead (`db.upgrade`); one made by an older version that
lacks some of them gets the missing ones here, and its existing tables are left as they are.
"""

from __future__ import annotations

from collections.abc import Callable

import sqlalchemy as sa
from alembic import context, op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def _chatmessage() -> None:
    op.create_table(
        "chatmessage",
        sa.Column("text", sa.String(), nullable=False),
        sa.Column("intent", sa.String(), nullable=True),
        sa.Column("confidence", sa.Float(), nullable=True),
        sa.Column("user", sa.String(), nullable=True),
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )


def _intentcorrection() -> None:
    op.create_table(
        "intentcorrection",
        sa.Column("message_id", sa.String(), nullable=False),
        sa.Column("corrected", sa.String(), nullable=False),
        sa.Column("user", sa.String(), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("text", sa.String(), nullable=False),
        sa.Column("predicted", sa.String(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["message_id"], ["chatmessage.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_intentcorrection_message_id", "intentcorrection", ["message_id"])


def _inspection() -> None:
    op.create_table(
        "inspection",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("image_sha256", sa.String(), nullable=False),
        sa.Column("image_name", sa.String(), nullable=False),
        sa.Column("verdict", sa.String(), nullable=False),
        sa.Column("defect_type", sa.String(), nullable=True),
        sa.Column("probabilities", sa.String(), nullable=False),
        sa.Column("model_version", sa.String(), nullable=False),
        sa.Column("user", sa.String(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_inspection_image_sha256", "inspection", ["image_sha256"])
    op.create_index("ix_inspection_created_at", "inspection", ["created_at"])


def _machine() -> None:
    op.create_table(
        "machine",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("machine_id", sa.String(), nullable=False),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("product_type", sa.String(), nullable=False),
        sa.Column("line", sa.String(), nullable=False),
        sa.Column("model", sa.String(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_machine_machine_id", "machine", ["machine_id"], unique=True)


def _sensorreading() -> None:
    op.create_table(
        "sensorreading",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("machine_id", sa.String(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("air_temperature", sa.Float(), nullable=False),
        sa.Column("process_temperature", sa.Float(), nullable=False),
        sa.Column("rotational_speed", sa.Float(), nullable=False),
        sa.Column("torque", sa.Float(), nullable=False),
        sa.Column("tool_wear", sa.Float(), nullable=False),
        sa.ForeignKeyConstraint(["machine_id"], ["machine.machine_id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_sensorreading_machine_id", "sensorreading", ["machine_id"])
    op.create_index("ix_sensorreading_recorded_at", "sensorreading", ["recorded_at"])


def _characteristic() -> None:
    op.create_table(
        "characteristic",
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("description", sa.String(), nullable=False),
        sa.Column("unit", sa.String(), nullable=False),
        sa.Column("lsl", sa.Float(), nullable=True),
        sa.Column("usl", sa.Float(), nullable=True),
        sa.Column("target", sa.Float(), nullable=True),
        sa.Column("subgroup_size", sa.Integer(), nullable=False),
        sa.Column("chart", sa.String(), nullable=False),
        sa.Column("sample_size", sa.Integer(), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("frozen_center", sa.Float(), nullable=True),
        sa.Column("frozen_sigma", sa.Float(), nullable=True),
        sa.Column("frozen_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_characteristic_name", "characteristic", ["name"], unique=True)


def _measurement() -> None:
    op.create_table(
        "measurement",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("characteristic_id", sa.Integer(), nullable=False),
        sa.Column("subgroup", sa.Integer(), nullable=False),
        sa.Column("value", sa.Float(), nullable=False),
        sa.Column("sample_size", sa.Integer(), nullable=True),
        sa.Column("measured_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["characteristic_id"], ["characteristic.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_measurement_characteristic_id", "measurement", ["characteristic_id"])
    op.create_index("ix_measurement_subgroup", "measurement", ["subgroup"])


# in an order that makes each referenced table before the table that refers to it
_TABLES: dict[str, Callable[[], None]] = {
    "chatmessage": _chatmessage,
    "intentcorrection": _intentcorrection,
    "inspection": _inspection,
    "machine": _machine,
    "sensorreading": _sensorreading,
    "characteristic": _characteristic,
    "measurement": _measurement,
}


def upgrade() -> None:
    offline = context.is_offline_mode()  # `--sql` has no database to look at
    existing = set() if offline else set(sa.inspect(op.get_bind()).get_table_names())
    for name, create in _TABLES.items():
        if name not in existing:  # kept as it is when an older create_all made it
            create()


def downgrade() -> None:
    for name in reversed(_TABLES):
        op.drop_table(name)
