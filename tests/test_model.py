"""Meaning you can compute with: metrics with kinds, periods at their printed
precision, exact values in base units, the entity hierarchy, event status and
article-level sources. Each class is tested through the loader and through the
CLI as a user drives it."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest

from conftest import parse_csv, run, run_proc, write_toml
from corridor_cli.loader import fact_dirs, load, load_full
from corridor_cli.provenance import check_all
from corridor_cli.query import FactQuery, resolve_entity, select_facts, validate
from corridor_cli.records import MetricKind


def json_out(args, **kwargs) -> list[dict]:
    return json.loads(run([*args, "--format", "json"], **kwargs).stdout)


def ids(rows) -> set[str]:
    return {r["id"] for r in rows}


def metric(mid: str, kind: str, bases: str = '["train"]', extra: str = "") -> str:
    return f"""
[[metric]]
id = "{mid}"
name_zh = "测试"
name_en = "test"
definition = "A test metric."
kind = "{kind}"
bases = {bases}
{extra}"""


def fact(fid: str, mid: str, when: str, unit: str = "列", extra: str = "") -> str:
    """A user fact about the bundled Jiangjin trains, quoting the bundled 000 text."""
    return f"""
[[fact]]
id = "{fid}"
topic = "trains"
entity = "jiangjin-trains"
metric = "{mid}"
value = 44
unit = "{unit}"
status = "actual"
{when}
label_zh = "测试"
label_en = "test"
source = "cqdaily-2020-07-06"
quote = "西部陆海新通道江津班列累计开行44列"
{extra}"""


def user_problems(directory: Path) -> list[tuple[int | None, str, str]]:
    _, problems = load(fact_dirs([directory], environ={}))
    return [(p.line, p.field, p.code) for p in problems]


def line_of(path: Path, start: str, after: int = 0) -> int:
    for number, line in enumerate(path.read_text(encoding="utf-8").split("\n"), start=1):
        if number > after and line.startswith(start):
            return number
    raise AssertionError(start)


# ---------------------------------------------------------------- the loader's rules
@pytest.mark.parametrize(("kind", "when", "field", "code"), [
    ("flow", 'as_of = "2020-07"', "as_of", "flow-as-of"),
    ("level", 'period = "2020"', "period", "level-for-span"),
    ("cumulative", 'period = "2018-12..2020-07"', "period", "level-for-span"),
])
def test_a_period_that_does_not_fit_the_metric_kind_is_refused(tmp_path, kind, when, field, code):
    extra = 'of = "trains_run"' if kind == "cumulative" else ""
    path = write_toml(tmp_path, "f.toml", metric("probe_kind", kind, extra=extra)
                      + fact("probe-fact", "probe_kind", when))
    problems = user_problems(tmp_path)
    assert problems == [(line_of(path, field), field, code)]
    result = run(["check", "--facts-dir", tmp_path, "--format", "json"], expect=2)
    (row,) = json.loads(result.stdout)
    assert (row["file"], row["line"], row["field"], row["code"]) == \
        (str(path), line_of(path, field), field, code)
    assert "probe_kind" in row["message"]


@pytest.mark.parametrize(("kind", "when"), [
    ("flow", 'period = "2020"'), ("level", 'as_of = "2020"'), ("rate", 'period = "2020"'),
    ("share", 'as_of = "2020"'), ("rank", 'period = "2020"'), ("measure", 'as_of = "2020-07-06"'),
])
def test_a_period_that_fits_the_metric_kind_loads(tmp_path, kind, when):
    write_toml(tmp_path, "f.toml", metric("probe_kind", kind) + fact("probe-fact", "probe_kind", when))
    assert user_problems(tmp_path) == []


def test_a_unit_whose_base_the_metric_does_not_allow_is_refused(tmp_path):
    path = write_toml(tmp_path, "f.toml", fact("probe-fact", "trains_run", 'period = "2020"',
                                               unit="亿元"))
    assert user_problems(tmp_path) == [(line_of(path, "unit"), "unit", "unit-not-allowed")]
    result = run(["check", "--facts-dir", tmp_path], expect=2)
    assert "CNY" in result.stderr and "trains_run" in result.stderr and "train" in result.stderr


def test_an_unknown_metric_is_refused_with_the_closest_match(tmp_path):
    path = write_toml(tmp_path, "f.toml", fact("probe-fact", "trains_runs", 'period = "2020"'))
    assert user_problems(tmp_path) == [(line_of(path, "metric"), "metric", "unknown-ref")]
    result = run(["check", "--facts-dir", tmp_path], expect=2)
    assert "did you mean 'trains_run'" in result.stderr


@pytest.mark.parametrize(("when", "change", "ok"), [
    ('period = "2020"', 'basis = "yoy"', True),
    ('period = "2020-01..2020-05"', 'basis = "yoy"', True),
    ('period = "2016..2020"', 'basis = "yoy"', False),
    ('period = "2016..2020"', 'basis = "annual_average"', True),
    ('period = "2020"', 'basis = "annual_average"', False),
    ('period = "2020-01..2020-06"', 'basis = "over_period"', True),
    ('as_of = "2020"', 'basis = "over_period"', False),
    ('as_of = "2020"', 'basis = "yoy"', True),
])
def test_a_change_whose_basis_does_not_fit_the_period_is_refused(tmp_path, when, change, ok):
    text = metric("probe_kind", "measure") + fact(
        "probe-fact", "probe_kind", when, extra=f'change = {{ value = 5, unit = "%", {change} }}\n')
    path = write_toml(tmp_path, "f.toml", text)
    expected = [] if ok else [(line_of(path, "change"), "change.basis", "bad-basis")]
    assert user_problems(tmp_path) == expected


def test_metric_tables_are_checked(tmp_path):
    path = write_toml(tmp_path, "m.toml", "".join([
        metric("probe_no_of", "cumulative"),
        metric("probe_bad_of", "cumulative", extra='of = "train_freight_teu_cumulative"'),
        metric("probe_of_flow", "level", extra='of = "trains_run"'),
        metric("probe_base", "flow", bases='["trian"]'),
        metric("probe_kind", "stock"),
    ]))
    problems = user_problems(tmp_path)
    assert sorted(problems) == sorted([
        (line_of(path, "id = \"probe_no_of\"") - 1, "of", "missing-field"),  # the table's line
        (line_of(path, "of = \"train_freight_teu_cumulative\""), "of", "bad-ref"),
        (line_of(path, "of = \"trains_run\""), "of", "bad-field"),
        (line_of(path, "bases = [\"trian\"]"), "bases", "unknown-base"),
        (line_of(path, "kind = \"stock\""), "kind", "bad-choice"),
    ])
    result = run(["check", "--facts-dir", tmp_path], expect=2)
    assert "did you mean 'train'" in result.stderr


def test_a_user_directory_may_add_metrics(tmp_path):
    write_toml(tmp_path, "f.toml", metric("user_trains", "flow") + fact(
        "user-fact", "user_trains", 'period = "2021"'))
    rows = json_out(["metrics", "--facts-dir", tmp_path])
    (mine,) = [r for r in rows if r["id"] == "user_trains"]
    assert (mine["kind"], mine["bases"], mine["facts"]) == ("flow", ["train"], 1)
    assert ids(json_out(["facts", "--facts-dir", tmp_path, "--metric", "user_trains"])) == \
        {"user-fact"}


@pytest.mark.parametrize(("entities", "field", "code"), [
    ([("a", "b"), ("b", "c"), ("c", "a")], "part_of", "part-of-cycle"),
    ([("a", "a")], "part_of", "part-of-cycle"),
    ([("a", "nowhere")], "part_of", "unknown-ref"),
])
def test_part_of_cycles_and_unknown_parents_are_refused(tmp_path, entities, field, code):
    text = "".join(f"""
