"""Targets beside the actuals they are measured by, with progress and pace.

For a flow target (1000 trains in 2023) the actual is the flow so far in the target's
period: reported flows that run without a gap from the period's start (Jan–May 2023:
407), and the share of the period elapsed is what they cover (5/12). A target is on
pace when progress is at least that share. For any other target (a level, a share)
the actual is the latest reported one, with progress only: a level does not start
from zero at the start of a period, so its progress says nothing of pace.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from decimal import Decimal
from fractions import Fraction

from corridor_cli.analysis import numbers as nb
from corridor_cli.analysis.series import year_share
from corridor_cli.dates import Period
from corridor_cli.query import FactQuery, select_facts
from corridor_cli.records import Fact, FactBase, MetricKind, Status

PACES = ("met", "on pace", "behind", "uncertain")


@dataclass(frozen=True)
class TargetRow:
    target: Fact
    actuals: tuple[Fact, ...]  # the facts the actual is read from (summed for a flow)
    actual: nb.Figure | None  # in the target's unit
    as_of: str | None  # the date the actual reaches
    progress: nb.Figure | None  # actual / target in %
    elapsed: Fraction | None  # share of the target's period elapsed at the actual's date
    pace: str | None  # one of PACES, flows only
    remaining: nb.Figure | None  # target − actual, in the target's unit
    pace_gap: nb.Figure | None  # actual − target × elapsed (negative: behind)
    note: str


def _chain(target: Fact, flows: Sequence[Fact]) -> list[Fact]:
    """The run of flows from the target period's first day with no gap between them
    that reaches furthest (one flow Jan–Jun beats Jan–May)."""
    start = target.period.first_day()
    best: list[Fact] = []
    paths = [[f] for f in flows if f.period.first_day() == start]
    while paths:
        path = paths.pop()
        if path[-1].period.last_day() > (best[-1].period.last_day() if best else start) or \
                (best and path[-1].period.last_day() == best[-1].period.last_day()
                 and len(path) < len(best)):
            best = path
        nxt = path[-1].period.last_day()
        paths += [[*path, f] for f in flows
                  if (f.period.first_day() - nxt).days == 1 and f not in path]
    return best


def _elapsed(target: Period, reached: Period) -> Fraction:
    whole = year_share(target)
    done = year_share(Period(target.start, reached.end))
    return min(done / whole, Fraction(1)) if whole else Fraction(0)


def target_row(base: FactBase, t: Fact) -> TargetRow:
    m = base.metrics.get(t.metric)
    same = [f for f in base.facts if f.status is Status.actual and f.entity == t.entity
            and f.metric == t.metric and f.value_max is None
            and base.units[f.unit].base == base.units[t.unit].base]
    printed = nb.of_fact(t, base)  # a target is the threshold it names (超10家: 10)
    target_fig = nb.Figure(printed.value, printed.value, printed.value, nb.Bound.exact,
                           printed.discrete) if t.value_max is None else printed
    if m is not None and m.kind is MetricKind.rank:
        latest = max(same, key=lambda f: f.period.sort_key(), default=None)
        return TargetRow(t, (latest,) if latest else (), nb.in_unit(latest, base, t.unit)
                         if latest else None, str(latest.period) if latest else None,
                         None, None, None, None, None,
                         "a rank: a lower place is better, so no progress in %"
                         if latest else "no actual")
    if m is not None and m.kind is MetricKind.flow and not t.period.is_point:
        inside = [f for f in same if f.period.first_day() >= t.period.first_day()
                  and f.period.last_day() <= t.period.last_day()]
        chain = _chain(t, inside)
        if not chain:
            note = "no actual in the period" if not inside else \
                "the actuals in the period do not run from its start: " + \
                ", ".join(str(f.period) for f in inside)
            return TargetRow(t, tuple(inside), None, None, None, None, None, None, None, note)
        actual = nb.add([nb.in_unit(f, base, t.unit) for f in chain])
        reached = chain[-1].period
        elapsed = _elapsed(t.period, reached) if t.period.start else None
        progress = nb.evaluate(nb.percent, [actual, target_fig])
        remaining = nb.evaluate(lambda a, b: b - a, [actual, target_fig],
                                discrete=target_fig.discrete)
        share = Decimal(elapsed.numerator) / Decimal(elapsed.denominator) if elapsed else None
        gap = nb.evaluate(lambda a, b: a - nb.CONTEXT.multiply(b, share),
                          [actual, target_fig]) if share is not None else None
        pace = _pace(progress, elapsed)
        return TargetRow(t, tuple(chain), actual, str(reached.end), progress, elapsed, pace,
                         remaining, gap, "")
    latest = [f for f in same if f.period.first_day() <= t.period.last_day()]
    if not latest:
        return TargetRow(t, (), None, None, None, None, None, None, None, "no actual")
    f = max(latest, key=lambda f: (f.period.sort_key(), f.id))
    actual = nb.in_unit(f, base, t.unit)
    progress = nb.evaluate(nb.percent, [actual, target_fig])
    remaining = nb.evaluate(lambda a, b: b - a, [actual, target_fig],
                            discrete=target_fig.discrete)
    elapsed = None
    if t.period.start is not None:
        elapsed = Fraction(0) if f.period.last_day() < t.period.first_day() else \
            _elapsed(t.period, f.period) if not f.period.is_point else None
    kind = m.kind.value if m is not None else "figure"
    return TargetRow(t, (f,), actual, str(f.period.end) if f.period.is_point else str(f.period),
                     progress, elapsed, None, remaining, None,
                     f"a {kind}: progress only, no pace (it does not start from zero)")


def _pace(progress: nb.Figure | None, elapsed: Fraction | None) -> str | None:
    if progress is None:
        return None
    lo, hi = progress.low, progress.high
    if lo is not None and lo >= 100:
        return "met"
    if elapsed is None:
        return None
    due = Decimal(elapsed.numerator * 100) / Decimal(elapsed.denominator)
    if lo is not None and lo >= due:
        return "on pace"
    if hi is not None and hi < due:
        return "behind"
    return "uncertain"


def targets(base: FactBase, facts: Sequence[Fact]) -> list[TargetRow]:
    """A row for each target among facts, in period order."""
    chosen = sorted((f for f in facts if f.status is Status.target),
                    key=lambda f: (f.period.sort_key(), f.id))
    return [target_row(base, t) for t in chosen]


def targets_for(base: FactBase, query: FactQuery) -> list[TargetRow]:
    """`corridor targets`: the targets within the query (its status is ignored)."""
    chosen = select_facts(base, replace(query, status=(Status.target,), sort="period",
                                        descending=False))
    return targets(base, chosen)
