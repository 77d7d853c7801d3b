"""The command line. Each command parses options, loads, calls one query and one renderer.

The only module that imports typer. Exit statuses and the mapping from domain
errors to messages live here, in one place.
"""

from __future__ import annotations

import os
import sys
from contextlib import contextmanager
from enum import Enum, IntEnum
from pathlib import Path
from typing import Annotated, Iterator, Optional

import typer

from corridor_cli import __version__, query
from corridor_cli.loader import fact_dirs, load
from corridor_cli.output import LANGS, Environment, OutputError, make_streams_safe, write_atomic
from corridor_cli.records import FactBase, Status
from corridor_cli.render import Format, render_text
from corridor_cli import views


class Exit(IntEnum):
    OK = 0
    CHECK_FAILED = 1  # check --against found a quote missing or an unrecorded disagreement
    USAGE = 2  # bad option value, or invalid fact files
    OUTPUT = 74  # the output could not be written (EX_IOERR)
    INTERRUPTED = 130


class Lang(str, Enum):
    zh = "zh"
    en = "en"


app = typer.Typer(
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
def _completion_base() -> FactBase:
    base, _ = load(fact_dirs())
    return base


def _complete_topic(incomplete: str) -> list[str]:
    return [t for t in _completion_base().topics if t.startswith(incomplete)]


def _complete_entity(incomplete: str) -> list[str]:
    folded = incomplete.casefold()
    return sorted({n for e in _completion_base().entities.values() for n in e.names()
                   if n.casefold().startswith(folded)})


# ---------------------------------------------------------------- shared options
FactsDirOpt = Annotated[Optional[list[Path]], typer.Option(
    "--facts-dir", metavar="DIR", show_default=False,
    help="Also read fact files from DIR (repeatable); CORRIDOR_FACTS_PATH adds more.")]
FormatOpt = Annotated[Optional[Format], typer.Option(
    "--format", "-f", case_sensitive=False, show_default=False,
    help="Output format: table (default on a terminal), csv (default in a pipe), "
         "tsv, md, json, jsonl.")]
OutputOpt = Annotated[Optional[Path], typer.Option(
    "--output", "-o", metavar="FILE", dir_okay=False, show_default=False,
    help="Write to FILE (atomically) instead of standard output.")]
BomOpt = Annotated[bool, typer.Option(
    "--bom", help="Start csv/tsv with a UTF-8 byte order mark, for Excel.")]
LangOpt = Annotated[Optional[Lang], typer.Option(
    "--lang", case_sensitive=False, show_default=False,
    help="Language of labels and names: zh or en (default: CORRIDOR_LANG, then the locale).")]
FromOpt = Annotated[Optional[str], typer.Option(
    "--from", metavar="DATE", help="Only from this date on: 2018, 2018-07 or 2018-07-15.")]
ToOpt = Annotated[Optional[str], typer.Option(
    "--to", metavar="DATE", help="Only up to this date (inclusive): 2019, 2019-12, 2019-12-31.")]
EntityOpt = Annotated[Optional[str], typer.Option(
    "--entity", "-e", metavar="ENTITY", autocompletion=_complete_entity,
    help="Entity id, Chinese or English name, or alias (any case): 江津综保区, jiangjin-cbz.")]
GrepOpt = Annotated[Optional[str], typer.Option(
    "--grep", "-g", metavar="TEXT", help="Only records whose labels, titles or quote contain TEXT.")]

_SUFFIX_FORMATS = {".csv": Format.csv, ".tsv": Format.tsv, ".md": Format.md,
                   ".json": Format.json, ".jsonl": Format.jsonl, ".txt": Format.table}


_current: list[Environment] = []


def _env() -> Environment:
    """The Environment of this invocation, set up by the root callback."""
    if not _current:
        _current.append(Environment.from_process())
    return _current[-1]


def _message(text: str) -> None:
    env = _env()
    env.stderr.write(f"corridor: {text}\n")
    env.stderr.flush()


@contextmanager
def _options() -> Iterator[None]:
    """Turn a bad query value into a usage error (exit 2) naming the choices."""
    try:
        yield
    except query.QueryError as exc:
        raise typer.BadParameter(str(exc), param_hint=f"'{exc.option}'") from None


def _load(facts_dir: Optional[list[Path]]) -> FactBase:
    """The fact base; every problem on stderr and exit 2 if any file is invalid."""
    base, problems = load(fact_dirs(facts_dir or [], _env().environ))
    if problems:
        for problem in problems:
            _env().stderr.write(f"{problem}\n")
        _message(f"{len(problems)} problem(s) in the fact files; run 'corridor check' after fixing them")
        raise typer.Exit(Exit.USAGE)
    return base


def _lang(lang: Optional[Lang]) -> str:
    if lang is not None:
        return lang.value
    chosen = _env().default_lang()
    if chosen not in LANGS:
        raise typer.BadParameter(f"CORRIDOR_LANG={chosen!r}: choose from {', '.join(LANGS)}",
                                 param_hint="CORRIDOR_LANG")
    return chosen


def _emit(view: views.View, fmt: Optional[Format], output: Optional[Path], bom: bool,
          empty_note: str = "") -> None:
    """Render view and write it to stdout or, atomically, to the output file."""
    env = _env()
    if fmt is None:
        if output is not None:
            fmt = _SUFFIX_FORMATS.get(output.suffix.lower(), Format.csv)
        else:
            fmt = Format.table if env.stdout_isatty else Format.csv
    if bom and fmt not in (Format.csv, Format.tsv):
        raise typer.BadParameter(f"--bom applies to csv and tsv, not {fmt.value}",
                                 param_hint="'--bom'")
    to_terminal = output is None and env.stdout_isatty
    if not view.machine and empty_note:
        _message(empty_note)
        if fmt is Format.table and output is None:
            return
    text = render_text(view, fmt, color=to_terminal and env.color,
                       width=env.width if to_terminal else (env.width or 200))
    if output is not None:
        try:
            write_atomic(output, text, bom=bom)
        except OutputError as exc:
            _message(str(exc))
            raise typer.Exit(Exit.OUTPUT) from None
        return
    if env.stdout is None:  # started with standard output closed (corridor facts >&-)
        _message("standard output is closed; use --output FILE")
        raise typer.Exit(Exit.OUTPUT)
    try:
        env.stdout.write(("\ufeff" if bom else "") + text)
        env.stdout.flush()
    except BrokenPipeError:
        # The reader went away (corridor facts | head -1): stop quietly.
        _silence_stdout()
        raise typer.Exit(Exit.OK) from None
    except OSError as exc:  # a full disk, a closed descriptor …
        _silence_stdout()
        _message(f"cannot write to standard output: {exc.strerror or exc}")
        raise typer.Exit(Exit.OUTPUT) from None


def _silence_stdout() -> None:
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):
        pass


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


