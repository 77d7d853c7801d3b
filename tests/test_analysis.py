"""The analysis layer (corridor_cli.analysis), called directly on small fact bases written
as TOML into tmp_path: what adds to what (rules), grouping (groups), series and year
shares (series), interval arithmetic (numbers), derived figures (derive), targets and pace
(targets), the arithmetic audit (audit), and the loader's checks of units and relations.

Every expected number is worked by hand in a comment beside it."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import pytest
from conftest import write_toml

from corridor_cli.analysis import numbers as nb
from corridor_cli.analysis.audit import audit
from corridor_cli.analysis.derive import derive_all, growth, implied_prior, increment
from corridor_cli.analysis.groups import group, group_key, grouped
from corridor_cli.analysis.rules import sum_refusal
from corridor_cli.analysis.series import series, wide, year_share
from corridor_cli.analysis.targets import target_row, targets_for
from corridor_cli.dates import Period
from corridor_cli.loader import load
from corridor_cli.query import FactQuery
from corridor_cli.records import Bound, FactBase, MetricKind

# ---------------------------------------------------------------- the fixture base
# Units: two discrete counts (列 trains, 个 things), money in two CNY units and one USD
# unit, percent and a rank. Entities: city ⊃ district-a ⊃ zone-a, city ⊃ district-b;
# elsewhere stands alone.
VOCAB = """
[[unit]]
id = "列"
name_zh = "列"
name_en = "trains"
scale = 1
base = "count"
discrete = true

[[unit]]
id = "个"
name_zh = "个"
name_en = "items"
scale = 1
base = "count"
discrete = true

[[unit]]
id = "亿元"
name_zh = "亿元"
name_en = "100 million yuan"
scale = 100000000
base = "CNY"

[[unit]]
id = "万元"
name_zh = "万元"
name_en = "10 thousand yuan"
scale = 10000
base = "CNY"

[[unit]]
id = "亿美元"
name_zh = "亿美元"
name_en = "100 million US dollars"
scale = 100000000
base = "USD"

[[unit]]
id = "%"
name_zh = "百分比"
name_en = "percent"
scale = 1
base = "percent"

[[unit]]
id = "位"
name_zh = "位"
name_en = "place"
scale = 1
base = "rank"

[[topic]]
id = "corridor"
name_zh = "通道"
name_en = "Corridor"

[[entity]]
id = "city"
name_zh = "市"
name_en = "City"
kind = "city"

[[entity]]
id = "district-a"
name_zh = "甲区"
name_en = "District A"
kind = "district"
part_of = "city"

[[entity]]
id = "district-b"
name_zh = "乙区"
name_en = "District B"
kind = "district"
part_of = "city"

[[entity]]
id = "zone-a"
name_zh = "甲园"
name_en = "Zone A"
kind = "zone"
part_of = "district-a"

[[entity]]
id = "elsewhere"
name_zh = "他处"
name_en = "Elsewhere"
kind = "city"

