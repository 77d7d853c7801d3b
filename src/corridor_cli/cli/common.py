"""What every command shares: completion, the options declared once, loading, the
language, and the one path from a View to stdout, the pager or an --output file."""

import re
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Iterator, Optional

import typer

from corridor_cli import query, views
from corridor_cli.cli.application import Exit, _env
from corridor_cli.cache import Cache, cache_root
from corridor_cli.loader import fact_dirs, load
from corridor_cli.output import (
    LANGS,
    OutputError,
    check_output_path,
    page,
    pager_command,
    write_atomic,
)
from corridor_cli.records import FactBase
from corridor_cli.render import FILE_ONLY, Format, render_bytes, render_text
from corridor_cli.safetext import display_path, visible


# ---------------------------------------------------------------- completion
def _completion_base(ctx: typer.Context) -> FactBase:
    """The fact base as this command line would load it, --facts-dir included."""
    extra = [Path(d) for d in (ctx.params.get("facts_dir") or []) if d]
    base, _ = load(fact_dirs(extra))
    return base


_SHELL_SPECIAL = re.compile(r"""([\s'"\\$`!&;|<>()*?#~{}\[\]])""")


def _quoted(names) -> list[str]:
    """Candidates as the shell must receive them: control characters from the data shown
    as escapes (never raw on the terminal), and spaces, quotes and other characters the
    shell would act on backslash-escaped (Jiangjin\\ CBZ).

    Typer keeps only candidates that start with the word as typed, so a name completes
    from a prefix typed up to its first space; after an escaped space, type on or use
    the id."""
    return sorted({_SHELL_SPECIAL.sub(r"\\\1", visible(n)) for n in names})


def _starting(names, incomplete: str) -> list[str]:
    folded = incomplete.casefold()
    return _quoted(n for n in names if n.casefold().startswith(folded))


def _complete_topic(ctx: typer.Context, incomplete: str) -> list[str]:
    return _starting(_completion_base(ctx).topics, incomplete)


def _complete_entity(ctx: typer.Context, incomplete: str) -> list[str]:
    return _starting((n for e in _completion_base(ctx).entities.values() for n in e.names()),
                     incomplete)


def _complete_metric(ctx: typer.Context, incomplete: str) -> list[str]:
    base = _completion_base(ctx)
    return _starting({*base.metrics, *(f.metric for f in base.facts)}, incomplete)


def _complete_source(ctx: typer.Context, incomplete: str) -> list[str]:
    return _starting(_completion_base(ctx).sources, incomplete)


def _complete_id(ctx: typer.Context, incomplete: str) -> list[str]:
    base = _completion_base(ctx)
    return _starting((r.id for r in (*base.facts, *base.events)), incomplete)


def _complete_fact_sort(incomplete: str) -> list[str]:
    return [f for f in query.SORT_FIELDS if f.startswith(incomplete)]


def _complete_group(incomplete: str) -> list[str]:
    return [f for f in ("year", "entity", "metric", "topic", "source") if f.startswith(incomplete)]


def _complete_event_sort(incomplete: str) -> list[str]:
    return [f for f in query.EVENT_SORT_FIELDS if f.startswith(incomplete)]


def _complete_format(incomplete: str) -> list[str]:
    return [f.value for f in Format if f.value.startswith(incomplete)]


def _complete_status(incomplete: str) -> list[str]:
    return [s for s in ("actual", "target", "forecast", "planned") if s.startswith(incomplete)]


# ---------------------------------------------------------------- shared options
FactsDirOpt = Annotated[Optional[list[str]], typer.Option(
    "--facts-dir", metavar="DIR", show_default=False,
    help="Also read fact files from DIR (repeatable); CORRIDOR_FACTS_PATH adds more.")]
FormatOpt = Annotated[Optional[str], typer.Option(
    "--format", "-f", metavar="FORMAT", show_default=False, autocompletion=_complete_format,
    help="table (default on a terminal), csv (default in a pipe), tsv, md, json, jsonl, "
         "or xlsx (with --output).")]
OutputOpt = Annotated[Optional[str], typer.Option(
    "--output", "-o", metavar="FILE", show_default=False,
    help="Write to FILE (atomically) instead of standard output; the suffix picks the format.")]
BomOpt = Annotated[bool, typer.Option(
    "--bom", help="Start csv/tsv with a UTF-8 byte order mark, for Excel.")]
LangOpt = Annotated[Optional[str], typer.Option(
    "--lang", metavar="LANG", show_default=False,
    help="Language of labels and names: zh or en (default: CORRIDOR_LANG, then the locale).")]
ColumnsOpt = Annotated[Optional[list[str]], typer.Option(
    "--columns", "-c", metavar="COL,…", show_default=False,
    help="Only these columns, in this order (machine field names such as id,value,unit; "
         "repeatable or comma-separated).")]
