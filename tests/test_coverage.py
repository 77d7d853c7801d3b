"""coverage: which printed figures a fact base covers, ignores or lacks."""

from __future__ import annotations

from pathlib import Path

from corridor_cli.curation.coverage import (
    COVERED,
    IGNORED,
    UNCOVERED,
    article_texts,
    coverage,
    ignores_unused,
    occurrences,
    source_coverage,
    unit_strings,
)
from corridor_cli.curation.printed import find_printed
from corridor_cli.dates import PartialDate, Period
from corridor_cli.loader import fact_dirs, load
from corridor_cli.records import Event, Fact, FactBase, Ignore, Source, Status, Unit

UNITS = ("列", "亿元", "%", "家", "个")
TEXT = ("2022年，江津开行班列536列，同比增长20%。\n"
        "全区新增企业 12 家，其中外资企业 3 家。\n"
        "6月5日，举行开工活动。全年开行536列。\n"
        "责编 张三 13\n")


def fact(fid: str, quote: str, source: str = "s1", value: int = 1) -> Fact:
    year = PartialDate(2022)
    return Fact(fid, "t", "e", "m", value, "列", Status.actual, Period(year, year), "标签", "label",
                source, quote)


def event(eid: str, quote: str, source: str = "s1") -> Event:
    return Event(eid, PartialDate(2022, 6, 5), "开工", "start", "e", source, quote)


def base(facts=(), events=(), ignores=()) -> FactBase:
    source = Source("s1", "题", "title", "", "", "s1.txt")
    return FactBase(units={u: Unit(u, u, u, 1, "count") for u in UNITS}, sources={"s1": source},
                    facts=tuple(facts), events=tuple(events), ignores=tuple(ignores))


def states(result) -> list[tuple[str, str, tuple[str, ...]]]:
    return [(item.printed.printed, item.state, item.by) for item in result.items]


def test_occurrences_ignore_whitespace_and_find_every_one():
    text = "开行536\n列，后来又开行 536列。"
    assert occurrences(text, "开行536列") == [(0, 7), (11, 18)]
    assert occurrences(text, "  ") == []
    assert occurrences("aaa", "aa") == [(0, 2), (1, 3)]


def test_covered_ignored_uncovered_and_furniture():
    b = base(facts=[fact("f-536", "江津开行班列536列，同比增长20%"),
                    fact("f-12", "全区新增企业12家")],
             events=[event("e-start", "6月5日，举行开工活动")],
             ignores=[Ignore("s1", "其中外资企业 3 家", "a part of f-12, not recorded")])
    [result] = coverage(b, {"s1": TEXT}, UNITS)
    assert states(result) == [
        ("2022年", UNCOVERED, ()),
        ("536列", COVERED, ("f-536",)),
        ("20%", COVERED, ("f-536",)),
        ("12 家", COVERED, ("f-12",)),  # whitespace differs between quote and text
        ("3 家", IGNORED, ("a part of f-12, not recorded",)),
        ("6月5日", COVERED, ("e-start",)),
        ("536列", UNCOVERED, ()),  # the same figure printed again: a place of its own
    ]
    assert (result.printed, result.covered, result.ignored, result.uncovered) == (7, 4, 1, 2)
    assert (result.dates, result.dates_uncovered, result.figures_uncovered) == (2, 1, 1)
    assert result.furniture == 1 and result.furniture_items[0].reason == "page number"
    assert round(result.percent_done, 1) == round(100 * 5 / 7, 1)
    assert [item.clause for item in result.uncovered_items] == ["2022年", "全年开行536列"]


def test_a_quote_occurring_twice_covers_both_places():
    text = "全年开行536列。\n回顾：全年开行536列。"
    b = base(facts=[fact("f", "全年开行536列")])
    result = source_coverage(b, "s1", text, UNITS)
    assert states(result) == [("536列", COVERED, ("f",)), ("536列", COVERED, ("f",))]
    assert result.percent_done == 100.0


def test_a_quote_that_stops_inside_a_figure_does_not_cover_it():
    b = base(facts=[fact("f", "江津开行班列536")])
    result = source_coverage(b, "s1", TEXT, UNITS)
    assert ("536列", UNCOVERED, ()) in states(result)


def test_records_of_another_source_do_not_cover():
    b = base(facts=[fact("f", "江津开行班列536列", source="s2")],
             ignores=[Ignore("s2", "2022年", "other")])
    result = source_coverage(b, "s1", TEXT, UNITS)
    assert all(item.state == UNCOVERED for item in result.items)


def test_several_facts_cover_one_figure():
    b = base(facts=[fact("a", "江津开行班列536列"), fact("b", "开行班列536列，同比增长20%")])
    result = source_coverage(b, "s1", TEXT, UNITS)
    assert states(result)[1] == ("536列", COVERED, ("a", "b"))


def test_a_date_in_an_ignored_snippet_is_ignored():
    b = base(ignores=[Ignore("s1", "2022年，江津", "the year of every figure here")])
    result = source_coverage(b, "s1", TEXT, UNITS)
    assert states(result)[0] == ("2022年", IGNORED, ("the year of every figure here",))


def test_nothing_printed_is_done():
    result = source_coverage(base(), "s1", "没有数字。", UNITS)
    assert (result.printed, result.percent_done) == (0, 100.0)


def test_ignores_unused():
    b = base(facts=[fact("f", "江津开行班列536列")],
             ignores=[Ignore("s1", "不在文中", "stale"),
                      Ignore("s1", "举行开工活动", "no figure"),
                      Ignore("s1", "开行班列536列", "covered anyway"),
                      Ignore("s9", "536列", "unknown source"),
                      Ignore("s1", "其中外资企业 3 家", "in use")])
    stale = ignores_unused(b, {"s1": TEXT}, UNITS)
    assert [(s.ignore.reason, s.why) for s in stale] == [
        ("stale", "its text is not found in the source's text"),
        ("no figure", "its text holds no printed figure or date"),
        ("covered anyway", "every figure it holds is covered by a fact or event"),
        ("unknown source", "no text for source 's9'"),
    ]


def test_a_base_without_ignores_attribute_still_works():
    class Bare:
        facts = (fact("f", "江津开行班列536列"),)
        events = ()
        units: dict = {}  # noqa: RUF012

    result = source_coverage(Bare(), "s1", TEXT, UNITS)  # type: ignore[arg-type]
    assert states(result)[1][1] == COVERED


def test_bundled_base_each_article_counted_once():
    b, _problems = load(fact_dirs([]))
    texts = article_texts(b)
    assert set(texts) == set(b.sources)
    # the page with two articles: each article's figures once, the masthead in the second
    xiyong, sichuan = texts["ibd-2023-xiyong"], texts["ibd-2023-sichuan-ecommerce"]
    assert "4161.1" not in xiyong and "4161.1" in sichuan
    results = {r.source: r for r in coverage(b, texts)}
    assert results["ibd-2023-sichuan-ecommerce"].furniture == 8
    assert results["ibd-2023-xiyong"].furniture == 0
    whole = Path(next(iter(b.dirs))) / "texts" / b.sources["ibd-2023-xiyong"].file
    on_page = [p for p in find_printed(whole.read_text(encoding="utf-8"), unit_strings(b))
               if p.kind != "furniture"]
    assert len(on_page) == results["ibd-2023-xiyong"].printed + \
        results["ibd-2023-sichuan-ecommerce"].printed
    for r in results.values():
        assert r.covered > 0
        assert r.printed == r.covered + r.ignored + r.uncovered
