"""corridor check: every problem of every fact file, and the provenance checks."""

from typing import Annotated, Optional

import typer

from corridor_cli import views
from corridor_cli.cli.application import Exit, _env, app
from corridor_cli.cli.common import FactsDirOpt, _against_dirs, _bad, _cache, _dirs, _emit, _format
from corridor_cli.loader import fact_dirs, load_full
from corridor_cli.render import FILE_ONLY, Format


@app.command()
def check(
    against: Annotated[Optional[list[str]], typer.Option(
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
    against_dirs = _against_dirs(against)
    chosen = None if fmt is None else _format(fmt, None)
    if chosen in FILE_ONLY:
        raise _bad("--format", f"check prints its problems as table, csv, tsv, md, json or jsonl, "
                               f"not {chosen.value}")
    loaded = load_full(fact_dirs(_dirs(facts_dir), env.environ), _cache(env.environ))
    report = provenance.check_all(loaded, against_dirs)
    if chosen is None or chosen is Format.table:
        for problem in (*report.problems, *report.findings):
            env.stderr.write(f"{problem}\n")
        env.stdout.write("\n".join(report.summary()) + "\n")
    else:
        _emit(views.problems_view([*report.problems, *report.findings], "en"), chosen, None, False)
        env.stderr.write("\n".join(report.summary()) + "\n")
    if report.problems:
        raise typer.Exit(Exit.USAGE)
    if report.findings:
        raise typer.Exit(Exit.CHECK_FAILED)
