"""Records as rows: flat, typed dicts for machines and labelled text for people.

A View holds both shapes of the same records; the renderer picks the one its
format needs. The machine field names are a public interface (README).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import field, replace
from typing import TYPE_CHECKING, Any

from corridor_cli.fastclass import record
from corridor_cli.problems import Problem
from corridor_cli.query import choices_hint, counts_by
from corridor_cli.records import Bound, Event, Fact, FactBase, Unit, decimal_text, exact

if TYPE_CHECKING:  # imported on first use (number_text): most views never need it
    from decimal import Decimal

Row = dict[str, Any]

FACT_FIELDS = (
    "id", "topic", "entity", "metric", "metric_kind", "value", "value_max", "unit",
    "value_base", "value_max_base", "base_unit", "bound", "status",
    "period", "period_kind", "period_start", "period_end", "change", "change_unit", "change_basis",
    "change_bound", "label_zh", "label_en", "source", "source_title_zh", "source_title_en",
    "source_publication_zh", "source_publication_en", "source_date", "quote", "note",
    "disagrees_with",
)
EVENT_FIELDS = ("id", "date", "status", "title_zh", "title_en", "entity", "tags", "source",
                "source_title_zh", "source_title_en", "source_publication_zh",
                "source_publication_en", "source_date", "quote", "note")

_BOUND_MARK = {
    "zh": {Bound.approx: "约", Bound.lower: "超", Bound.upper: "不到"},
    "en": {Bound.approx: "≈", Bound.lower: ">", Bound.upper: "<"},
}
_STATUS = {
    "zh": {"actual": "实际", "target": "目标", "forecast": "预计", "planned": "计划", "derived": "推算"},
    "en": {"actual": "actual", "target": "target", "forecast": "forecast", "planned": "planned",
           "derived": "derived"},
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
           "events": "事件数", "publication": "刊物", "file": "文件",
           "scale": "倍数", "base": "基本量", "quote": "原文", "field": "字段", "line": "行",
           "code": "代码", "message": "说明", "part_of": "隶属", "bases": "基本单位",
           "definition": "定义"},
    "en": {"id": "id", "label": "label", "value": "value", "unit": "unit", "period": "period",
           "status": "status", "change": "change", "source": "source", "date": "date",
           "title": "event", "entity": "entity", "name": "name", "aliases": "aliases",
           "kind": "kind", "facts": "facts", "events": "events", "publication": "publication",
           "file": "file", "scale": "scale", "base": "base", "quote": "quote",
           "field": "field", "line": "line", "code": "code", "message": "message",
           "part_of": "part of", "bases": "bases", "definition": "definition"},
}


class ColumnError(ValueError):
    """--columns named a column the view does not have."""


@record
class View:
    """The same records for machines (typed, English field names) and for people.

    Human rows are keyed by column keys; ``headers`` gives each key's label in
    the reader's language. ``numeric`` columns are right-aligned in tables,
    ``drop_order`` lists the columns a narrow table gives up first, and
    ``emphasis`` holds one style hint per row (the status of a target or forecast).
    """

    kind: str
    machine: list[Row]
    machine_fields: Sequence[str]
    human: list[Row] = field(default_factory=list)
    title: str = ""
    human_fields: Sequence[str] = ()
    headers: Mapping[str, str] = field(default_factory=dict)
    numeric: frozenset[str] = frozenset()
    drop_order: Sequence[str] = ()
    emphasis: Sequence[str] = ()
    caption: str = ""
    stacked: bool = False  # a card: one 'field: value' line each, never a grid

    def __post_init__(self) -> None:
        if not self.human_fields and self.human:
            object.__setattr__(self, "human_fields", tuple(self.human[0]))

    def header(self, key: str) -> str:
        return self.headers.get(key, key)

    def column_names(self) -> list[str]:
        """Every name --columns accepts: the machine fields, then the human-only columns."""
        return [*self.machine_fields, *(k for k in self.human_fields if k not in self.machine_fields)]

    def project(self, columns: Sequence[str] | None) -> View:
        """The view with only these columns, in this order, in every format.

        A name may be a machine field or a human column; each shape takes its own
        value where it has one (human formats show the people's rendering of
        ``value``; csv/json keep the typed number) and the other's where it does not.
        """
        if not columns:
            return self
        names = self.column_names()
        folded = {n.casefold(): n for n in names}
        columns = [c if c in names else folded.get(c.casefold(), c) for c in columns]
        unknown = [c for c in columns if c not in names]
        if unknown:
            raise ColumnError(f"unknown column {unknown[0]!r}; "
                              f"{choices_hint(unknown[0], names, limit=len(names))}")
        columns = list(dict.fromkeys(columns))
        human_rows = self.human or [{} for _ in self.machine]
        machine = [{c: (m[c] if c in self.machine_fields else h.get(c)) for c in columns}
                   for m, h in zip(self.machine, human_rows)]
        human = [{c: (h[c] if c in h else _display(m.get(c))) for c in columns}
                 for m, h in zip(self.machine, human_rows)]
        return replace(self, machine=machine, machine_fields=tuple(columns), human=human,
                       human_fields=tuple(columns), drop_order=())


def number_text(value: int | float | None) -> str:
    """A number as printed: 536, 17.97, 1036.7 (no exponent, no trailing zeros)."""
    if value is None:
        return ""
    if isinstance(value, float):
        text = repr(value)
        if "e" in text or "E" in text:  # 1.234567e-05: every digit, without the exponent
            from decimal import Decimal

            text = format(Decimal(text), "f")
        return text.removesuffix(".0")
    return str(value)  # tomli refuses integers past str()'s digit limit, so this is exact


def _h(lang: str, key: str) -> str:
    return _HEADERS[lang].get(key, key)


def _headers(lang: str, *keys: str) -> dict[str, str]:
    return {k: _h(lang, k) for k in keys}


def _pick(lang: str, zh: str, en: str) -> str:
    return (zh or en) if lang == "zh" else (en or zh)


def _source_fields(base: FactBase, source_id: str) -> Row:
    s = base.sources.get(source_id)
    if s is None:
        return {"source_title_zh": None, "source_title_en": None, "source_publication_zh": None,
                "source_publication_en": None, "source_date": None}
    return {"source_title_zh": s.title_zh, "source_title_en": s.title_en,
            "source_publication_zh": s.publication_zh or None,
            "source_publication_en": s.publication_en or None,
            "source_date": str(s.date) if s.date else None}


def source_text(base: FactBase, source_id: str, lang: str) -> str:
    """Who says so, in one cell: the publication (or, where none is printed, the title) and date."""
    s = base.sources.get(source_id)
    if s is None:
        return source_id
    who = _pick(lang, s.publication_zh, s.publication_en)
    if not who:  # no publication printed: the start of the title says which article
        title = _pick(lang, s.title_zh, s.title_en)
        limit = 16 if lang == "zh" else 32
        who = title if len(title) <= limit else title[: limit - 1].rstrip(" :：,，—-") + "…"
    return f"{who} {s.date}" if s.date else who


def machine_number(value: Decimal) -> int | float | str:
    """An exact decimal for csv, json and xlsx: an int when whole, a float when the float
    prints as the same decimal (17.97), else the digits as text (never a rounded value)."""
    if value == value.to_integral_value():
        return int(value)
    as_float = float(value)
    if exact(as_float) == value:
        return as_float
    return decimal_text(value)


def _digits(number: int | float) -> tuple[int, int] | None:
    """A finite int or float as the decimal it prints as: (digits, exponent), so that
    number == digits × 10**exponent exactly (8.095 → (8095, -3)); None for inf and nan."""
    if type(number) is int:
        return number, 0
    text = repr(number)
    mantissa, _, power = text.partition("e")
    whole, _, fraction = mantissa.partition(".")
    try:
        return int(whole + fraction), int(power or 0) - len(fraction)
    except ValueError:  # inf, nan
        return None


def base_number(unit: Unit, value: int | float) -> int | float | str:
    """value in the unit's base unit, exactly as machine_number(unit.to_base(value)) gives
    it, without the decimal module when it can: the product of the two numbers as they
    print, in integer arithmetic; an int when whole, else the float that prints as that
    decimal. Only what no float prints as goes the decimal way (imported on first use)."""
    if type(value) is int and type(unit.scale) is int:
        return value * unit.scale
    a, b = _digits(value), _digits(unit.scale)
    if a is not None and b is not None:
        digits, power = a[0] * b[0], a[1] + b[1]
        if digits == 0:
            return 0
        while digits % 10 == 0:
            digits //= 10
            power += 1
        if power >= 0:
            return digits * 10 ** power
        if len(str(abs(digits))) <= 17:  # a float prints at most 17 significant digits
            as_float = float(f"{digits}e{power}")
            if _digits(as_float) == (digits, power):
                return as_float
    return machine_number(unit.to_base(value))


def _base_fields(f: Fact, base: FactBase | None) -> Row:
    unit = base.units.get(f.unit) if base is not None else None
    if unit is None:
        return {"value_base": None, "value_max_base": None, "base_unit": None}
    return {"value_base": base_number(unit, f.value),
            "value_max_base": None if f.value_max is None else base_number(unit, f.value_max),
            "base_unit": unit.base}


def fact_row(f: Fact, base: FactBase | None = None) -> Row:
    c = f.change
    sources = _source_fields(base, f.source) if base is not None else {}
    metric = base.metrics.get(f.metric) if base is not None else None
    return {
        "id": f.id, "topic": f.topic, "entity": f.entity, "metric": f.metric,
        "metric_kind": metric.kind.value if metric is not None else None,
        "value": f.value, "value_max": f.value_max, "unit": f.unit, **_base_fields(f, base),
        "bound": f.bound.value, "status": f.status.value, "period": str(f.period),
        "period_kind": f.period.kind,
        # for a point in time, the days it may fall on: as_of 2023-06 is some day of June
        "period_start": f.period.first_day().isoformat(),
        "period_end": f.period.last_day().isoformat(),
        "change": c.value if c else None, "change_unit": c.unit if c else None,
        "change_basis": c.basis.value if c else None, "change_bound": c.bound.value if c else None,
        "label_zh": f.label_zh, "label_en": f.label_en, "source": f.source, **sources,
        "quote": f.quote, "note": f.note or None, "disagrees_with": list(f.disagrees_with),
    }


def event_row(e: Event, base: FactBase | None = None) -> Row:
    sources = _source_fields(base, e.source) if base is not None else {}
    return {"id": e.id, "date": str(e.date), "status": e.status.value, "title_zh": e.title_zh,
            "title_en": e.title_en, "entity": e.entity, "tags": list(e.tags),
            "source": e.source, **sources, "quote": e.quote, "note": e.note or None}


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


def _caption(n: int, lang: str, zh: str, en: str) -> str:
    return f"{n} {zh}" if lang == "zh" else f"{n} {en}{'' if n == 1 else 's'}"


def facts_view(base: FactBase, facts: Sequence[Fact], lang: str) -> View:
    keys = ("id", "label", "value", "unit", "period", "status", "change", "source")
    human = [{
        "id": f.id,
        "label": f.label(lang),
        "value": value_text(f, lang),
        "unit": unit_text(base, f.unit, lang),
        "period": _period_text(f, lang),
        "status": _STATUS[lang][f.status.value],
        "change": change_text(f, lang),
        "source": source_text(base, f.source, lang),
    } for f in facts]
    return View("fact", [fact_row(f, base) for f in facts], FACT_FIELDS, human,
                "事实" if lang == "zh" else "Facts", keys, _headers(lang, *keys),
                numeric=frozenset({"value", "change"}),
                drop_order=("change", "source", "id"),  # never the unit: a bare number misleads
                emphasis=[f.status.value for f in facts],
                caption=_caption(len(facts), lang, "条事实", "fact"))


def events_view(base: FactBase, events: Sequence[Event], lang: str) -> View:
    keys = ("date", "title", "status", "entity", "source", "id")
    human = []
    for e in events:
        entity = base.entities.get(e.entity)
        human.append({
            "date": str(e.date),
            "title": e.title(lang),
            "status": _STATUS[lang].get(e.status.value, e.status.value),
            "entity": _pick(lang, entity.name_zh, entity.name_en) if entity else e.entity,
            "source": source_text(base, e.source, lang),
            "id": e.id,
        })
    return View("event", [event_row(e, base) for e in events], EVENT_FIELDS, human,
                "大事记" if lang == "zh" else "Timeline", keys, _headers(lang, *keys),
                drop_order=("source", "entity", "id", "status"),
                emphasis=[e.status.value for e in events],
                caption=_caption(len(events), lang, "件大事", "event"))


_CARD_HEADERS = {
    "zh": {"figure": "数值", "label": "指标", "title": "事件", "date": "日期", "period": "时期",
           "status": "状态", "change": "变化", "entity": "对象", "tags": "标签", "source": "来源",
           "published": "发布", "quote": "原文", "context": "上下文", "note": "说明", "id": "编号"},
    "en": {"figure": "figure", "label": "label", "title": "event", "date": "date",
           "period": "period", "status": "status", "change": "change", "entity": "entity",
           "tags": "tags", "source": "source", "published": "published", "quote": "quote",
           "context": "in context", "note": "note", "id": "id"},
}


def record_view(base: FactBase, record: Fact | Event, lang: str,
                context: str | None = None) -> View:
    """One fact or event with its full provenance: for machines one flat row; for people
    a card (the figure with unit and bound, period, status, change, entity, source title,
    publication and date, the quote and the sentence around it, the note)."""
    row = fact_row(record, base) if isinstance(record, Fact) else event_row(record, base)
    fields = list(FACT_FIELDS if isinstance(record, Fact) else EVENT_FIELDS)
    entity = base.entities[record.entity]
    source = base.sources[record.source]
    extra = {
        "entity_name_zh": entity.name_zh, "entity_name_en": entity.name_en,
        "source_authors": list(source.authors),
        "source_file": source.file,
        "defined_at": str(record.origin),
    }
    row.update(extra)
    fields.extend(extra)
    published = " ".join(x for x in (_pick(lang, source.publication_zh, source.publication_en),
                                     ", ".join(source.authors),
                                     str(source.date) if source.date else "") if x)
    card: Row = {}
    if isinstance(record, Fact):
        card["figure"] = f"{value_text(record, lang)} {unit_text(base, record.unit, lang)}"
        card["label"] = record.label(lang)
        card["period"] = _period_text(record, lang)
        card["status"] = _STATUS[lang][record.status.value]
        card["change"] = change_text(record, lang)
    else:
        card["title"] = record.title(lang)
        card["date"] = str(record.date)
        card["status"] = _STATUS[lang].get(record.status.value, record.status.value)
        card["tags"] = ", ".join(record.tags)
    card["entity"] = f"{_pick(lang, entity.name_zh, entity.name_en)} ({entity.id})"
    card["source"] = f"{_pick(lang, source.title_zh, source.title_en)} ({source.id})"
    card["published"] = published or "—"
    card["quote"] = record.quote
    card["context"] = context or ""
    card["note"] = record.note
    card["id"] = record.id
    card = {k: v for k, v in card.items() if v or k in ("quote", "id")}
    return View(row.get("id", ""), [row], fields, [card], record.id,
                headers=_CARD_HEADERS[lang], stacked=True)


def _period_text(f: Fact, lang: str) -> str:
    return str(f.period) if lang == "en" or not f.period.is_point else f"截至{f.period.end}"


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
        "date": str(s.date) if s.date else None, "file": s.file, "heading": s.heading or None,
        "facts": facts[s.id], "events": events[s.id], "note": s.note or None,
    } for s in base.sources.values()]
    keys = ("id", "title", "publication", "date", "file", "facts", "events")
    human = [{
        "id": s.id,
        "title": _pick(lang, s.title_zh, s.title_en),
        "publication": _pick(lang, s.publication_zh, s.publication_en) or "—",
        "date": str(s.date) if s.date else "—",
        "file": s.file,
        "facts": facts[s.id],
        "events": events[s.id],
    } for s in base.sources.values()]
    fields = ("id", "publication_zh", "publication_en", "title_zh", "title_en", "authors",
              "date", "file", "heading", "facts", "events", "note")
    headers = {**_headers(lang, *keys), "title": "标题" if lang == "zh" else "title"}
    return View("source", machine, fields, human, "来源" if lang == "zh" else "Sources", keys,
                headers, numeric=frozenset({"facts", "events"}),
                drop_order=("file", "title"))


def entities_view(base: FactBase, lang: str) -> View:
    """Entities in hierarchy order: each right after what it is part of."""
    facts, events = counts_by(base, "entity")
    ordered = _tree_order(base)
    machine = [{"id": e.id, "name_zh": e.name_zh, "name_en": e.name_en, "kind": e.kind,
                "part_of": e.part_of or None, "within": list(base.ancestors(e.id)),
                "aliases": list(e.aliases), "facts": facts[e.id], "events": events[e.id]}
               for e in ordered]
    keys = ("id", "name", "kind", "part_of", "aliases", "facts", "events")
    human = [{"id": e.id, "name": f"{e.name_zh} / {e.name_en}", "kind": e.kind,
              "part_of": e.part_of or "—", "aliases": ", ".join(e.aliases),
              "facts": facts[e.id], "events": events[e.id]}
             for e in ordered]
    fields = ("id", "name_zh", "name_en", "kind", "part_of", "within", "aliases", "facts",
              "events")
    return View("entity", machine, fields, human, "对象" if lang == "zh" else "Entities", keys,
                _headers(lang, *keys), numeric=frozenset({"facts", "events"}),
                drop_order=("aliases", "kind"))


def _tree_order(base: FactBase) -> list:
    """Entities depth first, each followed by what is part of it; siblings by id."""
    children: dict[str, list] = {}
    for e in sorted(base.entities.values(), key=lambda e: e.id):
        parent = e.part_of if e.part_of in base.entities else ""
        children.setdefault(parent, []).append(e)
    ordered, seen = [], set()
    stack = list(reversed(children.get("", [])))
    while stack:  # depth first without recursion: a chain may be thousands deep
        e = stack.pop()
        if e.id in seen:
            continue
        seen.add(e.id)
        ordered.append(e)
        stack.extend(reversed(children.get(e.id, [])))
    ordered.extend(e for e in base.entities.values() if e.id not in seen)
    return ordered


def metrics_view(base: FactBase, lang: str) -> View:
    facts, _ = counts_by(base, "metric")
    metrics = sorted(base.metrics.values(), key=lambda m: m.id)
    machine = [{"id": m.id, "name_zh": m.name_zh, "name_en": m.name_en, "kind": m.kind.value,
                "of": m.of or None, "bases": list(m.bases), "definition": m.definition,
                "facts": facts[m.id]} for m in metrics]
    keys = ("id", "name", "kind", "bases", "facts", "definition")
    human = [{"id": m.id, "name": m.name(lang),
              "kind": f"{m.kind.value} of {m.of}" if m.of else m.kind.value,
              "bases": ", ".join(m.bases), "facts": facts[m.id], "definition": m.definition}
             for m in metrics]
    fields = ("id", "name_zh", "name_en", "kind", "of", "bases", "definition", "facts")
    return View("metric", machine, fields, human, "指标" if lang == "zh" else "Metrics", keys,
                _headers(lang, *keys), numeric=frozenset({"facts"}),
                drop_order=("bases", "name", "definition"),
                caption=_caption(len(metrics), lang, "个指标", "metric"))


def topics_view(base: FactBase, lang: str) -> View:
    facts, _ = counts_by(base, "topic")
    machine = [{"id": t.id, "name_zh": t.name_zh, "name_en": t.name_en, "facts": facts[t.id]}
               for t in base.topics.values()]
    keys = ("id", "name", "facts")
    human = [{"id": t.id, "name": _pick(lang, t.name_zh, t.name_en), "facts": facts[t.id]}
             for t in base.topics.values()]
    return View("topic", machine, ("id", "name_zh", "name_en", "facts"), human,
                "主题" if lang == "zh" else "Topics", keys, _headers(lang, *keys),
                numeric=frozenset({"facts"}))


def _scale_text(scale: int | float) -> str:
    """1, 10000, or 1e+8 for the large scales: exact for any size, never overflowing a float."""
    if scale < 1e6:
        return number_text(scale)
    return format(exact(scale).normalize(), "e")


def units_view(base: FactBase, lang: str) -> View:
    facts, _ = counts_by(base, "unit")
    machine = [{"id": u.id, "name_zh": u.name_zh, "name_en": u.name_en, "scale": u.scale,
                "base": u.base, "facts": facts[u.id]} for u in base.units.values()]
    keys = ("id", "name", "scale", "base", "facts")
    human = [{"id": u.id, "name": _pick(lang, u.name_zh, u.name_en), "scale": _scale_text(u.scale),
              "base": u.base, "facts": facts[u.id]} for u in base.units.values()]
    return View("unit", machine, ("id", "name_zh", "name_en", "scale", "base", "facts"), human,
                "单位" if lang == "zh" else "Units", keys, _headers(lang, *keys),
                numeric=frozenset({"scale", "facts"}))


def problems_view(problems: Sequence[Problem], lang: str) -> View:
    machine = [p.as_dict() for p in problems]
    keys = ("file", "line", "field", "code", "message")
    human = [{"file": p.file, "line": p.line or "", "field": p.field, "code": p.code,
              "message": p.message} for p in problems]
    return View("problem", machine, keys, human, "问题" if lang == "zh" else "Problems", keys,
                _headers(lang, *keys), numeric=frozenset({"line"}))
