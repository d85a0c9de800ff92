"""The word lists the generator draws from: names, surnames, places, nationalities, citizenships, months."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from pipeline.errors import ConfigError


@dataclass(frozen=True)
class Place:
    """A city (``ш.``) or district (``н.``) with its Tajik and Russian names and what it was called before."""

    region: str
    tg: str
    ru: str
    earlier: str | None

    @property
    def is_city(self) -> bool:
        return self.tg.startswith("ш.")


@dataclass(frozen=True)
class Nationality:
    ru_male: str
    ru_female: str
    tg: str


@dataclass(frozen=True)
class SynthLexicon:
    male_names: tuple[str, ...]
    female_names: tuple[str, ...]
    surnames: tuple[str, ...]  # masculine forms, as listed
    places: tuple[Place, ...]
    nationalities: tuple[Nationality, ...]
    citizenships: dict[str, tuple[str, ...]]  # soviet, tajikistan, foreign, stateless
    months: dict[str, tuple[str, ...]]  # ru_genitive, ru_nominative, tg_nominative, tg_izofat, roman

    def nationality(self, ru_male: str) -> Nationality:
        for item in self.nationalities:
            if item.ru_male == ru_male:
                return item
        raise KeyError(ru_male)


def _words(path: Path) -> tuple[str, ...]:
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise ConfigError(f"cannot read {path}: {exc}") from exc
    return tuple(line.strip() for line in lines if line.strip() and not line.startswith("#"))


@lru_cache(maxsize=2)
def load_synth_lexicon(lexicons_dir: Path) -> SynthLexicon:
    """Reads ``schemas/lexicons``: the three word lists and ``domain.yaml``."""
    path = lexicons_dir / "domain.yaml"
    try:
        domain = yaml.safe_load(path.read_text(encoding="utf-8"))
        places = tuple(Place(p["region"], p["tg"], p["ru"], p.get("earlier")) for p in domain["places"])
        nationalities = tuple(Nationality(n["ru_male"], n["ru_female"], n["tg"]) for n in domain["nationalities"])
        citizenships = {k: tuple(v) for k, v in domain["citizenships"].items()}
        months = {k: tuple(v) for k, v in domain["months"].items()}
    except (OSError, yaml.YAMLError, KeyError, TypeError) as exc:
        raise ConfigError(f"cannot read the domain lexicon {path}: {exc}") from exc
    return SynthLexicon(
        male_names=_words(lexicons_dir / "given_names_male.txt"),
        female_names=_words(lexicons_dir / "given_names_female.txt"),
        surnames=_words(lexicons_dir / "surnames.txt"),
        places=places,
        nationalities=nationalities,
        citizenships=citizenships,
        months=months,
    )
