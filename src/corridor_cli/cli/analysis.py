"""Commands over the analysis layer: series, targets, audit."""

from typing import Annotated

import typer

from corridor_cli import query
from corridor_cli.cli.application import Exit, app
from corridor_cli.cli.common import (
    BomOpt, ColumnsOpt, EntityOpt, FactsDirOpt, FormatOpt, FromOpt, LangOpt, LimitOpt,
    NoHeaderOpt, NoPagerOpt, OutputOpt, SourceOpt, StatusOpt, ToOpt, WithinOpt, YearOpt,
    MetricArg, _emit, _lang, _load, _message, _options,
)
from corridor_cli.cli.records import _dates
from corridor_cli.records import FactBase


def metric_rows(base: FactBase, metric: str, derived: bool, *, year, date_from, date_to,
                entity, within, status, source) -> tuple[str, list]:
    """The metric (checked) and its series rows for the options of series and chart."""
    from corridor_cli.analysis.series import metric_series

    notes: list[str] = []
    with _options():
        metric = query.check_choice("METRIC", metric.strip(),
                                    {*base.metrics, *(f.metric for f in base.facts)}, "metric")
        q = query.validate(base, query.FactQuery(
            **_dates(year, date_from, date_to, base), entity=entity, within=within,
            status=status, source=source), notes)
        rows = metric_series(base, q, metric, derived)
    for note in notes:
        _message(note)
    return metric, rows


@app.command()
def series(
    metric: MetricArg,
    entity: EntityOpt = None,
    within: WithinOpt = None,
    year: YearOpt = None,
    date_from: FromOpt = None,
    date_to: ToOpt = None,
    status: StatusOpt = None,
    source: SourceOpt = None,
    wide: Annotated[bool, typer.Option(
        "--wide", help="One row per period (status and unit) with a column per entity, "
                       "ready for a spreadsheet.")] = False,
    derived: Annotated[bool, typer.Option(
        "--derived", help="Add the figures of this metric that follow from reported ones "
                          "(status derived).")] = False,
    facts_dir: FactsDirOpt = None,
    fmt: FormatOpt = None,
    output: OutputOpt = None,
    bom: BomOpt = False,
    lang: LangOpt = None,
    columns: ColumnsOpt = None,
    no_header: NoHeaderOpt = False,
    no_pager: NoPagerOpt = False,
) -> None:
    """One metric as a series: a row per entity and period, in period order, with the
    value in its base unit, the period's kind, and for a flow the share of the year it
    covers (Jan–May is 5/12, marked partial). Overlapping periods of one entity are
    both shown, each naming the other.

    Examples:

      corridor series trains_run --within jiangjin --format csv

      corridor series trade_value --within jiangjin --wide --output trade.xlsx

      corridor series gdp --derived
    """
    from corridor_cli import analysis_views
    from corridor_cli.analysis import series as series_rows

    base = _load(facts_dir)
    metric, rows = metric_rows(base, metric, derived, year=year, date_from=date_from,
                               date_to=date_to, entity=entity, within=within, status=status,
                               source=source)
    lang = _lang(lang)
    if wide:
        entities, wide_rows = series_rows.wide(rows)
        view = analysis_views.wide_view(base, metric, entities, wide_rows, lang)
    else:
        view = analysis_views.series_view(base, metric, rows, lang)
    _emit(view, fmt, output, bom, f"no figures of {metric} match", base=base, columns=columns,
          no_header=no_header, no_pager=no_pager)


@app.command()
def targets(
    year: YearOpt = None,
    entity: EntityOpt = None,
    within: WithinOpt = None,
    date_from: FromOpt = None,
    date_to: ToOpt = None,
    source: SourceOpt = None,
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
    """Each target beside the latest actual for the same entity and metric: progress in
    %, the share of the target's period elapsed at the actual's date, on pace or
    behind, and the gap. A flow target is measured by the flow so far in its period; a
    level or share target by the latest actual (progress only).

    Examples:

      corridor targets --year 2023

      corridor targets --within jiangjin --format json
    """
    from corridor_cli import analysis_views
    from corridor_cli.analysis import targets as target_rows

    base = _load(facts_dir)
    notes: list[str] = []
    with _options():
        q = query.validate(base, query.FactQuery(
            **_dates(year, date_from, date_to, base), entity=entity, within=within,
            source=source, limit=query.parse_limit(limit)), notes)
        rows = target_rows.targets_for(base, q)
    for note in notes:
        _message(note)
    _emit(analysis_views.targets_view(base, rows, _lang(lang)), fmt, output, bom,
          "no targets match", base=base, columns=columns, no_header=no_header,
          no_pager=no_pager)


@app.command()
def audit(
    failing: Annotated[bool, typer.Option(
        "--failing", help="Only the checks that do not hold.")] = False,
    facts_dir: FactsDirOpt = None,
    fmt: FormatOpt = None,
    output: OutputOpt = None,
    bom: BomOpt = False,
    lang: LangOpt = None,
    columns: ColumnsOpt = None,
    no_header: NoHeaderOpt = False,
    no_pager: NoPagerOpt = False,
) -> None:
    """Every arithmetic cross-check the facts allow: a reported change against the values
    it relates, parts against their total, a share against the count it comes from, a
    running total against the flows inside it, an average against the values it
    averages, the same figure reported twice. Each with its inputs, the computation,
    the result and the tolerance the printed precision allows.
    Exit status: 0 when every check holds, 1 when any does not (a finding about a
    source), 2 for invalid fact files.

    Examples:

      corridor audit

      corridor audit --failing --format json
    """
    from corridor_cli import analysis_views
    from corridor_cli.analysis import audit as audit_checks

    base = _load(facts_dir)
    checks = audit_checks.audit(base)
    shown = [c for c in checks if not c.holds] if failing else checks
    _emit(analysis_views.audit_view(base, shown, _lang(lang)), fmt, output, bom,
          "every check holds" if failing else "no checks: the facts allow none", base=base,
          columns=columns, no_header=no_header, no_pager=no_pager)
    if any(not c.holds for c in checks):
        raise typer.Exit(Exit.CHECK_FAILED)
