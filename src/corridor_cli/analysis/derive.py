"""Figures that follow from reported ones, each with the ids it came from and a formula a
reader can check, status `derived`, never mistaken for a reported figure.

- implied_prior: the comparison period's value implied by a reported change
  (148 亿元 at +17.97 % yoy → 125.5 亿元 the year before);
- growth and average_growth: between two reported values of one metric and entity,
  consecutive in time (flows over like periods, or levels at two dates);
- increment: a cumulative total's increase between two dates (a flow of what it totals);
- share: a part's share of its total (an entity inside another, same metric, period and
  status; or a part of a total its source states as a sum).

Only actual figures are derived from. A derived figure carries the bound of its inputs
(a lower bound in gives a lower or upper bound out) and is rounded to the precision its
inputs justify (analysis.numbers).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from decimal import Decimal

from corridor_cli.analysis import numbers as nb
from corridor_cli.analysis.rules import nested
from corridor_cli.dates import PartialDate, Period
from corridor_cli.query import FactQuery, scope, select_facts, sort_key
from corridor_cli.records import (
    Bound, Fact, FactBase, MetricKind, RelationKind, Status,
)

DERIVATIONS = ("implied_prior", "growth", "average_growth", "increment", "share")


@dataclass(frozen=True)
class Derived:
    """A figure computed from reported facts: lineage (inputs, formula) travels with it."""

    id: str
    derivation: str  # one of DERIVATIONS
    topic: str
    entity: str
    metric: str  # the metric it describes (a growth of gdp names gdp)
    kind: MetricKind  # what the figure itself is: a flow, a level, a rate, a share
    period: Period
    value: Decimal  # rounded to the precision the inputs justify
    unit: str
    bound: Bound
    low: Decimal | None  # the interval the inputs' printed precision allows
    high: Decimal | None
    inputs: tuple[str, ...]
    formula: str
    label_zh: str
    label_en: str
    source: str | None  # the inputs' source, when they share one
    status: str = "derived"

    def label(self, lang: str) -> str:
        return self.label_zh if lang == "zh" else self.label_en


def _shift_year(date: PartialDate, years: int) -> PartialDate:
    day = date.day
    if day == 29 and date.month == 2:  # 29 February a year back is the 28th
        day = 28
    return PartialDate(date.year + years, date.month, day)


def _after(date: PartialDate) -> PartialDate:
    """The next day, month or year, at the date's own precision."""
    if date.day:
        nxt = date.first_day() + dt.timedelta(days=1)
        return PartialDate(nxt.year, nxt.month, nxt.day)
    if date.month:
        return PartialDate(date.year + date.month // 12, date.month % 12 + 1)
    return PartialDate(date.year + 1)


def one_year_back(period: Period) -> Period:
    start = None if period.start is None else _shift_year(period.start, -1)
    return Period(start, _shift_year(period.end, -1))


def _names(base: FactBase, f: Fact) -> tuple[str, str, str, str]:
    m, e = base.metrics[f.metric], base.entities[f.entity]
    return m.name_zh, m.name_en, e.name_zh, e.name_en


def _source(facts: Sequence[Fact]) -> str | None:
    sources = {f.source for f in facts}
    return sources.pop() if len(sources) == 1 else None


def _make(derivation: str, inputs: Sequence[Fact], fig: nb.Figure | None, *, metric: str,
          kind: MetricKind, period: Period, unit: str, entity: str, formula: Callable[[str], str],
          label_zh: str, label_en: str, suffix: str, anchor: Fact | None = None) -> Derived | None:
    """A Derived figure, its id the anchor's (by default the last input's) plus suffix."""
    if fig is None:
        return None
    value = nb.rounded(fig)
    return Derived(f"{(anchor or inputs[-1]).id}~{suffix}", derivation, inputs[-1].topic, entity, metric,
                   kind, period, value, unit, fig.bound, fig.low, fig.high,
                   tuple(f.id for f in inputs), formula(nb.text(value)), label_zh, label_en,
                   _source(inputs))


def implied_prior(base: FactBase, f: Fact) -> Derived | None:
    """The value a reported year-on-year % change implies for the comparison period."""
    m = base.metrics.get(f.metric)
    g = nb.percent_change(f)
    if m is None or m.kind not in (MetricKind.flow, MetricKind.level, MetricKind.cumulative) \
            or g is None or f.change.basis.value != "yoy" or f.status is not Status.actual \
            or f.value_max is not None:
        return None
    value = nb.of_fact(f, base)
    fig = nb.evaluate(lambda v, c: nb.CONTEXT.divide(v, nb.factor(c)), [value, g],
                      discrete=value.discrete)
    prior = one_year_back(f.period)
    mzh, men, ezh, een = _names(base, f)
    sign = "+" if f.change.value >= 0 else ""
    return _make("implied_prior", [f], fig, metric=f.metric, kind=m.kind, period=prior,
                 unit=f.unit, entity=f.entity,
                 formula=lambda r: f"{nb.text(f.value)} / (1 + {nb.text(f.change.value)} %) = {r}",
                 label_zh=f"{ezh}{mzh}（{prior}，由{f.period}数值{sign}{nb.text(f.change.value)}%推算）",
                 label_en=f"{een} {men}, {prior} (implied by {f.period} at "
                          f"{sign}{nb.text(f.change.value)} %)",
                 suffix="implied-prior")


def _like_periods(a: Period, b: Period) -> int | None:
    """Whole years between two flow periods of the same shape (2015 and 2019: 4; Jan–May
    2022 and Jan–May 2023: 1), else None."""
    if a.start is None or b.start is None:
        return None
    years = b.start.year - a.start.year
    if years <= 0 or b.end.year - a.end.year != years:
        return None
    same = all((x.month, x.day, x.precision) == (y.month, y.day, y.precision)
               for x, y in ((a.start, b.start), (a.end, b.end)))
    if not same or a.overlaps(b.first_day(), b.last_day()):
        return None
    return years


def growth(base: FactBase, a: Fact, b: Fact) -> list[Derived]:
    """Growth from a to b (same metric and entity, b later), and for flows of like periods
    more than a year apart the average yearly growth."""
    m = base.metrics.get(a.metric)
    if m is None or a.value_max is not None or b.value_max is not None:
        return []
    mzh, men, ezh, een = _names(base, a)
    unit_a, unit_b = base.units[a.unit], base.units[b.unit]
    if unit_a.base != unit_b.base:
        return []
    same_unit = a.unit == b.unit
    fa, fb = nb.of_fact(a, base, in_base=not same_unit), nb.of_fact(b, base, in_base=not same_unit)
    ta, tb = (nb.text(a.value), nb.text(b.value)) if same_unit else \
        (f"{nb.text(a.value)} {a.unit}", f"{nb.text(b.value)} {b.unit}")
    span = Period(a.period.start or a.period.end, b.period.end)
    arrow = f"{a.period.end if a.period.is_point else a.period}→" \
            f"{b.period.end if b.period.is_point else b.period}"
    out = []
    if m.kind is MetricKind.flow:
        years = _like_periods(a.period, b.period)
        if years is None:
            return []
    elif m.kind.point_in_time:
        if not a.period.last_day() < b.period.first_day():
            return []
        years = None
    else:
        return []
    fig = nb.evaluate(lambda x, y: nb.CONTEXT.subtract(nb.percent(y, x), 100), [fa, fb])
    d = _make("growth", [a, b], fig, metric=a.metric, kind=MetricKind.rate, period=span,
              unit="%", entity=a.entity,
              formula=lambda r: f"{tb} / {ta} − 1 = {r} %",
              label_zh=f"{ezh}{mzh}增长（{arrow}）", label_en=f"{een} {men} growth, {arrow}",
              suffix=f"growth-from-{a.id}")
    out += [d] if d else []
    if years and years > 1:
        def avg(x: Decimal, y: Decimal) -> Decimal:
            ratio = nb.CONTEXT.divide(y, x)
            root = nb.CONTEXT.power(ratio, nb.CONTEXT.divide(1, years))
            return nb.CONTEXT.multiply(nb.CONTEXT.subtract(root, 1), 100)
        fig = nb.evaluate(avg, [fa, fb])
        d = _make("average_growth", [a, b], fig, metric=a.metric, kind=MetricKind.rate,
                  period=span, unit="%", entity=a.entity,
                  formula=lambda r: f"({tb} / {ta})^(1/{years}) − 1 = {r} %",
                  label_zh=f"{ezh}{mzh}年均增长（{arrow}，{years}年）",
                  label_en=f"{een} {men} average yearly growth, {arrow} ({years} years)",
                  suffix=f"average-growth-from-{a.id}")
        out += [d] if d else []
    return out


def increment(base: FactBase, a: Fact, b: Fact) -> Derived | None:
    """A cumulative total's increase from a's date to b's: the flow it totals, between."""
    m = base.metrics.get(a.metric)
    if m is None or m.kind is not MetricKind.cumulative or not m.of \
            or not a.period.last_day() < b.period.first_day():
        return None
    scale = nb.exact(base.units[a.unit].scale)
    fa, fb = nb.of_fact(a, base, in_base=True), nb.of_fact(b, base, in_base=True)
    fig = nb.evaluate(lambda x, y: nb.CONTEXT.divide(nb.CONTEXT.subtract(y, x), scale),
                      [fa, fb], discrete=fa.discrete and fb.discrete)
    flow = base.metrics.get(m.of)
    fzh, fen = (flow.name_zh, flow.name_en) if flow else (m.name_zh, m.name_en)
    _, _, ezh, een = _names(base, a)
    after = _after(a.period.end)  # a total as of a date already holds that date
    if after.first_day() > b.period.last_day():
        return None
    period = Period(after, b.period.end)
    return _make("increment", [a, b], fig, metric=m.of, kind=MetricKind.flow, period=period,
                 unit=a.unit, entity=a.entity,
                 formula=lambda r: f"{nb.text(b.value)} (as of {b.period.end}) − {nb.text(a.value)} "
                                   f"(as of {a.period.end}) = {r}",
                 label_zh=f"{ezh}{fzh}（{a.period.end}后至{b.period.end}，由累计数相减）",
                 label_en=f"{een} {fen} after {a.period.end} to {b.period.end} "
                          f"(difference of running totals)",
                 suffix=f"increment-from-{a.id}")


def share(base: FactBase, part: Fact, total: Fact) -> Derived | None:
    """part as a % of total, both in one base."""
    if base.units[part.unit].base != base.units[total.unit].base \
            or part.value_max is not None or total.value_max is not None:
        return None
    fp, ft = nb.of_fact(part, base, in_base=True), nb.of_fact(total, base, in_base=True)
    fig = nb.evaluate(nb.percent, [fp, ft])
    pe, te = base.entities[part.entity], base.entities[total.entity]
    pm, tm = base.metrics[part.metric], base.metrics[total.metric]
    what_zh = pm.name_zh if part.entity != total.entity else f"{pm.name_zh}占{tm.name_zh}"
    what_en = pm.name_en if part.entity != total.entity else f"{pm.name_en} in {tm.name_en}"
    return _make("share", [part, total], fig, metric=part.metric, kind=MetricKind.share,
                 period=part.period, unit="%", entity=part.entity,
                 formula=lambda r: (f"{nb.text(part.value)} / {nb.text(total.value)} = {r} %"
                                    if part.unit == total.unit else
                                    f"{nb.text(part.value)} {part.unit} / {nb.text(total.value)} "
                                    f"{total.unit} = {r} %"),
                 label_zh=f"{pe.name_zh}占{te.name_zh}比重：{what_zh}（{part.period}）",
                 label_en=f"{pe.name_en} share of {te.name_en}: {what_en}, {part.period}",
                 suffix=f"share-of-{total.id}", anchor=part)


def _same_series(facts: Sequence[Fact]) -> dict[tuple[str, str], list[Fact]]:
    groups: dict[tuple[str, str], list[Fact]] = {}
    for f in facts:
        groups.setdefault((f.metric, f.entity), []).append(f)
    for members in groups.values():
        members.sort(key=lambda f: (f.period.sort_key(), f.id))
    return groups


def derive_all(base: FactBase) -> list[Derived]:
    """Every figure the base's actual facts imply, in a stable order."""
    actual = [f for f in base.facts if f.status is Status.actual and f.metric in base.metrics
              and f.unit in base.units and f.entity in base.entities]
    out: list[Derived] = []
    for f in actual:
        d = implied_prior(base, f)
        if d:
            out.append(d)
    for (metric, _), members in sorted(_same_series(actual).items()):
        kind = base.metrics[metric].kind
        if kind is MetricKind.flow:  # each figure with the next of the same shape
            for i, a in enumerate(members):
                later = [b for b in members[i + 1:] if _like_periods(a.period, b.period)]
                if later:
                    out += growth(base, a, later[0])
            continue
        points = [f for f in members if f.period.is_point]
        for a, b in zip(points, points[1:]):
            if kind is MetricKind.cumulative:
                d = increment(base, a, b)
                out += [d] if d else []
            elif kind is MetricKind.level:  # a running total's growth since the start
                out += growth(base, a, b)  # says nothing: its increment does
    by_key: dict[tuple[str, str, str], list[Fact]] = {}
    for f in actual:
        if base.metrics[f.metric].kind in (MetricKind.flow, MetricKind.level,
                                           MetricKind.cumulative):
            by_key.setdefault((f.metric, str(f.period), f.period.kind), []).append(f)
    for members in by_key.values():
        for part in members:
            for total in members:
                if part.entity != total.entity and total.entity in base.ancestors(part.entity):
                    d = share(base, part, total)
                    out += [d] if d else []
    by_id = {f.id: f for f in actual}
    for total in actual:
        r = total.relation
        if r is None or r.kind is not RelationKind.sum:
            continue
        parts = [by_id.get(i) for i in r.of]
        if all(p is not None and str(p.period) == str(total.period) for p in parts):
            for p in parts:
                if nested(base, p.entity, total.entity):
                    d = share(base, p, total)
                    out += [d] if d else []
    return list({d.id: d for d in out}.values())


def matching(base: FactBase, query: FactQuery, derived: Sequence[Derived]) -> list[Derived]:
    """The derived figures within the query's topic, entity, metric, source (any input's),
    dates and --grep (their labels). --status selects reported facts only."""
    where = scope(base, query)
    sources = {f.id: f.source for f in base.facts}
    return [d for d in derived
            if where.accepts(d.topic, d.entity, d.metric, [sources.get(i, "") for i in d.inputs],
                             d.period, d.label_zh, d.label_en)]


def facts_with_derived(base: FactBase, query: FactQuery) -> list[Fact | Derived]:
    """`facts --derived`: the facts the query selects and the derived figures within its
    scope, sorted together by the query's sort field, then limited."""
    facts = select_facts(base, replace(query, limit=None))
    combined: list[Fact | Derived] = [*facts, *matching(base, query, derive_all(base))]
    combined.sort(key=sort_key(query.sort, base), reverse=query.descending)
    return combined if query.limit is None else combined[: query.limit]
