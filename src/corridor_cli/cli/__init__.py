"""The command line: one small module per command group, each only parse → call → render.

application.py holds the Typer app, exit statuses and the one handler for errors and
streams; common.py the shared options and the output path.

Commands are registered by importing the module that defines them. `corridor facts …`
imports only the module of `facts` (and what it imports), so a command never pays for
another command's imports or for Typer building options it will not parse. Anything
else (`corridor`, `corridor --help`, a misspelt command, shell completion) imports
every command module, so help lists all commands and a typo gets its suggestions.
`corridor_cli.cli.app` is the app with every command registered.
"""

from __future__ import annotations

import importlib
import os
import sys
from typing import Any

from corridor_cli.cli.application import Exit

# Every command and the module under corridor_cli.cli that registers it. --help lists
# them in the order the modules are imported: MODULES' order.
COMMANDS = {
    "facts": "records", "timeline": "records", "show": "records",
    "series": "analysis", "targets": "analysis", "audit": "analysis",
    "check": "check", "export": "export",
    "chart": "reports", "report": "reports",
    "search": "search",
    "coverage": "curation", "draft": "curation",
    "sources": "vocab", "entities": "vocab", "metrics": "vocab", "topics": "vocab",
    "units": "vocab",
}
MODULES = tuple(dict.fromkeys(COMMANDS.values()))


def register(modules: tuple[str, ...] | list[str] = MODULES) -> None:
    """Import the command modules named (which registers their commands)."""
    for name in modules:
        importlib.import_module(f"corridor_cli.cli.{name}")


def modules_for(args: list[str], environ: Any = os.environ) -> tuple[str, ...]:
    """The command modules a command line needs: the one defining its command, or all."""
    if any(key.startswith("_CORRIDOR_COMPLETE") for key in environ):
        return MODULES  # shell completion may complete the command's name itself
    command = next((a for a in args if not a.startswith("-")), None)
    module = COMMANDS.get(command) if command is not None else None
    return (module,) if module is not None else MODULES


def __getattr__(name: str) -> Any:
    if name == "app":  # the full app, for tests and anything that embeds it
        register()
        from corridor_cli.cli.application import app

        return app
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def main() -> None:
    """Console entry point."""
    from corridor_cli.cli.application import main as run

    register(modules_for(sys.argv[1:]))
    run()


__all__ = ["COMMANDS", "Exit", "app", "main", "register"]
