"""workflow store: batches, books, scan files, pages, records, fields

Revision ID: ce05b0fa0179
Revises:
Create Date: 2026-11-29 02:54:21.801014
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "ce05b0fa0179"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "books",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("office", sa.String(length=16), nullable=False),
        sa.Column("act_type", sa.String(length=16), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column(
            "copy", sa.Enum("first", "second", name="copykind", native_enum=False, length=24), nullable=False
        ),
        sa.Column("label", sa.String(length=120), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_books")),
        sa.UniqueConstraint("office", "act_type", "year", "copy", "label", name=op.f("uq_books_office")),
    )
    with op.batch_alter_table("books", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_books_office"), ["office"], unique=False)

    op.create_table(
        "offices",
        sa.Column("code", sa.String(length=16), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("region", sa.String(length=100), nullable=True),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_offices")),
    )
    op.create_table(
        "batches",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("book_id", sa.Integer(), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("started_by", sa.String(length=120), nullable=False),
        sa.Column("form_hint", sa.String(length=64), nullable=True),
        sa.Column(
            "state",
            sa.Enum("running", "finished", "failed", name="batchstate", native_enum=False, length=24),
            nullable=False,
        ),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("flow_run_id", sa.String(length=64), nullable=True),
        sa.Column(
            "summary",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(["book_id"], ["books.id"], name=op.f("fk_batches_book_id_books")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_batches")),
    )
    with op.batch_alter_table("batches", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_batches_book_id"), ["book_id"], unique=False)

    op.create_table(
        "scan_files",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("source_path", sa.Text(), nullable=False),
        sa.Column("book_id", sa.Integer(), nullable=False),
        sa.Column("first_batch_id", sa.String(length=32), nullable=False),
        sa.Column("size_bytes", sa.BigInteger(), nullable=False),
        sa.Column("media_type", sa.String(length=40), nullable=True),
        sa.Column("page_count", sa.Integer(), nullable=False),
        sa.Column(
            "state",
            sa.Enum("stored", "quarantined", name="scanfilestate", native_enum=False, length=24),
            nullable=False,
        ),
        sa.Column("reason_code", sa.String(length=40), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("master_path", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["book_id"], ["books.id"], name=op.f("fk_scan_files_book_id_books")),
        sa.ForeignKeyConstraint(
            ["first_batch_id"], ["batches.id"], name=op.f("fk_scan_files_first_batch_id_batches")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_scan_files")),
        sa.UniqueConstraint("sha256", name=op.f("uq_scan_files_sha256")),
    )
    with op.batch_alter_table("scan_files", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_scan_files_book_id"), ["book_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_scan_files_first_batch_id"), ["first_batch_id"], unique=False)

    op.create_table(
        "batch_files",
        sa.Column("batch_id", sa.String(length=32), nullable=False),
        sa.Column("scan_file_id", sa.Integer(), nullable=False),
        sa.Column("source_path", sa.Text(), nullable=False),
        sa.Column("already_known", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(["batch_id"], ["batches.id"], name=op.f("fk_batch_files_batch_id_batches")),
        sa.ForeignKeyConstraint(
            ["scan_file_id"], ["scan_files.id"], name=op.f("fk_batch_files_scan_file_id_scan_files")
        ),
        sa.PrimaryKeyConstraint("batch_id", "scan_file_id", name=op.f("pk_batch_files")),
    )
    op.create_table(
        "pages",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("scan_file_id", sa.Integer(), nullable=False),
        sa.Column("page_number", sa.Integer(), nullable=False),
        sa.Column(
            "state",
            sa.Enum(
                "ingested",
                "prepared",
                "segmented",
                "recognized",
                "checked",
                "failed",
                "unmatched",
                name="pagestate",
                native_enum=False,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column("failure_stage", sa.String(length=24), nullable=True),
        sa.Column("reason_code", sa.String(length=40), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("rotation", sa.Integer(), nullable=True),
        sa.Column("skew_deg", sa.Float(), nullable=True),
        sa.Column("form_id", sa.String(length=64), nullable=True),
        sa.Column("match_score", sa.Float(), nullable=True),
        sa.Column("alignment_score", sa.Float(), nullable=True),
        sa.Column("quality_score", sa.Float(), nullable=True),
        sa.Column("image_path", sa.Text(), nullable=True),
        sa.Column(
            "provenance",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("processed_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["scan_file_id"], ["scan_files.id"], name=op.f("fk_pages_scan_file_id_scan_files")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pages")),
        sa.UniqueConstraint("scan_file_id", "page_number", name=op.f("uq_pages_scan_file_id")),
    )
    with op.batch_alter_table("pages", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_pages_scan_file_id"), ["scan_file_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_pages_state"), ["state"], unique=False)

    op.create_table(
        "records",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("page_id", sa.Integer(), nullable=False),
        sa.Column("slot", sa.Integer(), nullable=False),
        sa.Column("book_id", sa.Integer(), nullable=False),
        sa.Column("office", sa.String(length=16), nullable=False),
        sa.Column("act_type", sa.String(length=16), nullable=False),
        sa.Column("act_year", sa.Integer(), nullable=False),
        sa.Column(
            "copy", sa.Enum("first", "second", name="copykind", native_enum=False, length=24), nullable=False
        ),
        sa.Column("form_id", sa.String(length=64), nullable=False),
        sa.Column("act_number", sa.String(length=16), nullable=True),
        sa.Column(
            "status",
            sa.Enum(
                "auto_verified",
                "needs_review",
                "in_review",
                "verified",
                "rejected",
                "loaded",
                name="recordstatus",
                native_enum=False,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("lease_owner", sa.String(length=120), nullable=True),
        sa.Column("lease_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("verified_by", sa.String(length=120), nullable=True),
        sa.Column("verified_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("loaded_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["book_id"], ["books.id"], name=op.f("fk_records_book_id_books")),
        sa.ForeignKeyConstraint(["page_id"], ["pages.id"], name=op.f("fk_records_page_id_pages")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_records")),
        sa.UniqueConstraint("page_id", "slot", name=op.f("uq_records_page_id")),
    )
    with op.batch_alter_table("records", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_records_book_id"), ["book_id"], unique=False)
        batch_op.create_index(
            "ix_records_natural_key", ["office", "act_type", "act_year", "act_number"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_records_page_id"), ["page_id"], unique=False)
        batch_op.create_index("ix_records_queue", ["status", "office", "book_id"], unique=False)

    op.create_table(
        "fields",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("record_id", sa.String(length=32), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("value_type", sa.String(length=16), nullable=False),
        sa.Column("required", sa.Boolean(), nullable=False),
        sa.Column("raw_text", sa.Text(), nullable=False),
        sa.Column("value", sa.Text(), nullable=True),
        sa.Column("confidence", sa.Float(), nullable=False),
        sa.Column("engine_confidence", sa.Float(), nullable=False),
        sa.Column(
            "state",
            sa.Enum(
                "auto", "flagged", "corrected", "confirmed", name="fieldstate", native_enum=False, length=24
            ),
            nullable=False,
        ),
        sa.Column(
            "reasons",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "box",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["record_id"], ["records.id"], name=op.f("fk_fields_record_id_records"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fields")),
        sa.UniqueConstraint("record_id", "key", name=op.f("uq_fields_record_id")),
    )
    with op.batch_alter_table("fields", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_fields_record_id"), ["record_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("fields", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_fields_record_id"))

    op.drop_table("fields")
    with op.batch_alter_table("records", schema=None) as batch_op:
        batch_op.drop_index("ix_records_queue")
        batch_op.drop_index(batch_op.f("ix_records_page_id"))
        batch_op.drop_index("ix_records_natural_key")
        batch_op.drop_index(batch_op.f("ix_records_book_id"))

    op.drop_table("records")
    with op.batch_alter_table("pages", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_pages_state"))
        batch_op.drop_index(batch_op.f("ix_pages_scan_file_id"))

    op.drop_table("pages")
    op.drop_table("batch_files")
    with op.batch_alter_table("scan_files", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_scan_files_first_batch_id"))
        batch_op.drop_index(batch_op.f("ix_scan_files_book_id"))

    op.drop_table("scan_files")
    with op.batch_alter_table("batches", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_batches_book_id"))

    op.drop_table("batches")
    op.drop_table("offices")
    with op.batch_alter_table("books", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_books_office"))

    op.drop_table("books")
