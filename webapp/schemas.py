"""Pydantic models of the JSON API, kept apart from the ORM models."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

ValueType = Literal["number", "date", "name", "full_name", "sex", "text", "place"]


class ParseRequest(BaseModel):
    value_type: ValueType
    raw: str = Field(max_length=2000)
    key: str = Field(default="", max_length=64)
    reference_year: int | None = Field(default=None, ge=1800, le=2200)


class ParseResponse(BaseModel):
    ok: bool
    value: str | None = Field(description="canonical value; null for a blank field")
    message: str | None = Field(default=None, description="why the text cannot be saved")
    warning: str | None = Field(default=None, description="saved, but worth a second look")


class LeaseResponse(BaseModel):
    held: bool = Field(description="false: the lease ended and someone else may have the record")
    until: datetime | None = None


class Health(BaseModel):
    status: Literal["ok"] = "ok"