@app.command()
def facts(
    topic: Annotated[Optional[str], typer.Argument(
        metavar="TOPIC", autocompletion=_complete_topic,
        help="Only this topic (see 'corridor topics'): trains, trade, investment, …")] = None,
    year: Annotated[Optional[str], typer.Option(
        "--year", "-y", metavar="YEAR",
        help="Only figures whose period overlaps YEAR; targets for YEAR included.")] = None,
    date_from: FromOpt = None,
    date_to: ToOpt = None,
    entity: EntityOpt = None,
    metric: Annotated[Optional[str], typer.Option(
        "--metric", "-m", metavar="METRIC", help="Only this metric id: trains_run, teu, …")] = None,
    status: Annotated[Optional[Status], typer.Option(
        "--status", "-s", case_sensitive=False, help="Only actual figures, targets or forecasts.")] = None,
    source: Annotated[Optional[str], typer.Option(
        "--source", metavar="SOURCE", help="Only facts from this source id (see 'corridor sources').")] = None,
    grep: GrepOpt = None,
    sort: Annotated[str, typer.Option(
        "--sort", metavar="FIELD",
        help=f"Sort by one of: {', '.join(query.SORT_FIELDS)}.")] = "period",
    desc: Annotated[bool, typer.Option("--desc", help="Sort in descending order.")] = False,
    limit: Annotated[Optional[int], typer.Option("--limit", "-n", metavar="N",
                                                 help="Show at most N facts.")] = None,
    facts_dir: FactsDirOpt = None,
    fmt: FormatOpt = None,
    output: OutputOpt = None,
    bom: BomOpt = False,
    lang: LangOpt = None,
) -> None:
    """List facts: figures with unit, period, status and source.

    Examples:

      corridor facts trains --year 2023

      corridor facts trade --format csv --bom > trade.csv

      corridor facts --entity 江津综保区 --status target --format md
    """
    base = _load(facts_dir)
    with _options():
        q = query.validate(base, query.FactQuery(
            topic=topic,
            year=query.parse_year(year, base) if year is not None else None,
            date_from=query.parse_date(date_from, "--from") if date_from else None,
            date_to=query.parse_date(date_to, "--to") if date_to else None,
            entity=entity, metric=metric, status=status, source=source, grep=grep,
            sort=sort, descending=desc, limit=limit))
        chosen = query.select_facts(base, q)
    _emit(views.facts_view(base, chosen, _lang(lang)), fmt, output, bom, "no facts match")


