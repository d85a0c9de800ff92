"""`archive check-book`, `archive reconcile`, `archive audit` and `archive search`: book-level quality and the
registry, for the quality team and the registry's readers."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Annotated

import typer
from rich.table import Table

from cli.common import console, domain_errors, ready_settings
from cli.records import OutputFormat
from database.session import registry_sessions, session_scope, workflow_sessions
from pipeline.config import Settings
from pipeline.qa.rules import RuleSet, load_rules
from services.audit_sampling import audit_report, draw_audit
from services.book_checks import check_books
from services.reconcile import copies_by_book, reconcile
from services.search import SearchQuery, search_acts

OfficeOption = Annotated[str | None, typer.Option(help="only this office")]
FormatOption = Annotated[OutputFormat, typer.Option("--format", help="table or json")]
ISO_DAY = ["%Y-%m-%d"]


def _rules(settings: Settings) -> RuleSet:
    return load_rules(settings.schemas_dir / "rules.yaml")


def _ranges(pairs: list[tuple[int, int]]) -> str:
    return ", ".join(f"{a}" if a == b else f"{a}-{b}" for a, b in pairs) or "-"


def check_book(
    office: OfficeOption = None,
    book: Annotated[str | None, typer.Option(help="only the book with this label")] = None,
    flag: Annotated[bool, typer.Option("--flag", help="flag the act numbers found wrong, for review")] = False,
    fmt: FormatOption = OutputFormat.TABLE,
) -> None:
    """Act numbers per book: expected (highest number of each sequence) against found, gaps, repeats and
    numbers out of registration-date order. A sequence starting again at 1 is a new registering body."""
    with domain_errors():
        settings = ready_settings()
        with session_scope(workflow_sessions(settings)) as session:
            checks = check_books(session, _rules(settings).sequence, office=office, book=book, flag=flag)
        if fmt is OutputFormat.JSON:
            console.print_json(json.dumps([c.to_dict() for c in checks], ensure_ascii=False))
            return
        table = Table(title="act numbers per book")
        for column in ("book", "seq.", "expected", "found", "missing numbers", "repeated", "out of date order"):
            table.add_column(column, justify="left" if column in ("book", "missing numbers") else "right")
        for check in checks:
            label = f"{check.office} {check.act_type} {check.year} {check.copy.value} ({', '.join(check.labels)})"
            for seq in check.report.sequences:
                table.add_row(
                    label if seq.index == 1 else "",
                    str(seq.index),
                    f"{seq.expected:,}",
                    f"{seq.found:,}",
                    _ranges([(g.first_missing, g.last_missing) for g in seq.gaps]),
                    ", ".join(f"{r.number}{' (same page twice)' if r.identical else ''}" for r in seq.repeats) or "-",
                    ", ".join(str(o.number) for o in seq.out_of_order) or "-",
                )
            if check.report.unnumbered:
                table.add_row(label, "", "", "", f"{len(check.report.unnumbered)} without a readable number", "", "")
        console.print(table)
        if flag:
            console.print(f"fields flagged for review: {sum(c.flagged for c in checks)}")


def reconcile_command(office: OfficeOption = None, fmt: FormatOption = OutputFormat.TABLE) -> None:
    """Match first and second copies (act number, else date and fuzzy name); fields that disagree go to review.
    Then, per book: matched, fuzzy matched, key conflicts and acts found in this copy only."""
    with domain_errors():
        settings = ready_settings()
        with session_scope(workflow_sessions(settings)) as session:
            result = reconcile(session, _rules(settings).reconcile, office=office)
            books = copies_by_book(session, office=office)
        if fmt is OutputFormat.JSON:
            payload = {
                "pairings": result.pairings,
                "compared_pairs": result.compared_pairs,
                "fields_flagged": result.fields_flagged,
                "books": [
                    {
                        "office": b.office,
                        "act_type": b.act_type,
                        "year": b.year,
                        "copy": b.copy,
                        "book": b.book,
                        "counts": b.counts,
                        "only_in_this_copy": b.only_here,
                        "disagreeing_fields": b.disagreeing_fields,
                    }
                    for b in books
                ],
            }
            console.print_json(json.dumps(payload, ensure_ascii=False))
            return
        table = Table(title="first and second copies per book")
        for column in ("book", "copy", "matched", "fuzzy", "key conflict", "in this copy only", "disagreeing fields"):
            table.add_column(column, justify="left" if column == "book" else "right")
        for b in books:
            table.add_row(
                f"{b.office} {b.act_type} {b.year} ({b.book})",
                b.copy,
                f"{b.counts.get('matched', 0):,}",
                f"{b.counts.get('fuzzy_matched', 0):,}",
                f"{b.counts.get('key_conflict', 0):,}",
                f"{b.only_here:,}",
                f"{b.disagreeing_fields:,}",
            )
        console.print(table)
        console.print(
            f"pairs compared now: {result.compared_pairs:,}; fields sent to review: {result.fields_flagged:,}"
        )


def audit(
    office: OfficeOption = None,
    draw: Annotated[bool, typer.Option("--draw", help="first draw the audit sample of every book")] = False,
    fmt: FormatOption = OutputFormat.TABLE,
) -> None:
    """Error of auto-accepted fields measured on audited records (fields reviewers corrected), per office and
    form, with a 95 % Wilson interval and the audit share the next draw uses."""
    with domain_errors():
        settings = ready_settings()
        audit_settings = _rules(settings).audit
        with session_scope(workflow_sessions(settings)) as session:
            drawn = draw_audit(session, audit_settings).drawn if draw else 0
            rows = audit_report(session, audit_settings, office=office)
        if fmt is OutputFormat.JSON:
            console.print_json(json.dumps({"drawn": drawn, "rows": [r.to_dict() for r in rows]}, ensure_ascii=False))
            return
        table = Table(title=f"audited error of auto-accepted fields (target {audit_settings.target_error:.2%})")
        for column in ("office / form", "audited", "pending", "fields", "errors", "error", "95 % interval", "share"):
            table.add_column(column, justify="left" if column == "office / form" else "right")
        for r in rows:
            table.add_row(
                r.office if r.form_id is None else f"  └ {r.form_id}",
                f"{r.audited_records:,}",
                f"{r.pending_records:,}",
                f"{r.fields:,}",
                f"{r.errors:,}",
                f"{r.rate:.2%}",
                f"{r.low:.2%} - {r.high:.2%}",
                f"{r.share:.1%}",
            )
        console.print(table)
        if draw:
            console.print(f"records drawn for audit now: {drawn:,}")


def search(
    name: Annotated[str | None, typer.Argument(help="a name in Cyrillic or Latin letters, surname first")] = None,
    date_from: Annotated[datetime | None, typer.Option("--from", formats=ISO_DAY, help="registered from")] = None,
    date_to: Annotated[datetime | None, typer.Option("--to", formats=ISO_DAY, help="registered until")] = None,
    office: OfficeOption = None,
    act_type: Annotated[str | None, typer.Option(help="birth, death, marriage ...")] = None,
    number: Annotated[str | None, typer.Option(help="act number")] = None,
    limit: Annotated[int, typer.Option(help="at most this many acts")] = 50,
    fmt: FormatOption = OutputFormat.TABLE,
) -> None:
    """Search the registry: Ҳасанов, Хасанов and Hasanov find one another."""
    with domain_errors():
        settings = ready_settings()
        query = SearchQuery(
            name=name,
            date_from=date_from.date() if date_from else None,
            date_to=date_to.date() if date_to else None,
            office=office,
            act_type=act_type,
            act_number=number,
            limit=limit,
        )
        with session_scope(registry_sessions(settings)) as session:
            hits = search_acts(session, query)
        if fmt is OutputFormat.JSON:
            console.print_json(json.dumps([h.to_dict() for h in hits], ensure_ascii=False))
            return
        table = Table(title=f"{len(hits)} acts")
        for column in ("act", "registered", "persons", "source"):
            table.add_column(column)
        for hit in hits:
            persons = "\n".join(
                f"{'* ' if p.matched else ''}{p.role}: {' '.join(x for x in (p.surname, p.name, p.patronymic) if x)}"
                for p in hit.persons
            )
            sources = "\n".join(f"{c.copy}: {c.book} p.{c.page} slot {c.slot} {c.scan_sha256[:12]}" for c in hit.copies)
            table.add_row(
                f"{hit.office} {hit.act_type} {hit.act_year} № {hit.act_number}",
                hit.registration_date or "",
                persons,
                sources,
            )
        console.print(table)
