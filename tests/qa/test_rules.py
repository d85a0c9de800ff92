"""Cross-field rules: each one passes on a consistent record and fails, naming its fields, on a planted error."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from pipeline.config import PROJECT_ROOT
from pipeline.ocr.lexicon import load_lexicon
from pipeline.qa.rules import RuleSet, apply_rules, check_record, default_rules, name_sex
from pipeline.types import FieldReading, FieldState, RecordReading, RecordStatus
from tests.qa_books import birth_values

LEXICON = load_lexicon(PROJECT_ROOT / "schemas")
RULES = default_rules()
BIRTH = birth_values(12, date(2015, 3, 20))  # a girl
DEATH: dict[str, str | None] = {
    "act_number": "7",
    "registration_date": "2015-06-03",
    "deceased_surname": "Каримов",
    "deceased_name": "Алишер",
    "deceased_patronymic": "Раҳимович",
    "deceased_sex": "male",
    "deceased_birth_date": "1941-02-11",
    "death_date": "2015-06-01",
}
MARRIAGE: dict[str, str | None] = {
    "act_number": "31",
    "registration_date": "2012-08-18",
    "groom_surname_before": "Назаров",
    "groom_name": "Фаррух",
    "groom_birth_date": "1990-01-05",
    "bride_surname_before": "Сафарова",
    "bride_name": "Мадина",
    "bride_birth_date": "1993-04-30",
}


def codes(values: dict[str, str | None], act_type: str, rules: RuleSet = RULES) -> dict[str, tuple[str, ...]]:
    return {v.code: v.fields for v in check_record(values, act_type, rules, LEXICON)}


@pytest.mark.parametrize(("values", "act_type"), [(BIRTH, "birth"), (DEATH, "death"), (MARRIAGE, "marriage")])
def test_consistent_records_pass_every_rule(values: dict[str, str | None], act_type: str) -> None:
    assert codes(values, act_type) == {}


@pytest.mark.parametrize(
    ("values", "act_type", "code", "fields"),
    [
        (
            {**BIRTH, "registration_date": "2015-03-01", "child_birth_date": "2015-03-12"},
            "birth",
            "registration_before_event",
            ("registration_date", "child_birth_date"),
        ),
        (
            {**DEATH, "registration_date": "2015-05-30"},
            "death",
            "registration_before_event",
            ("registration_date", "death_date"),
        ),
        (
            {**BIRTH, "mother_birth_date": "2006-01-01"},
            "birth",
            "parent_age_implausible",
            ("mother_birth_date", "child_birth_date"),
        ),
        (
            {**BIRTH, "father_birth_date": "1930-01-01"},
            "birth",
            "parent_age_implausible",
            ("father_birth_date", "child_birth_date"),
        ),
        (
            {**DEATH, "deceased_birth_date": "2015-07-01"},
            "death",
            "death_before_birth",
            ("deceased_birth_date", "death_date"),
        ),
        (
            {**MARRIAGE, "bride_birth_date": "1995-09-01"},
            "marriage",
            "marriage_under_age",
            ("bride_birth_date", "registration_date"),
        ),
        (
            {**BIRTH, "child_sex": "male"},
            "birth",
            "sex_name_mismatch",
            ("child_sex", "child_surname", "child_name", "child_patronymic"),
        ),
        (
            {**DEATH, "deceased_patronymic": "Раҳимовна"},
            "death",
            "sex_name_mismatch",
            ("deceased_sex", "deceased_patronymic"),
        ),
        ({**BIRTH, "father_surname": "Раҳимова"}, "birth", "sex_role_mismatch", ("father_surname",)),
        ({**BIRTH, "mother_name": "Алишер"}, "birth", "sex_role_mismatch", ("mother_name",)),
        ({**MARRIAGE, "groom_surname_before": "Ашурдухт"}, "marriage", "sex_role_mismatch", ("groom_surname_before",)),
        ({**BIRTH, "child_name": None}, "birth", "required_missing", ("child_name",)),
    ],
)
def test_each_rule_fails_on_its_planted_error(
    values: dict[str, str | None], act_type: str, code: str, fields: tuple[str, ...]
) -> None:
    assert codes(values, act_type).get(code) == fields


def test_marriage_minimum_follows_the_year_of_the_marriage() -> None:
    # 17 years old: below the minimum since 2011, lawful for a bride in 2005
    assert "marriage_under_age" in codes({**MARRIAGE, "bride_birth_date": "1995-05-01"}, "marriage")
    earlier = {
        **MARRIAGE,
        "registration_date": "2005-08-18",
        "groom_birth_date": "1980-01-05",
        "bride_birth_date": "1988-05-01",
    }
    assert codes(earlier, "marriage") == {}


def test_name_sex_reads_endings_and_the_lexicon_and_leaves_unisex_forms_alone() -> None:
    assert name_sex("surname", "Ҳасанова", RULES, LEXICON) == "female"
    assert name_sex("surname", "Хасанов", RULES, LEXICON) == "male"
    assert name_sex("surname", "Раҳимпур", RULES, LEXICON) == "male"
    assert name_sex("surname", "Раҳимзода", RULES, LEXICON) is None
    assert name_sex("surname", "Азизӣ", RULES, LEXICON) is None
    assert name_sex("patronymic", "Алиевна", RULES, LEXICON) == "female"
    assert name_sex("patronymic", "Сергеевич", RULES, LEXICON) == "male"
    assert name_sex("given_name", "Ситора", RULES, LEXICON) == "female"
    assert name_sex("given_name", "Шерзод", RULES, LEXICON) == "male"


def test_a_full_name_is_split_and_checked_against_the_role() -> None:
    values = {"act_number": "3", "mother_full_name": "Каримов Зарина Алиевна"}
    assert codes(values, "birth")["sex_role_mismatch"] == ("mother_full_name",)


def _reading(values: dict[str, str | None], confidence: float = 0.99) -> RecordReading:
    fields = tuple(
        FieldReading(key=k, value_type="text", raw_text=v or "", value=v, confidence=confidence, state=FieldState.AUTO)
        for k, v in values.items()
    )
    return RecordReading(slot=0, fields=fields, status=RecordStatus.AUTO_VERIFIED)


def test_an_error_flags_its_fields_and_sends_the_record_to_review() -> None:
    checked = apply_rules(_reading({**BIRTH, "father_surname": "Раҳимова"}), "birth", RULES, LEXICON)
    father = next(f for f in checked.fields if f.key == "father_surname")
    assert (father.state, father.reasons) == (FieldState.FLAGGED, ("sex_role_mismatch",))
    assert checked.status == RecordStatus.NEEDS_REVIEW
    assert all(f.state == FieldState.AUTO for f in checked.fields if f.key != "father_surname")
    assert apply_rules(_reading(BIRTH), "birth", RULES, LEXICON).status == RecordStatus.AUTO_VERIFIED


def test_a_warning_flags_only_doubtful_readings_an_info_never_and_a_disabled_rule_is_silent() -> None:
    young = {**MARRIAGE, "bride_birth_date": "1995-09-01"}
    sure = apply_rules(_reading(young, confidence=0.995), "marriage", RULES, LEXICON)
    assert sure.status == RecordStatus.AUTO_VERIFIED  # a warning on confident readings stays a note
    assert next(f for f in sure.fields if f.key == "bride_birth_date").reasons == ("marriage_under_age",)
    doubtful = apply_rules(_reading(young, confidence=0.96), "marriage", RULES, LEXICON)
    assert doubtful.status == RecordStatus.NEEDS_REVIEW
    rules = RULES.model_copy(
        update={"rules": RULES.rules.model_copy(update={"sex_role_mismatch": replace_rule(enabled=False)})}
    )
    assert "sex_role_mismatch" not in codes({**BIRTH, "father_surname": "Раҳимова"}, "birth", rules)
    info = RULES.model_copy(
        update={"rules": RULES.rules.model_copy(update={"sex_role_mismatch": replace_rule(severity="info")})}
    )
    noted = apply_rules(_reading({**BIRTH, "father_surname": "Раҳимова"}), "birth", info, LEXICON)
    assert noted.status == RecordStatus.AUTO_VERIFIED


def replace_rule(**changes: object) -> object:
    return RULES.rules.sex_role_mismatch.model_copy(update=changes)


def test_flagged_fields_keep_their_earlier_reasons_first() -> None:
    reading = _reading({**BIRTH, "father_surname": "Раҳимова"})
    fields = tuple(
        replace(f, state=FieldState.FLAGGED, reasons=("low_confidence",)) if f.key == "father_surname" else f
        for f in reading.fields
    )
    checked = apply_rules(replace(reading, fields=fields), "birth", RULES, LEXICON)
    assert next(f for f in checked.fields if f.key == "father_surname").reasons == (
        "low_confidence",
        "sex_role_mismatch",
    )
