"""The ground-truth file beside a scan (``NAME.truth.json``): checks of its shape and canonical values, and the
as-written texts a generated file carries for measuring the raw reading."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from datetime import date
from typing import Any

from pipeline.forms.catalogue import Catalogue
from pipeline.prepare import SPREAD_SLOT_OFFSET

ROTATIONS = (0, 90, 180, 270)
_NAME_PART = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*")
_DIGITS = re.compile(r"[1-9][0-9]*|0")


def canonical_problem(value_type: str, value: str) -> str | None:
    """What makes ``value`` not the catalogue's canonical form of ``value_type``, or None when it is."""
    if unicodedata.normalize("NFC", value) != value:
        return "not NFC"
    if value_type == "date":
        try:
            parsed = date.fromisoformat(value)
        except ValueError:
            return "not a YYYY-MM-DD date"
        return None if parsed.isoformat() == value else "not a YYYY-MM-DD date"
    if value_type == "sex":
        return None if value in ("male", "female") else "not 'male' or 'female'"
    if value_type == "number":
        return None if _DIGITS.fullmatch(value) and value.isascii() else "not ASCII digits without leading zeros"
    if value_type == "name":
        return _name_problem(value)
    if value_type == "full_name":
        parts = value.split(" ")
        if len(parts) < 2:
            return "a full name needs at least surname and name"
        return next((f"part {part!r}: {p}" for part in parts if (p := _name_problem(part))), None)
    if " ".join(value.split()) != value or not value:
        return "white space not collapsed or trimmed"
    return None


def _name_problem(part: str) -> str | None:
    if not _NAME_PART.fullmatch(part):
        return "not a single name (letters and inner hyphens)"
    pieces = part.split("-")
    if any(piece != piece[:1].upper() + piece[1:].lower() for piece in pieces):
        return "not capitalised"
    return None


def truth_problems(doc: Mapping[str, Any], catalogue: Catalogue) -> list[str]:
    """Everything wrong with a truth document: page numbering, rotation, forms, slots, keys and values."""
    problems: list[str] = []
    pages = doc.get("pages")
    if not isinstance(pages, list) or not pages:
        return ["no pages"]
    for index, page in enumerate(pages, start=1):
        where = f"page {index}"
        if page.get("page") != index:
            problems.append(f"{where}: numbered {page.get('page')!r}")
        if page.get("rotation") not in ROTATIONS:
            problems.append(f"{where}: rotation {page.get('rotation')!r} is not a quarter-turn")
        if not isinstance(page.get("skew_deg"), int | float):
            problems.append(f"{where}: skew_deg missing")
        form_id = page.get("form")
        records = page.get("records")
        if not isinstance(records, list):
            problems.append(f"{where}: records missing")
            continue
        if form_id is None:
            if records:
                problems.append(f"{where}: a page of no form has records")
            continue
        if form_id not in catalogue.forms:
            problems.append(f"{where}: unknown form {form_id!r}")
            continue
        form = catalogue.forms[form_id]
        slots = [r.get("slot") for r in records]
        # a spread's second page numbers its slots from SPREAD_SLOT_OFFSET
        halves = 2 if page.get("spread") is True else 1
        if len(set(slots)) != len(slots) or not all(
            isinstance(s, int)
            and 0 <= s < halves * SPREAD_SLOT_OFFSET
            and s % SPREAD_SLOT_OFFSET < form.records_per_page
            for s in slots
        ):
            problems.append(f"{where}: slots {slots} do not fit {form.records_per_page} per page")
        for record in records:
            fields = record.get("fields", {})
            here = f"{where} slot {record.get('slot')}"
            if set(fields) != set(form.field_keys):
                missing, extra = set(form.field_keys) - set(fields), set(fields) - set(form.field_keys)
                problems.append(f"{here}: keys missing {sorted(missing)}, unknown {sorted(extra)}")
            for spec in form.fields:
                value = fields.get(spec.key)
                if value is None:
                    if spec.required:
                        problems.append(f"{here}: required {spec.key} is blank")
                elif not isinstance(value, str):
                    problems.append(f"{here}: {spec.key} is {type(value).__name__}, not a string")
                elif problem := canonical_problem(spec.type, value):
                    problems.append(f"{here}: {spec.key}={value!r}: {problem}")
    return problems


def pages_with_written(doc: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The truth pages, each with ``written`` ({slot: {key: text as on paper}}) when the generator recorded it.

    Evaluation compares the raw reading with this text, where it exists, instead of the canonical value.
    """
    generated = {p.get("page"): p for p in (doc.get("generator") or {}).get("pages", [])}
    pages = []
    for page in doc.get("pages", []):
        extra = generated.get(page.get("page"))
        if extra and extra.get("written"):
            page = {**page, "written": {int(w["slot"]): dict(w["fields"]) for w in extra["written"]}}
        pages.append(dict(page))
    return pages
