"""One metric as a series: a row per entity and period, in period order, with the share
of a calendar year a flow's period covers and the rows whose periods overlap.

Nothing is merged: two figures for overlapping periods of one entity are both rows,
each naming the other. `wide` pivots entities into columns without dropping a figure.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, replace
from fractions import Fraction

from corridor_cli.analysis.derive import Derived, derive_all, matching
from corridor_cli.query import FactQuery, select_facts
from corridor_cli.dates import Period
from corridor_cli.records import Fact, FactBase, MetricKind


def year_share(period: Period) -> Fraction | None:
    """The calendar years a span covers: 2022 is 1, Jan–May 2023 is 5/12 (months when
    both ends are printed to the month or year), 2023-06-05 is 1/365 (days otherwise),
    2016..2020 is 5. None for a point in time."""
    if period.start is None:
        return None
    start, end = period.start, period.end
    if start.day is None and end.day is None:
        months = (end.year * 12 + (end.month or 12)) - (start.year * 12 + (start.month or 1)) + 1
        return Fraction(months, 12)
    first, last = period.first_day(), period.last_day()
    share = Fraction(0)
    for year in range(first.year, last.year + 1):
        lo = max(first, dt.date(year, 1, 1))
        hi = min(last, dt.date(year, 12, 31))
        share += Fraction((hi - lo).days + 1, 366 if calendar.isleap(year) else 365)
    return share


def fraction_text(share: Fraction) -> str | None:
    """5/12, 1, 5, 17/12, 1/365; None for a share counted in days across years, which no
    simple fraction states (year_share then carries it as a number)."""
    if share.denominator == 1:
        return str(share.numerator)
    if share < 1 or 12 % share.denominator == 0:
        return f"{share.numerator}/{share.denominator}"
    return None


@dataclass(frozen=True)
class SeriesRow:
    """One figure of a series: a reported fact or a derived figure, never both."""

    entity: str
    period: Period
    fact: Fact | None = None
    derived: Derived | None = None
    kind: MetricKind | None = None
    year_share: Fraction | None = None  # flows only
    overlaps: tuple[str, ...] = ()  # ids of rows of the same entity whose periods overlap

    @property
    def id(self) -> str:
        return self.fact.id if self.fact is not None else self.derived.id

    @property
    def status(self) -> str:
        return self.fact.status.value if self.fact is not None else "derived"

    @property
    def unit(self) -> str:
        return self.fact.unit if self.fact is not None else self.derived.unit

    @property
    def partial(self) -> bool | None:
        """A flow covering less than a calendar year."""
        return None if self.year_share is None else self.year_share < 1


def _overlap(a: Period, b: Period) -> bool:
    return a.overlaps(b.first_day(), b.last_day())


def series(base: FactBase, metric: str, facts: Sequence[Fact],
           derived: Sequence[Derived] = ()) -> list[SeriesRow]:
    """Rows for the facts (already selected: one metric) and derived figures of that
    metric, by period then entity, each flagged with the same-entity rows it overlaps."""
    m = base.metrics.get(metric)
    kind = m.kind if m is not None else None
    rows = [SeriesRow(f.entity, f.period, fact=f, kind=kind) for f in facts if f.metric == metric]
    rows += [SeriesRow(d.entity, d.period, derived=d, kind=base.metrics[d.metric].kind
                       if d.metric in base.metrics else None)
             for d in derived if d.metric == metric]
    out = []
    for row in rows:
        others = tuple(o.id for o in rows if o is not row and o.entity == row.entity
                       and _overlap(o.period, row.period))
        share = year_share(row.period) if row.kind is MetricKind.flow else None
        out.append(SeriesRow(row.entity, row.period, row.fact, row.derived, row.kind, share,
                             others))
    out.sort(key=lambda r: (r.period.sort_key(), r.entity, r.derived is not None, r.id))
    return out


@dataclass(frozen=True)
class WideRow:
    """One period, status and unit with a cell per entity: the series row there, if any."""

    period: Period
    status: str
    unit: str
    cells: dict[str, SeriesRow]


def wide(rows: Sequence[SeriesRow]) -> tuple[list[str], list[WideRow]]:
    """Entities as columns (in order of first appearance) and one row per period, status
    and unit; a second figure for the same cell starts a row of its own, so nothing is
    merged or dropped."""
    entities = list(dict.fromkeys(r.entity for r in rows))
    out: list[WideRow] = []
    for row in rows:
        key = (str(row.period), row.period.is_point, row.status, row.unit)
        for existing in out:
            if (str(existing.period), existing.period.is_point, existing.status,
                    existing.unit) == key and row.entity not in existing.cells:
                existing.cells[row.entity] = row
                break
        else:
            out.append(WideRow(row.period, row.status, row.unit, {row.entity: row}))
    return entities, out


def metric_series(base: FactBase, query: FactQuery, metric: str,
                  derived: bool = False) -> list[SeriesRow]:
    """`corridor series METRIC`: the metric's facts within the query (and with derived,
    the derived figures of that metric within its scope), as series rows."""
    query = replace(query, metric=(metric,), sort="period", descending=False, limit=None)
    extra = matching(base, query, derive_all(base)) if derived else []
    return series(base, metric, select_facts(base, query), extra)
