"""users: must_change_password (the first admin and generated passwords are changed at first sign-in)

Revision ID: a3e1f07c52d9
Revises: d4b248e3747b
Create Date: 2026-11-29 06:50:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "a3e1f07c52d9"
down_revision: str | None = "d4b248e3747b"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("must_change_password", sa.Boolean(), server_default=sa.false(), nullable=False))


def downgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("must_change_password")