[[entity]]
id = "probe-{eid}"
name_zh = "测试{eid}"
name_en = "Probe {eid}"
kind = "test"
part_of = "probe-{parent}"
""" for eid, parent in entities)
    path = write_toml(tmp_path, "e.toml", text)
    problems = user_problems(tmp_path)
    lines = [number for number, line in
             enumerate(path.read_text(encoding="utf-8").split("\n"), start=1)
             if line.startswith("part_of")]
    assert sorted(problems) == [(line, field, code) for line in lines]
    result = run(["check", "--facts-dir", tmp_path], expect=2)
    assert str(path) in result.stderr and code in result.stderr


def test_every_fact_of_the_bundled_base_fits_its_metric():
    base, problems = load(fact_dirs([], environ={}))
    assert problems == []
    for f in base.facts:
        m = base.metrics[f.metric]
        assert base.units[f.unit].base in m.bases, f.id
        if m.kind is MetricKind.flow:
            assert not f.period.is_point, f.id
        if m.kind.point_in_time:
            assert f.period.is_point, f.id


# ---------------------------------------------------------------- corridor metrics
def test_metrics_lists_every_metric_used_with_kind_definition_and_count(bundled_facts):
    rows = json_out(["metrics"])
    by_id = {r["id"]: r for r in rows}
    used = {f["metric"] for f in bundled_facts}
    assert used <= set(by_id)
    for mid in used:
        row = by_id[mid]
        assert row["kind"] in {k.value for k in MetricKind} and row["definition"].strip()
        assert row["facts"] == sum(f["metric"] == mid for f in bundled_facts)
        assert {f["base_unit"] for f in bundled_facts if f["metric"] == mid} <= set(row["bases"])
        assert all(f["metric_kind"] == row["kind"] for f in bundled_facts if f["metric"] == mid)
    for row in rows:
        if row["kind"] == "cumulative":
            assert by_id[row["of"]]["kind"] == "flow"
    table = run(["metrics", "--lang", "en", "--format", "md"]).stdout
    assert "trains_run_cumulative" in table and "cumulative of trains_run" in table


def test_a_metric_shared_by_facts_is_never_two_measures():
    """The known confusions stay apart: a district's output and projects' expected output;
    a share of trains and a share of trade; introduced and signed projects."""
    facts = {f["id"]: f for f in json_out(["facts"])}
    assert facts["jiangjin-key-projects-output-forecast-2023-06-05"]["metric"] != "industrial_output"
    assert "jiangjin-key-projects-output-forecast-2023-06-05" not in \
        ids(json_out(["facts", "--metric", "industrial_output"]))
    assert facts["xiyong-cbz-trade-share-of-city-2022"]["metric"] != \
        facts["jiangjin-trains-share-of-city-2022"]["metric"]
    assert facts["jiangjin-industrial-projects-introduced-2023h1"]["metric"] not in \
        {"projects_signed", "projects_signed_cumulative"}
    assert facts["jiangjin-trains-run-cumulative-2023-05"]["metric_kind"] == "cumulative"
    assert facts["jiangjin-trains-run-2022"]["metric_kind"] == "flow"


# ---------------------------------------------------------------- periods at their precision
def test_an_as_of_known_to_the_year_is_some_time_in_that_year():
    current = json_out(["facts", "--to", "2023-06", "--source", "ibd-2023-xiyong"])
    as_of_2023 = [f for f in json_out(["facts", "--source", "ibd-2023-xiyong"])
                  if f["period"] == "as of 2023"]
    assert as_of_2023 and ids(as_of_2023) <= ids(current)
    assert ids(as_of_2023) <= ids(json_out(["facts", "--from", "2023-07",
                                            "--source", "ibd-2023-xiyong"]))
    assert not ids(as_of_2023) & ids(json_out(["facts", "--to", "2022-12",
                                               "--source", "ibd-2023-xiyong"]))
    for f in as_of_2023:
        assert (f["period_kind"], f["period_start"], f["period_end"]) == \
            ("as_of", "2023-01-01", "2023-12-31")


def test_a_month_precision_as_of_is_kept_by_a_filter_on_that_month(tmp_path):
    write_toml(tmp_path, "f.toml", fact("probe-june", "trains_run_cumulative",
                                        'as_of = "2023-06"'))
    for option in (["--to", "2023-06"], ["--from", "2023-06"], ["--to", "2023-06-01"],
                   ["--year", "2023"]):
        assert "probe-june" in ids(json_out(["facts", "--facts-dir", tmp_path, *option]))
    for option in (["--to", "2023-05"], ["--from", "2023-07"]):
        assert "probe-june" not in ids(json_out(["facts", "--facts-dir", tmp_path, *option]))


def test_every_fact_says_its_period_kind(bundled_facts):
    kinds = {f["period_kind"] for f in bundled_facts}
    assert kinds <= {"year", "month", "day", "span", "as_of"} and {"year", "span", "as_of"} <= kinds
    for f in bundled_facts:
        assert (f["period_kind"] == "as_of") == f["period"].startswith("as of ")
        assert f["period_start"] <= f["period_end"]


# ---------------------------------------------------------------- values in base units
def test_values_in_base_units_are_exact(bundled_facts):
    units = {u["id"]: u for u in json_out(["units"])}
    for f in bundled_facts:
        unit = units[f["unit"]]
        scale = Decimal(repr(unit["scale"])) if isinstance(unit["scale"], float) else unit["scale"]
        assert Decimal(repr(f["value_base"])) == Decimal(repr(f["value"])) * scale, f["id"]
        assert f["base_unit"] == unit["base"]
        if f["value_max"] is not None:
            assert Decimal(repr(f["value_max_base"])) == Decimal(repr(f["value_max"])) * scale
    (cargo,) = [f for f in bundled_facts if f["id"] == "jiangjin-trains-cargo-value-2023-01-05"]
    assert (cargo["value"], cargo["unit"], cargo["value_base"], cargo["base_unit"]) == \
        (8.095, "亿元", 809500000, "CNY")
    rows = parse_csv(run(["facts", "--columns", "id,value_base,value_max_base"]).stdout)
    for row in rows:  # plain digits: no exponent, no float noise such as 809500000.0000001
        for key in ("value_base", "value_max_base"):
            assert "e" not in row[key].lower() and len(row[key].partition(".")[2]) <= 6, row


def test_float_noise_never_reaches_a_base_value(tmp_path):
    write_toml(tmp_path, "f.toml", metric("probe_money", "measure", bases='["CNY"]') + """
