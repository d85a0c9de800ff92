"""indexes of the managers' view

Counts per office and status, the recent time stamps, reviewed records, decided fields, pages per file and state
(measured with benchmarks/dashboard_bench.py on 1,000,000 records).

Revision ID: 5b1f7d53eafe
Revises: a3e1f07c52d9
Create Date: 2026-11-29 06:45:06.386237
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "5b1f7d53eafe"
down_revision: str | None = "a3e1f07c52d9"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("fields", schema=None) as batch_op:
        batch_op.create_index(
            "ix_fields_decided",
            ["record_id", "state"],
            unique=False,
            postgresql_where=sa.text("state IN ('corrected', 'confirmed')"),
            sqlite_where=sa.text("state IN ('corrected', 'confirmed')"),
        )

    with op.batch_alter_table("pages", schema=None) as batch_op:
        batch_op.create_index("ix_pages_file_state", ["scan_file_id", "state"], unique=False)
        batch_op.create_index(batch_op.f("ix_pages_processed_at"), ["processed_at"], unique=False)

    with op.batch_alter_table("records", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_records_created_at"), ["created_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_records_loaded_at"), ["loaded_at"], unique=False)
        batch_op.create_index("ix_records_progress", ["office", "status", "verified_at", "loaded_at"], unique=False)
        batch_op.create_index(
            "ix_records_reviewed",
            ["verified_by", "office", "verified_at", "id"],
            unique=False,
            postgresql_where=sa.text("verified_by IS NOT NULL"),
            sqlite_where=sa.text("verified_by IS NOT NULL"),
        )
        batch_op.create_index(batch_op.f("ix_records_verified_at"), ["verified_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("records", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_records_verified_at"))
        batch_op.drop_index(
            "ix_records_reviewed",
            postgresql_where=sa.text("verified_by IS NOT NULL"),
            sqlite_where=sa.text("verified_by IS NOT NULL"),
        )
        batch_op.drop_index("ix_records_progress")
        batch_op.drop_index(batch_op.f("ix_records_loaded_at"))
        batch_op.drop_index(batch_op.f("ix_records_created_at"))

    with op.batch_alter_table("pages", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_pages_processed_at"))
        batch_op.drop_index("ix_pages_file_state")

    with op.batch_alter_table("fields", schema=None) as batch_op:
        batch_op.drop_index(
            "ix_fields_decided",
            postgresql_where=sa.text("state IN ('corrected', 'confirmed')"),
            sqlite_where=sa.text("state IN ('corrected', 'confirmed')"),
        )
