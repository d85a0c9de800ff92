"""Splits a verified record's values into the act's own values and the persons named in it, by role."""

from __future__ import annotations

from dataclasses import dataclass, field

ROLES = ("child", "father", "mother", "deceased", "groom", "bride")
_PERSON_PARTS = {
    "surname": "surname",
    "surname_before": "surname",
    "name": "name",
    "patronymic": "patronymic",
    "sex": "sex",
    "birth_date": "birth_date",
}


@dataclass(frozen=True)
class PersonValues:
    role: str
    surname: str | None = None
    name: str | None = None
    patronymic: str | None = None
    sex: str | None = None
    birth_date: str | None = None
    details: dict[str, str | None] = field(default_factory=dict)


def _split_full_name(full_name: str | None) -> tuple[str | None, str | None, str | None]:
    parts = (full_name or "").split()
    padded = [*parts, None, None, None]
    return padded[0], padded[1], " ".join(parts[2:]) or None


def persons_from_values(values: dict[str, str | None]) -> list[PersonValues]:
    """The persons of a record: every ``<role>_<part>`` field grouped under its role.

    ``<role>_full_name`` (Soviet forms) is split into surname, name and patronymic; parts that are not
    name, sex or birth date (nationality, residence, surname after marriage ...) go to ``details``.
    Roles with no value at all (a father left blank) are not returned.
    """
    persons = []
    for role in ROLES:
        prefix = f"{role}_"
        own = {k[len(prefix) :]: v for k, v in values.items() if k.startswith(prefix)}
        if not any(v for v in own.values()):
            continue
        core: dict[str, str | None] = {}
        details: dict[str, str | None] = {}
        for part, value in own.items():
            if part == "full_name":
                core["surname"], core["name"], core["patronymic"] = _split_full_name(value)
            elif part in _PERSON_PARTS and _PERSON_PARTS[part] not in core:
                core[_PERSON_PARTS[part]] = value
            else:
                details[part] = value
        # Father/groom and mother/bride forms carry no sex field: the role implies it.
        if role in ("father", "groom"):
            core.setdefault("sex", "male")
        elif role in ("mother", "bride"):
            core.setdefault("sex", "female")
        persons.append(PersonValues(role=role, details=details, **core))
    return persons
