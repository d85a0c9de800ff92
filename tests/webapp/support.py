"""Builders and helpers of the web app tests: users of each role, records with page images, signing in."""

from __future__ import annotations

import re
from dataclasses import dataclass

from fastapi.testclient import TestClient
from PIL import Image, ImageDraw, ImageFont
from sqlalchemy.orm import Session

import services.users
from database.accounts import Role, User, UserOffice
from database.workflow import Book, Page, Record
from pipeline.config import Settings
from pipeline.forms.fonts import font_path
from pipeline.forms.render import mm_to_px, render_blank
from pipeline.types import FieldState, RecordStatus
from tests.factories import CATALOGUE, make_record

PASSWORD = "correct horse battery"
FONT = str(font_path("DejaVu Serif"))
DPI = 150  # the aligned page of the tests: half the pipeline's resolution, for speed
# Values as the page shows them; the flagged fields' stored values are what OCR got wrong.
VALUES = {
    "act_number": "214",
    "registration_date": "2015-03-20",
    "office": "САҲШ-и ш. Хуҷанд",
    "child_surname": "Раҳимова",
    "child_name": "Мадина",
    "child_sex": "female",
    "child_birth_date": "2015-03-12",
    "child_birth_place": "ш. Хуҷанд",
    "mother_surname": "Каримова",
    "mother_name": "Зарина",
}
FLAGGED = ("child_name", "child_birth_date", "mother_surname")
MISREAD = {"child_name": "Мадииа", "child_birth_date": "2015-08-12", "mother_surname": "Каримова"}
USERS = {
    "anna": (Role.REVIEWER, ("KHJ",)),
    "bobur": (Role.REVIEWER, ("KHJ",)),
    "sino": (Role.REVIEWER, ("SNO",)),
    "mira": (Role.MANAGER, ("KHJ",)),
    "oleg": (Role.OPERATOR, ("KHJ",)),
    "root": (Role.ADMIN, ()),
}


def add_users(session: Session) -> None:
    hashed = services.users.hash_password(PASSWORD)
    for name, (role, offices) in USERS.items():
        user = User(username=name, role=role, password_hash=hashed, active=True)
        user.offices = [UserOffice(office=o) for o in offices]
        session.add(user)
    session.flush()


def page_image(settings: Settings, name: str, form_id: str, slot: int, shown: dict[str, str | None]) -> str:
    """The printed form at 150 dpi with the values written in their boxes; returns its data-relative path."""
    template = CATALOGUE.form(form_id)
    image = Image.fromarray(render_blank(template, DPI))
    draw = ImageDraw.Draw(image)
    font = ImageFont.truetype(FONT, mm_to_px(4.0, DPI))
    for spec in template.fields:
        text = shown.get(spec.key)
        if text:
            x, y, _w, h = template.field_box_mm(spec, slot)
            draw.text((mm_to_px(x + 3, DPI), mm_to_px(y + h - 0.4, DPI)), text, fill=20, font=font, anchor="ls")
    relative = f"derived/{name}/0001_aligned.jpg"
    path = settings.resolved_data_dir / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    image.save(path, quality=85)
    return relative


def review_record(
    session: Session, settings: Settings, book: Book, page_number: int, flagged: tuple[str, ...] = FLAGGED
) -> Record:
    """A needs_review record whose flagged fields hold misreadings, on a page image that shows the truth."""
    values = VALUES | {k: v for k, v in MISREAD.items() if k in flagged}
    record = make_record(
        session,
        book,
        values,
        status=RecordStatus.NEEDS_REVIEW,
        flagged=flagged,
        file_name=f"{book.office}/p{page_number:04d}.tif",
        page_number=page_number,
    )
    template = CATALOGUE.form(record.form_id)
    for field in record.fields:
        x, y, w, h = template.field_box_mm(template.field(field.key), record.slot)
        field.box = [mm_to_px(x, DPI), mm_to_px(y, DPI), mm_to_px(w, DPI), mm_to_px(h, DPI)]
        if field.state == FieldState.FLAGGED:
            field.reasons = ["low_confidence", "not_in_lexicon"] if "name" in field.key else ["low_confidence"]
    page = session.get_one(Page, record.page_id)
    page.image_path = page_image(settings, f"{book.office}{page_number}", record.form_id, record.slot, VALUES)
    session.flush()
    return record


@dataclass(frozen=True)
class ReviewData:
    khj: list[str]  # record ids of office KHJ, in queue order
    sno: str  # a record of office SNO


CSRF_META = re.compile(r'name="csrf-token" content="([0-9a-f]*)"')
CSRF_INPUT = re.compile(r'name="csrf_token" value="([0-9a-f]+)"')


def login(client: TestClient, username: str, password: str = PASSWORD) -> str:
    """Signs in through the form; returns the session's CSRF token."""
    client.cookies.clear()
    form = client.get("/login")
    token = CSRF_INPUT.search(form.text)
    assert token is not None
    response = client.post(
        "/login", data={"username": username, "password": password, "csrf_token": token.group(1), "next": "/"}
    )
    assert response.status_code == 303, response.text
    return csrf_of(client)


def csrf_of(client: TestClient) -> str:
    page = client.get("/records")
    match = CSRF_META.search(page.text)
    assert match is not None and match.group(1)
    return match.group(1)
