"""Registry models: verified act records and the persons in them, keyed by the natural key."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import DateTime, ForeignKey, Integer, MetaData, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from database.types import JsonColumn
from database.workflow import NAMING, utcnow


class RegistryBase(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class ActRecord(RegistryBase):
    """One civil-status act, once, whatever copies and re-loads it came from."""

    __tablename__ = "registry_act_records"
    __table_args__ = (UniqueConstraint("office", "act_type", "act_year", "act_number"),)

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
    __table_args__ = (UniqueConstraint("act_id", "role"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    act_id: Mapped[int] = mapped_column(ForeignKey("registry_act_records.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(16))
    surname: Mapped[str | None] = mapped_column(String(120), index=True)
    name: Mapped[str | None] = mapped_column(String(120))
    patronymic: Mapped[str | None] = mapped_column(String(120))
    sex: Mapped[str | None] = mapped_column(String(8))
    birth_date: Mapped[str | None] = mapped_column(String(10))
    folded_name: Mapped[str | None] = mapped_column(String(400), index=True)
    details: Mapped[dict[str, Any]] = mapped_column(JsonColumn, default=dict)

    act: Mapped[ActRecord] = relationship(back_populates="persons")


__all__ = ["ActRecord", "PersonRole", "RecordCopy", "RegistryBase"]