@app.command()
def timeline(
    date_from: FromOpt = None,
    date_to: ToOpt = None,
    entity: EntityOpt = None,
    grep: GrepOpt = None,
    facts_dir: FactsDirOpt = None,
    fmt: FormatOpt = None,
    output: OutputOpt = None,
    bom: BomOpt = False,
    lang: LangOpt = None,
) -> None:
    """List dated events in date order.

    Examples:

      corridor timeline --from 2018 --to 2019

      corridor timeline --entity 江津班列 --format md --lang en
    """
    base = _load(facts_dir)
    with _options():
        chosen = query.select_events(
            base,
            query.parse_date(date_from, "--from") if date_from else None,
            query.parse_date(date_to, "--to") if date_to else None,
            entity, grep)
    _emit(views.events_view(base, chosen, _lang(lang)), fmt, output, bom, "no events match")


@app.command()
def show(
    record_id: Annotated[str, typer.Argument(metavar="ID", help="A fact or event id.")],
    facts_dir: FactsDirOpt = None,
    fmt: FormatOpt = None,
    output: OutputOpt = None,
    bom: BomOpt = False,
    lang: LangOpt = None,
) -> None:
    """Show one fact or event with its full provenance: source title, publication, date, quote.

    Example:

      corridor show jiangjin-trains-run-2022
    """
    base = _load(facts_dir)
    record = base.find(record_id)
    if record is None:
        ids = [r.id for r in (*base.facts, *base.events)]
        with _options():
            query.check_choice("ID", record_id, ids, "fact or event id")
    _emit(views.record_view(base, record, _lang(lang)), fmt, output, bom)


def _vocabulary_command(name: str, make_view, doc: str) -> None:
    """Register a command that lists one vocabulary (sources, entities, topics, units)."""

    def command(facts_dir: FactsDirOpt = None, fmt: FormatOpt = None, output: OutputOpt = None,
                bom: BomOpt = False, lang: LangOpt = None) -> None:
        base = _load(facts_dir)
        _emit(make_view(base, _lang(lang)), fmt, output, bom)

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
    against: Annotated[Optional[Path], typer.Option(
        "--against", metavar="DIR", file_okay=False,
        help="Also verify that every quote appears verbatim in its source text file in DIR.")] = None,
    facts_dir: FactsDirOpt = None,
) -> None:
    """Validate every fact file and report every problem at once, one per line, on stderr.

    Also checks that each fact's figures are printed in its quote, and that facts
    of different sources on the same entity, metric, period and status agree (or
    record that they disagree). Exit status: 0 all well; 2 a file is invalid;
    1 a figure or quote does not check out.

    Examples:

      corridor check --facts-dir ./my-facts

      corridor check --against ../shared/seeds
    """
    from corridor_cli import provenance

    env = _env()
    dirs = fact_dirs(facts_dir or [], env.environ)
    base, problems = load(dirs)
    findings = provenance.verify_figures(base)
    unrecorded, recorded = provenance.disagreements(base)
    findings += unrecorded
    if against is not None:
        findings += provenance.verify_quotes(base, against)
    for problem in (*problems, *findings):
        env.stderr.write(f"{problem}\n")
    lines = [f"{len(base.facts)} facts, {len(base.events)} events, {len(base.entities)} entities, "
             f"{len(base.sources)} sources, {len(base.units)} units, {len(base.topics)} topics "
             f"from {len(dirs)} director{'y' if len(dirs) == 1 else 'ies'}",
             *recorded,
             f"{len(problems)} problem(s) in the files; {len(findings)} finding(s) from the checks"
             + ("" if against is None else f" (quotes verified against {against})")]
    env.stdout.write("\n".join(lines) + "\n")
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


def main() -> None:
    """Console entry point: one place turns what escapes into a message and a status."""
    make_streams_safe()
    try:
        app(args=_utf8_argv(sys.argv[1:]), prog_name="corridor")
    except KeyboardInterrupt:
        sys.stderr.write("corridor: interrupted\n")
        sys.exit(Exit.INTERRUPTED)
    except BrokenPipeError:
        _silence_stdout()
        sys.exit(Exit.OK)