[[fact]]
id = "probe-money"
topic = "trains"
entity = "jiangjin-trains"
metric = "probe_money"
value = 0.07
value_max = 1.1
unit = "亿元"
status = "actual"
period = "2020"
label_zh = "测试"
label_en = "test"
source = "cqdaily-2020-07-06"
quote = "货值0.07至1.1亿元"
""")
    (row,) = parse_csv(run(["facts", "--facts-dir", tmp_path, "--metric", "probe_money",
                            "--columns", "value_base,value_max_base,base_unit"]).stdout)
    assert row == {"value_base": "7000000", "value_max_base": "110000000", "base_unit": "CNY"}


# ---------------------------------------------------------------- the entity hierarchy
def test_within_selects_an_entity_and_everything_part_of_it(bundled_facts):
    entities = {e["id"]: e for e in json_out(["entities"])}
    inside = {"jiangjin"}
    while True:  # the closure, computed from what `corridor entities` prints
        more = {e for e, row in entities.items() if row["part_of"] in inside} - inside
        if not more:
            break
        inside |= more
    assert {"jiangjin-cbz", "luohuang-port-city", "luohuang-port", "jiangjin-trains"} <= inside
    within = json_out(["facts", "--within", "jiangjin"])
    assert ids(within) == {f["id"] for f in bundled_facts if f["entity"] in inside}
    assert {"jiangjin-cbz", "luohuang-port-city", "jiangjin-trains"} <= {f["entity"] for f in within}
    alone = json_out(["facts", "--entity", "jiangjin"])
    assert alone and {f["entity"] for f in alone} == {"jiangjin"}
    assert ids(alone) < ids(within)
    both = json_out(["facts", "--within", "jiangjin", "--entity", "jiangjin-cbz"])
    assert ids(both) == {f["id"] for f in bundled_facts if f["entity"] == "jiangjin-cbz"}
    events = json_out(["timeline", "--within", "江津"])
    assert {e["entity"] for e in events} <= inside and "jiangjin-cbz" in {e["entity"] for e in events}


def test_entities_show_kind_and_parent_in_hierarchy_order():
    rows = json_out(["entities"])
    position = {r["id"]: n for n, r in enumerate(rows)}
    by_id = {r["id"]: r for r in rows}
    assert by_id["luohuang-port"]["part_of"] == "luohuang-port-city"
    assert by_id["luohuang-port"]["within"] == ["luohuang-port-city", "jiangjin", "chongqing"]
    assert by_id["luohuang-port"]["kind"] == "port"
    for row in rows:
        if row["part_of"]:
            assert position[row["part_of"]] < position[row["id"]]
    table = run(["entities", "--lang", "en", "--format", "md"]).stdout
    assert "part of" in table


def test_a_partial_name_means_the_place_not_what_is_inside_it():
    base, _ = load(fact_dirs([], environ={}))
    notes: list[str] = []
    assert resolve_entity(base, "珞璜", notes).id == "luohuang-port-city"
    assert "luohuang-port" in notes[0]
    q = validate(base, FactQuery(within="珞璜"))
    chosen = select_facts(base, q)
    assert {"luohuang-port-city", "luohuang-port", "jiangjin-cbz"} <= {f.entity for f in chosen}


def test_within_a_bad_name_is_a_usage_error():
    result = run(["facts", "--within", "nowhere-at-all"], expect=2)
    assert "--within" in result.stderr and "Traceback" not in result.stderr


# ---------------------------------------------------------------- event status
def test_the_weima_listing_is_a_forecast_not_a_happening():
    forecasts = json_out(["timeline", "--status", "forecast"])
    assert "weima-expected-listing-2023" in ids(forecasts)
    assert {e["status"] for e in forecasts} == {"forecast"}
    assert "weima-expected-listing-2023" not in ids(json_out(["timeline", "--status", "actual"]))
    table = run(["timeline", "--status", "forecast", "--lang", "en", "--format", "md"]).stdout
    assert "forecast" in table


# ---------------------------------------------------------------- article-level sources
def test_the_sichuan_article_is_its_own_source():
    sources = {s["id"]: s for s in json_out(["sources"])}
    sichuan = sources["ibd-2023-sichuan-ecommerce"]
    assert sichuan["file"] == sources["ibd-2023-xiyong"]["file"]
    assert sichuan["heading"] and sichuan["title_zh"] == "四川省电商行业党委成立"
    facts = json_out(["facts", "--entity", "sichuan"])
    assert len(facts) == 6 and {f["source"] for f in facts} == {"ibd-2023-sichuan-ecommerce"}
    assert sichuan["facts"] == 6
    assert "ibd-2023-sichuan-ecommerce" in run(["sources", "--format", "csv"]).stdout


def test_show_gives_the_sentence_around_the_quote_from_its_article():
    text = run(["show", "sichuan-online-retail-sales-2022", "--lang", "en", "--format", "md"]).stdout
    assert "4161.1亿元" in text and "2022年" in text  # the whole sentence, not only the quote


ARTICLES = """第一篇的导语。

