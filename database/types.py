"""Column types shared by both databases."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Enum
from sqlalchemy.dialects.postgresql import JSONB

# JSONB on PostgreSQL (indexable, compact), plain JSON text elsewhere.
JsonColumn = JSON().with_variant(JSONB(), "postgresql")


def enum_column(enum_cls: type[StrEnum]) -> Enum:
    """Stores a StrEnum as its value in a VARCHAR, without a CHECK constraint or native type.

    New states can then be added by code alone, with no table rebuild on SQLite.
    """
    return Enum(
        enum_cls,
        native_enum=False,
        create_constraint=False,
        length=24,
        values_callable=lambda members: [m.value for m in members],
    )


def as_dict(value: Any) -> dict[str, Any]:
    return dict(value) if isinstance(value, dict) else {}
