"""The command line. Each command parses options, loads, calls one query and one renderer.

The only module that imports typer. Exit statuses and the mapping from domain
errors and failing streams to messages live here, in one place: `_Group.main`.
"""

from __future__ import annotations

import os
import re
import sys
from contextlib import contextmanager
from dataclasses import replace
from enum import IntEnum
from pathlib import Path
from typing import Annotated, Any, Iterator, Optional

import typer
from typer.core import TyperGroup

from corridor_cli import __version__, query
from corridor_cli import views
from corridor_cli.loader import fact_dirs, load
from corridor_cli.output import (
    LANGS,
    Environment,
    GuardedStdout,
    OutputError,
    QuietStderr,
    StdoutGone,
    check_output_path,
    make_streams_safe,
    page,
    pager_command,
    silence_stdout,
    write_atomic,
)
from corridor_cli.records import FactBase
from corridor_cli.render import FILE_ONLY, Format, render_bytes, render_text
from corridor_cli.safetext import display_path, visible


class Exit(IntEnum):
    OK = 0
    CHECK_FAILED = 1  # check found a figure or quote that does not check out
    USAGE = 2  # bad option value, or invalid fact files
    OUTPUT = 74  # the output could not be written, or --output was refused (EX_IOERR)
    INTERRUPTED = 130
    TERMINATED = 143


def _write_error(text: str) -> None:
    """A message on stderr, each line made safe to show (never markup or terminal control)."""
    sys.stderr.write("".join(visible(line) + "\n" for line in text.split("\n")))
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
                _write_error("\n".join(lines))
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


# ---------------------------------------------------------------- completion
def _completion_base(ctx: typer.Context) -> FactBase:
    """The fact base as this command line would load it, --facts-dir included."""
    extra = [Path(d) for d in (ctx.params.get("facts_dir") or []) if d]
    base, _ = load(fact_dirs(extra))
    return base


_SHELL_SPECIAL = re.compile(r"""([\s'"\\$`!&;|<>()*?#~{}\[\]])""")


def _quoted(names) -> list[str]:
    """Candidates as the shell must receive them: spaces, quotes and other characters the
    shell would act on are backslash-escaped (Jiangjin\\ CBZ), so the candidate still
    starts with what the user typed."""
    return sorted({_SHELL_SPECIAL.sub(r"\\\1", n) for n in names})


def _starting(names, incomplete: str) -> list[str]:
    folded = incomplete.casefold()
    return _quoted(n for n in names if n.casefold().startswith(folded))


def _complete_topic(ctx: typer.Context, incomplete: str) -> list[str]:
    return _starting(_completion_base(ctx).topics, incomplete)


def _complete_entity(ctx: typer.Context, incomplete: str) -> list[str]:
    return _starting((n for e in _completion_base(ctx).entities.values() for n in e.names()),
                     incomplete)


def _complete_metric(ctx: typer.Context, incomplete: str) -> list[str]:
    return _starting({f.metric for f in _completion_base(ctx).facts}, incomplete)


def _complete_source(ctx: typer.Context, incomplete: str) -> list[str]:
    return _starting(_completion_base(ctx).sources, incomplete)


def _complete_id(ctx: typer.Context, incomplete: str) -> list[str]:
    base = _completion_base(ctx)
    return _starting((r.id for r in (*base.facts, *base.events)), incomplete)


def _complete_fact_sort(incomplete: str) -> list[str]:
    return [f for f in query.SORT_FIELDS if f.startswith(incomplete)]


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
    "--no-header", help="Leave out the header row (csv, tsv, md, table).")]
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
StatusOpt = Annotated[Optional[list[str]], typer.Option(
    "--status", "-s", metavar="STATUS", autocompletion=_complete_status, show_default=False,
    help="Only these statuses (repeatable or comma-separated).")]
SourceOpt = Annotated[Optional[list[str]], typer.Option(
    "--source", metavar="SOURCE", autocompletion=_complete_source, show_default=False,
    help="Only records from these source ids (see 'corridor sources'); repeatable.")]
GrepOpt = Annotated[Optional[str], typer.Option(
    "--grep", "-g", metavar="TEXT", help="Only records whose labels, titles or quote contain TEXT.")]
DescOpt = Annotated[bool, typer.Option("--desc", help="Sort in descending order.")]
LimitOpt = Annotated[Optional[str], typer.Option(
    "--limit", "-n", metavar="N", help="Show at most N records.")]

_SUFFIX_FORMATS = {".csv": Format.csv, ".tsv": Format.tsv, ".md": Format.md,
                   ".json": Format.json, ".jsonl": Format.jsonl, ".txt": Format.table,
                   ".xlsx": Format.xlsx}


