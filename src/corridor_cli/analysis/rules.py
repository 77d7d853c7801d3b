"""What adds to what: the one place the arithmetic of metric kinds is decided.

Facts' values may be summed only when they measure the same thing in the same base
with the same status and bounds that point one way, and then only

- flows over periods that do not overlap, or of entities neither of which is part of
  the other (trade of two zones in 2022 adds; a zone and its district do not);
- levels (and cumulative totals) of different entities, neither part of the other,
  at the same date as printed.

Rates, shares, ranks and measures never add. `sum_refusal` answers for `--by`, the
series, derivations, targets and the audit alike; none of them decides it again.
"""

from __future__ import annotations

from collections.abc import Sequence

from corridor_cli.records import Bound, Fact, FactBase, MetricKind

_NEVER = {
    MetricKind.rate: "rates do not add",
    MetricKind.share: "shares do not add",
    MetricKind.rank: "ranks do not add",
    MetricKind.measure: "measures (capacities, durations, scores, project totals) do not add",
}


def _listed(values: Sequence[str], limit: int = 3) -> str:
    values = list(dict.fromkeys(values))
    shown = " and ".join(values) if len(values) <= 2 else \
        ", ".join(values[:limit]) + (", …" if len(values) > limit else "")
    return shown


def nested(base: FactBase, a: str, b: str) -> bool:
    """Whether one entity is the other or part of it (their figures would count twice)."""
    return a == b or a in base.ancestors(b) or b in base.ancestors(a)


def _relation(base: FactBase, a: Fact, b: Fact) -> str:
    if a.entity == b.entity:
        return a.entity
    inner, outer = (a, b) if b.entity in base.ancestors(a.entity) else (b, a)
    return f"{inner.entity} is part of {outer.entity}"


def sum_refusal(facts: Sequence[Fact], base: FactBase) -> str | None:
    """None when the facts' values may be added; else why not, in words a reader
    understands ("levels at different dates do not add")."""
    if len(facts) < 1:
        return "nothing to add"
    metrics = [f.metric for f in facts]
    kinds = [base.metrics[m].kind if m in base.metrics else None for m in metrics]
    if len(set(metrics)) > 1:
        cumulative = [m for m, k in zip(metrics, kinds) if k is MetricKind.cumulative]
        if cumulative and MetricKind.flow in kinds:
            return (f"metrics differ: {_listed(metrics)}; a cumulative total "
                    f"({cumulative[0]}) is a level since the start and does not add to the "
                    f"figures of a period")
        return f"metrics differ: {_listed(metrics)}"
    if None in kinds:
        return f"metric {metrics[0]} is not defined"
    if kinds[0] in _NEVER:
        return _NEVER[kinds[0]]
    statuses = [f.status.value for f in facts]
    if len(set(statuses)) > 1:
        return f"statuses differ: {_listed(statuses)}"
    units = [base.units.get(f.unit) for f in facts]
    if None in units:
        return "a unit is not defined"
    bases = [u.base for u in units]
    if len(set(bases)) > 1:
        return f"units differ: {_listed([f.unit for f in facts])}"
    if any(f.value_max is not None for f in facts):
        return "a printed range (value to value_max) does not add as one number"
    bounds = {f.bound for f in facts}
    if Bound.lower in bounds and Bound.upper in bounds:
        return "a lower bound and an upper bound do not add: the sum has no bound"
    kind = kinds[0]
    ordered = sorted(facts, key=lambda f: (f.period.sort_key(), f.id))
    for i, a in enumerate(ordered):
        for b in ordered[i + 1:]:
            if kind.point_in_time:
                if str(a.period) != str(b.period):
                    return (f"levels at different dates do not add: {a.period.end} and "
                            f"{b.period.end}")
                if a.entity == b.entity:
                    return f"the same level twice: {a.id} and {b.id} ({a.entity}, {a.period})"
                if nested(base, a.entity, b.entity):
                    return (f"{_relation(base, a, b)}: its {a.metric} is counted in the whole "
                            f"already")
            elif nested(base, a.entity, b.entity) and \
                    a.period.overlaps(b.period.first_day(), b.period.last_day()):
                return f"periods overlap: {a.period} and {b.period} ({_relation(base, a, b)})"
    return None
