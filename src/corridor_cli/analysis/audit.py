"""Every arithmetic cross-check the facts allow, each with its inputs, computation,
result and tolerance.

The tolerance is never chosen: it is what the printing allows. Each figure lies within
half a unit of its last printed digit (a count printed in full and a target are exact;
超 and 不到 leave one side open), the computation carries those intervals through, and a
check holds when the computed interval and the reported one share a value. A check
that does not hold is a finding about a source, reported with both facts and how far
apart they are; nothing is tuned to make it pass.

The checks:

- change: a reported % change against the figure it reaches back to (a reported value for
  the comparison period, or a stated increase, growth or average increase: `relation`);
- parts: parts against their total (a stated sum; figures of entities inside another's
  for the same metric, period and status, which cannot exceed it);
- share: a share of a count against that count (62.9 % of 62 projects must be a whole
  number of projects);
- cumulative: a running total against the flows inside it (it cannot be less than them);
- duplicate: the same figure reported twice (same metric, entity, period and status).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from corridor_cli.analysis import numbers as nb
from corridor_cli.analysis.derive import one_year_back
from corridor_cli.analysis.rules import sum_refusal
from corridor_cli.records import (
    Bound, Fact, FactBase, MetricKind, RelationKind, Status, decimal_text, exact,
)

CHECK_KINDS = ("change", "parts", "share", "cumulative", "average", "duplicate")


@dataclass(frozen=True)
class Check:
    id: str
    kind: str  # one of CHECK_KINDS
    description: str
    inputs: tuple[str, ...]  # the facts computed from
    reported: str | None  # the fact compared with, if one is
    computation: str  # the arithmetic with the numbers in it
    computed: nb.Figure
    against: nb.Figure  # the reported figure (or the bound a computed one must respect)
    unit: str
    holds: bool
    relation: str = "="  # "=" (agrees within tolerance), "≤", "≥", "whole" (a whole number)

    @property
    def difference(self) -> Decimal:
        """Reported (or bound) minus computed, nominal values."""
        return self.against.value - self.computed.value

    @property
    def gap(self) -> Decimal:
        """How far the figures are apart beyond what the printing allows: 0 when it holds."""
        if self.holds:
            return Decimal(0)
        if self.relation == "≤":
            return self.computed.low - self.against.high
        if self.relation == "whole":
            return abs(self.computed.value - self.against.value)
        return nb.gap(self.computed, self.against)

    @property
    def tolerance(self) -> Decimal:
        """Half-widths of both intervals: how far apart the nominal values may be."""
        return self.computed.half_width + self.against.half_width


def _fig_text(f: Fact, unit: str | None = None) -> str:
    """The figure as printed; with its unit when that differs from the unit computed in."""
    mark = {Bound.approx: "约", Bound.lower: "≥", Bound.upper: "≤"}.get(f.bound, "")
    return f"{mark}{nb.text(f.value)}" + (f" {f.unit}" if unit is not None and f.unit != unit else "")


def _compare(check_id: str, kind: str, description: str, inputs: Sequence[Fact],
             reported: Fact, fn: Callable[..., Decimal], figures: Sequence[nb.Figure],
             computation: Callable[[str], str], unit: str,
             base: FactBase) -> Check | None:
    computed = nb.evaluate(fn, figures)
    if computed is None:
        return None
    against = nb.of_fact(reported, base) if unit == reported.unit else \
        nb.in_unit(reported, base, unit)
    text = computation(decimal_text(nb.rounded(computed)))
    return Check(check_id, kind, description, tuple(f.id for f in inputs), reported.id,
                 f"{text}; reported {_fig_text(reported)}", computed, against, unit,
                 nb.overlap(computed, against))


def _years_between(a: Fact, b: Fact) -> int | None:
    ya, yb = a.period.end.year, b.period.end.year
    if a.period.end.precision != "year" or b.period.end.precision != "year" or yb <= ya:
        return None
    return yb - ya


def _relation_check(base: FactBase, f: Fact, by_id: dict[str, Fact]) -> Check | None:
    r = f.relation
    named = [by_id.get(i) for i in r.of]
    if any(n is None for n in named):
        return None
    cid = f"{r.kind.value}:{f.id}"
    if r.kind is RelationKind.sum:
        figs = [nb.in_unit(n, base, f.unit) for n in named]
        return _compare(cid, "parts", f"the parts add up to the total {f.id}", named, f,
                        lambda *xs: sum(xs, Decimal(0)), figs,
                        lambda res: " + ".join(_fig_text(n, f.unit) for n in named) + f" = {res}"
                        + (f" {f.unit}" if any(n.unit != f.unit for n in named) else ""),
                        f.unit, base)
    if r.kind is RelationKind.share:
        whole = named[0]
        unit = base.units[whole.unit]
        wf = nb.of_fact(whole, base)
        if not unit.discrete or wf.half_width != 0:
            return None  # a share of an amount can be any amount: nothing to check
        sf = nb.of_fact(f, base)
        part = nb.evaluate(lambda s, w: nb.CONTEXT.divide(nb.CONTEXT.multiply(s, w), 100),
                           [sf, wf])
        if part is None or part.low is None or part.high is None:
            return None
        lowest = int(part.low.to_integral_value(rounding="ROUND_CEILING"))
        highest = int(part.high.to_integral_value(rounding="ROUND_FLOOR"))
        whole_numbers = list(range(lowest, highest + 1))
        holds = bool(whole_numbers)
        counts = ", ".join(str(n) for n in whole_numbers[:3]) or "none"
        nearest = int(part.value.to_integral_value())
        check = (f"{nb.text(f.value)} % × {nb.text(whole.value)} = "
                 f"{decimal_text(nb.rounded(part))} {whole.unit}; whole numbers within the "
                 f"precision: {counts}")
        if not holds:  # what the nearest whole number would have been printed as
            as_share = nb.rounded(nb.figure(nb.percent(Decimal(nearest), exact(whole.value)),
                                            exact_value=True))
            check += f" ({nearest} / {nb.text(whole.value)} = {decimal_text(as_share)} %)"
        return Check(cid, "share", f"the share {f.id} of the count {whole.id} is a whole "
                     f"number of {whole.unit}", (whole.id,), f.id, check, part,
                     nb.Figure(Decimal(nearest), Decimal(nearest), Decimal(nearest)),
                     whole.unit, holds, "whole")
    if r.kind is RelationKind.increase:
        if len(named) == 1:
            later = named[0]
            g = nb.percent_change(later)
            return _compare(cid, "change", f"the increase {f.id} against {later.id} and its "
                            f"change", named, f,
                            lambda v, c: v - nb.CONTEXT.divide(v, nb.factor(c)),
                            [nb.in_unit(later, base, f.unit), g],
                            lambda res: f"{_fig_text(later)} − {_fig_text(later)} / (1 + "
                                        f"{nb.text(later.change.value)} %) = {res}", f.unit, base)
        a, b = named
        return _compare(cid, "change", f"the increase {f.id} against {a.id} and {b.id}",
                        named, f, lambda x, y: y - x,
                        [nb.in_unit(a, base, f.unit), nb.in_unit(b, base, f.unit)],
                        lambda res: f"{_fig_text(b)} − {_fig_text(a)} = {res}", f.unit, base)
    if r.kind is RelationKind.growth:
        a, b = named
        return _compare(cid, "change", f"the growth {f.id} against {a.id} and {b.id}",
                        named, f, lambda x, y: nb.percent(y, x) - 100,
                        [nb.of_fact(a, base, in_base=True), nb.of_fact(b, base, in_base=True)],
                        lambda res: (f"{_fig_text(b)} / {_fig_text(a)}" if a.unit == b.unit else
                                     f"{_fig_text(b)} {b.unit} / {_fig_text(a)} {a.unit}")
                        + f" − 1 = {res} %", f.unit, base)
    if r.kind is RelationKind.average_increase:
        a, b = named
        years = _years_between(a, b)
        if years is None:
            return None
        return _compare(cid, "average", f"the average yearly increase {f.id} against "
                        f"{a.id} and {b.id}", named, f,
                        lambda x, y: nb.CONTEXT.divide(y - x, years),
                        [nb.in_unit(a, base, f.unit), nb.in_unit(b, base, f.unit)],
                        lambda res: f"({_fig_text(b)} − {_fig_text(a)}) / {years} = {res}",
                        f.unit, base)
    return None  # pragma: no cover - every kind is handled above


def _change_checks(base: FactBase, facts: Sequence[Fact]) -> list[Check]:
    """A reported % yoy change against a reported value for the comparison period."""
    out = []
    for f in facts:
        g = nb.percent_change(f)
        if g is None or f.change.basis.value != "yoy":
            continue
        prior = str(one_year_back(f.period))
        for p in facts:
            if p.metric == f.metric and p.entity == f.entity and p.status is f.status \
                    and str(p.period) == prior and p.value_max is None and f.value_max is None:
                pf = nb.of_fact(p, base, in_base=True)
                ff = nb.of_fact(f, base, in_base=True)
                computed = nb.evaluate(lambda x, y: nb.percent(y, x) - 100, [pf, ff])
                if computed is None:
                    continue
                out.append(Check(f"change:{f.id}:{p.id}", "change",
                                 f"the change reported with {f.id} against {p.id}", (p.id, f.id),
                                 f.id, f"{_fig_text(f)} / {_fig_text(p)} − 1 = "
                                       f"{decimal_text(nb.rounded(computed))} %; reported "
                                       f"{nb.text(f.change.value)} %",
                                 computed, g, "%", nb.overlap(computed, g)))
    return out


def _outermost(base: FactBase, facts: Sequence[Fact]) -> list[Fact]:
    """The facts whose entity is not inside another's among them."""
    ents = {f.entity for f in facts}
    return [f for f in facts if not any(a in ents for a in base.ancestors(f.entity))]


