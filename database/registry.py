"""Registry models: verified act records and the persons in them, keyed by the natural key, with their
history, search keys and the acts their marks cite."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import DateTime, ForeignKey, Index, Integer, MetaData, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from database.types import JsonColumn
from database.workflow import NAMING, utcnow


class RegistryBase(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class ActRecord(RegistryBase):
    """One civil-status act, once, whatever copies and re-loads it came from."""

    __tablename__ = "registry_act_records"
    __table_args__ = (
        UniqueConstraint("office", "act_type", "act_year", "act_number"),
        Index("ix_registry_act_records_registration_date", "registration_date"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    office: Mapped[str] = mapped_column(String(16))
    act_type: Mapped[str] = mapped_column(String(16))
    act_year: Mapped[int] = mapped_column(Integer)
    act_number: Mapped[str] = mapped_column(String(16))
    registration_date: Mapped[str | None] = mapped_column(String(10))
    form_id: Mapped[str] = mapped_column(String(64))
    values: Mapped[dict[str, Any]] = mapped_column(JsonColumn, default=dict)
    canonical_copy: Mapped[str] = mapped_column(String(8))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)

    copies: Mapped[list[RecordCopy]] = relationship(back_populates="act", cascade="all, delete-orphan")
    persons: Mapped[list[PersonRole]] = relationship(back_populates="act", cascade="all, delete-orphan")
    history: Mapped[list[ActHistory]] = relationship(
        back_populates="act", cascade="all, delete-orphan", order_by="ActHistory.id"
    )
    mark_links: Mapped[list[MarkLink]] = relationship(
        back_populates="act", cascade="all, delete-orphan", foreign_keys="MarkLink.act_id"
    )


class ActHistory(RegistryBase):
    """An act's values as they were before a reload changed them (a correction after review)."""

    __tablename__ = "registry_act_history"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    act_id: Mapped[int] = mapped_column(ForeignKey("registry_act_records.id", ondelete="CASCADE"), index=True)
    changed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    source_record_id: Mapped[str] = mapped_column(String(32))  # the record whose reload changed the act
    copy: Mapped[str] = mapped_column(String(8))
    previous: Mapped[dict[str, Any]] = mapped_column(JsonColumn, default=dict)  # values, date, form, copy
    changed_fields: Mapped[list[str]] = mapped_column(JsonColumn, default=list)

    act: Mapped[ActRecord] = relationship(back_populates="history")


class MarkLink(RegistryBase):
    """An act cited in another act's later marks ("з/а о расторжении брака № 12 от …"); ``cited_act_id`` is
    filled once the cited act is in the registry, whichever of the two was loaded first."""

    __tablename__ = "registry_mark_links"
    __table_args__ = (
        UniqueConstraint("act_id", "copy", "position"),
        Index("ix_registry_mark_links_cited_key", "office", "cited_act_type", "cited_year", "cited_number"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    act_id: Mapped[int] = mapped_column(ForeignKey("registry_act_records.id", ondelete="CASCADE"), index=True)
    copy: Mapped[str] = mapped_column(String(8))  # the copy whose marks cite it
    position: Mapped[int] = mapped_column(Integer)  # the reference's place among that copy's marks
    kind: Mapped[str | None] = mapped_column(String(16))  # divorce, paternity, death ...; None when unsaid
    office: Mapped[str] = mapped_column(String(16))  # a mark cites an act of the same office
    cited_act_type: Mapped[str | None] = mapped_column(String(16))
    cited_year: Mapped[int | None] = mapped_column(Integer)
    cited_number: Mapped[str] = mapped_column(String(16))
    cited_date: Mapped[str | None] = mapped_column(String(10))
    text: Mapped[str] = mapped_column(Text)
    cited_act_id: Mapped[int | None] = mapped_column(
        ForeignKey("registry_act_records.id", ondelete="SET NULL"), index=True
    )

    act: Mapped[ActRecord] = relationship(back_populates="mark_links", foreign_keys=[act_id])


class RecordCopy(RegistryBase):
    """Provenance of one copy (first or second) of an act: back to the page, slot and who verified it."""

    __tablename__ = "registry_record_copies"
    __table_args__ = (UniqueConstraint("act_id", "copy"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    act_id: Mapped[int] = mapped_column(ForeignKey("registry_act_records.id", ondelete="CASCADE"), index=True)
    copy: Mapped[str] = mapped_column(String(8))
    source_record_id: Mapped[str] = mapped_column(String(32), index=True)
    book: Mapped[str] = mapped_column(String(200))
    scan_sha256: Mapped[str] = mapped_column(String(64))
    source_file: Mapped[str] = mapped_column(Text)
    page: Mapped[int] = mapped_column(Integer)
    slot: Mapped[int] = mapped_column(Integer)
    verified_by: Mapped[str] = mapped_column(String(120))
    values: Mapped[dict[str, Any]] = mapped_column(JsonColumn, default=dict)
    loaded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    act: Mapped[ActRecord] = relationship(back_populates="copies")


class PersonRole(RegistryBase):
    """A person as they appear in one act (child, father, mother, deceased, groom, bride)."""

    __tablename__ = "registry_persons"
    __table_args__ = (
        UniqueConstraint("act_id", "role"),
        # prefix searches (LIKE 'hasan%') use it on PostgreSQL whatever the database's collation
        Index("ix_registry_persons_name_key", "name_key", postgresql_ops={"name_key": "varchar_pattern_ops"}),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    act_id: Mapped[int] = mapped_column(ForeignKey("registry_act_records.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(16))
    surname: Mapped[str | None] = mapped_column(String(120), index=True)
    name: Mapped[str | None] = mapped_column(String(120))
    patronymic: Mapped[str | None] = mapped_column(String(120))
    sex: Mapped[str | None] = mapped_column(String(8))
    birth_date: Mapped[str | None] = mapped_column(String(10))
    folded_name: Mapped[str | None] = mapped_column(String(400), index=True)
    # the name as one Latin key ("hasanov alisher karimovich") that Tajik, Russian and Latin spellings share
    name_key: Mapped[str | None] = mapped_column(String(400))
    details: Mapped[dict[str, Any]] = mapped_column(JsonColumn, default=dict)

    act: Mapped[ActRecord] = relationship(back_populates="persons")


__all__ = ["ActHistory", "ActRecord", "MarkLink", "PersonRole", "RecordCopy", "RegistryBase"]
