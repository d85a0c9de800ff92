"""A record's page image and the crop of one of its fields, cut from the aligned page on request."""

from __future__ import annotations

import io
import threading
from collections import OrderedDict
from pathlib import Path

from fastapi import APIRouter
from fastapi.responses import FileResponse, Response
from PIL import Image
from sqlalchemy import select

from database.workflow import Field, Page, Record
from pipeline.errors import NotFound
from services.review import page_image_path, scoped
from webapp.deps import CurrentUser, SessionDep, SettingsDep

router = APIRouter(prefix="/records", tags=["images"])
# The page image of a record never changes once written; the browser may keep it while the session lasts.
IMAGE_CACHE = "private, max-age=3600"
CROP_MARGIN = 24  # pixels of context around a field's box, so the reviewer sees the label and the ruled line


_decoded_pages: OrderedDict[tuple[str, int], Image.Image] = OrderedDict()
_decode_lock = threading.Lock()
DECODED_PAGES_KEPT = 4  # a 300-dpi page is ~9 MB decoded


def _decoded(path: Path) -> Image.Image:
    """The page decoded once for the crops of its fields, which the browser asks for all at once.

    Decoding a 300-dpi page costs ~0.1 s; the lock makes the other requests wait for the first decode
    instead of repeating it.
    """
    key = (str(path), path.stat().st_mtime_ns)
    with _decode_lock:
        image = _decoded_pages.get(key)
        if image is None:
            with Image.open(path) as opened:
                image = opened.convert("L")
            _decoded_pages[key] = image
            while len(_decoded_pages) > DECODED_PAGES_KEPT:
                _decoded_pages.popitem(last=False)
        _decoded_pages.move_to_end(key)
        return image


@router.get("/{record_id}/page.jpg")
def page_image(db: SessionDep, viewer: CurrentUser, settings: SettingsDep, record_id: str) -> Response:
    page = db.scalar(scoped(select(Page).join(Record, Record.page_id == Page.id).where(Record.id == record_id), viewer))
    path = page_image_path(settings.resolved_data_dir, page) if page is not None else None
    if path is None:
        raise NotFound("no page image")
    return FileResponse(path, media_type="image/jpeg", headers={"Cache-Control": IMAGE_CACHE})


@router.get("/{record_id}/fields/{key}.jpg")
def field_crop(db: SessionDep, viewer: CurrentUser, settings: SettingsDep, record_id: str, key: str) -> Response:
    row = db.execute(
        scoped(
            select(Page, Field.box)
            .join(Record, Record.page_id == Page.id)
            .join(Field, Field.record_id == Record.id)
            .where(Record.id == record_id, Field.key == key),
            viewer,
        )
    ).first()
    path = page_image_path(settings.resolved_data_dir, row[0]) if row is not None else None
    box = row[1] if row is not None else None
    if path is None or not isinstance(box, list) or len(box) != 4:
        raise NotFound("no field image")
    x, y, w, h = (int(v) for v in box)
    image = _decoded(path)
    left, top = max(0, x - CROP_MARGIN), max(0, y - CROP_MARGIN)
    right, bottom = min(image.width, x + w + CROP_MARGIN), min(image.height, y + h + CROP_MARGIN)
    if right <= left or bottom <= top:
        raise NotFound("the field's box lies outside its page")
    crop = image.crop((left, top, right, bottom))
    out = io.BytesIO()
    crop.save(out, format="JPEG", quality=88)
    return Response(out.getvalue(), media_type="image/jpeg", headers={"Cache-Control": IMAGE_CACHE})