def _parts_checks(base: FactBase, facts: Sequence[Fact]) -> list[Check]:
    """Figures of entities inside another's cannot add up to more than the whole's."""
    out = []
    groups: dict[tuple, list[Fact]] = {}
    for f in facts:
        m = base.metrics.get(f.metric)
        if m is not None and m.kind in (MetricKind.flow, MetricKind.level, MetricKind.cumulative) \
                and f.value_max is None:
            groups.setdefault((f.metric, f.status, str(f.period), f.period.kind,
                               base.units[f.unit].base), []).append(f)
    for members in groups.values():
        for total in members:
            inside = [p for p in members if p.entity != total.entity
                      and total.entity in base.ancestors(p.entity)]
            parts = _outermost(base, inside)
            if not parts or sum_refusal(parts, base) is not None:
                continue
            s = nb.add([nb.in_unit(p, base, total.unit) for p in parts])
            t = nb.of_fact(total, base)
            if s is None:
                continue
            # the parts' sum must not exceed the whole: compare the sum's lowest value with
            # the whole's highest
            holds = s.low is None or t.high is None or s.low <= t.high
            out.append(Check(f"parts:{total.id}", "parts",
                             f"the parts inside {total.entity} do not exceed its {total.metric}",
                             tuple(p.id for p in parts), total.id,
                             (" + ".join(_fig_text(p, total.unit) for p in parts) +
                              f" = {decimal_text(nb.rounded(s))} {total.unit}" if len(parts) > 1
                              else _fig_text(parts[0], total.unit)) + f" ≤ {_fig_text(total)}",
                             s, t, total.unit, holds, "≤"))
    return out


