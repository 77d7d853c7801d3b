"""Pure query functions over a small fact base written into tmp_path."""

from __future__ import annotations

import datetime as dt

import pytest

from conftest import write_toml
from corridor_cli import query
from corridor_cli.dates import PartialDate
from corridor_cli.loader import load
from corridor_cli.query import FactQuery, QueryError
from corridor_cli.records import Status

VOCAB = """
[[metric]]
id = "things"
name_zh = "事物"
name_en = "things"
definition = "Things counted in the period."
kind = "flow"
bases = ["count"]

[[metric]]
id = "money"
name_zh = "钱"
name_en = "money"
definition = "Money in the period."
kind = "flow"
bases = ["CNY"]

[[metric]]
id = "stock"
name_zh = "存量"
name_en = "stock"
definition = "Things held at a date."
kind = "level"
bases = ["count"]

[[unit]]
id = "个"
name_zh = "个"
name_en = "items"
scale = 1
base = "count"

[[unit]]
id = "亿元"
name_zh = "亿元"
name_en = "100 million yuan"
scale = 1e8
base = "CNY"

[[topic]]
id = "alpha"
name_zh = "甲"
name_en = "Alpha"

[[topic]]
id = "beta"
name_zh = "乙"
name_en = "Beta"

[[entity]]
id = "zone-a"
name_zh = "甲区"
name_en = "Zone A"
kind = "zone"
aliases = ["甲园", "Alpha Park"]

[[entity]]
id = "zone-b"
name_zh = "乙区"
name_en = "Zone B"
kind = "zone"

[[source]]
id = "src-one"
title_zh = "一"
title_en = "One"
file = "one.txt"

[[source]]
id = "src-two"
title_zh = "二"
title_en = "Two"
file = "two.txt"
"""


def _fact(fid, topic, entity, metric, value, status, when, label_en, quote, source="src-one",
          unit="个"):
    period = f'as_of = "{when[6:]}"' if when.startswith("as of ") else f'period = "{when}"'
    return f"""
[[fact]]
id = "{fid}"
topic = "{topic}"
entity = "{entity}"
metric = "{metric}"
value = {value}
unit = "{unit}"
status = "{status}"
{period}
label_zh = "{fid}的标签"
label_en = "{label_en}"
source = "{source}"
quote = "{quote}"
"""


FACTS = "".join([
    _fact("f-2021", "alpha", "zone-a", "things", 10, "actual", "2021", "Things in 2021",
          "共10个"),
    _fact("f-target-2023", "alpha", "zone-a", "things", 20, "target", "2023", "Things goal",
          "力争20个"),
    _fact("f-winter", "beta", "zone-b", "money", 5.5, "actual", "2022-11..2023-02",
          "Winter money", "达5.5亿元", source="src-two", unit="亿元"),
    _fact("f-stock", "beta", "zone-b", "stock", 7, "actual", "as of 2023-05", "Stock in May",
          "累计7个"),
    _fact("f-forecast-2024", "alpha", "zone-b", "things", 3, "forecast", "2024",
          "Port forecast", "预计3个港口"),
])

EVENTS = """
[[event]]
id = "e-year"
date = "2019"
title_zh = "年度事件"
title_en = "Year event"
entity = "zone-a"
source = "src-one"
quote = "2019年"

[[event]]
id = "e-day"
date = "2019-07-01"
title_zh = "日事件"
title_en = "Day event"
entity = "zone-b"
source = "src-one"
quote = "7月1日"

[[event]]
id = "e-month"
date = "2019-07"
title_zh = "月事件"
title_en = "Month event with Cold chain"
entity = "zone-a"
source = "src-two"
quote = "7月"

[[event]]
id = "e-later"
date = "2020-01-02"
title_zh = "后来"
title_en = "Later"
entity = "zone-b"
source = "src-two"
quote = "2020年1月2日"
"""


@pytest.fixture
def base(tmp_path):
    write_toml(tmp_path, "vocab.toml", VOCAB)
    write_toml(tmp_path, "facts.toml", FACTS)
    write_toml(tmp_path, "events.toml", EVENTS)
    loaded, problems = load([tmp_path])
    assert problems == [], "\n".join(map(str, problems))
    assert len(loaded.facts) == 5 and len(loaded.events) == 4
    return loaded