NoHeaderOpt = Annotated[bool, typer.Option(
    "--no-header", help="Leave out the header row (csv, tsv, md, table, xlsx).")]
NoPagerOpt = Annotated[bool, typer.Option(
    "--no-pager", help="Never page long output on a terminal.")]
FromOpt = Annotated[Optional[str], typer.Option(
    "--from", metavar="DATE", help="Only from this date on: 2018, 2018-07 or 2018-07-15.")]
ToOpt = Annotated[Optional[str], typer.Option(
    "--to", metavar="DATE", help="Only up to this date (inclusive): 2019, 2019-12, 2019-12-31.")]
YearOpt = Annotated[Optional[str], typer.Option(
    "--year", "-y", metavar="YEAR",
    help="Only records whose period overlaps YEAR; targets for YEAR included.")]
EntityOpt = Annotated[Optional[list[str]], typer.Option(
    "--entity", "-e", metavar="ENTITY", autocompletion=_complete_entity, show_default=False,
    help="Entity id, name or alias, or a unique part of a name (江津综保区, jiangjin-cbz, "
         "Xiyong); repeatable or comma-separated: any of them.")]
WithinOpt = Annotated[Optional[list[str]], typer.Option(
    "--within", "-w", metavar="ENTITY", autocompletion=_complete_entity, show_default=False,
    help="This entity and everything part of it, transitively (--within jiangjin: the district, "
         "its bonded zone, Luohuang, the corridor trains, …); repeatable or comma-separated.")]
StatusOpt = Annotated[Optional[list[str]], typer.Option(
    "--status", "-s", metavar="STATUS", autocompletion=_complete_status, show_default=False,
    help="Only these statuses (repeatable or comma-separated).")]
SourceOpt = Annotated[Optional[list[str]], typer.Option(
    "--source", metavar="SOURCE", autocompletion=_complete_source, show_default=False,
    help="Only records from these source ids (see 'corridor sources'); repeatable.")]
GrepOpt = Annotated[Optional[str], typer.Option(
    "--grep", "-g", metavar="TEXT", help="Only records whose labels, titles or quote contain TEXT.")]
DescOpt = Annotated[bool, typer.Option("--desc", help="Sort in descending order.")]
MetricArg = Annotated[str, typer.Argument(
    metavar="METRIC", autocompletion=_complete_metric, show_default=False,
    help="A metric id (see 'corridor metrics'): trains_run, trade_value, gdp, …")]
LimitOpt = Annotated[Optional[str], typer.Option(
    "--limit", "-n", metavar="N", help="Show at most N records.")]

_SUFFIX_FORMATS = {".csv": Format.csv, ".tsv": Format.tsv, ".md": Format.md,
                   ".json": Format.json, ".jsonl": Format.jsonl, ".txt": Format.table,
                   ".xlsx": Format.xlsx}


def _message(text: str) -> None:
    env = _env()
    try:
        env.stderr.write(f"corridor: {visible(text)}\n")
        env.stderr.flush()
    except (OSError, ValueError, AttributeError):  # stderr closed: the status still tells
        pass


def _bad(option: str, message: str) -> typer.BadParameter:
    return typer.BadParameter(message, param_hint=f"'{option}'")


@contextmanager
def _options() -> Iterator[None]:
    """Turn a bad query value into a usage error (exit 2) naming the choices."""
    try:
        yield
    except query.QueryError as exc:
        raise _bad(exc.option, str(exc)) from None
    except views.ColumnError as exc:
        raise _bad("--columns", str(exc)) from None


def _choose(option: str, value: str, choices: list[str], what: str) -> str:
    """One of fixed choices, any case; else a usage error with a did-you-mean."""
    wanted = value.strip().lower()
    if wanted in choices:
        return wanted
    with _options():
        query.check_choice(option, value, choices, what)
    return wanted  # pragma: no cover - check_choice raised


def _against_dirs(against: Optional[list[str]]) -> list[Path]:
    """--against: directories of source texts, each one that exists."""
    dirs = []
    for directory in against or []:
        if not directory.strip():
            raise _bad("--against", "an empty directory name; give a directory of source texts")
        if not Path(directory).is_dir():
            why = "not a directory" if Path(directory).exists() else "no such directory"
            raise _bad("--against", f"{directory}: {why}")
        dirs.append(Path(directory))
    return dirs


def _dirs(facts_dir: Optional[list[str]]) -> list[Path]:
    out = []
    for d in facts_dir or []:
        if not d.strip():
            raise _bad("--facts-dir", "an empty directory name; give a directory such as ./my-facts")
        out.append(Path(d))
    return out


def _cache(environ) -> Cache:
    """The parse cache every command that loads the fact files reads and fills."""
    return Cache(cache_root(environ))


