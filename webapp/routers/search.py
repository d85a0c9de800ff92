"""Registry search in the web app: by name (any spelling), dates, office, act type and number."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from database.session import session_scope
from services.search import ActHit, SearchQuery, search_acts
from webapp.deps import CurrentUser, RegistryDep, SessionDep
from webapp.templating import render

router = APIRouter(prefix="/search", tags=["search"])


def _date(text: str) -> date | None:
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        return None


@router.get("")
def search_page(
    request: Request,
    db: SessionDep,
    registry: RegistryDep,
    viewer: CurrentUser,
    name: Annotated[str, Query(max_length=200)] = "",
    date_from: Annotated[str, Query(max_length=10)] = "",
    date_to: Annotated[str, Query(max_length=10)] = "",
    office: Annotated[str, Query(max_length=16)] = "",
    act_type: Annotated[str, Query(max_length=16)] = "",
    number: Annotated[str, Query(max_length=16)] = "",
) -> Response:
    """Acts of the viewer's offices only; each copy links to its record page (page image one click away)."""
    asked = any((name, date_from, date_to, office, act_type, number))
    hits: list[ActHit] = []
    if asked:
        offices = [office] if office else []
        if viewer.offices is not None:
            offices = [o for o in (offices or sorted(viewer.offices)) if o in viewer.offices]
        query_offices: list[str | None] = [*offices] or ([None] if viewer.offices is None else [])
        for code in query_offices:
            query = SearchQuery(
                name=name or None,
                date_from=_date(date_from),
                date_to=_date(date_to),
                office=code,
                act_type=act_type or None,
                act_number=number or None,
            )
            if registry is None:
                hits.extend(search_acts(db, query))
            else:
                with session_scope(registry) as session:
                    hits.extend(search_acts(session, query))
    filters = {
        "name": name,
        "date_from": date_from,
        "date_to": date_to,
        "office": office,
        "act_type": act_type,
        "number": number,
    }
    return render(request, "search.html", {"hits": hits, "asked": asked, "filters": filters})
