"""`python -m cli` runs the `archive` command (used where the console script is not on PATH)."""

from cli.main import app

app(prog_name="archive")
