"""Facts grouped by year, entity, metric, topic or source: count, sum, min, max, latest.

A sum is given only where analysis.rules says the figures add; otherwise the row
carries the reason instead. Min and max compare figures of one metric in one base
only (a train count is neither more nor less than a value in 亿元).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from decimal import Decimal

from corridor_cli.analysis import numbers as nb
from corridor_cli.analysis.rules import sum_refusal
from corridor_cli.query import FactQuery, select_facts
from corridor_cli.records import Bound, Fact, FactBase, exact

GROUP_BY = ("year", "entity", "metric", "topic", "source")


def group_key(f: Fact, field: str) -> str:
    """The group a fact falls in. By year: the calendar year its period lies in (as_of
    2023-05 is 2023); a span across years is a group of its own (2021..2025), since it
    belongs to no single year."""
    if field != "year":
        return getattr(f, field)
    p = f.period
    first, last = p.first_day().year, p.last_day().year
    return str(last) if first == last else f"{first}..{last}"


@dataclass(frozen=True)
class Group:
    key: str
    facts: tuple[Fact, ...]
    sum: Decimal | None  # in `unit`, exactly the sum of the printed values
    sum_unit: str | None
    sum_base: Decimal | None
    base_unit: str | None
    sum_bound: Bound | None
    refusal: str | None  # why there is no sum
    least: Fact | None  # min and max: None unless one metric in one base
    greatest: Fact | None
    extremes_refusal: str | None
    latest: Fact

    @property
    def count(self) -> int:
        return len(self.facts)

    @property
    def metric(self) -> str | None:
        metrics = {f.metric for f in self.facts}
        return metrics.pop() if len(metrics) == 1 else None


def _sum(facts: Sequence[Fact], base: FactBase):
    units = {f.unit for f in facts}
    unit_ids = sorted(units)
    total_base = sum((base.units[f.unit].to_base(f.value) for f in facts), Decimal(0))
    bound = nb.add([nb.of_fact(f, base) for f in facts])
    base_unit = base.units[unit_ids[0]].base
    if len(units) == 1:
        total = sum((exact(f.value) for f in facts), Decimal(0))
        return total, unit_ids[0], total_base, base_unit, bound.bound if bound else None
    return None, None, total_base, base_unit, bound.bound if bound else None


def _extremes(facts: Sequence[Fact], base: FactBase):
    metrics = {f.metric for f in facts}
    bases = {base.units[f.unit].base for f in facts}
    if len(metrics) > 1:
        return None, None, "metrics differ"
    statuses = {f.status.value for f in facts}
    if len(statuses) > 1:
        return None, None, "statuses differ: " + " and ".join(sorted(statuses))
    if len(bases) > 1:
        return None, None, "units differ: " + " and ".join(sorted({f.unit for f in facts}))

    def low(f: Fact):
        return (base.units[f.unit].to_base(f.value), f.id)

    def high(f: Fact):
        v = f.value if f.value_max is None else f.value_max
        return (base.units[f.unit].to_base(v), f.id)
    return min(facts, key=low), max(facts, key=high), None


def group(base: FactBase, facts: Sequence[Fact], field: str) -> list[Group]:
    """One Group per value of field among facts, in order (years chronologically)."""
    members: dict[str, list[Fact]] = {}
    for f in facts:
        members.setdefault(group_key(f, field), []).append(f)

    def order(key: str):
        if field == "year":
            first, _, last = key.partition("..")
            return (int(first), int(last or first), key)
        return (0, 0, key)
    out = []
    for key in sorted(members, key=order):
        chosen = tuple(sorted(members[key], key=lambda f: (f.period.sort_key(), f.id)))
        refusal = sum_refusal(chosen, base)
        total = unit = total_base = base_unit = bound = None
        if refusal is None:
            total, unit, total_base, base_unit, bound = _sum(chosen, base)
        least, greatest, why = _extremes(chosen, base)
        latest = max(chosen, key=lambda f: (f.period.last_day(), f.period.first_day(), f.id))
        out.append(Group(key, chosen, total, unit, total_base, base_unit, bound, refusal,
                         least, greatest, why, latest))
    return out


def grouped(base: FactBase, query: FactQuery, field: str) -> list[Group]:
    """`facts --by FIELD`: the query's facts grouped; --desc reverses the groups and
    --limit counts groups."""
    groups = group(base, select_facts(base, replace(query, limit=None)), field)
    if query.descending:
        groups.reverse()
    return groups if query.limit is None else groups[: query.limit]
