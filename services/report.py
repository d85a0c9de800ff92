"""The daily progress report: the managers' view as one self-contained HTML file, for offices without the web app.

The figures are the dashboard's (services.dashboard); the pictures are the same server-rendered SVG, inlined, and
the style sheets are copied in, so the file opens anywhere, from a mail attachment or a USB stick, offline.
"""

from __future__ import annotations

import math
import os
import tempfile
from datetime import UTC, date, datetime
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from database.session import session_scope, workflow_sessions
from database.workflow import Book
from pipeline.config import Settings
from pipeline.errors import ConfigError
from services.charts import daily_chart, progress_bar
from services.dashboard import RATE_DAYS, dashboard
from services.offices import office_plan

WEBAPP = Path(__file__).resolve().parent.parent / "webapp"
STYLE_SHEETS = ("app.css", "dashboard.css")
DAILY_CRON = "0 6 * * *"  # the scheduled report: every morning, before the offices open
DAILY_TIMEZONE = "Asia/Dushanbe"
_env = Environment(
    loader=FileSystemLoader(WEBAPP / "templates"), autoescape=select_autoescape(["html"]), keep_trailing_newline=True
)


def render_report(
    session: Session,
    offices_file: Path,
    office: str | None,
    today: date,
    generated_at: datetime,
    parallel: sessionmaker[Session] | None = None,
) -> str:
    """The report's HTML: every office, or only ``office`` (``parallel``: see services.dashboard.dashboard)."""
    if office is not None:
        known = {o.code for o in office_plan(session, offices_file)}
        if office not in known and not _has_books(session, office):
            raise ConfigError(f"no office {office}: neither planned nor with any book (see `archive offices list`)")
    board = dashboard(session, offices_file, frozenset({office}) if office else None, today, parallel)
    style = "\n".join((WEBAPP / "static" / name).read_text(encoding="utf-8") for name in STYLE_SHEETS)
    return _env.get_template("report.html").render(
        board=board,
        office=office,
        today=today,
        generated_at=generated_at,
        style=style,
        bar=progress_bar,
        chart=daily_chart,
        rate_days=RATE_DAYS,
        inf=math.inf,
    )


def _has_books(session: Session, office: str) -> bool:
    return session.scalar(select(Book.id).where(Book.office == office).limit(1)) is not None


def default_report_path(settings: Settings, office: str | None, today: date) -> Path:
    return settings.resolved_reports_dir / f"progress-{today.isoformat()}{'-' + office if office else ''}.html"


def write_report(settings: Settings, out: Path | None = None, office: str | None = None) -> Path:
    """Writes the report (to ``out``, else the reports folder under today's date) and returns where.

    The file is written beside its final name and renamed, so a reader never sees half a report.
    """
    now = datetime.now(UTC)
    target = out or default_report_path(settings, office, now.date())
    sessions = workflow_sessions(settings)
    with session_scope(sessions) as session:
        html = render_report(session, settings.schemas_dir / "offices.yaml", office, now.date(), now, sessions)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
    temporary = Path(name)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(html)
        temporary.chmod(0o644)
        temporary.replace(target)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    return target