def _load(facts_dir: Optional[list[str]]) -> FactBase:
    """The fact base; every problem on stderr and exit 2 if any file is invalid."""
    environ = _env().environ
    base, problems = load(fact_dirs(_dirs(facts_dir), environ), _cache(environ))
    if problems:
        for problem in problems:
            _env().stderr.write(f"{problem}\n")
        _message(f"{len(problems)} problem(s) in the fact files; run 'corridor check' after fixing them")
        raise typer.Exit(Exit.USAGE)
    return base


def _lang(lang: Optional[str]) -> str:
    if lang is not None:
        locale = re.fullmatch(r"(zh|en)(?:[_.@-].*)?", lang.strip().lower())
        return locale.group(1) if locale else _choose("--lang", lang, list(LANGS), "language")
    chosen = _env().default_lang()
    if chosen not in LANGS:
        raise _bad("CORRIDOR_LANG", f"CORRIDOR_LANG={chosen!r}: did you mean one of: {', '.join(LANGS)}? "
                                     f"(a locale name such as zh_CN.UTF-8 works too)")
    return chosen


def _format(fmt: Format | str | None, output: Optional[str]) -> Format:
    """The format asked for; else the output file's suffix; else table on a terminal, csv in a pipe."""
    if isinstance(fmt, Format):
        return fmt
    if fmt is not None:
        return Format(_choose("--format", fmt, [f.value for f in Format], "format"))
    if output is not None:
        suffix = Path(output).suffix.lower()
        if suffix not in _SUFFIX_FORMATS:
            raise _bad("--output", f"cannot tell the format of {display_path(output)!r} from its "
                                   f"suffix; name one with --format, or use one of "
                                   f"{', '.join(_SUFFIX_FORMATS)}")
        return _SUFFIX_FORMATS[suffix]
    return Format.table if _env().stdout_isatty else Format.csv


def _check_output(output: Optional[str], base: FactBase | None) -> None:
    """Refuse an --output that is empty, or would write over a fact file being read, a
    device, a pipe or through a symlink (exit 74, EX_IOERR)."""
    if output is None:
        return
    if not output.strip():
        raise _bad("--output", "an empty file name")
    try:
        check_output_path(output, base.files if base else (), base.dirs if base else (),
                          base.watched_dirs if base else ())
    except OutputError as exc:
        _message(str(exc))
        raise typer.Exit(Exit.OUTPUT) from None


def _write_output(output: str, data: bytes | str) -> None:
    """data to the --output file, atomically; a failure is a message and exit 74."""
    try:
        write_atomic(Path(output), data)
    except OutputError as exc:
        _message(str(exc))
        raise typer.Exit(Exit.OUTPUT) from None


def _emit_document(text: str, output: Optional[str], base: FactBase | None,
                   pageable: bool = False) -> None:
    """A document that is not a table of records (a chart, a report): to the --output
    file atomically, else to standard output as it is (pageable: through the pager
    when it is longer than the terminal)."""
    if output is not None:
        _check_output(output, base)
        _write_output(output, text.encode("utf-8"))
        return
    env = _env()
    if pageable and env.can_page and text.count("\n") >= env.height:
        command = pager_command(env.environ)
        if command and page(text, command, env.environ):
            return
    env.stdout.write(text)
    env.stdout.flush()


def _emit(view: views.View, fmt: Format | str | None, output: Optional[str], bom: bool,
          empty_note: str = "", *, base: FactBase | None = None,
          columns: Optional[list[str]] = None, no_header: bool = False,
          no_pager: bool = False) -> None:
    """Render view and write it to stdout (through the pager on a terminal, when long)
    or, atomically, to the output file."""
    env = _env()
    _check_output(output, base)
    fmt = _format(fmt, output)
    if fmt in FILE_ONLY and output is None:
        raise _bad("--format", f"{fmt.value} is a file format: add --output FILE.{fmt.value}")
    if bom and fmt not in (Format.csv, Format.tsv):
        raise _bad("--bom", f"--bom applies to csv and tsv, not {fmt.value}")
    if no_header and fmt in (Format.json, Format.jsonl):
        raise _bad("--no-header", f"--no-header applies to csv, tsv, md, table and xlsx, not {fmt.value}")
    with _options():
        view = view.project(query.split_values(columns, "--columns") if columns is not None else None)
    if not view.machine and empty_note:
        _message(empty_note)
    if output is not None:
        _write_output(output, render_bytes(view, fmt, bom=bom, header=not no_header,
                                           width=env.width or 200))
        return
    to_terminal = env.stdout_isatty
    if not view.machine and empty_note and fmt is Format.table:
        return
    text = render_text(view, fmt, color=to_terminal and env.color, header=not no_header,
                       width=env.terminal_width() if to_terminal else (env.width or 200))
    text = ("\ufeff" if bom else "") + text
    if env.can_page and not no_pager and text.count("\n") >= env.height:
        command = pager_command(env.environ)
        if command and page(text, command, env.environ):
            return
    env.stdout.write(text)
    env.stdout.flush()
