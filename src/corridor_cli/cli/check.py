"""corridor check: every problem of every fact file, and the provenance checks."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Annotated, Optional

import typer

from corridor_cli import views
from corridor_cli.cli.app import Exit, _env, app
from corridor_cli.cli.common import FactsDirOpt, _dirs, _emit, _format
from corridor_cli.loader import Loaded, fact_dirs, load_full
from corridor_cli.records import FactBase
from corridor_cli.render import Format


@app.command()
def check(
    against: Annotated[Optional[list[Path]], typer.Option(
        "--against", metavar="DIR", show_default=False,
        help="Also look for source texts in DIR (repeatable), after the texts/ directory "
             "of the fact directory that defines each source.")] = None,
    facts_dir: FactsDirOpt = None,
    fmt: Annotated[Optional[str], typer.Option(
        "--format", "-f", metavar="FORMAT", show_default=False,
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

    from corridor_cli import provenance

    env = _env()
    against_dirs = [Path(d) for d in against or []]
    for directory in against_dirs:
        if not directory.is_dir():
            why = "not a directory" if directory.exists() else "no such directory"
            raise typer.BadParameter(f"{directory}: {why}", param_hint="'--against'")
    dirs = fact_dirs(_dirs(facts_dir), env.environ)
    loaded = load_full(dirs)
    base, problems = loaded.base, loaded.problems
    # invalid facts too: every problem at once
    findings = provenance.verify_figures(loaded.all_facts, base.units)
    unrecorded, recorded = provenance.disagreements(base)
    findings += unrecorded
    # Every fact and event read, valid or not, whose source loaded and whose quote read:
    # a quote missing from its source is reported in the same run as a bad field.
    quotes = provenance.check_quotes(_quoted_records(loaded), against_dirs)
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
    chosen = None if fmt is None else _format(fmt, None)
    if chosen is None or chosen is Format.table:
        for problem in (*problems, *findings):
            env.stderr.write(f"{problem}\n")
        env.stdout.write("\n".join(lines) + "\n")
    else:
        _emit(views.problems_view([*problems, *findings], "en"), chosen, None, False)
        env.stderr.write("\n".join(lines) + "\n")
    if problems:
        raise typer.Exit(Exit.USAGE)
    if findings:
        raise typer.Exit(Exit.CHECK_FAILED)


def _quoted_records(loaded: Loaded) -> FactBase:
    """The valid fact base with its facts and events replaced by every fact and event
    read (valid or not) that names a loaded source and has a quote; one whose id did
    not read is named by its kind, as the loader names it."""
    sources = loaded.base.sources

    def checkable(records):
        for record in records:
            if isinstance(record.source, str) and record.source in sources \
                    and isinstance(record.quote, str):
                if not isinstance(record.id, str):
                    record = dataclasses.replace(record, id=type(record).__name__.lower())
                yield record

    return dataclasses.replace(loaded.base, facts=tuple(checkable(loaded.all_facts)),
                               events=tuple(checkable(loaded.all_events)))
