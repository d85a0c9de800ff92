"""Offices and targets: files checked row by row, imported into the database, used by the figures over the file."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from cli.main import app
from database.session import session_scope, workflow_sessions
from database.workflow import Book, Office, OfficeTarget, Record
from pipeline.config import Settings
from pipeline.errors import ConfigError
from services.dashboard import office_figures
from services.offices import import_offices, read_offices_file
from services.progress import office_progress
from tests.factories import make_book, make_record

CSV = """code,name,region,first_birth,first_death,second_birth,target_date
KHJ,Khujand,Sughd,"20,000",7000,,2027-06-30
DSH,Dushanbe city,Dushanbe,1000,,500,
"""
YAML = """target_date: 2028-03-31
offices:
  - code: KHJ
    name: Khujand city
    region: Sughd
    targets: {first: {birth: 12000}, second: {marriage: 300}}
  - {code: ISF, name: Isfara, targets: {first: {death: 40}}, target_date: 2027-09-30}
"""


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_import_adds_then_updates_and_the_figures_use_the_database(settings: Settings, tmp_path: Path) -> None:
    shipped = settings.schemas_dir / "offices.yaml"
    today = date(2026, 6, 1)
    with session_scope(workflow_sessions(settings)) as session:
        before = {o.code: o for o in office_figures(session, shipped, None, today)}
        result = import_offices(session, read_offices_file(_write(tmp_path, "offices.csv", CSV)))
        assert (result.added, result.updated) == (["KHJ", "DSH"], [])
    with session_scope(workflow_sessions(settings)) as session:
        rows = {o.code: o for o in office_figures(session, shipped, None, today)}
        assert before["KHJ"].target == 28_000 and rows["KHJ"].target == 27_000  # the inventory replaces the default
        assert rows["KHJ"].target_date == date(2027, 6, 30)
        assert rows["DSH"].target == 1_500 and rows["DSH"].target_date == date(2027, 12, 31)  # default date
        assert rows["BKH"].target == before["BKH"].target == 28_000  # not imported: the shipped file's figures
        assert list(rows)[-1] == "DSH"  # offices only in the database come after the file's, in code order
        progress = {p.office: p for p in office_progress(session, shipped)}
        assert progress["KHJ"].target == 27_000 and progress["DSH"].name == "Dushanbe city"

        result = import_offices(session, read_offices_file(_write(tmp_path, "offices.yaml", YAML)))
        assert (result.added, result.updated) == (["ISF"], ["KHJ"])
    with session_scope(workflow_sessions(settings)) as session:
        khj = session.get_one(Office, "KHJ")
        assert (khj.name, khj.target_date) == ("Khujand city", date(2028, 3, 31))  # the file's own default date
        targets = {(t.copy.value, t.act_type): t.records for t in khj.targets}
        assert targets == {("first", "birth"): 12_000, ("second", "marriage"): 300}  # the old death target is gone
        assert session.scalar(select(func.count()).select_from(OfficeTarget)) == 5
        rows = {o.code: o for o in office_figures(session, shipped, None, today)}
        assert rows["ISF"].target == 40 and rows["ISF"].target_date == date(2027, 9, 30)
        assert rows["KHJ"].target == 12_300


@pytest.mark.parametrize(
    ("name", "text", "expected"),
    [
        (
            "bad.csv",
            "code,name,first_birth,first_death\nKHJ,Khujand,abc,1\n,No code,1,\nBKH,Bokhtar,5,-3\nBKH,Again,1,1\n",
            [
                "bad.csv, line 2 (KHJ): targets.first.birth",
                "bad.csv, line 3: code",
                "bad.csv, line 4 (BKH)",
                "cannot be negative",
                "bad.csv, line 5 (BKH): office BKH is already given at bad.csv, line 4",
            ],
        ),
        (
            "cols.csv",
            "code,name,first_births\nKHJ,Khujand,1\n",
            ["cols.csv, line 1 (header): unknown columns first_births"],
        ),
        (
            "bad.yaml",
            "offices:\n  - {code: KHJ, name: K, targets: {third: {birth: 1}}}\n"
            "  - {code: SNO, name: S, target_date: soon}\n",
            ["bad.yaml, office 1 (KHJ): targets.third", "bad.yaml, office 2 (SNO): target_date"],
        ),
        ("list.yaml", "- KHJ\n", ["expected a mapping with an 'offices:' list"]),
        ("offices.txt", "KHJ", ["an offices file is .yaml, .yml or .csv"]),
    ],
)
def test_invalid_files_are_refused_with_the_file_and_row(
    tmp_path: Path, name: str, text: str, expected: list[str]
) -> None:
    with pytest.raises(ConfigError) as caught:
        read_offices_file(_write(tmp_path, name, text))
    for part in expected:
        assert part in caught.value.message, caught.value.message


def test_the_commands_import_and_list(
    sqlite_settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from cli.common import console, err_console

    for output in (console, err_console):
        monkeypatch.setattr(output, "width", 200)  # one line per table row and per message
    runner = CliRunner()
    bad = runner.invoke(app, ["offices", "import", str(_write(tmp_path, "o.csv", "code,name,first_birth\nKHJ,,1\n"))])
    assert bad.exit_code == 3 and "o.csv, line 2 (KHJ): name" in bad.output
    with session_scope(workflow_sessions(sqlite_settings)) as session:
        assert session.scalar(select(func.count()).select_from(Office)) == 0  # nothing saved from a bad file
    done = runner.invoke(app, ["offices", "import", str(_write(tmp_path, "offices.csv", CSV))])
    assert done.exit_code == 0, done.output
    assert "2 new (KHJ, DSH)" in done.output
    listed = runner.invoke(app, ["offices", "list"])
    assert listed.exit_code == 0, listed.output
    lines = {line.split("│")[1].strip(): line for line in listed.output.splitlines() if line.count("│") > 3}
    assert "27,000" in lines["KHJ"] and "2027-06-30" in lines["KHJ"] and "database" in lines["KHJ"]
    assert "28,000" in lines["BKH"] and "offices.yaml" in lines["BKH"]
    assert "second: birth 500" in lines["DSH"]


def test_the_command_removes_an_office_and_its_targets_and_keeps_its_books(
    settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from cli.common import console, err_console

    for output in (console, err_console):
        monkeypatch.setattr(output, "width", 200)  # one line per message
    runner = CliRunner()
    assert runner.invoke(app, ["offices", "import", str(_write(tmp_path, "offices.csv", CSV))]).exit_code == 0
    with session_scope(workflow_sessions(settings)) as session:
        make_record(session, make_book(session, office="DSH"), {"child_name": "Ali"})

    def targets(code: str) -> int:
        with session_scope(workflow_sessions(settings)) as session:
            return (
                session.scalar(select(func.count()).select_from(OfficeTarget).where(OfficeTarget.office == code)) or 0
            )

    unknown = runner.invoke(app, ["offices", "remove", "BKH"])  # only in the shipped file
    assert unknown.exit_code == 8 and "no office BKH in the database" in unknown.output
    refused = runner.invoke(app, ["offices", "remove", "DSH"])
    assert refused.exit_code == 3 and isinstance(refused.exception, SystemExit)  # a message, no traceback
    assert "office DSH has 1 book(s)" in refused.output and "--force" in refused.output
    assert "books and records are kept" in refused.output and targets("DSH") == 2

    forced = runner.invoke(app, ["offices", "remove", "DSH", "--force"])
    assert forced.exit_code == 0, forced.output
    assert "office DSH removed with its 2 targets; its 1 book(s) and their records are kept" in forced.output
    done = runner.invoke(app, ["offices", "remove", "KHJ"])  # no book: no --force needed
    assert done.exit_code == 0, done.output
    assert "its 0 book(s)" in done.output and "the figures use its entry in offices.yaml again" in done.output
    with session_scope(workflow_sessions(settings)) as session:
        assert session.scalars(select(Office.code)).all() == []
        assert session.scalar(select(func.count()).select_from(OfficeTarget)) == 0
        assert session.scalar(select(func.count()).select_from(Book).where(Book.office == "DSH")) == 1
        assert session.scalar(select(func.count()).select_from(Record).where(Record.office == "DSH")) == 1
        rows = {o.code: o for o in office_figures(session, settings.schemas_dir / "offices.yaml", None, date.today())}
        assert rows["KHJ"].target == 28_000  # the shipped file's figures again
        assert rows["DSH"].records == 1 and rows["DSH"].target == 0  # its records still count, against no target
