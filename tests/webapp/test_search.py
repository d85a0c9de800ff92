"""Registry search page: any spelling of a name finds the act, only in the viewer's offices, copy linked."""

from __future__ import annotations

from fastapi.testclient import TestClient

from database.session import session_scope, workflow_and_registry, workflow_sessions
from pipeline.config import Settings
from services.loader import load_records
from tests.factories import make_book, make_record
from tests.webapp.support import add_users, login

VALUES = {
    "act_number": "31",
    "registration_date": "2015-04-02",
    "child_surname": "Ҳасанова",
    "child_name": "Мадина",
    "child_sex": "female",
    "child_birth_date": "2015-03-12",
    "father_surname": "Ҳасанов",
    "father_name": "Алишер",
    "mother_surname": "Каримова",
    "mother_name": "Зарина",
}


def test_search_finds_every_spelling_within_the_viewers_offices(settings: Settings, app_client: TestClient) -> None:
    with session_scope(workflow_sessions(settings)) as session:
        add_users(session)
        khj = make_record(session, make_book(session, office="KHJ"), VALUES)
        make_record(session, make_book(session, office="SNO"), {**VALUES, "act_number": "77"}, file_name="sno/p1.png")
        khj_id = khj.id
    with workflow_and_registry(settings) as (workflow, registry):
        load_records(workflow, registry)
    login(app_client, "anna")  # a reviewer of KHJ only
    for spelling in ("Ҳасанов", "Хасанов", "Hasanov"):
        page = app_client.get("/search", params={"name": spelling})
        assert page.status_code == 200
        assert "1 acts" in page.text and "№ 31" in page.text, spelling
        assert "№ 77" not in page.text  # the other office's act stays hidden
        assert f'href="/records/{khj_id}"' in page.text
    assert "0 acts" in app_client.get("/search", params={"name": "Hasanov", "office": "SNO"}).text
    login(app_client, "root")
    assert "2 acts" in app_client.get("/search", params={"name": "Hasanov"}).text
    assert "1 acts" in app_client.get("/search", params={"number": "77"}).text
