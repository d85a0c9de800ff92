"""The registry keeps history on reload and never duplicates; marks link acts; search finds any spelling."""

from __future__ import annotations

import json
from datetime import date

from sqlalchemy import func, select
from typer.testing import CliRunner

from cli.main import app
from database.registry import ActHistory, ActRecord, MarkLink, PersonRole, RecordCopy
from database.session import session_scope, workflow_and_registry, workflow_sessions
from database.workflow import CopyKind, Field, Record
from pipeline.config import Settings
from pipeline.types import RecordStatus
from services.loader import load_records
from services.search import SearchQuery, search_acts
from tests.factories import make_book, make_record
from tests.qa_books import Planted, birth_values, make_book_records, run_of


def _load(settings: Settings, ids: list[str] | None = None) -> tuple[int, int, int]:
    with workflow_and_registry(settings) as (workflow, registry):
        result = load_records(workflow, registry, ids)
    return result.loaded, result.updated, result.skipped


def _count(settings: Settings, model: type) -> int:
    with workflow_and_registry(settings) as (_workflow, registry):
        return registry.scalar(select(func.count()).select_from(model)) or 0


def test_reload_after_a_correction_updates_in_place_and_keeps_history(settings: Settings) -> None:
    with session_scope(workflow_sessions(settings)) as session:
        _book, (first,) = make_book_records(session, run_of([214]))
        _book, (second,) = make_book_records(session, run_of([214]), copy=CopyKind.SECOND)
        first_id, second_id = first.id, second.id
    assert _load(settings) == (1, 1, 0)
    assert _load(settings) == (0, 0, 0)
    assert _load(settings, [first_id, second_id]) == (0, 2, 0)  # a rerun of the same values
    assert _count(settings, ActHistory) == 0  # ... changes nothing
    with session_scope(workflow_sessions(settings)) as session:
        name = session.scalar(select(Field).where(Field.record_id == first_id, Field.key == "child_name"))
        assert name is not None
        before, name.value = name.value, "Рустам"
        session.get_one(Record, first_id).status = RecordStatus.VERIFIED
    assert _load(settings, [first_id]) == (0, 1, 0)
    assert _load(settings, [first_id]) == (0, 1, 0)
    assert [_count(settings, m) for m in (ActRecord, RecordCopy, PersonRole, ActHistory)] == [1, 2, 3, 1]
    with workflow_and_registry(settings) as (_workflow, registry):
        act = registry.scalars(select(ActRecord)).one()
        (change,) = act.history
        assert act.values["child_name"] == "Рустам" and change.previous["values"]["child_name"] == before
        assert (change.changed_fields, change.source_record_id, change.copy) == (["child_name"], first_id, "first")
        child = next(p for p in act.persons if p.role == "child")
        assert child.name == "Рустам" and child.name_key is not None and "rustam" in child.name_key


def test_a_mark_links_the_act_it_cites_whichever_is_loaded_first(settings: Settings) -> None:
    death = {
        "act_number": "3",
        "registration_date": "2016-06-06",
        "deceased_surname": "Раҳимов",
        "deceased_name": "Алишер",
        "deceased_sex": "male",
        "death_date": "2016-06-05",
    }
    with session_scope(workflow_sessions(settings)) as session:
        marked = Planted(1, date(2015, 1, 5), {"marks": "Умер, з/а о смерти № 3 от 05.06.2016"})
        make_book_records(session, [marked])
    _load(settings)
    with workflow_and_registry(settings) as (_workflow, registry):
        link = registry.scalars(select(MarkLink)).one()
        assert (link.kind, link.cited_year, link.cited_number, link.cited_act_id) == ("death", 2016, "3", None)
    with session_scope(workflow_sessions(settings)) as session:
        make_record(session, make_book(session, year=2016), death, form_id="death_tj_2010")
    _load(settings)
    with workflow_and_registry(settings) as (_workflow, registry):
        link = registry.scalars(select(MarkLink)).one()
        cited = registry.get_one(ActRecord, link.cited_act_id)
        assert (cited.act_type, cited.act_year, cited.act_number) == ("death", 2016, "3")


def _registry_for_search(settings: Settings) -> None:
    with session_scope(workflow_sessions(settings)) as session:
        changes = [
            {"child_surname": "Ҳасанов", "child_name": "Алишер", "child_sex": "male"},
            {"child_surname": "Хасанова", "child_name": "Мадина", "child_sex": "female", "child_patronymic": None},
            {"child_surname": "Каримов", "child_name": "Фаррух", "child_sex": "male"},
        ]
        days = [date(2015, 1, 10), date(2015, 6, 1), date(2015, 6, 2)]
        planted = [
            Planted(i + 1, day, change, seed=1) for i, (day, change) in enumerate(zip(days, changes, strict=True))
        ]
        make_book_records(session, planted)
        make_book_records(session, [Planted(9, date(2015, 2, 2), seed=8)], office="DSH")
        review = make_record(session, make_book(session, office="BKH"), birth_values(3, date(2015, 1, 1)))
        review.status = RecordStatus.NEEDS_REVIEW  # not verified: never in the registry
    _load(settings)


def test_search_finds_tajik_russian_and_latin_spellings_with_filters_and_provenance(settings: Settings) -> None:
    _registry_for_search(settings)
    with workflow_and_registry(settings) as (_workflow, registry):
        for spelling in ("Ҳасанов", "Хасанов", "Hasanov", "khasanov"):
            hits = search_acts(registry, SearchQuery(name=spelling))
            assert [h.act_number for h in hits] == ["1", "2"], spelling
        (alisher,) = search_acts(registry, SearchQuery(name="Hasanov Alisher"))
        assert alisher.act_number == "1" and alisher == search_acts(registry, SearchQuery(name="Alisher Hasanov"))[0]
        child = next(p for p in alisher.persons if p.role == "child")
        assert child.matched and (child.surname, child.name) == ("Ҳасанов", "Алишер")
        assert not next(p for p in alisher.persons if p.role == "mother").matched
        (source,) = alisher.copies
        assert (source.copy, source.page, source.slot, len(source.scan_sha256)) == ("first", 1, 0, 64)
        in_june = search_acts(
            registry, SearchQuery(name="hasan", date_from=date(2015, 5, 1), date_to=date(2015, 6, 30))
        )
        assert [h.act_number for h in in_june] == ["2"]
        assert [h.office for h in search_acts(registry, SearchQuery(office="DSH"))] == ["DSH"]
        assert [h.act_number for h in search_acts(registry, SearchQuery(act_number="003", act_type="birth"))] == ["3"]
        assert search_acts(registry, SearchQuery(name="Hasanov", act_type="death")) == []
        assert search_acts(registry, SearchQuery(office="BKH")) == []


def test_search_command_prints_acts_as_json_and_as_a_table(settings: Settings) -> None:
    _registry_for_search(settings)
    runner = CliRunner()
    result = runner.invoke(app, ["search", "Hasanov", "--from", "2015-01-01", "--to", "2015-12-31", "--format", "json"])
    assert result.exit_code == 0, result.output
    hits = json.loads(result.output)
    assert [h["act_number"] for h in hits] == ["1", "2"]
    assert hits[0]["copies"][0]["scan_sha256"] and hits[0]["persons"][0]["role"] == "child"
    table = runner.invoke(app, ["search", "Ҳасанов", "--office", "KHJ"])
    assert table.exit_code == 0 and "Ҳасанов" in table.output
    assert runner.invoke(app, ["search", "x", "--from", "2015-13-01"]).exit_code != 0