def _cumulative_checks(base: FactBase, facts: Sequence[Fact]) -> list[Check]:
    """A running total is at least the flows it has taken in: since the start (flows
    ending by its date) and between two of its dates."""
    out = []
    for c in facts:
        m = base.metrics.get(c.metric)
        if m is None or m.kind is not MetricKind.cumulative or not m.of:
            continue
        same = sorted((x for x in facts if x.metric == c.metric and x.entity == c.entity
                       and x.status is c.status), key=lambda x: x.period.sort_key())
        earlier = [x for x in same if x.period.last_day() < c.period.first_day()]
        prev = earlier[-1] if earlier else None
        flows = [f for f in facts if f.metric == m.of and f.entity == c.entity
                 and f.status is Status.actual and f.value_max is None
                 and f.period.last_day() <= c.period.last_day()
                 and base.units[f.unit].base == base.units[c.unit].base
                 and (prev is None or f.period.first_day() > prev.period.last_day())]
        chosen: list[Fact] = []
        for f in sorted(flows, key=lambda f: (f.period.sort_key(), f.id)):
            if sum_refusal([*chosen, f], base) is None:
                chosen.append(f)
        if not chosen:
            continue
        s = nb.add([nb.in_unit(f, base, c.unit) for f in chosen])
        if s is None:
            continue
        listed = " + ".join(f"{_fig_text(f, c.unit)} ({f.period})" for f in chosen)
        mixed = any(f.unit != c.unit for f in chosen)
        total = f"{listed} = {decimal_text(nb.rounded(s))}" + (f" {c.unit}" if mixed else "") \
            if len(chosen) > 1 else listed
        if prev is None:
            computed, text = s, f"{total} ≤ {_fig_text(c)}"
            against = nb.of_fact(c, base)
            desc = (f"the running total {c.id} is at least the flows of {m.of} reported up "
                    f"to {c.period.end}")
            inputs = tuple(f.id for f in chosen)
        else:
            inc = nb.evaluate(lambda x, y: y - x, [nb.in_unit(prev, base, c.unit),
                                                   nb.of_fact(c, base)])
            if inc is None:
                continue
            computed, against = s, inc
            text = (f"{total} ≤ {_fig_text(c)} − "
                    f"{_fig_text(prev)} = {decimal_text(nb.rounded(inc))}")
            desc = (f"the increase of {c.metric} from {prev.period.end} to {c.period.end} is "
                    f"at least the flows of {m.of} reported between")
            inputs = (prev.id, *(f.id for f in chosen))
        holds = computed.low is None or against.high is None or computed.low <= against.high
        out.append(Check(f"cumulative:{c.id}", "cumulative", desc, inputs, c.id, text, computed,
                         against, c.unit, holds, "≤"))
    return out


