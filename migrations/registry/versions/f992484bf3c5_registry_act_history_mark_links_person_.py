"""registry: act history, mark links, person name keys

Revision ID: f992484bf3c5
Revises: d6343b517560
Create Date: 2026-11-29 04:05:37.495131
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from pipeline.registry.search import person_name_key

revision: str = "f992484bf3c5"
down_revision: str | None = "d6343b517560"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "registry_act_history",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("act_id", sa.Integer(), nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("source_record_id", sa.String(length=32), nullable=False),
        sa.Column("copy", sa.String(length=8), nullable=False),
        sa.Column(
            "previous", sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"), nullable=False
        ),
        sa.Column(
            "changed_fields",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["act_id"],
            ["registry_act_records.id"],
            name=op.f("fk_registry_act_history_act_id_registry_act_records"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_registry_act_history")),
    )
    with op.batch_alter_table("registry_act_history", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_registry_act_history_act_id"), ["act_id"], unique=False)

    op.create_table(
        "registry_mark_links",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("act_id", sa.Integer(), nullable=False),
        sa.Column("copy", sa.String(length=8), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=True),
        sa.Column("office", sa.String(length=16), nullable=False),
        sa.Column("cited_act_type", sa.String(length=16), nullable=True),
        sa.Column("cited_year", sa.Integer(), nullable=True),
        sa.Column("cited_number", sa.String(length=16), nullable=False),
        sa.Column("cited_date", sa.String(length=10), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("cited_act_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["act_id"],
            ["registry_act_records.id"],
            name=op.f("fk_registry_mark_links_act_id_registry_act_records"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["cited_act_id"],
            ["registry_act_records.id"],
            name=op.f("fk_registry_mark_links_cited_act_id_registry_act_records"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_registry_mark_links")),
        sa.UniqueConstraint("act_id", "copy", "position", name=op.f("uq_registry_mark_links_act_id")),
    )
    with op.batch_alter_table("registry_mark_links", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_registry_mark_links_act_id"), ["act_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_registry_mark_links_cited_act_id"), ["cited_act_id"], unique=False)
        batch_op.create_index(
            "ix_registry_mark_links_cited_key", ["office", "cited_act_type", "cited_year", "cited_number"], unique=False
        )

    with op.batch_alter_table("registry_act_records", schema=None) as batch_op:
        batch_op.create_index("ix_registry_act_records_registration_date", ["registration_date"], unique=False)

    with op.batch_alter_table("registry_persons", schema=None) as batch_op:
        batch_op.add_column(sa.Column("name_key", sa.String(length=400), nullable=True))
        batch_op.create_index(
            "ix_registry_persons_name_key",
            ["name_key"],
            unique=False,
            postgresql_ops={"name_key": "varchar_pattern_ops"},
        )
    _fill_name_keys()


def _fill_name_keys() -> None:
    """Persons loaded before this revision get their search key, so search finds them too."""
    persons = sa.table(
        "registry_persons",
        sa.column("id", sa.Integer()),
        sa.column("surname", sa.String()),
        sa.column("name", sa.String()),
        sa.column("patronymic", sa.String()),
        sa.column("name_key", sa.String()),
    )
    conn = op.get_bind()
    rows = conn.execute(sa.select(persons.c.id, persons.c.surname, persons.c.name, persons.c.patronymic)).all()
    keys = [{"pid": row.id, "key": person_name_key(row.surname, row.name, row.patronymic)} for row in rows]
    if keys:
        conn.execute(
            persons.update().where(persons.c.id == sa.bindparam("pid")).values(name_key=sa.bindparam("key")), keys
        )


def downgrade() -> None:
    with op.batch_alter_table("registry_persons", schema=None) as batch_op:
        batch_op.drop_index("ix_registry_persons_name_key", postgresql_ops={"name_key": "varchar_pattern_ops"})
        batch_op.drop_column("name_key")

    with op.batch_alter_table("registry_act_records", schema=None) as batch_op:
        batch_op.drop_index("ix_registry_act_records_registration_date")

    with op.batch_alter_table("registry_mark_links", schema=None) as batch_op:
        batch_op.drop_index("ix_registry_mark_links_cited_key")
        batch_op.drop_index(batch_op.f("ix_registry_mark_links_cited_act_id"))
        batch_op.drop_index(batch_op.f("ix_registry_mark_links_act_id"))

    op.drop_table("registry_mark_links")
    with op.batch_alter_table("registry_act_history", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_registry_act_history_act_id"))

    op.drop_table("registry_act_history")
