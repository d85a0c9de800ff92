"""Request dependencies: the database session, the signed-in user and their role, the app's shared state."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, HTTPException, Request
from sqlalchemy.orm import Session, sessionmaker

from pipeline.config import Settings
from pipeline.forms.catalogue import Catalogue
from pipeline.ocr.lexicon import Lexicon
from services.users import Viewer, resolve_session
from webapp.security import secret, session_token


class LoginRequired(Exception):
    """No live session: pages redirect to the sign-in form, the API answers 401."""


class PasswordChangeRequired(Exception):
    """The user still has a password someone else chose: pages redirect to the change-password form."""


def get_db(request: Request) -> Iterator[Session]:
    session: Session = request.app.state.workflow()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


# "function" scope: the transaction is committed before the response leaves, so a redirect never outruns it.
SessionDep = Annotated[Session, Depends(get_db, scope="function")]


def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def get_catalogue(request: Request) -> Catalogue:
    catalogue: Catalogue = request.app.state.catalogue
    return catalogue


def get_lexicon(request: Request) -> Lexicon:
    lexicon: Lexicon = request.app.state.lexicon
    return lexicon


def get_registry(request: Request) -> sessionmaker[Session] | None:
    registry: sessionmaker[Session] | None = request.app.state.registry
    return registry


SettingsDep = Annotated[Settings, Depends(get_settings)]
CatalogueDep = Annotated[Catalogue, Depends(get_catalogue)]
LexiconDep = Annotated[Lexicon, Depends(get_lexicon)]
RegistryDep = Annotated[sessionmaker[Session] | None, Depends(get_registry)]


def optional_user(request: Request, db: SessionDep) -> Viewer | None:
    """The signed-in user, or None; kept on the request so templates and routes share one lookup."""
    if hasattr(request.state, "viewer"):
        cached: Viewer | None = request.state.viewer
        return cached
    web = resolve_session(db, secret(request), session_token(request))
    viewer = Viewer.of(web.user) if web is not None else None
    request.state.viewer = viewer
    return viewer


def signed_in_user(viewer: Annotated[Viewer | None, Depends(optional_user)]) -> Viewer:
    """The signed-in user even if they must still change their password (the change-password form's own user)."""
    if viewer is None:
        raise LoginRequired
    return viewer


def current_user(viewer: Annotated[Viewer, Depends(signed_in_user)]) -> Viewer:
    if viewer.must_change_password:
        raise PasswordChangeRequired
    return viewer


def current_reviewer(viewer: Annotated[Viewer, Depends(current_user)]) -> Viewer:
    if not viewer.can_review:
        raise HTTPException(status_code=403, detail=f"a {viewer.role.value} cannot review records")
    return viewer


OptionalUser = Annotated[Viewer | None, Depends(optional_user)]
SignedInUser = Annotated[Viewer, Depends(signed_in_user)]
CurrentUser = Annotated[Viewer, Depends(current_user)]
CurrentReviewer = Annotated[Viewer, Depends(current_reviewer)]
