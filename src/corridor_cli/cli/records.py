"""Commands over records: facts, timeline, show."""

from typing import Annotated, Any, Optional

import typer

from corridor_cli import query, views
from corridor_cli.cli.application import app
from corridor_cli.cli.common import (
    BomOpt, ColumnsOpt, DescOpt, EntityOpt, FactsDirOpt, FormatOpt, FromOpt, GrepOpt, LangOpt,
    LimitOpt, NoHeaderOpt, NoPagerOpt, OutputOpt, SourceOpt, StatusOpt, ToOpt, WithinOpt,
    YearOpt,
    _complete_event_sort, _complete_fact_sort, _complete_group, _complete_id, _complete_metric, _complete_topic,
    _emit, _lang, _load, _message, _options,
)
from corridor_cli.records import FactBase


def _dates(year: Optional[str], date_from: Optional[str], date_to: Optional[str],
           base: FactBase) -> dict[str, Any]:
    return {"year": query.parse_year(year, base) if year is not None else None,
            "date_from": query.parse_date(date_from, "--from") if date_from is not None else None,
            "date_to": query.parse_date(date_to, "--to") if date_to is not None else None}


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
    within: WithinOpt = None,
    metric: Annotated[Optional[list[str]], typer.Option(
        "--metric", "-m", metavar="METRIC", autocompletion=_complete_metric, show_default=False,
        help="Only these metric ids (see 'corridor metrics'): trains_run, trade_value, … "
             "(repeatable or comma-separated).")] = None,
    status: StatusOpt = None,
    source: SourceOpt = None,
    grep: GrepOpt = None,
    sort: Annotated[str, typer.Option(
        "--sort", metavar="FIELD", autocompletion=_complete_fact_sort,
        help=f"Sort by one of: {', '.join(query.SORT_FIELDS)}.")] = "period",
    desc: DescOpt = False,
    limit: LimitOpt = None,
    by: Annotated[Optional[str], typer.Option(
        "--by", metavar="FIELD", autocompletion=_complete_group,
        help="One row per year, entity, metric, topic or source: count, sum (only where the "
             "figures add, else the reason), min, max and latest.")] = None,
    derived: Annotated[bool, typer.Option(
        "--derived", help="Add figures that follow from the reported ones (status derived, "
                          "with the ids they came from and a formula).")] = False,
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

      corridor facts trains --by year

      corridor facts trade --year 2021 --derived

      corridor facts -e jiangjin-cbz -e xiyong-cbz --columns id,value,unit,period

      corridor facts --within jiangjin --metric trains_run

      corridor facts trade --format xlsx --output trade.xlsx
    """
    if by is not None or derived:  # the analysis layer only on the path that uses it
        from corridor_cli import analysis_views
        from corridor_cli.analysis import derive, groups
    base = _load(facts_dir)
    notes: list[str] = []
    with _options():
        q = query.validate(base, query.FactQuery(
            topic=(*query.split_values(topic, "TOPIC"), *query.split_values(topics, "--topic")),
            **_dates(year, date_from, date_to, base),
            entity=entity, within=within, metric=metric, status=status, source=source,
            grep=query.check_grep(grep),
            sort=sort, descending=desc, limit=query.parse_limit(limit)), notes)
        if by is not None:
            field = query.check_choice("--by", by, groups.GROUP_BY, "field to group by")
            if derived:
                raise query.QueryError("--derived", "--derived and --by do not combine: derived "
                                       "figures are never summed with reported ones")
            if sort != "period":
                raise query.QueryError("--sort", "--by orders its groups itself (years in "
                                       "time, others by name); use --desc to reverse them")
            rows = groups.grouped(base, q, field)
        elif derived:
            rows = derive.facts_with_derived(base, q)
        else:
            rows = query.select_facts(base, q)
    for note in notes:
        _message(note)
    lang = _lang(lang)
    view = analysis_views.groups_view(base, field, rows, lang) if by is not None else \
        analysis_views.facts_derived_view(base, rows, lang) if derived else \
        views.facts_view(base, rows, lang)
    _emit(view, fmt, output, bom, "no facts match",
          base=base, columns=columns, no_header=no_header, no_pager=no_pager)


@app.command()
def timeline(
    year: YearOpt = None,
    date_from: FromOpt = None,
    date_to: ToOpt = None,
    entity: EntityOpt = None,
    within: WithinOpt = None,
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
            base, entity=entity, within=within, grep=query.check_grep(grep), status=status, source=source, sort=sort,
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
    record_id = record_id.strip()
    record = base.find(record_id)
    if record is None:  # ids ignore case, like every other choice
        ids = [r.id for r in (*base.facts, *base.events)]
        with _options():
            record = base.find(query.check_choice("ID", record_id, ids, "fact or event id"))
    _emit(views.record_view(base, record, _lang(lang), provenance.context_for(base, record)),
          fmt, output, bom, base=base, columns=columns, no_header=no_header, no_pager=no_pager)
