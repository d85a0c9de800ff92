"""`archive serve` (the reviewers' web app) and `archive users add|list|disable` (accounts)."""

from __future__ import annotations

import errno
import socket
import sys
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.table import Table

from cli.common import console, domain_errors, err_console, ready_settings
from database.accounts import Role
from database.session import session_scope, workflow_sessions
from services.redaction import install_redaction, personal_field_keys
from services.users import create_user, disable_user, ensure_first_admin, list_users

if TYPE_CHECKING:  # uvicorn and the app are imported only by `serve`, to keep every other command quick
    import uvicorn
    from fastapi import FastAPI

users_app = typer.Typer(help="Web app accounts: reviewers, managers, operators, admins.", no_args_is_help=True)


def _listen(host: str, port: int) -> socket.socket:
    """Binds the port before the app starts, so a port in use is a clear message and not a traceback."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        if exc.errno == errno.EADDRINUSE:
            err_console.print(f"[bold red]error:[/] port {port} on {host} is in use: stop what uses it or pick --port")
        else:
            err_console.print(f"[bold red]error:[/] cannot listen on {host}:{port}: {exc.strerror}")
        raise typer.Exit(2) from exc
    sock.listen(128)
    sock.set_inheritable(True)
    return sock


def server_config(app: FastAPI, **options: Any) -> uvicorn.Config:
    """Uvicorn's settings for the app; its access log (paths with query strings) is redacted like every log."""
    import uvicorn

    config = uvicorn.Config(app, log_level="info", proxy_headers=True, server_header=False, **options)
    install_redaction(personal_field_keys(app.state.catalogue))  # onto the handlers uvicorn has just set up
    return config


def serve(
    host: Annotated[str, typer.Option(help="address to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="port to listen on", min=1, max=65535)] = 8000,
) -> None:
    """Start the reviewers' web app on the archive's databases."""
    from webapp.app import create_app

    with domain_errors():
        settings = ready_settings()
        # the port first: a first admin created and shown just before a port-in-use error is a password lost
        sock = _listen(host, port)
        with session_scope(workflow_sessions(settings)) as session:
            password = ensure_first_admin(session)
        if password:
            console.print("No user yet: created the user [bold]admin[/] (all offices). Its password, shown only now:")
            console.print(f"    {password}", highlight=False)
            console.print("It must be changed at the first sign-in.")
            console.print("Add reviewers with `archive users add NAME --role reviewer --office CODE`.")
        app = create_app(settings)
    console.print(f"Serving on http://{host}:{port}/ (Ctrl+C stops)")
    import uvicorn

    uvicorn.Server(server_config(app)).run(sockets=[sock])


@users_app.command("add")
def users_add(
    name: Annotated[str, typer.Argument(help="user name (a-z, 0-9, '.', '_', '-')")],
    role: Annotated[Role, typer.Option(help="operator, reviewer, manager or admin")],
    office: Annotated[list[str] | None, typer.Option("--office", help="office code; repeat for several")] = None,
    password_stdin: Annotated[bool, typer.Option("--password-stdin", help="read the password from stdin")] = False,
) -> None:
    """Add a user. Without --password-stdin a password is generated and printed once."""
    with domain_errors():
        password = None
        if password_stdin:
            password = sys.stdin.readline().rstrip("\r\n")
        settings = ready_settings()
        with session_scope(workflow_sessions(settings)) as session:
            user, generated = create_user(session, name, role, office or [], password)
            offices = ", ".join(user.office_codes) or "all offices"
        console.print(f"user {user.username} ({user.role.value}; {offices}) added")
        if generated:
            console.print(f"password: {generated}  (shown once: give it to the user, who changes it at first sign-in)")


@users_app.command("list")
def users_list() -> None:
    """List the users, their roles and offices."""
    with domain_errors():
        settings = ready_settings()
        table = Table("user", "role", "offices", "active", "last sign-in (UTC)")
        with session_scope(workflow_sessions(settings)) as session:
            for user in list_users(session):
                last = user.last_login_at.strftime("%Y-%m-%d %H:%M") if user.last_login_at else ""
                offices = ", ".join(user.office_codes) if user.role != Role.ADMIN else "all"
                table.add_row(user.username, user.role.value, offices, "yes" if user.active else "no", last)
        console.print(table)


@users_app.command("disable")
def users_disable(name: Annotated[str, typer.Argument(help="user name")]) -> None:
    """Disable a user: they are signed out at once and cannot sign in again."""
    with domain_errors():
        settings = ready_settings()
        with session_scope(workflow_sessions(settings)) as session:
            user = disable_user(session, name)
        console.print(f"user {user.username} disabled")