_current: list[Environment] = []


def _env() -> Environment:
    """The Environment of this invocation, set up by the root callback."""
    if not _current:
        _current.append(Environment.from_process())
    return _current[-1]


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


def _dirs(facts_dir: Optional[list[str]]) -> list[Path]:
    out = []
    for d in facts_dir or []:
        if not d.strip():
            raise _bad("--facts-dir", "an empty directory name; give a directory such as ./my-facts")
        out.append(Path(d))
    return out


def _load(facts_dir: Optional[list[str]]) -> FactBase:
    """The fact base; every problem on stderr and exit 2 if any file is invalid."""
    dirs = fact_dirs(_dirs(facts_dir), _env().environ)
    base, problems = load(dirs)
    if not base.dirs:
        base = replace(base, dirs=tuple(dirs))
    if problems:
        for problem in problems:
            _env().stderr.write(f"{problem}\n")
        _message(f"{len(problems)} problem(s) in the fact files; run 'corridor check' after fixing them")
        raise typer.Exit(Exit.USAGE)
    return base


def _lang(lang: Optional[str]) -> str:
    if lang is not None:
        return _choose("--lang", lang, list(LANGS), "language")
    chosen = _env().default_lang()
    if chosen not in LANGS:
        raise _bad("CORRIDOR_LANG", f"CORRIDOR_LANG={chosen!r}: choose from {', '.join(LANGS)}")
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


def _emit(view: views.View, fmt: Format | str | None, output: Optional[str], bom: bool,
          empty_note: str = "", *, base: FactBase | None = None,
          columns: Optional[list[str]] = None, no_header: bool = False,
          no_pager: bool = False) -> None:
    """Render view and write it to stdout (through the pager on a terminal, when long)
    or, atomically, to the output file."""
    env = _env()
    if output is not None:
        if not output.strip():
            raise _bad("--output", "an empty file name")
        try:
            check_output_path(Path(output), base.files if base else (), base.dirs if base else ())
        except OutputError as exc:
            _message(str(exc))
            raise typer.Exit(Exit.OUTPUT) from None
    fmt = _format(fmt, output)
    if fmt in FILE_ONLY and output is None:
        raise _bad("--format", f"{fmt.value} is a file format: add --output FILE.{fmt.value}")
    if bom and fmt not in (Format.csv, Format.tsv):
        raise _bad("--bom", f"--bom applies to csv and tsv, not {fmt.value}")
    with _options():
        view = view.project(query.split_values(columns) if columns else None)
    if not view.machine and empty_note:
        _message(empty_note)
    if output is not None:
        path = Path(output)
        try:
            write_atomic(path, render_bytes(view, fmt, bom=bom, header=not no_header,
                                            width=env.width or 200))
        except OutputError as exc:
            _message(str(exc))
            raise typer.Exit(Exit.OUTPUT) from None
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


# ---------------------------------------------------------------- commands
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


def _dates(year: Optional[str], date_from: Optional[str], date_to: Optional[str],
           base: FactBase) -> dict[str, Any]:
    return {"year": query.parse_year(year, base) if year is not None else None,
            "date_from": query.parse_date(date_from, "--from") if date_from else None,
            "date_to": query.parse_date(date_to, "--to") if date_to else None}


@app.command()
def facts(
    topic: Annotated[Optional[str], typer.Argument(
        metavar="TOPIC", autocompletion=_complete_topic, show_default=False,
        help="Only this topic (see 'corridor topics'): trains, trade, …; a,b for either.")] = None,
    topics: Annotated[Optional[list[str]], typer.Option(
        "--topic", "-t", metavar="TOPIC", autocompletion=_complete_topic, show_default=False,
        help="Only these topics (repeatable or comma-separated), as well as TOPIC.")] = None,
    year: YearOpt = None,
    date_from: FromOpt = None,
    date_to: ToOpt = None,
    entity: EntityOpt = None,
    metric: Annotated[Optional[list[str]], typer.Option(
        "--metric", "-m", metavar="METRIC", autocompletion=_complete_metric, show_default=False,
        help="Only these metric ids: trains_run, teu, … (repeatable or comma-separated).")] = None,
    status: StatusOpt = None,
    source: SourceOpt = None,
    grep: GrepOpt = None,
    sort: Annotated[str, typer.Option(
        "--sort", metavar="FIELD", autocompletion=_complete_fact_sort,
        help=f"Sort by one of: {', '.join(query.SORT_FIELDS)}.")] = "period",
    desc: DescOpt = False,
    limit: LimitOpt = None,
    facts_dir: FactsDirOpt = None,
    fmt: FormatOpt = None,
    output: OutputOpt = None,
    bom: BomOpt = False,
    lang: LangOpt = None,
    columns: ColumnsOpt = None,
    no_header: NoHeaderOpt = False,
    no_pager: NoPagerOpt = False,
) -> None:
    """List facts: figures with unit, period, status and source.

    Examples:

      corridor facts trains --year 2023

      corridor facts -e jiangjin-cbz -e xiyong-cbz --columns id,value,unit,period

      corridor facts trade --format xlsx --output trade.xlsx
    """
    base = _load(facts_dir)
    notes: list[str] = []
    with _options():
        q = query.validate(base, query.FactQuery(
            topic=(*query.split_values(topic), *query.split_values(topics)),
            **_dates(year, date_from, date_to, base),
            entity=entity, metric=metric, status=status, source=source, grep=grep,
            sort=sort, descending=desc, limit=query.parse_limit(limit)), notes)
        chosen = query.select_facts(base, q)
    for note in notes:
        _message(note)
    _emit(views.facts_view(base, chosen, _lang(lang)), fmt, output, bom, "no facts match",
          base=base, columns=columns, no_header=no_header, no_pager=no_pager)


