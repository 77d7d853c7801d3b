"""The application: exit statuses, the one handler that turns what escapes a command
(usage errors, failing streams, Ctrl-C) into a message and a status, the Typer app,
the invocation's Environment and the console entry point. The only package that
imports typer is this one (corridor_cli.cli).
"""

import os
import re
import sys
from enum import IntEnum
from typing import Annotated, Any, Optional

import typer
from typer.core import TyperGroup

from corridor_cli import __version__
from corridor_cli.output import (
    Environment,
    GuardedStdout,
    QuietStderr,
    StdoutGone,
    make_streams_safe,
    silence_stdout,
)
from corridor_cli.safetext import visible


class Exit(IntEnum):
    OK = 0
    CHECK_FAILED = 1  # check found a figure or quote that does not check out
    USAGE = 2  # bad option value, or invalid fact files
    OUTPUT = 74  # the output could not be written, or --output was refused (EX_IOERR)
    INTERRUPTED = 130
    TERMINATED = 143


# repr() of an argument that was not UTF-8 shows its bytes as \udcNN: show them as \xNN
_SURROGATE_ESCAPE = re.compile(r"\\udc([89a-f][0-9a-f])")


def _write_error(*lines: str) -> None:
    """Lines of a message on stderr. Each is made safe whole: a line break or control
    character inside one (from the data, or an argument) is shown as an escape, so a
    message can never forge another line."""
    text = "".join(_SURROGATE_ESCAPE.sub(r"\\x\1", visible(line)) + "\n" for line in lines)
    sys.stderr.write(text)
    sys.stderr.flush()


class _Group(TyperGroup):
    """The one place that turns what escapes a command into a message and an exit status:
    usage errors (2), a closed or full standard output (74; a reader that left: 0),
    Ctrl-C (130). Works the same under CliRunner and in a real process."""

    def main(self, args: Any = None, prog_name: Optional[str] = None,
             complete_var: Optional[str] = None, standalone_mode: bool = True,
             **extra: Any) -> Any:
        import typer.core

        # The click typer runs on: vendored as typer._click since typer 0.29, else click.
        click = getattr(typer.core, "_click", None) or getattr(typer.core, "click")
        saved = sys.stdout, sys.stderr
        real_stdout = saved[0] is sys.__stdout__ or saved[0] is None
        sys.stdout = GuardedStdout(saved[0])  # type: ignore[assignment]
        sys.stderr = QuietStderr(saved[1])  # type: ignore[assignment]
        try:
            try:
                status = super().main(args=args, prog_name=prog_name, complete_var=complete_var,
                                      standalone_mode=False, **extra)
                status = status if isinstance(status, int) else Exit.OK
            except click.exceptions.ClickException as exc:
                lines = []
                ctx = getattr(exc, "ctx", None)
                if isinstance(exc, click.exceptions.UsageError) and ctx is not None:
                    lines += [ctx.get_usage(),
                              f"Try '{ctx.command_path} {ctx.help_option_names[0]}' for help.", ""]
                lines.append(f"Error: {exc.format_message()}")
                _write_error(*lines)
                status = exc.exit_code
            except typer.Abort:
                _write_error("corridor: interrupted")
                status = Exit.INTERRUPTED
            except StdoutGone as exc:
                if real_stdout:
                    silence_stdout()
                if exc.reader_left:  # corridor … | head -1: the reader has all it wanted
                    status = Exit.OK
                else:
                    reason = getattr(exc.error, "strerror", None) or str(exc.error)
                    _write_error(f"corridor: cannot write to standard output: {reason}")
                    status = Exit.OUTPUT
        finally:
            sys.stdout, sys.stderr = saved
        if standalone_mode:
            sys.exit(int(status))
        return status

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except KeyboardInterrupt:
            _write_error("corridor: interrupted")
            raise typer.Exit(Exit.INTERRUPTED) from None


app = typer.Typer(
    cls=_Group,
    name="corridor",
    help="Facts and events of the New Western Land-Sea Corridor (西部陆海新通道) as seen "
         "from Chongqing, each with its unit, period, status and a verbatim source quote.\n\n"
         "Example:  corridor facts trains --year 2022",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
    rich_markup_mode=None,
)


_current: list[Environment] = []


def _env() -> Environment:
    """The Environment of this invocation, set up by the root callback."""
    if not _current:
        _current.append(Environment.from_process())
    return _current[-1]


def _version(value: bool) -> None:
    if value:
        typer.echo(f"corridor {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    ctx: typer.Context,
    version: Annotated[bool, typer.Option("--version", "-V", callback=_version, is_eager=True,
                                          help="Show the version and exit.")] = False,
) -> None:
    """Facts and events of the New Western Land-Sea Corridor (西部陆海新通道) as seen from
    Chongqing, each with its unit, period, status and a verbatim source quote.

    Example:  corridor facts trains --year 2022
    """
    # Tests may pass an Environment as obj; otherwise it is read off the process.
    _current[:] = [ctx.obj if isinstance(ctx.obj, Environment) else Environment.from_process()]


def _utf8_argv(argv: list[str]) -> list[str]:
    """Arguments as UTF-8 text even under a non-UTF-8 locale, where Python hands
    non-ASCII bytes over as surrogate escapes (江津综保区 → '\\udce6…')."""
    fixed = []
    for arg in argv:
        try:
            fixed.append(os.fsencode(arg).decode("utf-8"))
        except UnicodeError:  # not UTF-8 at all: kept as the OS gave it, so a file name works
            fixed.append(arg)
    return fixed


def _terminate(signum: int, frame: object) -> None:
    """SIGTERM: unwind like Ctrl-C, so temporary files are removed on the way out."""
    raise SystemExit(Exit.TERMINATED)


def main() -> None:
    """Console entry point."""
    import signal

    make_streams_safe()
    try:
        signal.signal(signal.SIGTERM, _terminate)
    except (ValueError, OSError):  # pragma: no cover - not the main thread
        pass
    try:
        app(args=_utf8_argv(sys.argv[1:]), prog_name="corridor")
    except KeyboardInterrupt:
        _write_error("corridor: interrupted")
        sys.exit(Exit.INTERRUPTED)