# 第一篇
第一篇说开行44列。

第二篇的导语说开行55列。

## 第二篇

第二篇正文。提到第一篇的名字。
"""


def _articles(tmp_path: Path, quote_b: str) -> Path:
    d = tmp_path / "facts"
    (d / "texts").mkdir(parents=True)
    (d / "texts" / "page.txt").write_text(ARTICLES, encoding="utf-8")
    write_toml(d, "s.toml", """
[[source]]
id = "page-a"
title_zh = "第一篇"
title_en = "A"
file = "page.txt"
heading = "第一篇"

[[source]]
id = "page-b"
title_zh = "第二篇"
title_en = "B"
file = "page.txt"
heading = "第二篇"
opening = "第二篇的导语"
""" + fact("fact-a", "trains_run", 'period = "2020"').replace(
        'source = "cqdaily-2020-07-06"', 'source = "page-a"').replace(
        "西部陆海新通道江津班列累计开行44列", "第一篇说开行44列") + fact(
        "fact-b", "trains_run", 'period = "2021"').replace(
        'source = "cqdaily-2020-07-06"', 'source = "page-b"').replace(
        "西部陆海新通道江津班列累计开行44列", quote_b).replace("value = 44", "value = 55"))
    return d


def test_a_quote_is_verified_within_its_own_article(tmp_path):
    d = _articles(tmp_path, "第二篇的导语说开行55列")  # the lead printed above the heading
    report = check_all(load_full(fact_dirs([d], environ={})))
    assert report.findings == [] and report.problems == []
    d = _articles(tmp_path / "x", "第一篇说开行44列")  # in the file, but in the other article
    loaded = load_full(fact_dirs([d], environ={}))
    codes = [(p.field, p.code) for p in check_all(loaded).findings]
    assert ("quote", "quote-not-found") in codes
    result = run(["check", "--facts-dir", d, "--format", "json"], expect=1)
    assert "page-b" in result.stdout


def test_a_heading_must_be_a_whole_line_of_the_text(tmp_path):
    d = _articles(tmp_path, "第二篇的导语说开行55列")
    source = d / "s.toml"
    # the first article's title appears inside a sentence of the second: not a heading line
    source.write_text(source.read_text(encoding="utf-8").replace(
        'heading = "第一篇"', 'heading = "提到第一篇的名字"'), encoding="utf-8")
    result = run(["check", "--facts-dir", d, "--format", "json"], expect=1)
    rows = json.loads(result.stdout)
    assert ("heading", "heading-not-found") in {(r["field"], r["code"]) for r in rows}
    assert "article not found in its text: page-a" in result.stderr


def test_check_passes_on_the_bundled_base_in_a_real_process():
    proc = run_proc(["check"])
    assert "0 not found" in proc.out and "0 problem(s)" in proc.out and "0 finding(s)" in proc.out


def test_opening_words_found_elsewhere_on_the_page_do_not_move_an_article(tmp_path):
    """The lead's first words may be a stock phrase that also occurs in the article
    before: the one just above the heading is the article's start."""
    d = _articles(tmp_path, "第二篇的导语说开行55列")
    page = d / "texts" / "page.txt"
    page.write_text(ARTICLES.replace("第一篇说开行44列。", "第一篇说开行44列。第二篇的导语也在这里。"),
                    encoding="utf-8")
    report = check_all(load_full(fact_dirs([d], environ={})))
    assert report.findings == [] and report.problems == []


