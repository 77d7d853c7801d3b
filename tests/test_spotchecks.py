"""The spot checks a user makes of the bundled fact base (issue: the complete fact
base). Each figure is looked up by what it is — entity, metric, period, status —
and must come back with the value, unit, bound, change and source the text prints."""

from __future__ import annotations

import pytest



def find(facts: list[dict], entity: str, metric: str, period: str, status: str = "actual") -> dict:
    matches = [f for f in facts if f["entity"] == entity and f["metric"] == metric
               and f["period"] == period and f["status"] == status]
    assert len(matches) == 1, f"expected one {entity} {metric} {period} {status}: {matches}"
    return matches[0]


@pytest.mark.parametrize("entity,metric,period,value,unit,bound,change,source", [
    # Jiangjin corridor trains in 2022
    ("jiangjin-trains", "trains_run", "2022", 536, "列", "exact", None, "luohuang-review-2022"),
    # trains and TEU, January–May 2023, with their year-on-year changes
    ("jiangjin-trains", "trains_run", "2023-01..2023-05", 407, "列", "exact", 116.49,
     "jiangjin-chengyu-2023"),
    ("jiangjin-trains", "train_freight_teu", "2023-01..2023-05", 20362, "标箱", "exact", 122.73,
     "jiangjin-chengyu-2023"),
    # cumulative trains to the end of May 2023
    ("jiangjin-trains", "trains_run_cumulative", "as of 2023-05", 1277, "列", "exact", None,
     "jiangjin-chengyu-2023"),
    # the bonded zone's 2022 import-export value: about 148 亿元, +17.97 %
    ("jiangjin-cbz", "trade_value", "2022", 148, "亿元", "approx", 17.97, "luohuang-review-2022"),
    # Jiangjin GDP 2015 and 2019
    ("jiangjin", "gdp", "2015", 682.7, "亿元", "exact", None, "jiangjin-tongcheng-2020"),
    ("jiangjin", "gdp", "2019", 1036.7, "亿元", "exact", None, "jiangjin-tongcheng-2020"),
    # Xiyong's share of Chongqing's foreign trade in 2022: over 40 %
    ("xiyong-cbz", "share_of_city_trade_value", "2022", 40, "%", "lower", None, "ibd-2023-xiyong"),
    # Sichuan's 2022 online retail sales: 4161.1 亿元, +2.3 %
    ("sichuan", "online_retail_sales", "2022", 4161.1, "亿元", "exact", 2.3,
     "ibd-2023-sichuan-ecommerce"),
])
def test_spot_check(bundled_facts, entity, metric, period, value, unit, bound, change, source):
    fact = find(bundled_facts, entity, metric, period)
    assert (fact["value"], fact["unit"], fact["bound"], fact["source"]) == (value, unit, bound, source)
    assert fact["change"] == change
    if change is not None:
        assert (fact["change_unit"], fact["change_basis"]) == ("%", "yoy")


def test_the_2023_train_target_is_a_target(bundled_facts):
    fact = find(bundled_facts, "jiangjin-trains", "trains_run", "2023", status="target")
    assert (fact["value"], fact["unit"]) == (1000, "列")
