"""offices: target date and targets per copy and act type

Revision ID: d4b248e3747b
Revises: c97fa697ab48
Create Date: 2026-11-29 06:31:33.212059
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "d4b248e3747b"
down_revision: str | None = "c97fa697ab48"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "office_targets",
        sa.Column("office", sa.String(length=16), nullable=False),
        sa.Column("copy", sa.Enum("first", "second", name="copykind", native_enum=False, length=24), nullable=False),
        sa.Column("act_type", sa.String(length=16), nullable=False),
        sa.Column("records", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["office"], ["offices.code"], name=op.f("fk_office_targets_office_offices"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("office", "copy", "act_type", name=op.f("pk_office_targets")),
    )
    with op.batch_alter_table("offices", schema=None) as batch_op:
        batch_op.add_column(sa.Column("target_date", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("updated_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("offices", schema=None) as batch_op:
        batch_op.drop_column("updated_at")
        batch_op.drop_column("target_date")

    op.drop_table("office_targets")