[[source]]
id = "test-source"
title_zh = "测试"
title_en = "Test"
file = "test.txt"
"""


def _metric(mid: str, kind: str, bases: str, of: str = "") -> str:
    extra = f'of = "{of}"\n' if of else ""
    return (f'\n[[metric]]\nid = "{mid}"\nname_zh = "{mid}"\nname_en = "{mid}"\n'
            f'definition = "A test metric."\nkind = "{kind}"\nbases = {bases}\n{extra}')


METRICS = "".join([
    _metric("trains_run", "flow", '["count"]'),
    _metric("trains_total", "cumulative", '["count"]', of="trains_run"),
    _metric("trade_value", "flow", '["CNY", "USD"]'),
    _metric("trade_increase", "flow", '["CNY"]'),
    _metric("investment", "flow", '["CNY"]'),
    _metric("enterprises", "level", '["count"]'),
    _metric("enterprises_added_yearly", "measure", '["count"]'),
    _metric("trade_growth", "rate", '["percent"]'),
    _metric("trade_share", "share", '["percent"]'),
    _metric("port_rank", "rank", '["rank"]'),
    _metric("design_capacity", "measure", '["count"]'),
    _metric("projects_started", "flow", '["count"]'),
    _metric("projects_completed", "flow", '["count"]'),
    _metric("projects_total", "flow", '["count"]'),
    _metric("started_share", "share", '["percent"]'),
])


def F(fid: str, metric: str, value: str, unit: str, *, period: str | None = None,
      as_of: str | None = None, entity: str = "district-a", status: str = "actual",
      bound: str | None = None, value_max: str | None = None, change: str | None = None,
      basis: str = "yoy", relation: tuple[str, list[str]] | None = None) -> str:
    """One [[fact]] table. value (and value_max, change) are TOML number text as printed."""
    lines = ["", "[[fact]]", f'id = "{fid}"', 'topic = "corridor"', f'entity = "{entity}"',
             f'metric = "{metric}"', f"value = {value}", f'unit = "{unit}"',
             f'status = "{status}"']
    lines.append(f'period = "{period}"' if period is not None else f'as_of = "{as_of}"')
    if bound:
        lines.append(f'bound = "{bound}"')
    if value_max:
        lines.append(f"value_max = {value_max}")
    if change:
        lines.append(f'change = {{ value = {change}, unit = "%", basis = "{basis}" }}')
    if relation:
        kind, of = relation
        lines.append(f'relation = {{ kind = "{kind}", of = [{", ".join(repr(i) for i in of)}] }}'
                     .replace("'", '"'))
    lines += [f'label_zh = "{fid}"', f'label_en = "{fid}"', 'source = "test-source"',
              f'quote = "{fid}"']
    return "\n".join(lines) + "\n"


def kb(tmp_path: Path, *facts: str) -> FactBase:
    """A fact base of the vocabulary and these facts; it must load without a problem."""
    d = tmp_path / "kb"
    write_toml(d, "vocab.toml", VOCAB + METRICS)
    write_toml(d, "facts.toml", "".join(facts))
    base, problems = load([d])
    assert problems == [], [str(p) for p in problems]
    assert len(base.facts) == len(facts)
    return base


def get(base: FactBase, *ids: str):
    by_id = {f.id: f for f in base.facts}
    found = [by_id[i] for i in ids]
    return found[0] if len(found) == 1 else found


def D(text: str) -> Decimal:
    return Decimal(text)


# ---------------------------------------------------------------- 1. rules.sum_refusal
@pytest.mark.parametrize(("metric", "unit", "when", "reason"), [
    ("trade_growth", "%", {"period": "2022"}, "rates do not add"),
    ("trade_share", "%", {"period": "2022"}, "shares do not add"),
    ("port_rank", "位", {"as_of": "2022"}, "ranks do not add"),
    ("design_capacity", "个", {"as_of": "2022"}, "measures (capacities, durations, scores"),
])
def test_rates_shares_ranks_and_measures_never_add(tmp_path, metric, unit, when, reason):
    # two different, non-nested entities, one date: only the kind refuses the sum
    base = kb(tmp_path, F("x-a", metric, "3", unit, entity="district-a", **when),
              F("x-b", metric, "5", unit, entity="district-b", **when))
    refusal = sum_refusal(get(base, "x-a", "x-b"), base)
    assert refusal is not None and refusal.startswith(reason), refusal


@pytest.mark.parametrize(("facts", "ids", "expected"), [
    # two flow metrics
    ([F("t", "trains_run", "10", "列", period="2022"),
      F("p", "projects_started", "5", "个", period="2022")],
     ("t", "p"), "metrics differ: trains_run and projects_started"),
    # a running total beside the flow it totals
    ([F("c", "trains_total", "1000", "列", as_of="2022-12-31"),
      F("t", "trains_run", "10", "列", period="2022")],
     ("c", "t"), ("metrics differ: trains_total and trains_run; a cumulative total "
                  "(trains_total) is a level since the start and does not add to the figures "
                  "of a period")),
    ([F("a", "trains_run", "10", "列", period="2022", entity="district-a"),
      F("b", "trains_run", "20", "列", period="2022", entity="district-b", status="target")],
     ("a", "b"), "statuses differ: actual and target"),
    # CNY and USD are different bases
    ([F("a", "trade_value", "10", "亿元", period="2022", entity="district-a"),
      F("b", "trade_value", "2", "亿美元", period="2022", entity="district-b")],
     ("a", "b"), "units differ: 亿元 and 亿美元"),
    ([F("a", "trade_value", "10", "亿元", period="2022", bound="lower", entity="district-a"),
      F("b", "trade_value", "2", "亿元", period="2022", bound="upper", entity="district-b")],
     ("a", "b"), "a lower bound and an upper bound do not add: the sum has no bound"),
    # one entity: a year and the Jan–May inside it (Jan–May sorts first: it ends first)
    ([F("y", "trains_run", "1000", "列", period="2023"),
      F("m", "trains_run", "407", "列", period="2023-01..2023-05")],
     ("y", "m"), "periods overlap: 2023-01..2023-05 and 2023 (district-a)"),
    # a district and the city it is part of, same year
    ([F("d", "trains_run", "400", "列", period="2023", entity="district-a"),
      F("c", "trains_run", "900", "列", period="2023", entity="city")],
     ("d", "c"), "periods overlap: 2023 and 2023 (district-a is part of city)"),
    # the grandchild counts as part of the city too (zone-a ⊂ district-a ⊂ city)
    ([F("z", "trains_run", "40", "列", period="2023-03", entity="zone-a"),
      F("c", "trains_run", "900", "列", period="2023", entity="city")],
     ("z", "c"), "periods overlap: 2023 and 2023-03 (zone-a is part of city)"),
    ([F("a", "enterprises", "10", "个", as_of="2023-05", entity="district-a"),
      F("b", "enterprises", "20", "个", as_of="2023-06", entity="district-b")],
     ("a", "b"), "levels at different dates do not add: 2023-05 and 2023-06"),
    ([F("a", "enterprises", "10", "个", as_of="2023-05"),
      F("b", "enterprises", "12", "个", as_of="2023-06")],
     ("a", "b"), "levels at different dates do not add: 2023-05 and 2023-06"),
    ([F("a", "enterprises", "10", "个", as_of="2023-05"),
      F("b", "enterprises", "10", "个", as_of="2023-05")],
     ("a", "b"), "the same level twice: a and b (district-a, as of 2023-05)"),
    ([F("a", "enterprises", "10", "个", as_of="2023-05", entity="district-a"),
      F("c", "enterprises", "30", "个", as_of="2023-05", entity="city")],
     ("a", "c"), "district-a is part of city: its enterprises is counted in the whole already"),
    ([F("a", "trade_value", "10", "亿元", period="2022", value_max="15", entity="district-a"),
      F("b", "trade_value", "2", "亿元", period="2022", entity="district-b")],
     ("a", "b"), "a printed range (value to value_max) does not add as one number"),
], ids=["metrics-differ", "cumulative-with-flow", "statuses-differ", "bases-differ",
        "lower-and-upper", "same-entity-overlap", "parent-and-child", "grandchild-and-city",
        "levels-dates-differ-entities", "levels-dates-same-entity", "same-level-twice",
        "nested-levels", "range"])
def test_sum_refusals_say_why(tmp_path, facts, ids, expected):
    base = kb(tmp_path, *facts)
    assert sum_refusal(get(base, *ids), base) == expected


@pytest.mark.parametrize(("facts", "ids"), [
    # 亿元 and 万元 have the same base (CNY): they add
    ([F("a", "trade_value", "1.5", "亿元", period="2022", entity="district-a"),
      F("b", "trade_value", "5000", "万元", period="2022", entity="district-b")], ("a", "b")),
    # two siblings, same year
    ([F("a", "trains_run", "536", "列", period="2023", entity="district-a"),
      F("b", "trains_run", "407", "列", period="2023", entity="district-b")], ("a", "b")),
    # one entity, disjoint periods (Jan–May and Jun–Dec; and two years)
    ([F("a", "trains_run", "407", "列", period="2023-01..2023-05"),
      F("b", "trains_run", "600", "列", period="2023-06..2023-12"),
      F("c", "trains_run", "900", "列", period="2022")], ("a", "b", "c")),
    # levels of non-nested entities at one date (siblings, and an unrelated city)
    ([F("a", "enterprises", "10", "个", as_of="2023-05", entity="district-a"),
      F("b", "enterprises", "20", "个", as_of="2023-05", entity="district-b"),
      F("e", "enterprises", "30", "个", as_of="2023-05", entity="elsewhere")], ("a", "b", "e")),
    # a lower bound with exact and approximate figures: the sum is a lower bound
    ([F("a", "trade_value", "10", "亿元", period="2022", bound="lower", entity="district-a"),
      F("b", "trade_value", "2", "亿元", period="2022", bound="approx", entity="district-b")],
     ("a", "b")),
], ids=["same-base-units", "siblings", "disjoint-periods", "levels-one-date", "lower-and-approx"])
def test_sums_that_are_allowed(tmp_path, facts, ids):
    base = kb(tmp_path, *facts)
    assert sum_refusal(get(base, *ids), base) is None


def test_sum_refusal_of_nothing(tmp_path):
    base = kb(tmp_path, F("a", "trains_run", "1", "列", period="2022"))
    assert sum_refusal([], base) == "nothing to add"
    assert sum_refusal([get(base, "a")], base) is None


# ---------------------------------------------------------------- 2. groups
def test_group_by_year_keys(tmp_path):
    base = kb(tmp_path,
              F("t22", "trains_run", "536", "列", period="2022"),
              F("t23", "trains_run", "407", "列", period="2023-01..2023-05"),
              F("plan", "trains_run", "5000", "列", period="2021..2025", status="target"),
              F("lvl", "enterprises", "12", "个", as_of="2023-05"))
    assert group_key(get(base, "lvl"), "year") == "2023"  # as_of 2023-05 lies in 2023
    assert group_key(get(base, "plan"), "year") == "2021..2025"  # a span is its own group
    assert group_key(get(base, "t23"), "entity") == "district-a"
    groups = group(base, base.facts, "year")
    # chronological: 2021..2025 starts in 2021, before 2022
    assert [g.key for g in groups] == ["2021..2025", "2022", "2023"]
    # within a group, by period: Jan–May (from 1 January) before as_of May
    assert [[f.id for f in g.facts] for g in groups] == [["plan"], ["t22"], ["t23", "lvl"]]
    assert [g.count for g in groups] == [1, 1, 2]
    # 2023 holds a train flow and an enterprise level: no sum, the reason instead
    g23 = groups[2]
    assert g23.sum is None and g23.sum_base is None
    assert g23.refusal == "metrics differ: trains_run and enterprises"
    assert g23.metric is None
    assert g23.least is None and g23.greatest is None and g23.extremes_refusal == "metrics differ"


def test_group_sum_of_counts_is_exact(tmp_path):
    # two sibling districts in 2023: 536 + 407 = 943 列, exactly
    base = kb(tmp_path,
              F("a", "trains_run", "536", "列", period="2023", entity="district-a"),
              F("b", "trains_run", "407", "列", period="2023", entity="district-b"))
    (g,) = group(base, base.facts, "year")
    assert g.refusal is None
    assert isinstance(g.sum, Decimal) and g.sum == D("943")
    assert g.sum_unit == "列"
    assert g.sum_base == D("943") and g.base_unit == "count"
    assert g.sum_bound is Bound.exact
    assert g.metric == "trains_run"
    assert (g.least.id, g.greatest.id) == ("b", "a")


def test_group_sum_across_units_of_one_base(tmp_path):
    # 1.5 亿元 + 5000 万元 = 150 000 000 + 50 000 000 = 200 000 000 CNY (= 2 亿元); the
    # printed units differ, so there is no sum in a printed unit, only in the base
    base = kb(tmp_path,
              F("a", "investment", "1.5", "亿元", period="2023", entity="district-a"),
              F("b", "investment", "5000", "万元", period="2023", entity="district-b"))
    (g,) = group(base, base.facts, "year")
    assert g.refusal is None
    assert g.sum is None and g.sum_unit is None
    assert g.sum_base == D("200000000") and g.base_unit == "CNY"
    assert g.sum_bound is Bound.exact
    # min and max compare in the base: 5000 万元 (5e7) is less than 1.5 亿元 (1.5e8),
    # although 5000 > 1.5 as printed
    assert g.extremes_refusal is None
    assert (g.least.id, g.greatest.id) == ("b", "a")


def test_group_carries_the_refusal_and_withholds_extremes(tmp_path):
    base = kb(tmp_path,
              F("cny", "trade_value", "10", "亿元", period="2023", entity="district-a"),
              F("usd", "trade_value", "2", "亿美元", period="2023", entity="district-b"),
              F("t", "trains_run", "100", "列", period="2022", entity="district-a"),
              F("t-plan", "trains_run", "120", "列", period="2022", entity="district-b",
                status="target"))
    by_key = {g.key: g for g in group(base, base.facts, "year")}
    g23, g22 = by_key["2023"], by_key["2022"]
    assert g23.refusal == "units differ: 亿元 and 亿美元"
    assert g23.sum is None and g23.sum_base is None and g23.sum_bound is None
    assert g23.extremes_refusal == "units differ: 亿元 and 亿美元"
    assert g23.least is None and g23.greatest is None
    assert g22.refusal == "statuses differ: actual and target"
    assert g22.extremes_refusal == "statuses differ: actual and target"
    assert g22.least is None and g22.greatest is None


def test_group_sum_with_a_lower_bound_is_a_lower_bound(tmp_path):
    # 超 10 亿元 + 约 2 亿元 ≥ 12 亿元
    base = kb(tmp_path,
              F("a", "trade_value", "10", "亿元", period="2022", bound="lower", entity="district-a"),
              F("b", "trade_value", "2", "亿元", period="2022", bound="approx", entity="district-b"))
    (g,) = group(base, base.facts, "year")
    assert g.sum == D("12") and g.sum_bound is Bound.lower


def test_group_latest_and_other_fields(tmp_path):
    base = kb(tmp_path,
              F("t21", "trains_run", "300", "列", period="2021"),
              F("t23", "trains_run", "407", "列", period="2023-01..2023-05"),
              F("t22", "trains_run", "536", "列", period="2022"),
              F("b22", "trains_run", "100", "列", period="2022", entity="district-b"))
    by_entity = {g.key: g for g in group(base, base.facts, "entity")}
    assert list(by_entity) == ["district-a", "district-b"]
    a = by_entity["district-a"]
    assert [f.id for f in a.facts] == ["t21", "t22", "t23"]  # period order
    assert a.latest.id == "t23"
    # one entity, disjoint years: 300 + 536 + 407 = 1243
    assert a.sum == D("1243")
    assert (a.least.id, a.greatest.id) == ("t21", "t22")
    (m,) = group(base, base.facts, "metric")
    assert m.key == "trains_run" and m.count == 4
    # district-a and district-b both have 2022: siblings add, so this is fine too
    assert m.sum == D("1343")


def test_grouped_follows_the_query(tmp_path):
    base = kb(tmp_path,
              F("t21", "trains_run", "300", "列", period="2021"),
              F("t22", "trains_run", "536", "列", period="2022"),
              F("t23", "trains_run", "407", "列", period="2023"),
              F("b23", "trains_run", "7", "列", period="2023", entity="district-b"))
    assert [g.key for g in grouped(base, FactQuery(), "year")] == ["2021", "2022", "2023"]
    desc = grouped(base, FactQuery(descending=True, limit=2), "year")
    assert [g.key for g in desc] == ["2023", "2022"]
    assert desc[0].sum == D("414")  # 407 + 7
    only_b = grouped(base, FactQuery(entity="district-b"), "year")
    assert [(g.key, g.sum) for g in only_b] == [("2023", D("7"))]


# ---------------------------------------------------------------- 3. series
@pytest.mark.parametrize(("period", "share"), [
    (Period.parse("2022"), Fraction(1)),
    (Period.parse("2023-01..2023-05"), Fraction(5, 12)),
    (Period.parse("2023-06-05"), Fraction(1, 365)),
    (Period.parse("2016..2020"), Fraction(5)),
    (Period.as_of("2022"), None),
    (Period.as_of("2022-05-31"), None),
    (Period.parse("2024-02"), Fraction(1, 12)),
    # 1–29 February 2024: 29 days of a 366-day year
    (Period.parse("2024-02-01..2024-02-29"), Fraction(29, 366)),
    # one day of 2023 (365 days) and one of 2024 (366)
    (Period.parse("2023-12-31..2024-01-01"), Fraction(1, 365) + Fraction(1, 366)),
    # end printed to the day: counted in days, 31+28+31+30+15 = 135 of 365
    (Period.parse("2023-01..2023-05-15"), Fraction(135, 365)),
    # 2022-11..2023-02: four months
    (Period.parse("2022-11..2023-02"), Fraction(4, 12)),
])
def test_year_share(period, share):
    assert year_share(period) == share


def test_series_flags_overlaps_of_one_entity_only(tmp_path):
    base = kb(tmp_path,
              F("a23", "trains_run", "1000", "列", period="2023"),
              F("a-jan-may", "trains_run", "407", "列", period="2023-01..2023-05"),
              F("b23", "trains_run", "500", "列", period="2023", entity="district-b"),
              F("a22", "trains_run", "536", "列", period="2022"),
              F("other", "enterprises", "5", "个", as_of="2023"))
    rows = series(base, "trains_run", base.facts)
    # period order (a span ending in May sorts before the whole year), then entity
    assert [r.id for r in rows] == ["a22", "a-jan-may", "a23", "b23"]
    by_id = {r.id: r for r in rows}
    assert by_id["a23"].overlaps == ("a-jan-may",)
    assert by_id["a-jan-may"].overlaps == ("a23",)
    assert by_id["b23"].overlaps == ()  # another entity's 2023 is not flagged
    assert by_id["a22"].overlaps == ()
    assert [r.year_share for r in rows] == [1, Fraction(5, 12), 1, 1]
    assert [r.partial for r in rows] == [False, True, False, False]
    assert all(r.kind is MetricKind.flow and r.status == "actual" and r.unit == "列"
               for r in rows)


def test_series_of_a_level_has_no_year_share(tmp_path):
    base = kb(tmp_path,
              F("e1", "enterprises", "5", "个", as_of="2023-05"),
              F("e0", "enterprises", "4", "个", as_of="2022"))
    rows = series(base, "enterprises", base.facts)
    assert [r.id for r in rows] == ["e0", "e1"]
    assert [r.year_share for r in rows] == [None, None]
    assert [r.partial for r in rows] == [None, None]
    assert all(r.overlaps == () for r in rows)


def test_wide_never_merges_two_figures_for_one_cell(tmp_path):
    base = kb(tmp_path,
              F("a-1", "trade_value", "100", "亿元", period="2023"),
              F("a-2", "trade_value", "101", "亿元", period="2023"),  # a second report
              F("a-plan", "trade_value", "120", "亿元", period="2023", status="target"),
              F("b-cny", "trade_value", "50", "亿元", period="2023", entity="district-b"),
              F("b-usd", "trade_value", "7", "亿美元", period="2023", entity="district-b"),
              F("a-22", "trade_value", "90", "亿元", period="2022"))
    rows = series(base, "trade_value", base.facts)
    entities, table = wide(rows)
    assert entities == ["district-a", "district-b"]
    got = [(str(w.period), w.status, w.unit, {e: r.id for e, r in w.cells.items()})
           for w in table]
    assert got == [
        ("2022", "actual", "亿元", {"district-a": "a-22"}),
        ("2023", "actual", "亿元", {"district-a": "a-1", "district-b": "b-cny"}),
        ("2023", "actual", "亿元", {"district-a": "a-2"}),  # its own row: never merged
        ("2023", "target", "亿元", {"district-a": "a-plan"}),
        ("2023", "actual", "亿美元", {"district-b": "b-usd"}),
    ]
    # nothing dropped
    assert sorted(r.id for w in table for r in w.cells.values()) == sorted(f.id for f in base.facts)


# ---------------------------------------------------------------- 4. numbers
@pytest.mark.parametrize(("value", "half"), [
    ("148", "0.5"), ("17.97", "0.005"), ("1.50", "0.005"), ("0.1", "0.05"), ("5000", "0.5"),
])
def test_half_unit(value, half):
    assert nb.half_unit(D(value)) == D(half)


def test_figure_bounds_leave_one_side_open():
    exact = nb.figure(D("100"))
    assert (exact.low, exact.high, exact.bound) == (D("99.5"), D("100.5"), Bound.exact)
    lower = nb.figure(D("100"), Bound.lower)  # 超100: at least 99.5, no top
    assert (lower.low, lower.high, lower.bound) == (D("99.5"), None, Bound.lower)
    upper = nb.figure(D("100"), Bound.upper)  # 不到100: no bottom
    assert (upper.low, upper.high, upper.bound) == (None, D("100.5"), Bound.upper)
    counted = nb.figure(D("407"), exact_value=True)
    assert (counted.low, counted.high, counted.half_width) == (D("407"), D("407"), 0)
    # a range 10-15 (printed to units): 9.5 .. 15.5, nominal the middle
    ranged = nb.figure(D("10"), value_max=D("15"))
    assert (ranged.value, ranged.low, ranged.high) == (D("12.5"), D("9.5"), D("15.5"))


def _div(a, b):
    return nb.CONTEXT.divide(a, b)


def test_evaluate_lower_numerator_gives_a_lower_bound():
    # 超100 / 4 (exact): at least 99.5 / 4 = 24.875, no top
    r = nb.evaluate(_div, [nb.figure(D("100"), Bound.lower), nb.figure(D("4"), exact_value=True)])
    assert r.bound is Bound.lower
    assert r.value == D("25") and r.low == D("24.875") and r.high is None


def test_evaluate_lower_denominator_gives_an_upper_bound():
    # 100 (exact) / 超4: at most 100 / 3.5 ≈ 28.57, no bottom
    r = nb.evaluate(_div, [nb.figure(D("100"), exact_value=True), nb.figure(D("4"), Bound.lower)])
    assert r.bound is Bound.upper
    assert r.low is None and r.value == D("25")
    assert abs(r.high - D("28.5714285714")) < D("1e-9")


def test_evaluate_opposite_bounds_through_a_sum_has_no_bound():
    lower, upper = nb.figure(D("10"), Bound.lower), nb.figure(D("5"), Bound.upper)
    assert nb.evaluate(lambda a, b: a + b, [lower, upper]) is None
    assert nb.add([lower, upper]) is None
    # lower − upper moves the same way for both: a lower bound
    diff = nb.evaluate(lambda a, b: a - b, [lower, upper])
    assert diff.bound is Bound.lower and diff.high is None


def test_evaluate_division_by_zero_is_none():
    assert nb.evaluate(_div, [nb.figure(D("1")), nb.figure(D("0"), exact_value=True)]) is None


def test_add_exact_and_lower_is_lower():
    # 100 (99.5..100.5) + 超50 (49.5..): at least 149, no top
    s = nb.add([nb.figure(D("100")), nb.figure(D("50"), Bound.lower)])
    assert s.bound is Bound.lower and s.value == D("150") and s.low == D("149") and s.high is None
    t = nb.add([nb.figure(D("100")), nb.figure(D("50"), Bound.approx)])
    assert t.bound is Bound.approx and (t.low, t.high) == (D("149"), D("151"))
    u = nb.add([nb.figure(D("100"), exact_value=True, discrete=True),
                nb.figure(D("50"), exact_value=True, discrete=True)])
    assert u.bound is Bound.exact and u.discrete and (u.low, u.high) == (D("150"), D("150"))


def test_rounded_implied_prior_of_an_approximate_amount(tmp_path):
    # 约148 / (1 + 17.97 %) = 125.455…; the interval 147.5/1.17975 = 125.03 ..
    # 148.5/1.17965 = 125.88 is ±0.43, so one decimal: 125.5
    base = kb(tmp_path, F("v", "trade_value", "148", "亿元", period="2023", bound="approx",
                          change="17.97"))
    f = get(base, "v")
    fig = nb.of_fact(f, base)
    assert (fig.low, fig.high, fig.bound, fig.discrete) == (D("147.5"), D("148.5"), Bound.approx,
                                                             False)
    g = nb.percent_change(f)
    assert (g.low, g.high) == (D("17.965"), D("17.975"))
    r = nb.evaluate(lambda v, c: _div(v, nb.factor(c)), [fig, g])
    assert nb.rounded(r) == D("125.5")
    assert str(nb.rounded(r)) == "125.5"
    lo, hi = nb.rounded_interval(r)
    assert lo <= D("125.03") and hi >= D("125.88")


def test_rounded_implied_prior_of_a_count_is_a_whole_number(tmp_path):
    # 407 列 is a count printed in full: exactly 407. 407 / 2.1649 = 187.9994…, interval
    # 407/2.16495 = 187.995 .. 407/2.16485 = 188.004: a count rounds to whole trains, 188
    base = kb(tmp_path, F("t", "trains_run", "407", "列", period="2023-01..2023-05",
                          change="116.49"))
    f = get(base, "t")
    fig = nb.of_fact(f, base)
    assert (fig.low, fig.high, fig.discrete) == (D("407"), D("407"), True)
    r = nb.evaluate(lambda v, c: _div(v, nb.factor(c)), [fig, nb.percent_change(f)],
                    discrete=fig.discrete)
    assert nb.rounded(r) == D("188") and str(nb.rounded(r)) == "188"


def test_of_fact_in_base_and_targets_exact(tmp_path):
    base = kb(tmp_path,
              F("m", "investment", "1.5", "亿元", period="2023"),
              F("plan", "investment", "148", "亿元", period="2023", status="target"))
    inb = nb.of_fact(get(base, "m"), base, in_base=True)
    # 1.5 ± 0.05 亿元 = 145 000 000 .. 155 000 000 CNY
    assert (inb.value, inb.low, inb.high) == (D("150000000"), D("145000000"), D("155000000"))
    wan = nb.in_unit(get(base, "m"), base, "万元")
    assert (wan.value, wan.low, wan.high) == (D("15000"), D("14500"), D("15500"))
    plan = nb.of_fact(get(base, "plan"), base)  # a target is a number someone set: exact
    assert (plan.low, plan.high) == (D("148"), D("148"))


# ---------------------------------------------------------------- 5. derive
def test_implied_prior_of_a_year(tmp_path):
    base = kb(tmp_path, F("v23", "trade_value", "148", "亿元", period="2022", bound="approx",
                          change="17.97"))
    d = implied_prior(base, get(base, "v23"))
    assert str(d.period) == "2021"
    assert d.value == D("125.5") and d.unit == "亿元"
    assert d.bound is Bound.approx  # 约 in, 约 out
    assert d.id == "v23~implied-prior" and d.inputs == ("v23",)
    assert d.derivation == "implied_prior" and d.status == "derived"
    assert d.kind is MetricKind.flow and d.metric == "trade_value"
    assert d.formula == "148 / (1 + 17.97 %) = 125.5"
    assert d.source == "test-source"


def test_implied_prior_of_jan_to_may(tmp_path):
    base = kb(tmp_path, F("t", "trains_run", "407", "列", period="2023-01..2023-05",
                          change="116.49"))
    d = implied_prior(base, get(base, "t"))
    assert str(d.period) == "2022-01..2022-05"
    assert d.value == D("188") and d.unit == "列"
    assert d.formula == "407 / (1 + 116.49 %) = 188"


def test_implied_prior_of_a_level_as_of(tmp_path):
    # 120 个 at +20 %: 120 / 1.2 = 100 (120/1.205 = 99.59 .. 120/1.195 = 100.42: whole: 100)
    base = kb(tmp_path, F("e", "enterprises", "120", "个", as_of="2022", change="20"))
    d = implied_prior(base, get(base, "e"))
    assert str(d.period) == "as of 2021" and d.period.is_point
    assert d.value == D("100") and d.kind is MetricKind.level


def test_implied_prior_of_a_lower_bound_is_a_lower_bound(tmp_path):
    # 超200 / 1.25: at least 199.5 / 1.255 = 158.96, no top
    base = kb(tmp_path, F("v", "trade_value", "200", "亿元", period="2022", bound="lower",
                          change="25"))
    d = implied_prior(base, get(base, "v"))
    assert d.bound is Bound.lower and d.high is None
    assert abs(d.low - D("158.964")) < D("0.001")


@pytest.mark.parametrize(("metric", "unit", "when", "status", "basis"), [
    ("trade_value", "亿元", {"period": "2022"}, "target", "yoy"),
    ("trade_value", "亿元", {"period": "2022"}, "forecast", "yoy"),
    ("trade_growth", "%", {"period": "2022"}, "actual", "yoy"),
    ("trade_share", "%", {"period": "2022"}, "actual", "yoy"),
    ("trade_value", "亿元", {"period": "2016..2020"}, "actual", "annual_average"),
])
def test_no_implied_prior(tmp_path, metric, unit, when, status, basis):
    base = kb(tmp_path, F("x", metric, "40", unit, status=status, change="10", basis=basis,
                          **when))
    assert implied_prior(base, get(base, "x")) is None
    assert [d for d in derive_all(base) if d.derivation == "implied_prior"] == []


def test_growth_and_average_growth_between_two_years(tmp_path):
    base = kb(tmp_path,
              F("v15", "trade_value", "682.7", "亿元", period="2015"),
              F("v19", "trade_value", "1036.7", "亿元", period="2019"))
    a, b = get(base, "v15", "v19")
    g, avg = growth(base, a, b)
    # 1036.7 / 682.7 = 1.518529…: +51.85 % (interval 1036.65/682.75 .. 1036.75/682.65 =
    # 51.83 .. 51.87 %, so two decimals)
    assert g.derivation == "growth" and g.unit == "%" and g.kind is MetricKind.rate
    assert g.value == D("51.85")
    assert g.low < D("51.85") < g.high and g.high - g.low < D("0.05")
    assert str(g.period) == "2015..2019"
    assert g.id == "v19~growth-from-v15" and g.inputs == ("v15", "v19")
    assert g.formula == "1036.7 / 682.7 − 1 = 51.85 %"
    # (1036.7 / 682.7)^(1/4) − 1 = 1.11008… − 1 ≈ 11.01 %
    assert avg.derivation == "average_growth"
    assert abs(avg.value - D("11.01")) < D("0.005")
    assert avg.formula.startswith("(1036.7 / 682.7)^(1/4) − 1 = ")
    assert avg.id == "v19~average-growth-from-v15"
    assert {d.id for d in derive_all(base)} == {g.id, avg.id}


def test_growth_between_like_periods_one_year_apart(tmp_path):
    # Jan–May 2022 → Jan–May 2023: growth, and no average (one year)
    base = kb(tmp_path,
              F("m22", "trains_run", "188", "列", period="2022-01..2022-05"),
              F("m23", "trains_run", "407", "列", period="2023-01..2023-05"))
    (g,) = growth(base, *get(base, "m22", "m23"))
    # exact counts: 407 / 188 − 1 = 116.4893…%, an exact interval; shown to four
    # significant digits: 116.5
    assert g.low == g.high and abs(g.low - D("116.4894")) < D("0.0001")
    assert g.value == D("116.5") and g.bound is Bound.exact
    assert str(g.period) == "2022-01..2023-05"


def test_no_growth_between_unlike_periods(tmp_path):
    base = kb(tmp_path,
              F("y22", "trains_run", "536", "列", period="2022"),
              F("m23", "trains_run", "407", "列", period="2023-01..2023-05"))
    assert growth(base, *get(base, "y22", "m23")) == []
    assert [d for d in derive_all(base) if d.derivation in ("growth", "average_growth")] == []


def test_growth_of_a_level_between_two_dates(tmp_path):
    # 100 → 150 enterprises: +50 % exactly (counts)
    base = kb(tmp_path,
              F("e0", "enterprises", "100", "个", as_of="2021-12-31"),
              F("e1", "enterprises", "150", "个", as_of="2023-05-31"))
    (g,) = growth(base, *get(base, "e0", "e1"))
    assert g.value == D("50") and g.bound is Bound.exact


def test_increment_of_a_cumulative_names_the_flow(tmp_path):
    # 1407 − 1000 = 407 trains between the two dates
    base = kb(tmp_path,
              F("c0", "trains_total", "1000", "列", as_of="2022-12-31"),
              F("c1", "trains_total", "1407", "列", as_of="2023-05-31"))
    d = increment(base, *get(base, "c0", "c1"))
    assert d.derivation == "increment"
    assert d.metric == "trains_run" and d.kind is MetricKind.flow
    assert d.value == D("407") and d.unit == "列" and d.low == d.high == D("407")
    assert d.inputs == ("c0", "c1") and d.id == "c1~increment-from-c0"
    assert "1407 (as of 2023-05-31) − 1000 (as of 2022-12-31) = 407" == d.formula
    assert str(d.period.end) == "2023-05-31"
    # a running total's growth since the start says nothing: derive_all gives no growth
    assert [x.derivation for x in derive_all(base)] == ["increment"]
    # reversed dates: no increment
    assert increment(base, *get(base, "c1", "c0")) is None


def test_share_of_a_child_in_its_parent(tmp_path):
    # 30 / 120 = 25 %; printed to units, 29.5/120.5 = 24.48 .. 30.5/119.5 = 25.52 (±0.52):
    # one decimal, 25.0
    base = kb(tmp_path,
              F("a23", "trade_value", "30", "亿元", period="2023", entity="district-a"),
              F("c23", "trade_value", "120", "亿元", period="2023", entity="city"),
              F("e23", "trade_value", "40", "亿元", period="2023", entity="elsewhere"),
              F("c-plan", "trade_value", "200", "亿元", period="2023", entity="city",
                status="target"),
              F("a22", "trade_value", "20", "亿元", period="2022", entity="district-a"),
              F("c22", "trade_value", "80", "亿元", period="2022", entity="city"))
    shares = [d for d in derive_all(base) if d.derivation == "share"]
    # the district in the city, each year; never in a target, another year or an entity
    # outside (elsewhere)
    assert sorted(d.inputs for d in shares) == [("a22", "c22"), ("a23", "c23")]
    (d,) = [d for d in shares if d.inputs == ("a23", "c23")]
    assert d.value == D("25.0") and str(d.value) == "25.0"
    assert d.unit == "%" and d.kind is MetricKind.share and d.bound is Bound.exact
    assert d.metric == "trade_value" and d.entity == "district-a" and str(d.period) == "2023"
    assert d.status == "derived" and d.id and d.source == "test-source"
    assert d.formula == "30 / 120 = 25 %"  # printed without trailing zeros
    assert d.low < D("24.5") and d.high > D("25.5")
    # 20 / 80 = 25 %, 19.5/80.5 = 24.22 .. 20.5/79.5 = 25.79: 25.0 again
    (d22,) = [d for d in shares if d.inputs == ("a22", "c22")]
    assert d22.value == D("25.0") and str(d22.period) == "2022"


def test_shares_of_two_children_in_one_parent_are_both_derived(tmp_path):
    base = kb(tmp_path,
              F("a23", "trade_value", "30", "亿元", period="2023", entity="district-a"),
              F("b23", "trade_value", "40", "亿元", period="2023", entity="district-b"),
              F("c23", "trade_value", "120", "亿元", period="2023", entity="city"))
    shares = [d for d in derive_all(base) if d.derivation == "share"]
    # 30 / 120 = 25.0 %; 40 / 120 = 33.3 % (39.5/120.5 = 32.78 .. 40.5/119.5 = 33.89)
    assert sorted((d.inputs, d.value) for d in shares) == [
        (("a23", "c23"), D("25.0")), (("b23", "c23"), D("33.3"))]
    assert len({d.id for d in shares}) == 2


def test_shares_of_the_parts_of_a_stated_sum_are_all_derived(tmp_path):
    base = kb(tmp_path,
              F("started", "projects_started", "62", "个", period="2023"),
              F("completed", "projects_completed", "41", "个", period="2023"),
              F("total", "projects_total", "103", "个", period="2023",
                relation=("sum", ["started", "completed"])))
    shares = [d for d in derive_all(base) if d.derivation == "share"]
    # exact counts: 62 / 103 = 60.19 %, 41 / 103 = 39.81 %
    assert sorted((d.inputs, d.value) for d in shares) == [
        (("completed", "total"), D("39.81")), (("started", "total"), D("60.19"))]


def test_growth_between_like_periods_with_other_periods_between(tmp_path):
    base = kb(tmp_path,
              F("y21", "trains_run", "300", "列", period="2021"),
              F("jm22", "trains_run", "188", "列", period="2022-01..2022-05"),
              F("y22", "trains_run", "536", "列", period="2022"),
              F("jm23", "trains_run", "407", "列", period="2023-01..2023-05"))
    got = sorted(d.inputs for d in derive_all(base) if d.derivation == "growth")
    # 536 / 300 − 1 = 78.67 %; 407 / 188 − 1 = 116.5 %
    assert got == [("jm22", "jm23"), ("y21", "y22")]


def test_growth_formula_across_units_is_true_arithmetic(tmp_path):
    # 1 亿元 = 10000 万元 → 12000 万元: +20 %
    base = kb(tmp_path,
              F("a", "trade_value", "1", "亿元", period="2022"),
              F("b", "trade_value", "12000", "万元", period="2023"))
    (g,) = growth(base, *get(base, "a", "b"))
    assert g.value == 20
    assert not g.formula.startswith("12000 / 1 − 1")


# ---------------------------------------------------------------- 6. targets
def test_flow_target_progress_and_pace(tmp_path):
    base = kb(tmp_path,
              F("plan", "trains_run", "1000", "列", period="2023", status="target"),
              F("jan-may", "trains_run", "407", "列", period="2023-01..2023-05"),
              F("other", "trains_run", "999", "列", period="2023-01..2023-05",
                entity="district-b"))
    r = target_row(base, get(base, "plan"))
    assert [f.id for f in r.actuals] == ["jan-may"]
    assert r.actual.value == D("407") and r.as_of == "2023-05"
    # 407 / 1000 = 40.7 %, exactly (a count and a target are exact)
    assert r.progress.value == D("40.7") and r.progress.low == r.progress.high
    assert r.elapsed == Fraction(5, 12)
    # 40.7 % < 5/12 = 41.67 %: behind
    assert r.pace == "behind"
    assert r.remaining.value == D("593")  # 1000 − 407
    # 407 − 1000 × 5/12 = 407 − 416.67 = −9.67
    assert abs(r.pace_gap.value - D("-9.6667")) < D("0.0001")
    assert r.note == ""


def test_flow_target_sums_a_chain_of_contiguous_flows(tmp_path):
    base = kb(tmp_path,
              F("plan", "trains_run", "1000", "列", period="2023", status="target"),
              F("q1", "trains_run", "200", "列", period="2023-01..2023-03"),
              F("q2", "trains_run", "300", "列", period="2023-04..2023-06"),
              F("jan-may", "trains_run", "407", "列", period="2023-01..2023-05"))
    r = target_row(base, get(base, "plan"))
    # Q1 + Q2 reach further (June) than Jan–May: 200 + 300 = 500, half the year
    assert [f.id for f in r.actuals] == ["q1", "q2"]
    assert r.actual.value == D("500") and r.as_of == "2023-06"
    assert r.elapsed == Fraction(1, 2)
    assert r.progress.value == D("50")
    assert r.pace == "on pace"  # 50 % ≥ 6/12
    assert r.remaining.value == D("500")


def test_flow_target_without_actual_in_its_period(tmp_path):
    base = kb(tmp_path,
              F("plan", "trains_run", "1000", "列", period="2023", status="target"),
              F("last-year", "trains_run", "900", "列", period="2022"))
    r = target_row(base, get(base, "plan"))
    assert r.note == "no actual in the period"
    assert r.actual is None and r.progress is None and r.pace is None and r.actuals == ()


def test_flow_target_with_actuals_not_from_its_start(tmp_path):
    base = kb(tmp_path,
              F("plan", "trains_run", "1000", "列", period="2023", status="target"),
              F("mar-may", "trains_run", "300", "列", period="2023-03..2023-05"))
    r = target_row(base, get(base, "plan"))
    assert r.actual is None and r.pace is None
    assert r.note == "the actuals in the period do not run from its start: 2023-03..2023-05"


def test_flow_target_met(tmp_path):
    base = kb(tmp_path,
              F("plan", "trains_run", "1000", "列", period="2023", status="target"),
              F("year", "trains_run", "1050", "列", period="2023"))
    r = target_row(base, get(base, "plan"))
    assert r.pace == "met" and r.progress.value == D("105") and r.elapsed == 1
    assert r.remaining.value == D("-50")


def test_flow_target_in_another_unit_of_its_base(tmp_path):
    # target 2 亿元; actual 5000 万元 in Jan–Mar = 0.5 亿元: 25 % after 3/12 of the year
    base = kb(tmp_path,
              F("plan", "investment", "2", "亿元", period="2023", status="target"),
              F("q1", "investment", "5000", "万元", period="2023-01..2023-03"))
    r = target_row(base, get(base, "plan"))
    assert r.actual.value == D("0.5")
    assert r.progress.value == D("25") and r.elapsed == Fraction(1, 4)
    # 4999.5..5000.5 万元: progress 24.9975 .. 25.0025 around due 25 %: uncertain
    assert r.pace == "uncertain"


def test_level_target_compares_the_latest_level(tmp_path):
    base = kb(tmp_path,
              F("plan", "enterprises", "200", "个", as_of="2025", status="target"),
              F("e22", "enterprises", "120", "个", as_of="2022"),
              F("e23", "enterprises", "150", "个", as_of="2023-05"),
              F("b23", "enterprises", "190", "个", as_of="2023-06", entity="district-b"))
    r = target_row(base, get(base, "plan"))
    assert [f.id for f in r.actuals] == ["e23"] and r.as_of == "2023-05"
    assert r.progress.value == D("75")  # 150 / 200
    assert r.remaining.value == D("50")
    assert r.pace is None and r.elapsed is None and r.pace_gap is None
    assert r.note == "a level: progress only, no pace (it does not start from zero)"


def test_targets_for_lists_only_targets_in_period_order(tmp_path):
    base = kb(tmp_path,
              F("plan-24", "trains_run", "1200", "列", period="2024", status="target"),
              F("plan-23", "trains_run", "1000", "列", period="2023", status="target"),
              F("jan-may", "trains_run", "407", "列", period="2023-01..2023-05"),
              F("fc", "trains_run", "1100", "列", period="2023", status="forecast"))
    rows = targets_for(base, FactQuery())
    assert [r.target.id for r in rows] == ["plan-23", "plan-24"]
    assert rows[0].pace == "behind"
    assert rows[1].note == "no actual in the period"


# ---------------------------------------------------------------- 7. audit
def _check(base: FactBase, cid: str):
    found = [c for c in audit(base) if c.id == cid]
    assert len(found) == 1, [c.id for c in audit(base)]
    return found[0]


def _assert_holds(c, holds: bool):
    assert c.holds is holds
    if holds:
        assert c.gap == 0
    else:
        assert c.gap > 0


@pytest.mark.parametrize(("total", "holds", "gap"), [("103", True, 0), ("105", False, 2)])
def test_audit_relation_sum(tmp_path, total, holds, gap):
    # 62 started + 41 completed = 103 projects, exactly (counts)
    base = kb(tmp_path,
              F("started", "projects_started", "62", "个", period="2023"),
              F("completed", "projects_completed", "41", "个", period="2023"),
              F("total", "projects_total", total, "个", period="2023",
                relation=("sum", ["started", "completed"])))
    c = _check(base, "sum:total")
    assert c.kind == "parts" and c.inputs == ("started", "completed") and c.reported == "total"
    assert c.computed.value == D("103")
    _assert_holds(c, holds)
    assert c.gap == gap
    assert c.computation == f"62 + 41 = 103; reported {total}"


@pytest.mark.parametrize(("pct", "count", "holds"), [
    # 62.9 % × 62 = 38.998 (62.85..62.95 % → 38.967..39.029): 39 projects
    ("62.9", "62", True),
    # 50.5 % × 7 = 3.535 (50.45..50.55 % → 3.5315..3.5385): no whole number
    ("50.5", "7", False),
])
def test_audit_share_of_a_count(tmp_path, pct, count, holds):
    base = kb(tmp_path,
              F("started", "projects_started", count, "个", period="2023"),
              F("share", "started_share", pct, "%", period="2023",
                relation=("share", ["started"])))
    c = _check(base, "share:share")
    assert c.kind == "share" and c.relation == "whole"
    _assert_holds(c, holds)
    if holds:
        assert "whole numbers within the precision: 39" in c.computation
    else:
        assert "whole numbers within the precision: none" in c.computation
        assert c.gap == D("0.465")  # |3.535 − 4|


def test_audit_share_of_an_amount_is_not_checked(tmp_path):
    # a share of 亿元 can be any amount: no whole-number check
    base = kb(tmp_path,
              F("v", "trade_value", "7", "亿元", period="2023"),
              F("share", "trade_share", "50.5", "%", period="2023", relation=("share", ["v"])))
    assert [c for c in audit(base) if c.kind == "share"] == []


@pytest.mark.parametrize(("increase", "holds"), [
    # 约148 − 约148 / 1.1797 = 22.545 (22.46 .. 22.63); 约22.5 is 22.45..22.55: agree
    ("22.5", True),
    ("30", False),
])
def test_audit_increase_from_one_fact_and_its_change(tmp_path, increase, holds):
    base = kb(tmp_path,
              F("v", "trade_value", "148", "亿元", period="2023", bound="approx", change="17.97"),
              F("inc", "trade_increase", increase, "亿元", period="2023", bound="approx",
                relation=("increase", ["v"])))
    c = _check(base, "increase:inc")
    assert c.kind == "change"
    assert abs(c.computed.value - D("22.545")) < D("0.001")
    _assert_holds(c, holds)
    if not holds:
        # 29.5 (the lowest 约30 may be) − 22.626 (the highest computed)
        assert abs(c.gap - D("6.874")) < D("0.001")


def test_audit_increase_between_two_facts(tmp_path):
    # 53 − 11 = 42 亿元 (52.5 − 11.5 = 41 .. 53.5 − 10.5 = 43); reported 50: 49.5 − 43 = 6.5
    base = kb(tmp_path,
              F("v15", "trade_value", "11", "亿元", period="2015"),
              F("v20", "trade_value", "53", "亿元", period="2020"),
              F("inc", "trade_increase", "50", "亿元", period="2015..2020",
                relation=("increase", ["v15", "v20"])))
    c = _check(base, "increase:inc")
    _assert_holds(c, False)
    assert c.gap == D("6.5")


@pytest.mark.parametrize(("reported", "holds"), [
    # 53 / 11 − 1 = 381.8 %; interval 52.5/11.5 − 1 = 356.52 % .. 53.5/10.5 − 1 = 409.52 %
    ("350", False),
    ("400", True),
])
def test_audit_growth_relation(tmp_path, reported, holds):
    base = kb(tmp_path,
              F("v15", "trade_value", "11", "亿元", period="2015"),
              F("v20", "trade_value", "53", "亿元", period="2020"),
              F("g", "trade_growth", reported, "%", period="2015..2020",
                relation=("growth", ["v15", "v20"])))
    c = _check(base, "growth:g")
    assert c.kind == "change"
    assert abs(c.computed.value - D("381.818")) < D("0.001")
    _assert_holds(c, holds)
    if not holds:
        # 356.5217 − 350.5 = 6.0217
        assert abs(c.gap - D("6.0217")) < D("0.0001")


@pytest.mark.parametrize(("reported", "holds", "gap"), [
    # (53 − 11) / 5 years = 8.4 a year, exactly (counts); 8.4 as printed is 8.35..8.45
    ("8.4", True, D(0)),
    # 10 个 is a count printed in full: exactly 10, 1.6 above 8.4
    ("10", False, D("1.6")),
])
def test_audit_average_increase(tmp_path, reported, holds, gap):
    base = kb(tmp_path,
              F("e15", "enterprises", "11", "个", as_of="2015"),
              F("e20", "enterprises", "53", "个", as_of="2020"),
              F("avg", "enterprises_added_yearly", reported, "个", as_of="2020",
                relation=("average_increase", ["e15", "e20"])))
    c = _check(base, "average_increase:avg")
    assert c.kind == "average" and c.computed.value == D("8.4")
    _assert_holds(c, holds)
    assert c.gap == gap


@pytest.mark.parametrize(("prior", "holds"), [
    # 148 / 125 − 1 = 18.4 % (147.5/125.5 − 1 = 17.53 % .. 148.5/124.5 − 1 = 19.28 %),
    # reported 17.97 % lies inside
    ("125", True),
    # 148 / 100 − 1 = 48 %: far from 17.97 %
    ("100", False),
])
def test_audit_change_against_a_reported_prior_year(tmp_path, prior, holds):
    base = kb(tmp_path,
              F("v22", "trade_value", prior, "亿元", period="2022"),
              F("v23", "trade_value", "148", "亿元", period="2023", change="17.97"))
    c = _check(base, "change:v23:v22")
    assert c.kind == "change" and c.inputs == ("v22", "v23") and c.unit == "%"
    assert (c.against.low, c.against.high) == (D("17.965"), D("17.975"))
    _assert_holds(c, holds)
    if not holds:
        # lowest computed 147.5 / 100.5 − 1 = 46.766 %, minus 17.975
        assert abs(c.gap - D("28.7912")) < D("0.0001")


@pytest.mark.parametrize(("b_value", "holds"), [
    # 60 + 30 = 90 (89..91) ≤ 100 (99.5..100.5)
    ("30", True),
    # 60 + 50 = 110 (109..111) > 100.5: 8.5 over
    ("50", False),
])
def test_audit_parts_inside_a_parent(tmp_path, b_value, holds):
    base = kb(tmp_path,
              F("city", "trade_value", "100", "亿元", period="2023", entity="city"),
              F("a", "trade_value", "60", "亿元", period="2023", entity="district-a"),
              F("b", "trade_value", b_value, "亿元", period="2023", entity="district-b"),
              # inside district-a: already counted in it, never added again
              F("z", "trade_value", "40", "亿元", period="2023", entity="zone-a"))
    c = _check(base, "parts:city")
    assert c.kind == "parts" and c.relation == "≤"
    assert set(c.inputs) == {"a", "b"}
    _assert_holds(c, holds)
    if not holds:
        assert c.gap == D("8.5")
    # district-a holds zone-a's 40 within its 60
    _assert_holds(_check(base, "parts:a"), True)


@pytest.mark.parametrize(("later_total", "holds"), [
    # 1400 − 1000 = 400 ≥ 200 + 150 = 350
    ("1400", True),
    # 1300 − 1000 = 300 < 350: 50 short
    ("1300", False),
])
def test_audit_cumulative_against_the_flows_inside(tmp_path, later_total, holds):
    base = kb(tmp_path,
              F("c0", "trains_total", "1000", "列", as_of="2022-12-31"),
              F("c1", "trains_total", later_total, "列", as_of="2023-06-30"),
              F("q1", "trains_run", "200", "列", period="2023-01..2023-03"),
              F("q2", "trains_run", "150", "列", period="2023-04..2023-06"))
    c = _check(base, "cumulative:c1")
    assert c.kind == "cumulative" and c.inputs == ("c0", "q1", "q2")
    assert c.computed.value == D("350")
    _assert_holds(c, holds)
    if not holds:
        assert c.gap == D("50")
    # nothing flows before c0: no check for it
    assert [x for x in audit(base) if x.id == "cumulative:c0"] == []


def test_audit_cumulative_since_the_start(tmp_path):
    # flows up to 2022 total 600 + 500 = 1100 > a running total of 1000: fails by 100
    base = kb(tmp_path,
              F("c", "trains_total", "1000", "列", as_of="2022-12-31"),
              F("y21", "trains_run", "600", "列", period="2021"),
              F("y22", "trains_run", "500", "列", period="2022"))
    c = _check(base, "cumulative:c")
    assert c.inputs == ("y21", "y22")
    _assert_holds(c, False)
    assert c.gap == D("100")


@pytest.mark.parametrize(("first", "second", "unit2", "holds"), [
    ("148", "148.3", "亿元", True),  # 147.5..148.5 and 148.25..148.35 agree
    ("148", "1480000", "万元", True),  # the same amount in 万元
    ("148", "150", "亿元", False),  # 149.5 − 148.5 = 1 apart
])
def test_audit_duplicates(tmp_path, first, second, unit2, holds):
    base = kb(tmp_path,
              F("r1", "trade_value", first, "亿元", period="2023"),
              F("r2", "trade_value", second, unit2, period="2023"))
    c = _check(base, "duplicate:r1:r2")
    assert c.kind == "duplicate"
    _assert_holds(c, holds)
    if not holds:
        assert c.gap == D("1")


def test_audit_order_and_scope(tmp_path):
    base = kb(tmp_path,
              F("r1", "trade_value", "148", "亿元", period="2023"),
              F("r2", "trade_value", "150", "亿元", period="2023"),
              F("started", "projects_started", "62", "个", period="2023"),
              F("share", "started_share", "62.9", "%", period="2023",
                relation=("share", ["started"])))
    checks = audit(base)
    assert [c.kind for c in checks] == ["share", "duplicate"]
    # restricted to some facts: only their checks
    assert [c.id for c in audit(base, [get(base, "share")])] == ["share:share"]


# ---------------------------------------------------------------- 8. the loader's checks
def _line(path: Path, start: str) -> int:
    for number, line in enumerate(path.read_text(encoding="utf-8").split("\n"), start=1):
        if line.startswith(start):
            return number
    raise AssertionError(start)


def _load_bad(tmp_path: Path, bad: str, *, vocab_extra: str = ""):
    d = tmp_path / "kb"
    write_toml(d, "vocab.toml", VOCAB + METRICS + vocab_extra)
    path = write_toml(d, "bad.toml", bad)
    base, problems = load([d])
    return path, base, problems


_GOOD = (F("started", "projects_started", "62", "个", period="2023")
         + F("completed", "projects_completed", "41", "个", period="2023"))


@pytest.mark.parametrize(("metric", "unit", "relation", "field", "code", "message"), [
    ("projects_total", "个", 'relation = { kind = "product", of = ["started"] }',
     "relation.kind", "bad-choice",
     "relation.kind must be one of sum, share, increase, growth, average_increase"),
    # a share in % (so only the arity is wrong) naming two facts
    ("started_share", "%", 'relation = { kind = "share", of = ["started", "completed"] }',
     "relation.of", "bad-value", "a share relation names 1 fact(s), not 2"),
    ("projects_total", "个", 'relation = { kind = "sum", of = ["started", "no-such-fact"] }',
     "relation.of", "unknown-ref", "unknown fact 'no-such-fact'"),
    # a share stated in 个, not in %
    ("projects_total", "个", 'relation = { kind = "share", of = ["started"] }',
     "relation", "bad-relation", "a share is stated in %, not in 个"),
    # an increase from one fact that carries no % yoy change
    ("projects_total", "个", 'relation = { kind = "increase", of = ["started"] }',
     "relation", "bad-relation", "'started' has none"),
], ids=["unknown-kind", "share-arity", "unknown-fact", "share-not-percent",
        "increase-without-change"])
def test_loader_checks_relations(tmp_path, metric, unit, relation, field, code, message):
    bad = _GOOD + F("probe", metric, "103", unit, period="2023") \
        .replace('status = "actual"\n', f'status = "actual"\n{relation}\n')
    path, base, problems = _load_bad(tmp_path, bad)
    assert [(p.field, p.code) for p in problems] == [(field, code)], [str(p) for p in problems]
    (p,) = problems
    assert p.file == str(path)
    assert p.line == _line(path, "relation = ")
    assert message in p.message
    assert "probe" in p.message
    assert {f.id for f in base.facts} == {"started", "completed"}  # the bad fact is left out


@pytest.mark.parametrize(("discrete", "scale", "code", "message"), [
    ("true", "10000", "bad-value", "only a unit of scale 1 counts whole things"),
    ("true", "1e4", "bad-value", "only a unit of scale 1 counts whole things"),
    ('"yes"', "1", "type-error", "discrete must be true or false"),
])
def test_loader_checks_discrete(tmp_path, discrete, scale, code, message):
    unit = (f'[[unit]]\nid = "万列"\nname_zh = "万列"\nname_en = "10k trains"\n'
            f'scale = {scale}\nbase = "count"\ndiscrete = {discrete}\n')
    path, base, problems = _load_bad(tmp_path, unit)
    assert [(p.field, p.code) for p in problems] == [("discrete", code)], \
        [str(p) for p in problems]
    (p,) = problems
    assert p.file == str(path) and p.line == _line(path, "discrete = ")
    assert message in p.message and "万列" in p.message
    assert "万列" not in base.units
    assert base.units["列"].discrete is True and base.units["亿元"].discrete is False


# ---------------------------------------------------------------- red-team regressions
def test_increment_covers_the_days_after_the_earlier_total(tmp_path):
    # a total as of 2021-12-31 already holds that day: 12 − 10 covers 2022 exactly
    base = kb(tmp_path,
              F("c0", "trains_total", "10", "列", as_of="2021-12-31"),
              F("c1", "trains_total", "12", "列", as_of="2022-12-31"))
    d = increment(base, *get(base, "c0", "c1"))
    assert (d.period.first_day().isoformat(), d.period.last_day().isoformat()) == \
        ("2022-01-01", "2022-12-31")
    # at month precision the increment starts the next month
    base = kb(tmp_path / "m",
              F("c0", "trains_total", "10", "列", as_of="2022-12"),
              F("c1", "trains_total", "12", "列", as_of="2023-05"))
    assert str(increment(base, *get(base, "c0", "c1")).period) == "2023-01..2023-05"


def test_a_lower_bound_target_is_a_threshold_for_progress(tmp_path):
    # 超10 trains for 2023 (target); 5 run in Jan–Jun: 50 % at 6/12: on pace only if ≥ 50 %
    base = kb(tmp_path,
              F("plan", "trains_run", "10", "列", period="2023", status="target", bound="lower"),
              F("h1", "trains_run", "5", "列", period="2023-01..2023-06"))
    r = target_row(base, get(base, "plan"))
    assert r.progress is not None and r.progress.value == D("50")
    assert r.elapsed == Fraction(1, 2) and r.pace == "on pace"


def test_rounded_never_keeps_more_than_15_significant_digits():
    from corridor_cli.analysis import numbers as nb

    tiny = nb.Figure(D("-99.999999999999999999999999999992"),
                     D("-99.999999999999999999999999999993"),
                     D("-99.999999999999999999999999999991"))
    value = nb.rounded(tiny)
    assert len(value.normalize().as_tuple().digits) <= 15
    assert float(value) == pytest.approx(-100)
