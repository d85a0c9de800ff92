"""records: created_at with office, for counts per office and day

Revision ID: 16ada58229f0
Revises: 5b1f7d53eafe
Create Date: 2026-11-29 07:07:32.704650
"""

from collections.abc import Sequence

from alembic import op

revision: str = "16ada58229f0"
down_revision: str | None = "5b1f7d53eafe"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("records", schema=None) as batch_op:
        batch_op.create_index("ix_records_created_office", ["created_at", "office"], unique=False)
        batch_op.drop_index(batch_op.f("ix_records_created_at"))  # its range scans are the new index's


def downgrade() -> None:
    with op.batch_alter_table("records", schema=None) as batch_op:
        batch_op.drop_index("ix_records_created_office")
        batch_op.create_index(batch_op.f("ix_records_created_at"), ["created_at"], unique=False)