@app.command()
def timeline(
    year: YearOpt = None,
    date_from: FromOpt = None,
    date_to: ToOpt = None,
    entity: EntityOpt = None,
    status: StatusOpt = None,
    source: SourceOpt = None,
    grep: GrepOpt = None,
    sort: Annotated[str, typer.Option(
        "--sort", metavar="FIELD", autocompletion=_complete_event_sort,
        help=f"Sort by one of: {', '.join(query.EVENT_SORT_FIELDS)}.")] = "date",
    desc: DescOpt = False,
    limit: LimitOpt = None,
    facts_dir: FactsDirOpt = None,
    fmt: FormatOpt = None,
    output: OutputOpt = None,
    bom: BomOpt = False,
    lang: LangOpt = None,
    columns: ColumnsOpt = None,
    no_header: NoHeaderOpt = False,
    no_pager: NoPagerOpt = False,
) -> None:
    """List dated events in date order.

    Examples:

      corridor timeline --from 2018 --to 2019

      corridor timeline --year 2023 --status forecast,planned

      corridor timeline --entity 江津班列 --format md --lang en
    """
    base = _load(facts_dir)
    notes: list[str] = []
    with _options():
        chosen = query.select_events(
            base, entity=entity, grep=grep, status=status, source=source, sort=sort,
            descending=desc, limit=query.parse_limit(limit), notes=notes,
            **_dates(year, date_from, date_to, base))
    for note in notes:
        _message(note)
    _emit(views.events_view(base, chosen, _lang(lang)), fmt, output, bom, "no events match",
          base=base, columns=columns, no_header=no_header, no_pager=no_pager)


@app.command()
def show(
    record_id: Annotated[str, typer.Argument(metavar="ID", autocompletion=_complete_id,
                                             help="A fact or event id.")],
    facts_dir: FactsDirOpt = None,
    fmt: FormatOpt = None,
    output: OutputOpt = None,
    bom: BomOpt = False,
    lang: LangOpt = None,
    columns: ColumnsOpt = None,
    no_header: NoHeaderOpt = False,
    no_pager: NoPagerOpt = False,
) -> None:
    """Show one fact or event with its full provenance: source title, publication, date,
    and the quote in its surrounding sentence.

    Example:

      corridor show jiangjin-trains-run-2022
    """
    from corridor_cli import provenance

    base = _load(facts_dir)
    record = base.find(record_id)
    if record is None:
        ids = [r.id for r in (*base.facts, *base.events)]
        with _options():
            query.check_choice("ID", record_id, ids, "fact or event id")
    _emit(views.record_view(base, record, _lang(lang), provenance.context_for(base, record)),
          fmt, output, bom, base=base, columns=columns, no_header=no_header, no_pager=no_pager)


def _vocabulary_command(name: str, make_view, doc: str) -> None:
    """Register a command that lists one vocabulary (sources, entities, topics, units)."""

    def command(facts_dir: FactsDirOpt = None, fmt: FormatOpt = None, output: OutputOpt = None,
                bom: BomOpt = False, lang: LangOpt = None, columns: ColumnsOpt = None,
                no_header: NoHeaderOpt = False, no_pager: NoPagerOpt = False) -> None:
        base = _load(facts_dir)
        _emit(make_view(base, _lang(lang)), fmt, output, bom, base=base, columns=columns,
              no_header=no_header, no_pager=no_pager)

    command.__doc__ = doc
    app.command(name)(command)