def test_a_source_sharing_its_text_without_a_heading_is_a_finding(tmp_path):
    d = _articles(tmp_path, "第二篇的导语说开行55列")
    source = d / "s.toml"
    source.write_text(source.read_text(encoding="utf-8").replace('heading = "第一篇"\n', ""),
                      encoding="utf-8")
    result = run(["check", "--facts-dir", d, "--format", "json"], expect=1)
    rows = json.loads(result.stdout)
    assert [(r["field"], r["code"]) for r in rows] == [("heading", "article-unbounded")]
    assert "page-a" in rows[0]["message"] and "page-b" in rows[0]["message"]


def test_articles_of_two_directories_never_cut_each_other(tmp_path):
    """Two fact directories whose texts have the same file name are two pages."""
    one = _articles(tmp_path / "one", "第二篇的导语说开行55列")
    two = tmp_path / "two" / "facts"
    (two / "texts").mkdir(parents=True)
    (two / "texts" / "page.txt").write_text("报头\n第一篇\n另一份报纸开行66列。\n",
                                                 encoding="utf-8")  # page-a's heading is a line here
    write_toml(two, "s.toml", """
[[source]]
id = "other-page"
title_zh = "另一份"
title_en = "Another"
file = "page.txt"
""" + fact("fact-other", "trains_run", 'period = "2019"').replace(
        'source = "cqdaily-2020-07-06"', 'source = "other-page"').replace(
        "西部陆海新通道江津班列累计开行44列", "另一份报纸开行66列").replace("value = 44", "value = 66"))
    report = check_all(load_full(fact_dirs([one, two], environ={})))
    assert report.findings == [] and report.problems == []