def ids(base, **kwargs) -> list[str]:
    q = query.validate(base, FactQuery(**kwargs))
    return [f.id for f in query.select_facts(base, q)]


def idset(base, **kwargs) -> set[str]:
    return set(ids(base, **kwargs))


ALL = {"f-2021", "f-target-2023", "f-winter", "f-stock", "f-forecast-2024"}


def test_no_filter_selects_everything(base):
    assert idset(base) == ALL


def test_topic(base):
    assert idset(base, topic="alpha") == {"f-2021", "f-target-2023", "f-forecast-2024"}
    assert idset(base, topic="beta") == {"f-winter", "f-stock"}


def test_year_selects_overlapping_periods_and_targets(base):
    # 2023: the target for 2023, the winter span reaching into 2023, the stock as of May 2023
    assert idset(base, year=2023) == {"f-target-2023", "f-winter", "f-stock"}
    assert idset(base, year=2022) == {"f-winter"}
    assert idset(base, year=2024) == {"f-forecast-2024"}
    assert idset(base, year=2020) == set()


def test_year_keeps_status_visible(base):
    selected = query.select_facts(base, FactQuery(year=2023))
    assert {f.id: f.status for f in selected}["f-target-2023"] is Status.target


def test_from_and_to(base):
    assert idset(base, date_from=PartialDate.parse("2023-03")) == \
        {"f-target-2023", "f-stock", "f-forecast-2024"}
    assert idset(base, date_to=PartialDate.parse("2022-11-01")) == {"f-2021", "f-winter"}
    assert idset(base, date_from=PartialDate.parse("2023-02-28"),
                 date_to=PartialDate.parse("2023-05-31")) == {"f-target-2023", "f-winter", "f-stock"}
    # --to is inclusive to the end of its precision
    assert "f-stock" in idset(base, date_to=PartialDate.parse("2023-05"))
    assert "f-stock" not in idset(base, date_to=PartialDate.parse("2023-04"))


def test_year_and_from_narrow_each_other(base):
    assert idset(base, year=2023, date_from=PartialDate.parse("2023-03")) == \
        {"f-target-2023", "f-stock"}
    assert query.FactQuery(year=2023, date_from=PartialDate.parse("2021")).window() == \
        (dt.date(2023, 1, 1), dt.date(2023, 12, 31))


@pytest.mark.parametrize("name", ["zone-a", "甲区", "Zone A", "zone a", "ZONE-A", "甲园",
                                  "alpha park", "  Alpha   Park ", "ALPHA PARK"])
def test_entity_by_id_name_or_alias_any_case(base, name):
    assert idset(base, entity=name) == {"f-2021", "f-target-2023"}


def test_resolve_entity_returns_the_entity(base):
    assert query.resolve_entity(base, "乙区").id == "zone-b"


def test_metric_status_source(base):
    assert idset(base, metric="things") == {"f-2021", "f-target-2023", "f-forecast-2024"}
    assert idset(base, status=Status.target) == {"f-target-2023"}
    assert idset(base, status=Status.forecast) == {"f-forecast-2024"}
    assert idset(base, source="src-two") == {"f-winter"}


def test_grep_searches_labels_and_quotes_case_insensitively(base):
    assert idset(base, grep="port") == {"f-forecast-2024"}  # label_en, any case
    assert idset(base, grep="港口") == {"f-forecast-2024"}  # quote
    assert idset(base, grep="f-stock的") == {"f-stock"}  # label_zh
    assert idset(base, grep="WINTER") == {"f-winter"}
    assert idset(base, grep="no such text") == set()


def test_filters_combine(base):
    assert idset(base, topic="alpha", entity="Zone B", year=2024) == {"f-forecast-2024"}
    assert idset(base, topic="beta", status=Status.target) == set()


def test_sort_by_period_is_the_default(base):
    assert ids(base) == ["f-2021", "f-winter", "f-target-2023", "f-stock", "f-forecast-2024"]


def test_sort_by_value(base):
    # in base units: 5.5 亿元 is 550000000 yuan, above 20 个
    assert ids(base, sort="value") == ["f-forecast-2024", "f-stock", "f-2021", "f-target-2023",
                                       "f-winter"]
    assert ids(base, sort="value", descending=True) == \
        ["f-winter", "f-target-2023", "f-2021", "f-stock", "f-forecast-2024"]


