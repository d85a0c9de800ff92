"""registry: act records, copies, persons

Revision ID: d6343b517560
Revises:
Create Date: 2026-11-29 02:54:22.449109
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "d6343b517560"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "registry_act_records",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("office", sa.String(length=16), nullable=False),
        sa.Column("act_type", sa.String(length=16), nullable=False),
        sa.Column("act_year", sa.Integer(), nullable=False),
        sa.Column("act_number", sa.String(length=16), nullable=False),
        sa.Column("registration_date", sa.String(length=10), nullable=True),
        sa.Column("form_id", sa.String(length=64), nullable=False),
        sa.Column(
            "values",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("canonical_copy", sa.String(length=8), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_registry_act_records")),
        sa.UniqueConstraint(
            "office", "act_type", "act_year", "act_number", name=op.f("uq_registry_act_records_office")
        ),
    )
    op.create_table(
        "registry_persons",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("act_id", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("surname", sa.String(length=120), nullable=True),
        sa.Column("name", sa.String(length=120), nullable=True),
        sa.Column("patronymic", sa.String(length=120), nullable=True),
        sa.Column("sex", sa.String(length=8), nullable=True),
        sa.Column("birth_date", sa.String(length=10), nullable=True),
        sa.Column("folded_name", sa.String(length=400), nullable=True),
        sa.Column(
            "details",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["act_id"],
            ["registry_act_records.id"],
            name=op.f("fk_registry_persons_act_id_registry_act_records"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_registry_persons")),
        sa.UniqueConstraint("act_id", "role", name=op.f("uq_registry_persons_act_id")),
    )
    with op.batch_alter_table("registry_persons", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_registry_persons_act_id"), ["act_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_registry_persons_folded_name"), ["folded_name"], unique=False)
        batch_op.create_index(batch_op.f("ix_registry_persons_surname"), ["surname"], unique=False)

    op.create_table(
        "registry_record_copies",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("act_id", sa.Integer(), nullable=False),
        sa.Column("copy", sa.String(length=8), nullable=False),
        sa.Column("source_record_id", sa.String(length=32), nullable=False),
        sa.Column("book", sa.String(length=200), nullable=False),
        sa.Column("scan_sha256", sa.String(length=64), nullable=False),
        sa.Column("source_file", sa.Text(), nullable=False),
        sa.Column("page", sa.Integer(), nullable=False),
        sa.Column("slot", sa.Integer(), nullable=False),
        sa.Column("verified_by", sa.String(length=120), nullable=False),
        sa.Column(
            "values",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("loaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["act_id"],
            ["registry_act_records.id"],
            name=op.f("fk_registry_record_copies_act_id_registry_act_records"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_registry_record_copies")),
        sa.UniqueConstraint("act_id", "copy", name=op.f("uq_registry_record_copies_act_id")),
    )
    with op.batch_alter_table("registry_record_copies", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_registry_record_copies_act_id"), ["act_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_registry_record_copies_source_record_id"), ["source_record_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("registry_record_copies", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_registry_record_copies_source_record_id"))
        batch_op.drop_index(batch_op.f("ix_registry_record_copies_act_id"))

    op.drop_table("registry_record_copies")
    with op.batch_alter_table("registry_persons", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_registry_persons_surname"))
        batch_op.drop_index(batch_op.f("ix_registry_persons_folded_name"))
        batch_op.drop_index(batch_op.f("ix_registry_persons_act_id"))

    op.drop_table("registry_persons")
    op.drop_table("registry_act_records")
