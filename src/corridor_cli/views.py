"""Records as rows: flat, typed dicts for machines and labelled text for people.

A View holds both shapes of the same records; the renderer picks the one its
format needs. The machine field names are a public interface (README).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from corridor_cli.problems import Problem
from corridor_cli.query import counts_by
from corridor_cli.records import Bound, Event, Fact, FactBase

Row = dict[str, Any]

FACT_FIELDS = (
    "id", "topic", "entity", "metric", "value", "value_max", "unit", "bound", "status",
    "period", "period_start", "period_end", "change", "change_unit", "change_basis",
    "change_bound", "label_zh", "label_en", "source", "quote", "note", "disagrees_with",
)
EVENT_FIELDS = ("id", "date", "title_zh", "title_en", "entity", "tags", "source", "quote", "note")

_BOUND_MARK = {
    "zh": {Bound.approx: "约", Bound.lower: "超", Bound.upper: "不到"},
    "en": {Bound.approx: "≈", Bound.lower: ">", Bound.upper: "<"},
}
_STATUS = {
    "zh": {"actual": "实际", "target": "目标", "forecast": "预计"},
    "en": {"actual": "actual", "target": "target", "forecast": "forecast"},
}
_BASIS = {
    "zh": {"yoy": "同比", "annual_average": "年均", "vs_benchmark": "相对基准", "over_period": "期间"},
    "en": {"yoy": "yoy", "annual_average": "a year on average", "vs_benchmark": "vs benchmark",
           "over_period": "over the period"},
}
_HEADERS = {
    "zh": {"id": "编号", "label": "指标", "value": "数值", "unit": "单位", "period": "时期",
           "status": "状态", "change": "变化", "source": "来源", "date": "日期", "title": "事件",
           "entity": "对象", "name": "名称", "aliases": "别名", "kind": "类型", "facts": "事实数",
           "events": "事件数", "publication": "刊物", "title_": "标题", "file": "文件",
           "scale": "倍数", "base": "基本量", "quote": "原文", "field": "字段", "item": "项目"},
    "en": {"id": "id", "label": "label", "value": "value", "unit": "unit", "period": "period",
           "status": "status", "change": "change", "source": "source", "date": "date",
           "title": "event", "entity": "entity", "name": "name", "aliases": "aliases",
           "kind": "kind", "facts": "facts", "events": "events", "publication": "publication",
           "title_": "title", "file": "file", "scale": "scale", "base": "base", "quote": "quote",
           "field": "field", "item": "item"},
}


@dataclass(frozen=True)
class View:
    """The same records for machines (typed, English field names) and for people."""

    kind: str
    machine: list[Row]
    machine_fields: Sequence[str]
    human: list[Row] = field(default_factory=list)
    title: str = ""
    human_fields: Sequence[str] = ()

    def __post_init__(self) -> None:
        if not self.human_fields and self.human:
            object.__setattr__(self, "human_fields", tuple(self.human[0]))


def number_text(value: int | float | None) -> str:
    """A number as printed: 536, 17.97, 1036.7 (no exponent, no trailing zeros)."""
    if value is None:
        return ""
    if isinstance(value, float):
        text = repr(value)
        if "e" in text or "E" in text:  # 1.234567e-05: every digit, without the exponent
            text = format(Decimal(text), "f")
        return text.removesuffix(".0")
    return str(value)


def _h(lang: str, key: str) -> str:
    return _HEADERS[lang][key]


def _headers(lang: str, *keys: str) -> tuple[str, ...]:
    return tuple(_h(lang, k) for k in keys)


def _pick(lang: str, zh: str, en: str) -> str:
    return (zh or en) if lang == "zh" else (en or zh)


def fact_row(f: Fact) -> Row:
    c = f.change
    return {
        "id": f.id, "topic": f.topic, "entity": f.entity, "metric": f.metric,
        "value": f.value, "value_max": f.value_max, "unit": f.unit,
        "bound": f.bound.value, "status": f.status.value, "period": str(f.period),
        "period_start": f.period.first_day().isoformat() if not f.period.is_point else None,
        "period_end": f.period.last_day().isoformat(),
        "change": c.value if c else None, "change_unit": c.unit if c else None,
        "change_basis": c.basis.value if c else None, "change_bound": c.bound.value if c else None,
        "label_zh": f.label_zh, "label_en": f.label_en, "source": f.source, "quote": f.quote,
        "note": f.note or None, "disagrees_with": list(f.disagrees_with),
    }


def event_row(e: Event) -> Row:
    return {"id": e.id, "date": str(e.date), "title_zh": e.title_zh, "title_en": e.title_en,
            "entity": e.entity, "tags": list(e.tags), "source": e.source, "quote": e.quote,
            "note": e.note or None}


def value_text(f: Fact, lang: str) -> str:
    mark = _BOUND_MARK[lang].get(f.bound, "")
    text = number_text(f.value)
    if f.value_max is not None:
        text += "–" + number_text(f.value_max)
    return mark + text


def change_text(f: Fact, lang: str) -> str:
    c = f.change
    if c is None:
        return ""
    sign = "+" if c.value > 0 else ""
    mark = _BOUND_MARK[lang].get(c.bound, "")
    return f"{mark}{sign}{number_text(c.value)} {c.unit} {_BASIS[lang][c.basis.value]}".strip()


def unit_text(base: FactBase, unit_id: str, lang: str) -> str:
    unit = base.units.get(unit_id)
    return unit_id if unit is None or lang == "zh" else unit.name_en


def facts_view(base: FactBase, facts: Sequence[Fact], lang: str) -> View:
    human = [{
        _h(lang, "id"): f.id,
        _h(lang, "label"): f.label(lang),
        _h(lang, "value"): value_text(f, lang),
        _h(lang, "unit"): unit_text(base, f.unit, lang),
        _h(lang, "period"): str(f.period) if lang == "en" or not f.period.is_point
        else f"截至{f.period.end}",
        _h(lang, "status"): _STATUS[lang][f.status.value],
        _h(lang, "change"): change_text(f, lang),
        _h(lang, "source"): f.source,
    } for f in facts]
    return View("fact", [fact_row(f) for f in facts], FACT_FIELDS, human,
                "事实" if lang == "zh" else "Facts",
                _headers(lang, "id", "label", "value", "unit", "period", "status", "change", "source"))


def events_view(base: FactBase, events: Sequence[Event], lang: str) -> View:
    human = []
    for e in events:
        entity = base.entities.get(e.entity)
        human.append({
            _h(lang, "date"): str(e.date),
            _h(lang, "title"): e.title(lang),
            _h(lang, "entity"): _pick(lang, entity.name_zh, entity.name_en) if entity else e.entity,
            _h(lang, "source"): e.source,
            _h(lang, "id"): e.id,
        })
    return View("event", [event_row(e) for e in events], EVENT_FIELDS, human,
                "大事记" if lang == "zh" else "Timeline",
                _headers(lang, "date", "title", "entity", "source", "id"))


def record_view(base: FactBase, record: Fact | Event, lang: str) -> View:
    """One fact or event with its full provenance, as a single flat row."""
    row = fact_row(record) if isinstance(record, Fact) else event_row(record)
    fields = list(FACT_FIELDS if isinstance(record, Fact) else EVENT_FIELDS)
    entity = base.entities[record.entity]
    source = base.sources[record.source]
    extra = {
        "entity_name_zh": entity.name_zh, "entity_name_en": entity.name_en,
        "source_title_zh": source.title_zh, "source_title_en": source.title_en,
        "source_publication_zh": source.publication_zh or None,
        "source_publication_en": source.publication_en or None,
        "source_authors": list(source.authors),
        "source_date": str(source.date) if source.date else None,
        "source_file": source.file,
        "defined_at": str(record.origin),
    }
    row.update(extra)
    fields.extend(extra)
    human = [{_h(lang, "field"): k, _h(lang, "value"): _display(v)} for k, v in row.items()]
    return View(row.get("id", ""), [row], fields, human, record.id)


def _display(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return ", ".join(map(str, value))
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return number_text(value)
    return str(value)


def sources_view(base: FactBase, lang: str) -> View:
    facts, events = counts_by(base, "source")
    machine = [{
        "id": s.id, "publication_zh": s.publication_zh or None,
        "publication_en": s.publication_en or None, "title_zh": s.title_zh,
        "title_en": s.title_en, "authors": list(s.authors),
        "date": str(s.date) if s.date else None, "file": s.file,
        "facts": facts[s.id], "events": events[s.id], "note": s.note or None,
    } for s in base.sources.values()]
    human = [{
        _h(lang, "id"): s.id,
        _h(lang, "publication"): _pick(lang, s.publication_zh, s.publication_en) or "—",
        _h(lang, "date"): str(s.date) if s.date else "—",
        _h(lang, "file"): s.file,
        _h(lang, "facts"): facts[s.id],
        _h(lang, "events"): events[s.id],
    } for s in base.sources.values()]
    fields = ("id", "publication_zh", "publication_en", "title_zh", "title_en", "authors",
              "date", "file", "facts", "events", "note")
    return View("source", machine, fields, human, "来源" if lang == "zh" else "Sources")


def entities_view(base: FactBase, lang: str) -> View:
    facts, events = counts_by(base, "entity")
    machine = [{"id": e.id, "name_zh": e.name_zh, "name_en": e.name_en, "kind": e.kind,
                "aliases": list(e.aliases), "facts": facts[e.id], "events": events[e.id]}
               for e in base.entities.values()]
    human = [{_h(lang, "id"): e.id, _h(lang, "name"): f"{e.name_zh} / {e.name_en}",
              _h(lang, "aliases"): ", ".join(e.aliases), _h(lang, "kind"): e.kind,
              _h(lang, "facts"): facts[e.id], _h(lang, "events"): events[e.id]}
             for e in base.entities.values()]
    fields = ("id", "name_zh", "name_en", "kind", "aliases", "facts", "events")
    return View("entity", machine, fields, human, "对象" if lang == "zh" else "Entities")


def topics_view(base: FactBase, lang: str) -> View:
    facts, _ = counts_by(base, "topic")
    machine = [{"id": t.id, "name_zh": t.name_zh, "name_en": t.name_en, "facts": facts[t.id]}
               for t in base.topics.values()]
    human = [{_h(lang, "id"): t.id, _h(lang, "name"): _pick(lang, t.name_zh, t.name_en),
              _h(lang, "facts"): facts[t.id]} for t in base.topics.values()]
    return View("topic", machine, ("id", "name_zh", "name_en", "facts"), human,
                "主题" if lang == "zh" else "Topics")


def units_view(base: FactBase, lang: str) -> View:
    facts, _ = counts_by(base, "unit")
    machine = [{"id": u.id, "name_zh": u.name_zh, "name_en": u.name_en, "scale": u.scale,
                "base": u.base, "facts": facts[u.id]} for u in base.units.values()]
    human = [{_h(lang, "id"): u.id, _h(lang, "name"): _pick(lang, u.name_zh, u.name_en),
              _h(lang, "scale"): number_text(u.scale) if u.scale < 1e6 else f"{u.scale:.0e}",
              _h(lang, "base"): u.base, _h(lang, "facts"): facts[u.id]}
             for u in base.units.values()]
    return View("unit", machine, ("id", "name_zh", "name_en", "scale", "base", "facts"), human,
                "单位" if lang == "zh" else "Units")


def problems_view(problems: Sequence[Problem], lang: str) -> View:
    machine = [p.as_dict() for p in problems]
    human = [{"file": p.file, "line": p.line or "", "field": p.field, "code": p.code,
              "message": p.message} for p in problems]
    return View("problem", machine, ("file", "line", "field", "code", "message"), human,
                "问题" if lang == "zh" else "Problems")