_vocabulary_command("sources", views.sources_view, """List the source documents, with how many facts and events each yielded.

    Example:

      corridor sources --format md
    """)
_vocabulary_command("entities", views.entities_view, """List the entity glossary: zh and en names, aliases, and counts.

    Example:

      corridor entities --format json
    """)
_vocabulary_command("topics", views.topics_view, """List the topics with how many facts each has.

    Example:

      corridor topics --lang en
    """)
_vocabulary_command("units", views.units_view, """List the units with English names, scales and how many facts use each.

    Example:

      corridor units --format csv
    """)


@app.command()
def check(
    against: Annotated[Optional[list[Path]], typer.Option(
        "--against", metavar="DIR", show_default=False,
        help="Also look for source texts in DIR (repeatable), after the texts/ directory "
             "of the fact directory that defines each source.")] = None,
    facts_dir: FactsDirOpt = None,
    fmt: Annotated[Optional[Format], typer.Option(
        "--format", "-f", case_sensitive=False, show_default=False,
        help="table (default): one problem per line on stderr, then a summary on stdout. "
             "json, jsonl, csv, tsv, md: the problems as data on stdout, each with file, "
             "line, field, code and message; the summary on stderr.")] = None,
) -> None:
    """Validate every fact file and report every problem at once, one per line, on stderr.

    Also checks that each fact's figures are printed in its quote, that facts of
    different sources on the same entity, metric, period and status agree (or
    record that they disagree), and that every quote appears verbatim (whitespace
    aside) in its source's text. A source's text (its `file`) is looked for in the
    texts/ directory of the fact directory that defines the source, then in each
    --against DIR; a source with no text anywhere is counted as not verified.
    Exit status: 0 all well; 2 a file is invalid; 1 a figure, quote, disagreement
    or source text does not check out.

    Examples:

      corridor check --facts-dir ./my-facts --against ./my-sources

      corridor check --format json
    """
    from dataclasses import replace

    from corridor_cli import provenance

    env = _env()
    against_dirs = [Path(d) for d in against or []]
    for directory in against_dirs:
        if not directory.is_dir():
            why = "not a directory" if directory.exists() else "no such directory"
            raise typer.BadParameter(f"{directory}: {why}", param_hint="'--against'")
    dirs = fact_dirs(_dirs(facts_dir), env.environ)
    base, problems = load(dirs)
    if not base.dirs:  # a loader that does not record them: texts/ is found from these
        base = replace(base, dirs=tuple(Path(d) for d in dirs))
    findings = provenance.verify_figures(base)
    unrecorded, recorded = provenance.disagreements(base)
    findings += unrecorded
    quotes = provenance.check_quotes(base, against_dirs)
    findings += quotes.findings

    not_verified = quotes.not_verified
    missing = [f"no text found: {', '.join(quotes.no_text)}"] if quotes.no_text else []
    if quotes.unreadable:
        missing.append(f"unsafe or unreadable file: {', '.join(quotes.unreadable)}")
    lines = [f"{len(base.facts)} facts, {len(base.events)} events, {len(base.entities)} entities, "
             f"{len(base.sources)} sources, {len(base.units)} units, {len(base.topics)} topics "
             f"from {len(dirs)} director{'y' if len(dirs) == 1 else 'ies'}",
             *recorded,
             f"{len(base.sources)} sources: {len(quotes.verified)} verified, "
             f"{len(not_verified)} not verified" + (f" ({'; '.join(missing)})" if missing else ""),
             f"{quotes.quotes_found} quotes verified, {quotes.quotes_not_found} not found, "
             f"{quotes.quotes_unchecked} not checked (no source text)",
             f"{len(problems)} problem(s) in the files; {len(findings)} finding(s) from the checks"]
    if fmt is None or fmt is Format.table:
        for problem in (*problems, *findings):
            env.stderr.write(f"{problem}\n")
        env.stdout.write("\n".join(lines) + "\n")
    else:
        _emit(views.problems_view([*problems, *findings], "en"), fmt, None, False)
        env.stderr.write("\n".join(lines) + "\n")
    if problems:
        raise typer.Exit(Exit.USAGE)
    if findings:
        raise typer.Exit(Exit.CHECK_FAILED)


def _utf8_argv(argv: list[str]) -> list[str]:
    """Arguments as UTF-8 text even under a non-UTF-8 locale, where Python hands
    non-ASCII bytes over as surrogate escapes (江津综保区 → '\\udce6…')."""
    fixed = []
    for arg in argv:
        try:
            fixed.append(os.fsencode(arg).decode("utf-8"))
        except UnicodeError:
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
