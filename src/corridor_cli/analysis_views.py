"""Analysis rows as Views: series (long and wide), grouped facts, facts with derived
figures, targets and audit checks, for machines (typed fields, English names: a public
interface, see README) and for people. Numbers stay exact Decimals until here, where
views.machine_number turns each into an int, a float that prints as the same decimal,
or text.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from decimal import Decimal
from fractions import Fraction

from corridor_cli.analysis import numbers as nb
from corridor_cli.analysis.audit import Check
from corridor_cli.analysis.derive import Derived
from corridor_cli.analysis.groups import Group
from corridor_cli.analysis.series import SeriesRow, WideRow, fraction_text
from corridor_cli.analysis.targets import TargetRow
from corridor_cli.records import Bound, Fact, FactBase, decimal_text
from corridor_cli.views import (
    _BOUND_MARK, _STATUS, FACT_FIELDS, Row, View, _caption, _headers, _period_text,
    _source_fields,
    fact_row, facts_view, machine_number, source_text, unit_text, value_text,
)

DERIVED_FIELDS = ("derivation", "derived_from", "formula", "value_low", "value_high")


def _num(value: Decimal | None) -> int | float | str | None:
    return None if value is None else machine_number(value)


def _dtext(value: Decimal | None) -> str:
    return "" if value is None else decimal_text(value)


def _mark(bound: Bound, lang: str) -> str:
    return _BOUND_MARK[lang].get(bound, "")


def _share(share: Fraction | None) -> float | None:
    return None if share is None else share.numerator / share.denominator


# ---------------------------------------------------------------- derived figures
def derived_row(d: Derived, base: FactBase) -> Row:
    """A derived figure in the fact fields (status 'derived', no quote) plus its lineage."""
    unit = base.units.get(d.unit)
    low, high = nb.rounded_interval(nb.Figure(d.value, d.low, d.high, d.bound))
    return {
        "id": d.id, "topic": d.topic, "entity": d.entity, "metric": d.metric,
        "metric_kind": d.kind.value, "value": _num(d.value), "value_max": None, "unit": d.unit,
        "value_base": _num(unit.to_base(d.value)) if unit else None, "value_max_base": None,
        "base_unit": unit.base if unit else None, "bound": d.bound.value, "status": "derived",
        "period": str(d.period), "period_kind": d.period.kind,
        "period_start": d.period.first_day().isoformat(),
        "period_end": d.period.last_day().isoformat(),
        "change": None, "change_unit": None, "change_basis": None, "change_bound": None,
        "label_zh": d.label_zh, "label_en": d.label_en, "source": d.source,
        **_source_fields(base, d.source or ""),
        "quote": None, "note": None, "disagrees_with": [],
        "derivation": d.derivation, "derived_from": list(d.inputs), "formula": d.formula,
        "value_low": _num(low), "value_high": _num(high),
    }


def facts_derived_view(base: FactBase, records: Sequence[Fact | Derived], lang: str) -> View:
    """Reported facts and derived figures in one listing; derived rows say so in the
    status column and carry derivation, derived_from, formula and their interval."""
    facts = [r for r in records if isinstance(r, Fact)]
    plain = facts_view(base, facts, lang)
    by_id = {m["id"]: (m, h) for m, h in zip(plain.machine, plain.human)}
    machine, human, emphasis = [], [], []
    for r in records:
        if isinstance(r, Fact):
            m, h = by_id[r.id]
            machine.append({**m, **dict.fromkeys(DERIVED_FIELDS)})
            human.append(h)
            emphasis.append(r.status.value)
            continue
        machine.append(derived_row(r, base))
        human.append({
            "id": r.id, "label": r.label(lang),
            "value": _mark(r.bound, lang) + decimal_text(r.value),
            "unit": unit_text(base, r.unit, lang), "period": str(r.period),
            "status": _STATUS[lang]["derived"], "change": "",
            "source": r.formula,
        })
        emphasis.append("derived")
    n_derived = sum(1 for r in records if not isinstance(r, Fact))
    caption = _caption(len(facts), lang, "条事实", "fact") + (
        f"，{n_derived} 条推算" if lang == "zh" else f", {n_derived} derived")
    return View("fact", machine, (*FACT_FIELDS, *DERIVED_FIELDS), human, plain.title,
                plain.human_fields, plain.headers, plain.numeric, plain.drop_order, emphasis,
                caption)


# ---------------------------------------------------------------- series
SERIES_FIELDS = (
    "metric", "metric_kind", "entity", "entity_name_zh", "entity_name_en", "period",
    "period_kind", "period_start", "period_end", "year_share", "year_share_fraction",
    "partial", "value", "value_max", "unit", "bound", "value_base", "value_max_base",
    "base_unit", "status", "change", "change_unit", "change_basis", "overlaps_with", "id",
    "source", "derivation", "derived_from", "formula",
)


def _series_machine(r: SeriesRow, base: FactBase) -> Row:
    row = fact_row(r.fact, base) if r.fact is not None else derived_row(r.derived, base)
    entity = base.entities.get(r.entity)
    return {
        **{k: row.get(k) for k in SERIES_FIELDS},
        "entity_name_zh": entity.name_zh if entity else None,
        "entity_name_en": entity.name_en if entity else None,
        "year_share": _share(r.year_share),
        "year_share_fraction": fraction_text(r.year_share) if r.year_share is not None else None,
        "partial": r.partial, "overlaps_with": list(r.overlaps),
        "derived_from": row.get("derived_from") or None,
    }


def _coverage(r: SeriesRow, lang: str) -> str:
    if r.year_share is None:
        return ""
    text = fraction_text(r.year_share) or f"{float(r.year_share):.4g}"
    if r.partial:
        text += " 部分" if lang == "zh" else " partial"
    return text


def _value_cell(r: SeriesRow, lang: str) -> str:
    if r.fact is not None:
        return value_text(r.fact, lang)
    return _mark(r.derived.bound, lang) + decimal_text(r.derived.value)


def entity_name(base: FactBase, entity_id: str, lang: str) -> str:
    e = base.entities.get(entity_id)
    return entity_id if e is None else (e.name_zh if lang == "zh" else e.name_en)


def series_view(base: FactBase, metric: str, rows: Sequence[SeriesRow], lang: str) -> View:
    keys = ("period", "entity", "value", "unit", "status", "coverage", "overlaps", "source",
            "id")
    human = [{
        "period": (f"as of {r.period.end}" if lang == "en" else f"截至{r.period.end}")
        if r.period.is_point else str(r.period),
        "entity": entity_name(base, r.entity, lang),
        "value": _value_cell(r, lang),
        "unit": unit_text(base, r.unit, lang),
        "status": _STATUS[lang][r.status],
        "coverage": _coverage(r, lang),
        "overlaps": ", ".join(r.overlaps),
        "source": source_text(base, r.fact.source, lang) if r.fact is not None
        else r.derived.formula,
        "id": r.id,
    } for r in rows]
    headers = {**_headers(lang, "period", "entity", "value", "unit", "status", "source", "id"),
               "coverage": "年度覆盖" if lang == "zh" else "of year",
               "overlaps": "时期重叠" if lang == "zh" else "overlaps"}
    m = base.metrics.get(metric)
    title = m.name(lang) if m is not None else metric
    return View("series", [_series_machine(r, base) for r in rows], SERIES_FIELDS, human,
                title, keys, headers, numeric=frozenset({"value"}),
                drop_order=("id", "overlaps", "source", "coverage"),
                emphasis=[r.status for r in rows],
                caption=_caption(len(rows), lang, "个数值", "figure"))


def wide_view(base: FactBase, metric: str, entities: Sequence[str], rows: Sequence[WideRow],
              lang: str) -> View:
    """A row per period, status and unit; a value column and a bound column per entity."""
    fields = ["period", "period_kind", "period_start", "period_end", "status", "unit",
              "year_share", "year_share_fraction", "partial"]
    for e in entities:
        fields += [e, f"{e}_bound"]
    machine, human = [], []
    for w in rows:
        any_row = next(iter(w.cells.values()))
        m: Row = {"period": str(w.period), "period_kind": w.period.kind,
                  "period_start": w.period.first_day().isoformat(),
                  "period_end": w.period.last_day().isoformat(), "status": w.status,
                  "unit": w.unit, "year_share": _share(any_row.year_share),
                  "year_share_fraction": fraction_text(any_row.year_share)
                  if any_row.year_share is not None else None, "partial": any_row.partial}
        h: Row = {"period": str(w.period), "status": _STATUS[lang][w.status],
                  "unit": unit_text(base, w.unit, lang), "coverage": _coverage(any_row, lang)}
        for e in entities:
            cell = w.cells.get(e)
            if cell is None:
                m[e], m[f"{e}_bound"], h[e] = None, None, ""
                continue
            value = cell.fact.value if cell.fact is not None else _num(cell.derived.value)
            bound = cell.fact.bound if cell.fact is not None else cell.derived.bound
            m[e] = value
            m[f"{e}_bound"] = bound.value
            h[e] = _value_cell(cell, lang)
        machine.append(m)
        human.append(h)
    keys = ("period", "status", "unit", "coverage", *entities)
    headers = {**_headers(lang, "period", "status", "unit"),
               "coverage": "年度覆盖" if lang == "zh" else "of year",
               **{e: entity_name(base, e, lang) for e in entities}}
    m_ = base.metrics.get(metric)
    return View("series", machine, tuple(fields), human,
                m_.name(lang) if m_ is not None else metric, keys, headers,
                numeric=frozenset(entities), drop_order=("coverage",),
                emphasis=[w.status for w in rows],
                caption=_caption(len(rows), lang, "行", "row"))


# ---------------------------------------------------------------- groups
GROUP_FIELDS = (
    "group_by", "group", "count", "metric", "sum", "sum_unit", "sum_base", "base_unit",
    "sum_bound", "sum_refused", "min", "min_unit", "min_id", "max", "max_unit", "max_id",
    "min_max_refused", "latest", "latest_unit", "latest_period", "latest_status", "latest_id",
    "ids",
)


def groups_view(base: FactBase, field: str, groups: Sequence[Group], lang: str) -> View:
    machine = []
    human = []
    for g in groups:
        top = g.greatest
        machine.append({
            "group_by": field, "group": g.key, "count": g.count, "metric": g.metric,
            "sum": _num(g.sum), "sum_unit": g.sum_unit, "sum_base": _num(g.sum_base),
            "base_unit": g.base_unit if g.refusal is None else None,
            "sum_bound": g.sum_bound.value if g.sum_bound else None, "sum_refused": g.refusal,
            "min": g.least.value if g.least else None, "min_unit": g.least.unit if g.least else None,
            "min_id": g.least.id if g.least else None,
            "max": (top.value if top.value_max is None else top.value_max) if top else None,
            "max_unit": top.unit if top else None, "max_id": top.id if top else None,
            "min_max_refused": g.extremes_refusal,
            "latest": g.latest.value, "latest_unit": g.latest.unit,
            "latest_period": str(g.latest.period), "latest_status": g.latest.status.value,
            "latest_id": g.latest.id,
            "ids": [f.id for f in g.facts],
        })
        if g.refusal is None:
            mark = _mark(g.sum_bound, lang) if g.sum_bound else ""
            total = f"{mark}{decimal_text(g.sum)} {unit_text(base, g.sum_unit, lang)}" \
                if g.sum is not None else f"{mark}{decimal_text(g.sum_base)} {g.base_unit}"
        else:
            total = ("不相加：" if lang == "zh" else "not added: ") + g.refusal
        human.append({
            "group": g.key, "count": g.count, "sum": total,
            "min": f"{value_text(g.least, lang)} {unit_text(base, g.least.unit, lang)}"
            if g.least else "—",
            "max": f"{value_text(top, lang)} {unit_text(base, top.unit, lang)}" if top else "—",
            "latest": f"{value_text(g.latest, lang)} {unit_text(base, g.latest.unit, lang)} "
                      f"({_period_text(g.latest, lang)}, {_STATUS[lang][g.latest.status.value]}, "
                      f"{g.latest.id})",
        })
    keys = ("group", "count", "sum", "min", "max", "latest")
    zh = {"group": {"year": "年份", "entity": "对象", "metric": "指标", "topic": "主题",
                    "source": "来源"}[field], "count": "条数", "sum": "合计", "min": "最小",
          "max": "最大", "latest": "最新"}
    en = {"group": field, "count": "count", "sum": "sum", "min": "min", "max": "max",
          "latest": "latest"}
    return View("group", machine, GROUP_FIELDS, human,
                ("按" + zh["group"] + "汇总") if lang == "zh" else f"Facts by {field}", keys,
                zh if lang == "zh" else en, numeric=frozenset({"count"}),
                drop_order=("min", "max", "latest"),
                caption=_caption(len(groups), lang, "组", "group"))


# ---------------------------------------------------------------- targets
TARGET_FIELDS = (
    "id", "entity", "metric", "metric_kind", "target", "target_unit", "target_bound",
    "target_period", "actual", "actual_unit", "actual_bound", "actual_as_of", "actual_ids",
    "progress_pct", "progress_bound", "elapsed_share", "elapsed_fraction", "pace", "remaining",
    "pace_gap", "note", "label_zh", "label_en", "source",
)


def _fig(fig: nb.Figure | None) -> tuple[int | float | str | None, str | None]:
    return (None, None) if fig is None else (_num(nb.rounded(fig)), fig.bound.value)


def _fig_text(fig: nb.Figure | None, lang: str, suffix: str = "") -> str:
    if fig is None:
        return "—"
    return f"{_mark(fig.bound, lang)}{decimal_text(nb.rounded(fig))}{suffix}"


_PACE = {"zh": {"met": "已完成", "on pace": "进度正常", "behind": "落后", "uncertain": "无法判断"},
         "en": {p: p for p in ("met", "on pace", "behind", "uncertain")}}


_KIND_ZH = {"level": "存量", "share": "比重", "rate": "比率", "measure": "数值",
            "cumulative": "累计数", "rank": "名次", "flow": "流量", "figure": "数值"}


def note_text(note: str, lang: str) -> str:
    """A target's note (analysis/targets.py writes them in English) in the reader's language."""
    if lang != "zh" or not note:
        return note
    fixed = {"no actual": "无实际数", "no actual in the period": "期内无实际数",
             "a rank: a lower place is better, so no progress in %": "名次：越小越好，不计完成百分比"}
    if note in fixed:
        return fixed[note]
    start = "the actuals in the period do not run from its start: "
    if note.startswith(start):
        return "期内实际数不是从期初算起：" + note[len(start):]
    kind = re.fullmatch(r"an? (\w+): progress only, no pace \(it does not start from zero\)", note)
    if kind:
        return f"{_KIND_ZH.get(kind.group(1), kind.group(1))}：只计完成度，不计进度（不从零开始）"
    return note


def targets_view(base: FactBase, rows: Sequence[TargetRow], lang: str) -> View:
    machine, human = [], []
    for r in rows:
        t = r.target
        m = base.metrics.get(t.metric)
        actual, actual_bound = _fig(r.actual)
        progress, progress_bound = _fig(r.progress)
        machine.append({
            "id": t.id, "entity": t.entity, "metric": t.metric,
            "metric_kind": m.kind.value if m else None, "target": t.value,
            "target_unit": t.unit, "target_bound": t.bound.value, "target_period": str(t.period),
            "actual": actual, "actual_unit": t.unit if r.actual is not None else None,
            "actual_bound": actual_bound, "actual_as_of": r.as_of,
            "actual_ids": [f.id for f in r.actuals], "progress_pct": progress,
            "progress_bound": progress_bound, "elapsed_share": _share(r.elapsed),
            "elapsed_fraction": fraction_text(r.elapsed) if r.elapsed is not None else None,
            "pace": r.pace, "remaining": _fig(r.remaining)[0],
            "pace_gap": _fig(r.pace_gap)[0], "note": r.note or None,
            "label_zh": t.label_zh, "label_en": t.label_en, "source": t.source,
        })
        unit = unit_text(base, t.unit, lang)
        gap = ""
        if r.pace_gap is not None:
            gap = (f"{'较进度' if lang == 'zh' else 'vs pace'} "
                   f"{'+' if r.pace_gap.value > 0 else ''}{_fig_text(r.pace_gap, lang)} {unit}")
        human.append({
            "target": t.label(lang), "goal": f"{value_text(t, lang)} {unit}",
            "period": _period_text(t, lang),
            "actual": f"{_fig_text(r.actual, lang)} {unit}" if r.actual is not None
            else ("无实际数" if lang == "zh" else "no actual"),
            "as_of": r.as_of or "",
            "progress": _fig_text(r.progress, lang, " %") if r.progress else "",
            "elapsed": fraction_text(r.elapsed) if r.elapsed is not None else "",
            "pace": _PACE[lang].get(r.pace, "") if r.pace else "",
            "gap": "; ".join(x for x in (
                f"{'尚差' if lang == 'zh' else 'to go'} {_fig_text(r.remaining, lang)} {unit}"
                if r.remaining is not None else "", gap, note_text(r.note, lang)) if x),
            "id": t.id,
        })
    keys = ("target", "goal", "period", "actual", "as_of", "progress", "elapsed", "pace", "gap",
            "id")
    headers = {"zh": {"target": "目标", "goal": "目标值", "period": "时期", "actual": "实际",
                      "as_of": "截至", "progress": "完成", "elapsed": "已过时间", "pace": "进度",
                      "gap": "差距", "id": "编号"},
               "en": {"target": "target", "goal": "goal", "period": "period", "actual": "actual",
                      "as_of": "as of", "progress": "progress", "elapsed": "elapsed",
                      "pace": "pace", "gap": "gap", "id": "id"}}[lang]
    return View("target", machine, TARGET_FIELDS, human, "目标进度" if lang == "zh" else "Targets",
                keys, headers, numeric=frozenset({"progress"}),
                drop_order=("id", "as_of", "period", "gap", "target"),
                emphasis=["behind" if r.pace == "behind" else "target" for r in rows],
                caption=_caption(len(rows), lang, "个目标", "target"))


# ---------------------------------------------------------------- audit
AUDIT_FIELDS = (
    "id", "kind", "result", "holds", "description", "inputs", "reported", "computation",
    "computed", "computed_low", "computed_high", "relation", "against", "against_low",
    "against_high", "unit", "tolerance", "difference", "gap",
)


def audit_view(base: FactBase, checks: Sequence[Check], lang: str) -> View:
    machine, human = [], []
    for c in checks:
        low, high = nb.rounded_interval(c.computed)
        alow, ahigh = nb.rounded_interval(c.against)
        place = nb.rounded(c.computed).as_tuple().exponent - 1
        unit = Decimal(1).scaleb(min(place, 0))
        tolerance = c.tolerance.quantize(unit, rounding="ROUND_CEILING", context=nb.CONTEXT) \
            if c.relation == "=" else None
        difference = c.difference.quantize(unit, rounding="ROUND_HALF_UP", context=nb.CONTEXT)
        gap = c.gap.quantize(unit, rounding="ROUND_HALF_UP", context=nb.CONTEXT)
        machine.append({
            "id": c.id, "kind": c.kind, "result": "holds" if c.holds else "fails",
            "holds": c.holds, "description": c.description, "inputs": list(c.inputs),
            "reported": c.reported, "computation": c.computation,
            "computed": _num(nb.rounded(c.computed)), "computed_low": _num(low),
            "computed_high": _num(high), "relation": c.relation,
            "against": _num(nb.rounded(c.against)), "against_low": _num(alow),
            "against_high": _num(ahigh), "unit": c.unit, "tolerance": _num(tolerance),
            "difference": _num(difference), "gap": _num(gap),
        })
        if c.holds:
            result = "成立" if lang == "zh" else "holds"
        elif c.relation == "=":
            apart = decimal_text(abs(difference))
            result = (f"不成立：相差 {apart} {c.unit}，超出容差 {decimal_text(gap)}" if lang == "zh"
                      else f"fails: {apart} {c.unit} apart, {decimal_text(gap)} beyond the "
                           f"tolerance")
        else:
            result = (f"不成立：超出 {decimal_text(gap)} {c.unit}" if lang == "zh"
                      else f"fails by {decimal_text(gap)} {c.unit}")
        human.append({
            "result": result, "kind": c.kind, "check": c.description,
            "computation": c.computation,
            "tolerance": f"± {decimal_text(tolerance)}" if tolerance is not None else c.relation,
            "id": c.id,
        })
    keys = ("result", "kind", "check", "computation", "tolerance", "id")
    headers = {"zh": {"result": "结果", "kind": "类别", "check": "核对", "computation": "计算",
                      "tolerance": "容差", "id": "编号"},
               "en": {k: k for k in keys}}[lang]
    failing = sum(1 for c in checks if not c.holds)
    caption = (f"{len(checks)} 项核对，{failing} 项不成立" if lang == "zh"
               else f"{len(checks)} check{'' if len(checks) == 1 else 's'}, {failing} failing")
    return View("check", machine, AUDIT_FIELDS, human, "算术核对" if lang == "zh" else "Audit",
                keys, headers, drop_order=("id", "kind", "tolerance"),
                emphasis=["" if c.holds else "fails" for c in checks], caption=caption)
