"""Search hits as a View: facts and events in one ranked list, for machines (typed
fields, English names: a public interface, see README) and for people (localised)."""

from __future__ import annotations

from collections.abc import Sequence

from corridor_cli.records import Fact, FactBase
from corridor_cli.search import SCORE_DIGITS, Hit
from corridor_cli.views import (
    _STATUS, Row, View, _caption, _headers, _pick, _period_text, source_text, unit_text,
    value_text,
)

SEARCH_FIELDS = ("rank", "score", "kind", "id", "date_or_period", "label_zh", "label_en",
                 "value", "value_max", "unit", "bound", "status", "entity", "source", "quote")

_KIND = {"zh": {"fact": "事实", "event": "事件"}, "en": {"fact": "fact", "event": "event"}}
_SEARCH_HEADERS = {
    "zh": {"rank": "排名", "score": "相关度", "date_or_period": "时间", "label": "指标或事件"},
    "en": {"rank": "rank", "score": "score", "date_or_period": "date or period",
           "label": "label or event"},
}


def hit_row(hit: Hit, rank: int) -> Row:
    """The machine row of a hit: the same fields for a fact and an event (an event has
    no value, unit or bound; its titles are its labels)."""
    r = hit.record
    row: Row = {"rank": rank, "score": round(hit.score, SCORE_DIGITS), "kind": hit.kind,
                "id": r.id}
    if isinstance(r, Fact):
        row.update({"date_or_period": str(r.period), "label_zh": r.label_zh,
                    "label_en": r.label_en, "value": r.value, "value_max": r.value_max,
                    "unit": r.unit, "bound": r.bound.value})
    else:
        row.update({"date_or_period": str(r.date), "label_zh": r.title_zh,
                    "label_en": r.title_en, "value": None, "value_max": None, "unit": None,
                    "bound": None})
    row.update({"status": r.status.value, "entity": r.entity, "source": r.source,
                "quote": r.quote})
    return row


def _human(base: FactBase, hit: Hit, rank: int, lang: str) -> Row:
    r = hit.record
    fact = isinstance(r, Fact)
    return {
        "rank": rank,
        "score": round(hit.score, SCORE_DIGITS),
        "kind": _KIND[lang][hit.kind],
        "date_or_period": _period_text(r, lang) if fact else str(r.date),
        "label": _pick(lang, r.label_zh, r.label_en) if fact else _pick(lang, r.title_zh, r.title_en),
        "value": value_text(r, lang) if fact else "",
        "unit": unit_text(base, r.unit, lang) if fact else "",
        "status": _STATUS[lang].get(r.status.value, r.status.value),
        "source": source_text(base, r.source, lang),
        "id": r.id,
    }


def search_view(base: FactBase, hits: Sequence[Hit], lang: str, text: str = "") -> View:
    """Hits in rank order (1 is the best)."""
    keys = ("rank", "score", "kind", "date_or_period", "label", "value", "unit", "status",
            "source", "id")
    machine = [hit_row(h, i) for i, h in enumerate(hits, start=1)]
    human = [_human(base, h, i, lang) for i, h in enumerate(hits, start=1)]
    headers = {**_headers(lang, *keys), **_SEARCH_HEADERS[lang]}
    caption = _caption(len(hits), lang, "条结果", "result")
    if text.strip():
        caption += f"：{text.strip()}" if lang == "zh" else f" for {text.strip()!r}"
    return View("search", machine, SEARCH_FIELDS, human,
                "搜索结果" if lang == "zh" else "Search results", keys, headers,
                numeric=frozenset({"rank", "score", "value"}),
                drop_order=("source", "kind", "id", "status", "rank"),
                emphasis=[h.record.status.value for h in hits],
                caption=caption)
