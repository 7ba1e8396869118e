"""Inspections as a product: the product's name, a learnt product's anomaly score, thresholds
and defect region (area, share, box), kept in columns instead of packed into model_version.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

DEMO_PRODUCT = "surface"  # the demo model's product (assistant/capabilities/defects/products.py)
PACKED = "product:"  # before 0007 a learnt product's rows said `product:NAME:VERSION`
COLUMNS = {
    "product": sa.String,
    "anomaly_score": sa.Float,
    "threshold": sa.Float,
    "severe_threshold": sa.Float,
    "area_px": sa.Integer,
    "area_share": sa.Float,
    "bbox": sa.JSON,
}
_inspection = sa.table(
    "inspection",
    sa.column("id", sa.Integer()),
    sa.column("model_version", sa.String()),
    sa.column("product", sa.String()),
)


def upgrade() -> None:
    with op.batch_alter_table("inspection") as batch:
        for name, kind in COLUMNS.items():
            batch.add_column(sa.Column(name, kind(), nullable=True))
        batch.create_index("ix_inspection_product", ["product"])
    bind = op.get_bind()
    packed = bind.execute(
        sa.select(_inspection.c.id, _inspection.c.model_version).where(
            _inspection.c.model_version.like(f"{PACKED}%")
        )
    ).all()
    for row_id, version in packed:
        name, _, rest = version.removeprefix(PACKED).partition(":")
        bind.execute(
            _inspection.update().where(_inspection.c.id == row_id)
            .values(product=name, model_version=rest)
        )  # fmt: skip
    bind.execute(
        _inspection.update().where(_inspection.c.product.is_(None)).values(product=DEMO_PRODUCT)
    )


def downgrade() -> None:
    bind = op.get_bind()
    learnt = bind.execute(
        sa.select(_inspection.c.id, _inspection.c.product, _inspection.c.model_version).where(
            _inspection.c.product.is_not(None), _inspection.c.product != DEMO_PRODUCT
        )
    ).all()
    for row_id, name, version in learnt:
        bind.execute(
            _inspection.update().where(_inspection.c.id == row_id)
            .values(model_version=f"{PACKED}{name}:{version}")
        )  # fmt: skip
    with op.batch_alter_table("inspection") as batch:
        batch.drop_index("ix_inspection_product")
        for name in reversed(COLUMNS):
            batch.drop_column(name)
