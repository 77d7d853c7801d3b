"""corridor chart and corridor report: charts and briefings over the analysis layer."""

from pathlib import Path
from typing import Annotated, Optional

import typer

from corridor_cli import query
from corridor_cli.cli.application import _env, app
from corridor_cli.cli.common import (
    EntityOpt, FactsDirOpt, FromOpt, LangOpt, NoPagerOpt, OutputOpt, SourceOpt, StatusOpt, ToOpt,
    MetricArg, WithinOpt, YearOpt, _bad, _choose, _complete_topic, _emit_document,
    _lang, _load, _message, _options,
)
from corridor_cli.cli.analysis import metric_rows
from corridor_cli.cli.records import _dates

_CHART_FORMATS = ("table", "svg")
_REPORT_FORMATS = ("md", "html")


def _document_format(option: Optional[str], output: Optional[str], choices: tuple[str, ...],
                     suffixes: dict[str, str], default: str) -> str:
    """The format asked for; else the --output file's suffix; else the default."""
    if option is not None:
        return _choose("--format", option, list(choices), "format")
    if output is not None:
        suffix = Path(output).suffix.lower()
        if suffix not in suffixes:
            raise _bad("--output", f"cannot tell the format from the suffix {suffix or '(none)'!r}; "
                                   f"name one with --format ({', '.join(choices)}) or use one "
                                   f"of {', '.join(suffixes)}")
        return suffixes[suffix]
    return default


@app.command()
def chart(
    metric: MetricArg,
    entity: EntityOpt = None,
    within: WithinOpt = None,
    year: YearOpt = None,
    date_from: FromOpt = None,
    date_to: ToOpt = None,
    status: StatusOpt = None,
    source: SourceOpt = None,
    derived: Annotated[bool, typer.Option(
        "--derived", help="Also draw the figures that follow from reported ones.")] = False,
    facts_dir: FactsDirOpt = None,
    fmt: Annotated[Optional[str], typer.Option(
        "--format", "-f", metavar="FORMAT", show_default=False,
        help="table (bars as text, the default) or svg.")] = None,
    output: OutputOpt = None,
    lang: LangOpt = None,
) -> None:
    """A labelled bar chart of one metric's series: a bar per entity and period, in period
    order. A full-period actual is solid, part of a year shaded, a target, forecast or
    plan an outline (light bars in the terminal), a derived figure dotted; each kind is
    also named after its label.

    Examples:

      corridor chart trains_run --within jiangjin

      corridor chart trade_value --within jiangjin --format svg --output trade.svg
    """
    from corridor_cli.report import bars

    chosen = _document_format(fmt, output, _CHART_FORMATS, {".svg": "svg", ".txt": "table"},
                              "table")
    base = _load(facts_dir)
    metric, rows = metric_rows(base, metric, derived, year=year, date_from=date_from,
                               date_to=date_to, entity=entity, within=within, status=status,
                               source=source)
    lang = _lang(lang)
    drawn = bars.chart(base, metric, rows, lang)
    if not drawn.bars:
        _message(f"no figures of {metric} match")
    if chosen == "svg":
        from corridor_cli.report.svg import svg

        text = svg(drawn, lang)
    else:
        from corridor_cli.report.text import text_chart

        env = _env()
        to_terminal = env.stdout_isatty and output is None
        width = (env.terminal_width() if to_terminal else None) or env.width or 80
        text = text_chart(drawn, lang, width, color=to_terminal and env.color)
    _emit_document(text, output, base)


@app.command()
def report(
    year: YearOpt = None,
    entity: EntityOpt = None,
    within: WithinOpt = None,
    topic: Annotated[Optional[list[str]], typer.Option(
        "--topic", "-t", metavar="TOPIC", autocompletion=_complete_topic, show_default=False,
        help="Only facts of these topics (repeatable or comma-separated).")] = None,
    date_from: FromOpt = None,
    date_to: ToOpt = None,
    source: SourceOpt = None,
    facts_dir: FactsDirOpt = None,
    fmt: Annotated[Optional[str], typer.Option(
        "--format", "-f", metavar="FORMAT", show_default=False,
        help="md (GitHub-flavoured Markdown) or html (one self-contained file). Default: "
             "rich text on a terminal, md in a pipe, else from the --output suffix.")] = None,
    output: OutputOpt = None,
    lang: LangOpt = None,
    no_pager: NoPagerOpt = False,
) -> None:
    """A briefing to hand on: headline figures (the latest actual of the most-reported
    metrics), series tables and charts, targets with progress, the audit's findings on
    the selected facts, the timeline, and numbered references with the quotes cited.
    Every figure links to its reference; derived figures are in italics and say so.

    Examples:

      corridor report --year 2022 --format md --output brief-2022.md

      corridor report --within jiangjin --format html --output jiangjin.html --lang en

      corridor report --within 珞璜 --year 2022
    """
    from corridor_cli.report import briefing, documents

    chosen = _document_format(fmt, output, _REPORT_FORMATS,
                              {".md": "md", ".markdown": "md", ".html": "html", ".htm": "html"},
                              "md")
    base = _load(facts_dir)
    notes: list[str] = []
    with _options():
        q = query.validate(base, query.FactQuery(
            topic=query.split_values(topic, "--topic") or None,
            **_dates(year, date_from, date_to, base), entity=entity, within=within,
            source=source), notes)
        content = briefing.briefing(base, q, _lang(lang), notes)
    for note in notes:
        _message(note)
    env = _env()
    if fmt is None and output is None and env.stdout_isatty:
        text = documents.terminal(content, width=env.terminal_width() or 100, color=env.color)
        _emit_document(text, None, base, pageable=not no_pager)
        return
    text = documents.html(content) if chosen == "html" else documents.markdown(content)
    _emit_document(text, output, base)