def _duplicate_checks(base: FactBase, facts: Sequence[Fact]) -> list[Check]:
    """Two facts reporting one figure (metric, entity, period, status) must agree."""
    out = []
    groups: dict[tuple, list[Fact]] = {}
    for f in facts:
        groups.setdefault((f.metric, f.entity, str(f.period), f.period.kind, f.status,
                           base.units[f.unit].base), []).append(f)
    for members in groups.values():
        members.sort(key=lambda f: f.id)
        for i, a in enumerate(members):
            for b in members[i + 1:]:
                fa, fb = nb.of_fact(a, base), nb.in_unit(b, base, a.unit)
                out.append(Check(f"duplicate:{a.id}:{b.id}", "duplicate",
                                 f"{a.id} and {b.id} report the same figure", (a.id,), b.id,
                                 f"{_fig_text(a)} {a.unit} and {_fig_text(b)} {b.unit}",
                                 fa, fb, a.unit, nb.overlap(fa, fb)))
    return out


def audit(base: FactBase, facts: Sequence[Fact] | None = None) -> list[Check]:
    """Every check the facts allow (all of the base's by default), in a stable order."""
    facts = list(base.facts if facts is None else facts)
    by_id = {f.id: f for f in base.facts}
    checks: list[Check] = []
    for f in facts:
        if f.relation is not None:
            c = _relation_check(base, f, by_id)
            if c is not None:
                checks.append(c)
    checks += _change_checks(base, facts)
    checks += _parts_checks(base, facts)
    checks += _cumulative_checks(base, facts)
    checks += _duplicate_checks(base, facts)
    order = {k: i for i, k in enumerate(CHECK_KINDS)}
    return sorted(checks, key=lambda c: (order[c.kind], c.id))
