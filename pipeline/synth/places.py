"""Places and registry offices as written on the forms: Soviet Russian names, present Tajik and Russian ones."""

from __future__ import annotations

import random
import re

from pipeline.synth.lexicon import Place
from pipeline.synth.paper import Era

DUSHANBE = Place(region="Dushanbe", tg="ш. Душанбе", ru="г. Душанбе", earlier=None)

# Common village names (Tajik, Russian-form spelling); villages repeat across districts, as they do in life.
_VILLAGES: tuple[tuple[str, str], ...] = (
    ("Навобод", "Навабад"),
    ("Гулистон", "Гулистан"),
    ("Чимтеппа", "Чимтепа"),
    ("Бӯстон", "Бустан"),
    ("Ғалаба", "Галаба"),
    ("Дӯстӣ", "Дусти"),
    ("Қалъача", "Калъача"),
    ("Хонобод", "Ханабад"),
    ("Баҳор", "Бахор"),
    ("Ҳаёти Нав", "Хаёти Нав"),
)
_STREETS_TG = ("кӯч. Исмоили Сомонӣ", "кӯч. Рӯдакӣ", "кӯч. Айнӣ", "кӯч. Фирдавсӣ", "кӯч. Ибни Сино", "кӯч. Ленин")
_STREETS_RU_SOVIET = ("ул. Ленина", "ул. Кирова", "ул. Карла Маркса", "ул. Айни", "ул. Пушкина", "ул. Советская")
_STREETS_RU_NOW = ("ул. Рудаки", "ул. Айни", "ул. Сомони", "ул. Фирдавси", "ул. Ленина")

_CONSONANT_END = re.compile(r"[бвгджзйклмнпрстфхцчшщ]$")
_SOFT_CONSONANTS = "гкхжшчщ"
_ADJECTIVE_END = re.compile(r"(ский|ной|ный|ий)$")


def _clean_earlier(place: Place) -> str | None:
    """The earlier (Soviet) name when the lexicon gives one plainly: 'Ленинабад (until 1991)' -> 'Ленинабад'."""
    if not place.earlier or re.search(r"[A-Za-z→~]", place.earlier.split("(")[0]):
        return None
    name = re.split(r"\(|;|,| / ", place.earlier)[0].strip()
    return name or None


def _district(name: str) -> str:
    """'Варзобский' -> 'Варзобский р-н'; names already carrying 'р-н' are kept."""
    if "р-н" in name:
        return name
    return f"{name} р-н" if _ADJECTIVE_END.search(name) else f"р-н {name}"


def soviet_name(place: Place) -> str:
    """The Russian name before independence: 'г. Ленинабад', 'Ленинский р-н'."""
    earlier = _clean_earlier(place)
    if earlier is None:
        return russian_name(place)
    return f"г. {earlier}" if place.is_city else _district(earlier)


def russian_name(place: Place) -> str:
    """The present Russian name: 'г. Худжанд', 'Рудакинский р-н', 'р-н Сино'."""
    return place.ru if place.is_city or place.ru.startswith("г.") else _district(place.ru)


def _city_genitive(name: str) -> str:
    if "-" in name or name[-1] in "еиоуыэю":
        return name  # Душанбе, Курган-Тюбе: not declined
    if name.endswith("а"):
        return name[:-1] + ("и" if name[-2] in _SOFT_CONSONANTS else "ы")
    return name + "а" if _CONSONANT_END.search(name) else name


def genitive(name: str) -> str:
    """'г. Худжанд' -> 'г. Худжанда', 'Ленинский р-н' -> 'Ленинского р-на', 'р-н Сино' -> 'р-на Сино'."""
    if name.startswith("г. "):
        return "г. " + _city_genitive(name[3:])
    if name.startswith("р-н "):
        return "р-на " + name[4:]
    if name.endswith(" р-н"):
        words = name[:-4].split(" ")
        adjective = re.sub(r"ский$", "ского", re.sub(r"(ный|ной)$", "ного", words[-1]))
        return " ".join([*words[:-1], adjective]) + " р-на"
    return name


def _in_dushanbe(place: Place) -> bool:
    return place.region == "Dushanbe" and place != DUSHANBE


def place_name(place: Place, era: Era, tajik: bool) -> str:
    """The bare place: 'ш. Хуҷанд', 'н. Сино, ш. Душанбе', 'г. Ленинабад', 'р-н Сино г. Душанбе'."""
    if era == "su":
        name = soviet_name(place)
        return f"{name} г. Душанбе" if _in_dushanbe(place) else name
    if tajik:
        return f"{place.tg}, ш. Душанбе" if _in_dushanbe(place) else place.tg
    name = russian_name(place)
    return f"{name} г. Душанбе" if _in_dushanbe(place) else name


def office_name(place: Place, era: Era, tajik: bool) -> str:
    """The registry office of a place: 'САҲШ-и ш. Хуҷанд', 'ЗАГС г. Худжанда', 'ЗАГС Ленинского р-на'."""
    if tajik and era == "tj":
        return f"САҲШ-и {place_name(place, era, tajik=True)}"
    base = soviet_name(place) if era == "su" else russian_name(place)
    office = f"ЗАГС {genitive(base)}"
    return f"{office} г. Душанбе" if _in_dushanbe(place) else office


def settlement(place: Place, era: Era, tajik: bool, rng: random.Random) -> str:
    """A place of birth or death: the city itself, or a village of the district ('д. Навобод, н. Рӯдакӣ')."""
    if place.is_city or place.region == "Dushanbe" or rng.random() < 0.4:
        return place_name(place, era, tajik)
    village_tg, village_ru = rng.choice(_VILLAGES)
    if era == "su":
        return f"кишл. {village_ru} {genitive(soviet_name(place))}"
    if tajik:
        return f"д. {village_tg}, {place.tg}"
    return f"с. {village_ru}, {russian_name(place)}"


def residence(place: Place, era: Era, tajik: bool, rng: random.Random) -> str:
    """An address: 'ш. Хуҷанд, кӯч. Айнӣ 24', 'г. Ленинабад, ул. Ленина, д. 7', or a village."""
    if not (place.is_city or place.region == "Dushanbe"):
        return settlement(place, era, tajik, rng)
    house = rng.randint(1, 140)
    if era == "su":
        return f"{place_name(place, era, tajik)}, {rng.choice(_STREETS_RU_SOVIET)}, д. {house}"
    if tajik:
        return f"{place_name(place, era, tajik)}, {rng.choice(_STREETS_TG)} {house}"
    return f"{place_name(place, era, tajik)}, {rng.choice(_STREETS_RU_NOW)}, д. {house}"
