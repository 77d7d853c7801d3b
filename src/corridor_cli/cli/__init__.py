"""The command line: one small module per command group, each only parse → call → render.

application.py holds the Typer app, exit statuses and the one handler for errors and
streams; common.py the shared options and the output path.

Commands are registered by importing the module that defines them. `corridor facts …`
imports only the module of `facts` (and what it imports), and Typer builds only the
`facts` command (not the module's others), so a command never pays for another command's
imports or for Typer building options it will not parse. Anything else (`corridor`,
`corridor --help`, a misspelt command, shell completion) imports every command module,
so help lists all commands and a typo gets its suggestions.
`corridor_cli.cli.app` is the app with every command registered.
"""

from __future__ import annotations

import importlib
import os
import sys
from contextlib import contextmanager
from typing import Any, Iterator

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


def command_for(args: list[str], environ: Any = os.environ) -> str | None:
    """The one command a command line runs, or None where it needs them all: no command
    (help, version), one misspelt (its suggestions), or shell completion (which may
    complete the command's name itself)."""
    if any(key.startswith("_CORRIDOR_COMPLETE") for key in environ):
        return None
    command = next((a for a in args if not a.startswith("-")), None)
    return command if command in COMMANDS else None


def modules_for(args: list[str], environ: Any = os.environ) -> tuple[str, ...]:
    """The command modules a command line needs: the one defining its command, or all."""
    return _modules(command_for(args, environ))


def _modules(command: str | None) -> tuple[str, ...]:
    return (COMMANDS[command],) if command is not None else MODULES


@contextmanager
def only(command: str | None) -> Iterator[None]:
    """Within: the app has only this command registered (all, for None). Typer turns
    every registered command into a Click command on each run, inspecting its signature
    and building its options; a run of one command needs only that one."""
    from corridor_cli.cli.application import app

    registered = list(app.registered_commands)
    if command is not None:
        app.registered_commands[:] = [c for c in registered if _name(c) == command]
    try:
        yield
    finally:
        app.registered_commands[:] = registered


def _name(info: Any) -> str:
    """A registered command's name, as Typer derives it."""
    return info.name or info.callback.__name__.lower().replace("_", "-")


def __getattr__(name: str) -> Any:
    if name == "app":  # the full app, for tests and anything that embeds it
        register()
        from corridor_cli.cli.application import app

        return app
    if name == "Exit":
        from corridor_cli.cli.application import Exit

        return Exit
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def main() -> None:
    """Run the command line in sys.argv (the console entry is corridor_cli.main)."""
    from corridor_cli.cli.application import main as run

    command = command_for(sys.argv[1:])
    register(_modules(command))
    with only(command):
        run()


__all__ = ["COMMANDS", "Exit", "app", "command_for", "main", "only", "register"]