@pytest.mark.parametrize("field", query.SORT_FIELDS)
def test_every_sort_field_sorts(base, field):
    facts = query.select_facts(base, FactQuery(sort=field))
    assert {f.id for f in facts} == ALL
    if field not in ("period", "value"):
        keys = [getattr(f, field) for f in facts]
        keys = [k.value if hasattr(k, "value") else k for k in keys]
        assert keys == sorted(keys)


def test_limit(base):
    assert ids(base, limit=2) == ["f-2021", "f-winter"]
    assert ids(base, limit=0) == []
    assert ids(base, sort="value", descending=True, limit=1) == ["f-winter"]  # 5.5 亿元 in yuan
    assert len(ids(base, limit=100)) == 5


# ---------------------------------------------------------------- bad query values
def test_unknown_topic_suggests(base):
    with pytest.raises(QueryError, match="did you mean 'alpha'") as info:
        query.validate(base, FactQuery(topic="alpah"))
    assert info.value.option == "TOPIC"


def test_unknown_topic_far_from_any_lists_choices(base):
    with pytest.raises(QueryError, match="alpha, beta"):
        query.validate(base, FactQuery(topic="zzzzzz"))


def test_unknown_entity_suggests(base):
    with pytest.raises(QueryError, match="did you mean 'zone-a'") as info:
        query.validate(base, FactQuery(entity="zone-aa"))
    assert info.value.option == "--entity"


@pytest.mark.parametrize(("kwargs", "option"), [
    ({"metric": "thing"}, "--metric"),
    ({"source": "src-three"}, "--source"),
    ({"sort": "colour"}, "--sort"),
    ({"limit": -1}, "--limit"),
])
def test_other_bad_values(base, kwargs, option):
    with pytest.raises(QueryError) as info:
        query.validate(base, FactQuery(**kwargs))
    assert info.value.option == option


def test_parse_year(base):
    assert query.parse_year("2022") == 2022
    assert query.parse_year(" 2022 ") == 2022
    for bad in ("abc", "22", "20222", "２０２２x", "-2022"):
        with pytest.raises(QueryError, match="four digits"):
            query.parse_year(bad, base)
    with pytest.raises(QueryError, match="2019"):  # names the span the facts cover
        query.parse_year("abc", base)


def test_parse_date_names_the_forms():
    assert query.parse_date("2018-07", "--from") == PartialDate(2018, 7)
    with pytest.raises(QueryError, match="2018-07") as info:
        query.parse_date("July", "--from")
    assert info.value.option == "--from"


def test_query_error_is_a_value_error():
    assert issubclass(QueryError, ValueError)


# ---------------------------------------------------------------- events
def event_ids(base, **kwargs):
    return [e.id for e in query.select_events(base, **kwargs)]


def test_events_in_date_order_month_before_its_days(base):
    # 2019 < 2019-07 < 2019-07-01: same first day, coarser precision first
    assert event_ids(base) == ["e-year", "e-month", "e-day", "e-later"]


def test_events_from_to(base):
    assert event_ids(base, date_from=PartialDate.parse("2019-07-01"),
                     date_to=PartialDate.parse("2019")) == ["e-year", "e-month", "e-day"]
    # a month-precision event still counts from a day inside that month; the day does not
    assert event_ids(base, date_from=PartialDate.parse("2019-07-02"),
                     date_to=PartialDate.parse("2019-12")) == ["e-year", "e-month"]
    assert event_ids(base, date_from=PartialDate.parse("2019-08")) == ["e-year", "e-later"]
    assert event_ids(base, date_to=PartialDate.parse("2019-06")) == ["e-year"]


def test_events_entity_and_grep(base):
    assert event_ids(base, entity="Alpha Park") == ["e-year", "e-month"]
    assert event_ids(base, grep="cold CHAIN") == ["e-month"]
    assert event_ids(base, grep="7月1日") == ["e-day"]
    with pytest.raises(QueryError, match="did you mean"):
        query.select_events(base, entity="Zone C")


def test_counts_by(base):
    facts, events = query.counts_by(base, "entity")
    assert facts == {"zone-a": 2, "zone-b": 3}
    assert events == {"zone-a": 2, "zone-b": 2}
    facts, _ = query.counts_by(base, "topic")
    assert facts == {"alpha": 3, "beta": 2}
