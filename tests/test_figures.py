"""Is a fact's figure printed in its quote (corridor_cli.figures)? Chinese numerals read
by value, months, ordinals, multipliers after ranges and 余/多, and the sign of a change,
each both ways; then through `corridor check`."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest

from conftest import MINIMAL_SOURCE_TEXT, run, write_toml
from corridor_cli.dates import Period
from corridor_cli.figures import chinese_number, verify_figures
from corridor_cli.records import Change, Fact, Origin, Status, Unit

UNITS = {u.id: u for u in (
    Unit("列", "列", "trains", 1, "train"), Unit("万列", "万列", "10,000 trains", 1e4, "train"),
    Unit("家", "家", "companies", 1, "count"), Unit("户", "户", "households", 1, "count"),
    Unit("个", "个", "items", 1, "count"), Unit("万", "万", "10,000", 1e4, "count"),
    Unit("年", "年", "years", 1, "year"), Unit("月", "月", "months", 1, "month"),
    Unit("个月", "个月", "months", 1, "month"), Unit("天", "天", "days", 1, "day"),
    Unit("周", "周", "weeks", 1, "week"), Unit("期", "期", "phases", 1, "count"),
    Unit("位", "位", "rank", 1, "rank"), Unit("名", "名", "place", 1, "rank"),
    Unit("吨", "吨", "tonnes", 1, "tonne"), Unit("万吨", "万吨", "10,000 tonnes", 1e4, "tonne"),
    Unit("万辆", "万辆", "10,000 vehicles", 1e4, "vehicle"),
    Unit("%", "百分比", "percent", 1, "percent"),
    Unit("万分之", "万分之", "per ten thousand", 1, "ratio"),
    Unit("km", "公里", "kilometres", 1, "km"), Unit("GB", "GB", "gigabytes", 1, "byte"),
)}


def make_fact(value, unit, change, quote) -> Fact:
    return Fact("probe", "trains", "jiangjin-trains", "trains_run", value, unit, Status.actual,
                Period.parse("2022"), "测试", "probe", "cqdaily-2020-07-06", quote,
                change=None if change is None else Change(change, "%"),
                origin=Origin("f.toml", 1, (("value", 6), ("change", 7))))


# (value, unit, change, quote, printed). A row with a change checks the change only
# (value None); the others check the value.
CASES = [
    # ---- months: a numeral followed by 月 is a month
    (1, "列", None, "一月开行400列", False),
    (400, "列", None, "一月开行400列", True),
    (10, "家", None, "十月新增企业", False),
    (6, "户", None, "六月入驻", False),
    (1, "列", None, "1月开行400列", False),
    (1, "列", None, "今年1—6月开行", False),
    (6, "列", None, "今年1—6月开行", False),
    (3, "月", None, "历时三月", True),
    (3, "个月", None, "历时3月", True),
    (3, "个月", None, "历时三个月", True),
    (6, "月", None, "工期6月", True),
    # ---- 年 月 天 周 期 大 count only where the unit starts so
    (2, "个", None, "分二期建设", False),
    (2, "期", None, "分二期建设", True),
    (2, "期", None, "分两期建设", True),
    (2, "个", None, "已封关运行两年", False),
    (2, "年", None, "已封关运行两年", True),
    (0.5, "列", None, "半年", False),
    (0.5, "年", None, "半年", True),
    (10, "个", None, "十大项目", False),
    (3, "家", None, "三天内", False),
    (3, "天", None, "三天内", True),
    (2, "个", None, "两周后", False),
    (2, "周", None, "两周后", True),
    (3, "个", None, "开行三个", True),  # a measure word still counts
    # ---- 第 + numeral is an ordinal: a number only in a rank unit
    (3, "家", None, "第三家入驻", False),
    (3, "个", None, "第三批入驻", False),
    (3, "位", None, "第三批入驻", True),
    (3, "位", None, "排名全市第三", True),
    (3, "名", None, "获得第三名", True),
    (30, "位", None, "排名第三十", True),
    (3, "位", None, "排名第三十", False),
    (3, "家", None, "排名第3家", False),
    (3, "位", None, "综合排名全国第3，300家企业入驻", True),
    (300, "家", None, "综合排名全国第3，300家企业入驻", True),
    (3300, "位", None, "综合排名全国第3,300家企业入驻", True),
    (3300, "家", None, "综合排名全国第3,300家企业入驻", False),
    (12, "个", None, "第⑫号", False),
    # ---- a multiplier after 余/多/左右 or a range belongs to the unit
    (10, "列", None, "年开行10余万列", False),
    (10, "万列", None, "年开行10余万列", True),
    (10, "列", None, "年开行10-15万列", False),
    (15, "列", None, "年开行10-15万列", False),
    (10, "万列", None, "年开行10-15万列", True),
    (15, "万列", None, "年开行10-15万列", True),
    (10, "列", None, "年开行10—15万列", False),
    (10, "列", None, "年开行10～15万列", False),
    (10, "列", None, "年开行10至15万列", False),
    (10, "列", None, "年开行10到15万列", False),
    (10, "万辆", None, "设计产能10-15万辆", True),
    (10, "吨", None, "货运量10多万吨", False),
    (10, "万吨", None, "货运量10多万吨", True),
    (10, "吨", None, "货运量十余万吨", False),
    (10, "万吨", None, "货运量十余万吨", True),
    (10, "吨", None, "货运量十至十五万吨", False),
    (10, "万吨", None, "货运量十至十五万吨", True),
    (10, "列", None, "开行10列左右", True),
    (10, "家", None, "十余家企业", True),
    (300, "家", None, "拜访300余家企业", True),
    (1.2, "吨", None, "货量1.2万吨", False),
    (1.2, "万吨", None, "货量1.2万吨", True),
    (12000, "吨", None, "货量1.2万吨", False),
    # ---- the sign of a change
    (None, "列", 3.2, "同比下降3.2%", False),
    (None, "列", -3.2, "同比下降3.2%", True),
    (None, "列", -3.2, "同比减少3.2%", True),
    (None, "列", -3.2, "增速回落3.2%", True),
    (None, "列", -3.2, "货量下滑3.2%", True),
    (None, "列", -3.2, "成本降低3.2%", True),
    (None, "列", -3.2, "同比减3.2%", True),
    (None, "列", -3.2, "同比负3.2%", True),
    (None, "列", -3.2, "同比负增长3.2%", True),
    (None, "列", 3.2, "同比负增长3.2%", False),
    (None, "列", -3.2, "增速为-3.2%", True),
    (None, "列", -3.2, "增速为−3.2%", True),
    (None, "列", 3.2, "增速为-3.2%", False),
    (None, "列", 3.2, "同比增长3.2%", True),
    (None, "列", -3.2, "同比增长3.2%", False),
    (None, "列", 3.2, "效率提高3.2%", True),
    (None, "列", 3.2, "比重上升3.2%", True),
    (None, "列", 3.2, "货量增加3.2%", True),
    (None, "列", -3.2, "货量增加3.2%", False),
    (None, "列", 3.2, "同比3.2%", True),  # no sign word: either sign
    (None, "列", -3.2, "同比3.2%", True),
    (None, "列", -3.2, "出口增长5%，进口下降3.2%", True),
    (None, "列", 3.2, "出口增长5%，进口下降3.2%", False),
    (None, "列", 5, "出口增长5%，进口下降3.2%", True),
    (None, "列", -5, "出口增长5%，进口下降3.2%", False),
    (None, "列", 15, "增长10-15%", True),  # a range's dash is no minus sign
    (None, "列", 8, "增长5%-8%", True),
    (None, "列", 3.2, "同比+3.2%", True),
    (None, "列", -3.2, "同比+3.2%", False),
    (None, "列", -5, "同比下降百分之五", True),
    (None, "列", 5, "同比下降百分之五", False),
    # ---- Chinese numerals read by value
    (20, "列", None, "开行二十列", True),
    (2, "列", None, "开行二十列", False),
    (100, "列", None, "开行一百列", True),
    (15, "列", None, "开行十五列", True),
    (5, "列", None, "开行十五列", False),
    (30, "列", None, "开行三十列", True),
    (3, "列", None, "开行三十列", False),
    (3, "列", None, "开行十三列", False),
    (12, "个", None, "项目十二个", True),
    (305, "家", None, "入驻三百零五家", True),
    (35, "家", None, "入驻三百零五家", False),
    (2000, "列", None, "开行两千列", True),
    (2, "列", None, "开行两千列", False),
    (1.5, "万吨", None, "货量一点五万吨", True),
    (1.5, "吨", None, "货量一点五万吨", False),
    (15000, "吨", None, "货量一点五万吨", False),
    (1.2, "万", None, "一万二千", True),
    (1, "万", None, "一万二千", False),
    (12000, "列", None, "开行一万二千列", True),
    (2, "万吨", None, "两万吨", True),
    (2, "吨", None, "两万吨", False),
    (50, "%", None, "占比百分之五十", True),
    (5, "%", None, "占比百分之五", True),
    (5, "%", None, "占比百分之五十", False),
    (50, "列", None, "占比百分之五十", False),
    (50, "%", None, "占比五十%", True),
    (5, "万分之", None, "不到万分之五的土地", True),
    (5, "万分之", None, "五的土地", False),
    (5, "个", None, "不到万分之五的土地", False),
    (5, "%", None, "不到万分之五的土地", False),
    (0.5, "个", None, "半个", True),
    (0.5, "个", None, "一半", False),
    (10, "列", None, "十四五期间", False),
    (14, "列", None, "十四五期间", False),
    # ---- names, not quantities
    (2, "列", None, "重庆两江新区开行班列120列", False),
    (120, "列", None, "重庆两江新区开行班列120列", True),
    (1, "列", None, "一带一路沿线开行班列", False),
    (3, "万吨", None, "三峡库区货运量800万吨", False),
    (800, "万吨", None, "三峡库区货运量800万吨", True),
    (2, "列", None, "二〇二二年开行", False),
    (2022, "列", None, "二〇二二年开行", False),
    # ---- whole numbers, separators, digits of any width, letters
    (120, "列", None, "开行1200列", False),
    (2, "列", None, "2022年开行", False),
    (12, "%", None, "增长12.5%", False),
    (1200, "列", None, "开行1,200列", True),
    (1200, "列", None, "开行1，200列", False),
    (1200, "列", None, "开行１２００列", True),
    (5, "个", None, "建成5G基站40个", False),
    (40, "个", None, "建成5G基站40个", True),
    (5, "GB", None, "5GB流量", True),
    (100, "km", None, "占地100km²", True),
    (2, "km", None, "占地100km²", False),
]


@pytest.mark.parametrize(("value", "unit", "change", "quote", "printed"), CASES)
def test_figure_printed_in_quote(value, unit, change, quote, printed):
    problems = verify_figures([make_fact(value, unit, change, quote)], UNITS)
    assert (problems == []) is printed, [str(p) for p in problems]
    if not printed:
        (problem,) = problems
        field = "value" if change is None else "change"
        assert (problem.file, problem.line, problem.field, problem.code) == \
            ("f.toml", 6 if change is None else 7, field, "figure-not-in-quote")


@pytest.mark.parametrize(("text", "number"), [
    ("三", "3"), ("十", "10"), ("十五", "15"), ("二十二", "22"), ("一百", "100"),
    ("三百零五", "305"), ("一千零五十", "1050"), ("两千", "2000"), ("一万二千", "12000"),
    ("一万二", "12000"), ("三千五", "3500"), ("十万", "100000"), ("一点五", "1.5"),
    ("一点五万", "15000"), ("零点五", "0.5"), ("一亿二千万", "120000000"), ("半", "0.5"),
    ("十四五", None), ("二〇二二", None), ("三四", None), ("百", None), ("万", None),
    ("一半", None), ("一点", None), ("十百", None), ("一万万", None),
])
def test_chinese_numerals_read_by_value(text, number):
    assert chinese_number(text) == (None if number is None else Decimal(number))


# ---------------------------------------------------------------- through `corridor check`
def _probe(fact_dir: Path, value: object, unit: str, quote: str, change: float | None) -> Path:
    (fact_dir / "texts").mkdir(exist_ok=True)
    (fact_dir / "texts" / "test-source.txt").write_text(MINIMAL_SOURCE_TEXT + quote + "。",
                                                        encoding="utf-8")
    extra = "" if change is None else f'change = {{ value = {change}, unit = "%", basis = "yoy" }}\n'
    return write_toml(fact_dir, "probe.toml", f"""
