"""Web app fixtures: cheap password hashing, records of two offices with page images, a test client."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from argon2 import PasswordHasher
from fastapi.testclient import TestClient

import services.users
from database.session import session_scope, workflow_sessions
from pipeline.config import Settings
from tests.factories import make_book
from tests.webapp.support import ReviewData, add_users, review_record
from webapp.app import create_app


@pytest.fixture(autouse=True)
def cheap_password_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    """Production argon2 costs ~0.3 s a hash here; the tests check the logic, not the cost."""
    monkeypatch.setattr(services.users, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))


@pytest.fixture
def review_data(settings: Settings) -> ReviewData:
    with session_scope(workflow_sessions(settings)) as session:
        add_users(session)
        khj = make_book(session, office="KHJ")
        sno = make_book(session, office="SNO")
        ids = [review_record(session, settings, khj, n).id for n in (1, 2)]
        other = review_record(session, settings, sno, 1).id
    return ReviewData(khj=ids, sno=other)


@pytest.fixture
def app_client(settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(settings), base_url="http://testserver", follow_redirects=False) as client:
        yield client
