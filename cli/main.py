"""The `archive` command: registers every sub-command."""

from __future__ import annotations

import typer

from cli import maintenance, offices, quality, records, report, web
from cli.backup import backup_command, restore_command
from cli.calibrate import calibrate
from cli.common import quiet_logging
from cli.evaluate import eval_command
from cli.run import run
from cli.synth import synth
from cli.worker import worker

app = typer.Typer(
    name="archive",
    help="Digitize civil-registration archive books: scans in, verified registry records out.",
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,
)
db_app = typer.Typer(help="Database schema.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(web.users_app, name="users")
app.add_typer(offices.offices_app, name="offices")


@app.callback()
def _main() -> None:
    quiet_logging()


app.command("run")(run)
app.command("export")(records.export)
app.command("load")(records.load)
app.command("progress")(records.progress)
app.command("report")(report.report)
app.command("verify")(maintenance.verify)
app.command("backup")(backup_command)
app.command("restore")(restore_command)
app.command("eval")(eval_command)
app.command("synth")(synth)
app.command("calibrate")(calibrate)
app.command("serve")(web.serve)
app.command("worker")(worker)
app.command("check-book")(quality.check_book)
app.command("reconcile")(quality.reconcile_command)
app.command("audit")(quality.audit)
app.command("search")(quality.search)
db_app.command("upgrade")(maintenance.db_upgrade)