@pytest.mark.parametrize(("value", "exact_cell"), [
    ("0.30000000000000004", False), ("8.095", True), ("123456789012345.6", False),
    ("1.7976931348623157e308", False), ("12345678901234567", False), ("536", True),
])
def test_xlsx_never_rounds_a_number(tmp_path, value, exact_cell):
    openpyxl = pytest.importorskip("openpyxl")
    d = tmp_path / "facts"
    write_toml(d, "f.toml", metric("probe_money", "measure", bases='["CNY"]') + f"""
[[fact]]
id = "probe-money"
topic = "trains"
entity = "jiangjin-trains"
metric = "probe_money"
value = {value}
unit = "元"
status = "actual"
period = "2020"
label_zh = "测试"
label_en = "test"
source = "cqdaily-2020-07-06"
quote = "货值{value}元"
""")
    out = tmp_path / "f.xlsx"
    run(["facts", "--facts-dir", d, "--metric", "probe_money", "-o", out])
    sheet = openpyxl.load_workbook(out).active
    row = dict(zip([c.value for c in sheet[1]], (c.value for c in sheet[2])))
    for key in ("value", "value_base"):
        cell = row[key]
        if exact_cell:
            assert isinstance(cell, (int, float)) and Decimal(repr(cell)) == Decimal(value)
        else:  # text with every digit read, never a rounded number
            read = Decimal(repr(float(value))) if "." in value or "e" in value else Decimal(value)
            assert isinstance(cell, str) and Decimal(cell) == read, cell


