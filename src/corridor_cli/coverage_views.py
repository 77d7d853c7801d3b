"""Coverage as Views: a summary row per source, and a row per printed figure or date
(machine fields in English: a public interface, see README; human columns localised)."""

from __future__ import annotations

from collections.abc import Sequence

from corridor_cli.curation.coverage import SourceArticle, SourceCoverage
from corridor_cli.curation.draft import number
from corridor_cli.views import Row, View, _caption

SUMMARY_FIELDS = ("source", "printed", "covered", "ignored", "uncovered", "uncovered_dates",
                  "furniture", "percent_done", "text_file")
ITEM_FIELDS = ("source", "line", "state", "kind", "printed", "value", "value_max", "unit",
               "by", "clause")

_HEADERS = {
    "zh": {"source": "来源", "printed": "印出数字", "covered": "已收录", "ignored": "有意不收",
           "uncovered": "未覆盖", "uncovered_dates": "其中日期", "furniture": "版面信息",
           "percent_done": "完成%", "text_file": "原文文件", "line": "行", "state": "状态",
           "kind": "类别", "value": "数值", "value_max": "上限", "unit": "单位",
           "by": "收录于或原因", "clause": "分句"},
    "en": {"source": "source", "printed": "printed", "covered": "covered",
           "ignored": "ignored", "uncovered": "uncovered", "uncovered_dates": "of them dates",
           "furniture": "furniture", "percent_done": "done %", "text_file": "text file",
           "line": "line", "state": "state", "kind": "kind", "value": "value",
           "value_max": "up to", "unit": "unit", "by": "covered by or reason",
           "clause": "clause"},
}
_STATE = {"zh": {"covered": "已收录", "ignored": "有意不收", "uncovered": "未覆盖"},
          "en": {"covered": "covered", "ignored": "ignored", "uncovered": "uncovered"}}
_KIND = {"zh": {"figure": "数字", "date": "日期"}, "en": {"figure": "figure", "date": "date"}}


def summary_rows(results: Sequence[tuple[SourceArticle, SourceCoverage | None]]) -> list[Row]:
    rows = []
    for article, cov in results:
        if cov is None:
            rows.append({"source": article.source, "printed": None, "covered": None,
                         "ignored": None, "uncovered": None, "uncovered_dates": None,
                         "furniture": None, "percent_done": None, "text_file": article.path})
            continue
        rows.append({"source": cov.source, "printed": cov.printed, "covered": cov.covered,
                     "ignored": cov.ignored, "uncovered": cov.uncovered,
                     "uncovered_dates": cov.dates_uncovered, "furniture": cov.furniture,
                     "percent_done": round(cov.percent_done, 1), "text_file": article.path})
    return rows


def summary_view(results: Sequence[tuple[SourceArticle, SourceCoverage | None]],
                 lang: str) -> View:
    machine = summary_rows(results)
    keys = SUMMARY_FIELDS[:-1]
    human = []
    for row in machine:
        shown = {k: ("" if row[k] is None else row[k]) for k in keys}
        if row["printed"] is None:
            shown["printed"] = "无原文" if lang == "zh" else "no text"
        elif row["percent_done"] is not None:
            shown["percent_done"] = f"{row['percent_done']:.1f}"
        human.append(shown)
    return View("coverage", machine, SUMMARY_FIELDS, human,
                "印出数字覆盖情况" if lang == "zh" else "Coverage of printed figures", keys,
                {k: _HEADERS[lang][k] for k in keys},
                numeric=frozenset(keys[1:]), drop_order=("furniture", "uncovered_dates"),
                emphasis=["target" if (r["uncovered"] or 0) else "" for r in machine],
                caption=_caption(len(machine), lang, "个来源", "source"))


def item_rows(results: Sequence[tuple[SourceArticle, SourceCoverage | None]],
              states: frozenset[str]) -> list[Row]:
    rows = []
    for article, cov in results:
        if cov is None:
            continue
        for item in cov.items:
            if item.state not in states:
                continue
            p = item.printed
            rows.append({"source": cov.source, "line": article.line_of(p.start),
                         "state": item.state, "kind": p.kind, "printed": p.printed,
                         "value": number(p.value), "value_max": number(p.value_max), "unit": p.unit or None,
                         "by": "; ".join(item.by) or None, "clause": p.clause})
    return rows


def items_view(results: Sequence[tuple[SourceArticle, SourceCoverage | None]],
               states: frozenset[str], lang: str) -> View:
    machine = item_rows(results, states)
    keys = ("source", "line", "state", "kind", "printed", "by", "clause")
    human = [{"source": r["source"], "line": r["line"],
              "state": _STATE[lang][r["state"]], "kind": _KIND[lang].get(r["kind"], r["kind"]),
              "printed": r["printed"], "by": r["by"] or "", "clause": r["clause"]}
             for r in machine]
    return View("coverage-items", machine, ITEM_FIELDS, human,
                "印出数字" if lang == "zh" else "Printed figures and dates", keys,
                {k: _HEADERS[lang][k] for k in keys}, numeric=frozenset({"line"}),
                drop_order=("by", "kind", "state"),
                emphasis=["target" if r["state"] == "uncovered" else "" for r in machine],
                caption=_caption(len(machine), lang, "项", "item"))


__all__ = ["ITEM_FIELDS", "SUMMARY_FIELDS", "items_view", "summary_view"]
