"""A series as bars: what a chart draws, decided once for the terminal and for SVG.

Pure: series rows in, Bar records out. Each bar keeps the printed figure as text
(bound, range and unit included) and a kind that says how to draw it, so a partial
period, a target or a derived figure never looks like a full-period actual in any
chart. Bars of one chart share one unit: figures printed in another unit with the
same base are converted exactly; a figure whose unit cannot be converted is not
drawn and is named in the chart's note instead (nothing is dropped silently).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from corridor_cli.analysis.series import SeriesRow
from corridor_cli.analysis_views import entity_name
from corridor_cli.records import FactBase, decimal_text
from corridor_cli.views import _BOUND_MARK, unit_text, value_text

# Beyond this a chart library's float arithmetic overflows; such a figure is named, not drawn.
_TALLEST = Decimal("1e100")
# How each kind of bar is drawn; the words appear in legends and axis labels.
KINDS = ("actual", "partial", "target", "forecast", "planned", "derived")
KIND_TEXT = {
    "zh": {"actual": "实际（整期）", "partial": "实际（部分时期）", "target": "目标",
           "forecast": "预计", "planned": "计划", "derived": "推算"},
    "en": {"actual": "actual, full period", "partial": "actual, part of a year",
           "target": "target", "forecast": "forecast", "planned": "planned",
           "derived": "derived"},
}
# The short mark after an axis label, so the kind survives black-and-white print.
KIND_MARK = {
    "zh": {"partial": "部分", "target": "目标", "forecast": "预计", "planned": "计划",
           "derived": "推算"},
    "en": {"partial": "partial", "target": "target", "forecast": "forecast",
           "planned": "planned", "derived": "derived"},
}


@dataclass(frozen=True)
class Bar:
    id: str  # the fact (or derived figure) drawn
    period: str  # the period as the reader's language writes it
    entity: str  # the entity's name when the chart has several, else ""
    value: Decimal  # the height, in the chart's unit
    text: str  # the figure as printed, with its bound, range and unit
    kind: str  # one of KINDS
    source: str | None  # the source id the figure comes from (None: derived)

    @property
    def label(self) -> str:
        return f"{self.period} · {self.entity}" if self.entity else self.period


@dataclass(frozen=True)
class Chart:
    title: str
    unit: str  # the unit bars are drawn in, as the reader's language names it
    bars: tuple[Bar, ...]
    note: str = ""  # what could not be drawn, and why


def _kind(row: SeriesRow) -> str:
    status = row.status
    if status == "actual":
        return "partial" if row.partial else "actual"
    return status if status in KINDS else "derived"


def _period_label(row: SeriesRow, lang: str) -> str:
    p = row.period
    if p.is_point:
        return f"截至{p.end}" if lang == "zh" else f"as of {p.end}"
    return str(p)


def chart(base: FactBase, metric: str, rows: Sequence[SeriesRow], lang: str) -> Chart:
    """The bars for these series rows (one metric), in the order given (period order)."""
    m = base.metrics.get(metric)
    title = m.name(lang) if m is not None else metric
    if not rows:
        return Chart(title, "", ())
    unit_id = Counter(r.unit for r in rows).most_common(1)[0][0]
    unit = base.units.get(unit_id)
    several = len({r.entity for r in rows}) > 1
    bars, skipped, too_large = [], [], []
    for r in rows:
        value, value_max, bound = ((r.fact.value, r.fact.value_max, r.fact.bound)
                                   if r.fact is not None
                                   else (r.derived.value, None, r.derived.bound))
        other = base.units.get(r.unit)
        if r.unit == unit_id:
            height = Decimal(str(value)) if not isinstance(value, Decimal) else value
        elif unit is not None and other is not None and other.base == unit.base:
            height = other.to_base(value) / Decimal(str(unit.scale))
        else:
            skipped.append(r.id)
            continue
        if abs(height) > _TALLEST:
            too_large.append(r.id)
            continue
        if r.fact is not None:
            text = value_text(r.fact, lang)
        else:
            text = _BOUND_MARK[lang].get(bound, "") + decimal_text(value)
        text = f"{text} {unit_text(base, r.unit, lang)}"
        entity = entity_name(base, r.entity, lang) if several else ""
        bars.append(Bar(r.id, _period_label(r, lang), entity, height, text, _kind(r),
                        r.fact.source if r.fact is not None else None))
    notes = []
    if skipped:
        notes.append(f"未绘出（单位无法换算为{unit_id}）：{', '.join(skipped)}" if lang == "zh"
                     else f"not drawn (unit not convertible to {unit_id}): {', '.join(skipped)}")
    if too_large:
        notes.append(f"未绘出（数值过大）：{', '.join(too_large)}" if lang == "zh"
                     else f"not drawn (too large to draw): {', '.join(too_large)}")
    return Chart(title, unit_text(base, unit_id, lang), tuple(bars), "; ".join(notes))


def legend(bars: Sequence[Bar], lang: str) -> list[tuple[str, str]]:
    """(kind, words) for each kind of bar present, in KINDS order."""
    present = {b.kind for b in bars}
    return [(k, KIND_TEXT[lang][k]) for k in KINDS if k in present]


def axis_label(bar: Bar, lang: str, entity_room: int | None = None) -> str:
    """The bar's period, entity and kind (2023 (target)); with entity_room, the entity's
    name cut to that many characters, never the period or the kind."""
    entity = bar.entity
    if entity_room is not None and len(entity) > entity_room:
        entity = entity[: max(entity_room - 1, 1)].rstrip() + "…"
    label = f"{bar.period} · {entity}" if entity else bar.period
    mark = KIND_MARK[lang].get(bar.kind)
    return f"{label} ({mark})" if mark else label

