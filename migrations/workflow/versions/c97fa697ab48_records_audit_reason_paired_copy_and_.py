"""records: audit reason, paired copy and copy match

Revision ID: c97fa697ab48
Revises: d81eb7cb95ea
Create Date: 2026-11-29 04:05:35.297501
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "c97fa697ab48"
down_revision: str | None = "d81eb7cb95ea"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("records", schema=None) as batch_op:
        batch_op.add_column(sa.Column("audit_reason", sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column("paired_record_id", sa.String(length=32), nullable=True))
        batch_op.add_column(
            sa.Column(
                "copy_match",
                sa.Enum(
                    "matched",
                    "fuzzy_matched",
                    "key_conflict",
                    "first_only",
                    "second_only",
                    name="copymatch",
                    native_enum=False,
                    length=24,
                ),
                nullable=True,
            )
        )
        batch_op.create_index(batch_op.f("ix_records_paired_record_id"), ["paired_record_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("records", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_records_paired_record_id"))
        batch_op.drop_column("copy_match")
        batch_op.drop_column("paired_record_id")
        batch_op.drop_column("audit_reason")