@pytest.mark.parametrize("scale", [1, 10_000, 100_000_000, 0.01, 1e8, 1.5])
@pytest.mark.parametrize("value", [0, 1, 536, -7, 10**25, 8.095, 17.97, 1036.7, 1e-05, 0.1])
def test_a_figure_in_its_base_unit_is_the_exact_product_whether_whole_or_not(scale, value):
    """views.base_number takes a short cut for whole numbers and scales: it gives exactly
    what the decimal path gives, for every kind of figure and scale."""
    from corridor_cli.records import Unit
    from corridor_cli.views import base_number, machine_number

    unit = Unit("u", "u", "u", scale, "base")
    assert base_number(unit, value) == machine_number(unit.to_base(value))
    assert type(base_number(unit, value)) is type(machine_number(unit.to_base(value)))


def test_a_figure_in_its_base_unit_matches_the_decimal_path_for_many_figures():
    """base_number works in integer arithmetic on the digits a float prints as; for 10,000
    seeded figures of every size and precision, times every kind of scale, it gives the
    value and type the decimal path gives: an int, a float, or the exact digits as text."""
    import random

    from corridor_cli.records import Unit
    from corridor_cli.views import base_number, machine_number

    rng = random.Random(20261122)
    values = [-0.0, 1e22, 1e23, 2.675, 5e-324, 1.7976931348623157e308, 9007199254740993.0]
    for _ in range(5_000):
        values.append(round(rng.uniform(-1e6, 1e6), rng.randint(0, 8)))
        values.append(rng.random() * 10 ** rng.randint(-20, 20))
    kinds = set()
    for scale in (1, 3, 10_000, 1e4, 100_000_000, 0.01, 0.001, 1e-8, 1.5):
        unit = Unit("u", "u", "u", scale, "base")
        for value in values:
            expected = machine_number(unit.to_base(value))
            got = base_number(unit, value)
            assert got == expected and type(got) is type(expected), (value, scale, got, expected)
            kinds.add(type(got))
    assert kinds == {int, float, str}
