"""The command line: one small module per command group, each only parse → call → render.

app.py holds the Typer app, exit statuses and the one handler for errors and streams;
common.py the shared options and the output path.
"""

from corridor_cli.cli import (  # noqa: F401  (registers commands)
    analysis, check, export, records, reports, search, vocab,
)
from corridor_cli.cli.app import Exit, app, main

__all__ = ["Exit", "app", "main"]