[[fact]]
id = "test-zone-probe-2022"
topic = "testing"
entity = "test-zone"
metric = "probe_metric"
value = {value}
unit = "{unit}"
status = "actual"
period = "2022"
label_zh = "测试"
label_en = "probe"
source = "test-source"
quote = "{quote}"
{extra}""")


@pytest.mark.parametrize(("value", "unit", "quote", "change", "field"), [
    (1, "列", "一月开行400列", None, "value"),
    (3, "家", "排名全市第三家", None, "value"),
    (10, "列", "年开行10余万列", None, "value"),
    (400, "列", "一月开行400列，同比下降3.2%", 3.2, "change"),
])
def test_check_finds_a_figure_not_printed(fact_dir, value, unit, quote, change, field):
    path = _probe(fact_dir, value, unit, quote, change)
    result = run(["check", "--facts-dir", fact_dir, "--format", "json"], expect=1)
    (row,) = json.loads(result.stdout)
    assert (row["file"], row["field"], row["code"]) == (str(path), field, "figure-not-in-quote")
    assert "test-zone-probe-2022" in row["message"]


@pytest.mark.parametrize(("value", "unit", "quote", "change"), [
    (20, "列", "开行二十列", None),
    (1.5, "万吨", "货量一点五万吨", None),
    (50, "%", "占比百分之五十", None),
    (400, "列", "一月开行400列，同比下降3.2%", -3.2),
])
def test_check_passes_a_figure_printed(fact_dir, value, unit, quote, change):
    _probe(fact_dir, value, unit, quote, change)
    result = run(["check", "--facts-dir", fact_dir, "--format", "json"], expect=0)
    assert json.loads(result.stdout) == []
