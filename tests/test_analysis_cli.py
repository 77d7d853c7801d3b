"""The analysis commands as a user drives them: series, facts --by, --derived, targets
and audit, through Typer's runner and real subprocesses, in every output format.
Output is parsed (csv, json, jsonl, markdown-it, openpyxl-free xlsx via zipfile), never
compared as whitespace."""

from __future__ import annotations

import json
import zipfile
from decimal import Decimal

import pytest
from markdown_it import MarkdownIt

from conftest import NONZERO, parse_csv, parse_jsonl, run, run_proc, write_toml

FORMATS = ("csv", "tsv", "md", "json", "jsonl", "table")
COMMANDS = {
    "series": ["series", "trains_run", "--within", "jiangjin"],
    "series-wide": ["series", "trade_value", "--within", "jiangjin", "--wide"],
    "by": ["facts", "trains", "--by", "year"],
    "derived": ["facts", "trade", "--derived"],
    "targets": ["targets", "--year", "2023"],
    "audit": ["audit"],
}


def _json(args, expect=0):
    return json.loads(run([*args, "--format", "json"], expect=expect).stdout)


def _expect(name):
    return 1 if name == "audit" else 0  # the bundled sources hold one failing check


# ---------------------------------------------------------------- what the issue asks to show
def test_targets_2023_trains_is_behind_pace():
    rows = _json(["targets", "--year", "2023"])
    row = next(r for r in rows if r["id"] == "jiangjin-trains-run-target-2023")
    assert row["target"] == 1000 and row["actual"] == 407
    assert row["actual_ids"] == ["jiangjin-trains-run-2023-01-05"]
    assert row["progress_pct"] == 40.7
    assert row["elapsed_fraction"] == "5/12"
    assert row["elapsed_share"] == pytest.approx(5 / 12)
    assert row["pace"] == "behind"
    assert row["remaining"] == 593
    # 407 − 1000 × 5/12 = −9.666…
    assert row["pace_gap"] == pytest.approx(-9.667, abs=0.001)


def test_a_target_without_an_actual_says_so():
    rows = _json(["targets"])
    row = next(r for r in rows if r["id"] == "jiangjin-port-throughput-target-2023")
    assert row["actual"] is None and row["progress_pct"] is None
    assert "no actual" in row["note"]


def test_derived_2021_trade_value_is_about_125_5_with_inputs_and_formula():
    rows = _json(["facts", "trade", "--year", "2021", "--derived"])
    derived = [r for r in rows if r["status"] == "derived"]
    row = next(r for r in derived if r["derived_from"] == ["jiangjin-cbz-trade-value-2022"])
    assert row["value"] == 125.5 and row["unit"] == "亿元" and row["period"] == "2021"
    assert row["bound"] == "approx"  # 约148 in, approximate out
    assert row["derivation"] == "implied_prior"
    assert "148" in row["formula"] and "17.97" in row["formula"]
    # the interval 147.5..148.5 / (1.17965..1.17975) contains the value
    assert row["value_low"] < 125.5 < row["value_high"]
    # a reported fact in the same output carries no lineage
    reported = [r for r in rows if r["status"] != "derived"]
    assert reported and all(r["derived_from"] is None for r in reported)


def test_derived_trains_implied_jan_may_2022_is_188():
    rows = _json(["series", "trains_run", "--derived"])
    row = next(r for r in rows if r["status"] == "derived" and r["derivation"] == "implied_prior")
    assert (row["value"], row["period"]) == (188, "2022-01..2022-05")
    assert row["derived_from"] == ["jiangjin-trains-run-2023-01-05"]


def test_by_year_gives_one_row_per_year():
    rows = _json(["facts", "trains", "--by", "year"])
    groups = [r["group"] for r in rows]
    assert len(groups) == len(set(groups))
    facts = _json(["facts", "trains"])
    assert sum(r["count"] for r in rows) == len(facts)


def test_adding_the_cumulative_to_a_yearly_count_is_refused_with_the_reason():
    rows = _json(["facts", "--metric", "trains_run,trains_run_cumulative", "--by", "year"])
    y2023 = next(r for r in rows if r["group"] == "2023")
    assert y2023["sum"] is None and y2023["sum_base"] is None
    assert "cumulative" in y2023["sum_refused"]
    y2022 = next(r for r in rows if r["group"] == "2022")
    assert (y2022["sum"], y2022["sum_unit"], y2022["sum_refused"]) == (536, "列", None)


def test_a_legitimate_sum_across_years_of_actuals():
    rows = _json(["facts", "--metric", "trains_run", "--status", "actual", "--by", "metric"])
    assert len(rows) == 1
    # 536 (2022) + 407 (Jan–May 2023): disjoint periods of one flow
    assert (rows[0]["sum"], rows[0]["sum_unit"], rows[0]["sum_bound"]) == (943, "列", "exact")


def test_levels_at_different_dates_are_refused():
    rows = _json(["facts", "--metric", "high_tech_enterprises", "--entity", "jiangjin",
                  "--entity", "luohuang-port-city", "--by", "metric"])
    assert rows[0]["sum"] is None
    assert rows[0]["sum_refused"] == "levels at different dates do not add: 2020 and 2022"


def test_series_csv_marks_coverage():
    text = run(["series", "trains_run", "--within", "jiangjin", "--format", "csv"]).stdout
    rows = parse_csv(text)
    by_period = {r["period"]: r for r in rows}
    assert by_period["2023-01..2023-05"]["year_share_fraction"] == "5/12"
    assert by_period["2023-01..2023-05"]["partial"] == "true"
    assert by_period["2022"]["partial"] == "false"
    assert [r["period"] for r in rows] == ["2022", "2023-01..2023-05", "2023"]
    # the Jan–May actual and the 2023 target overlap: both shown, each naming the other
    assert by_period["2023"]["overlaps_with"] == "jiangjin-trains-run-2023-01-05"
    assert by_period["2023-01..2023-05"]["overlaps_with"] == "jiangjin-trains-run-target-2023"


def test_series_wide_has_a_column_per_entity_and_keeps_numbers():
    rows = _json(["series", "high_tech_enterprises", "--wide"])
    entities = {"jiangjin", "jiangjin-cbz", "luohuang-port-city"}
    assert entities <= set(rows[0])
    as_of_2022 = next(r for r in rows if r["period"] == "as of 2022")
    assert (as_of_2022["luohuang-port-city"], as_of_2022["jiangjin-cbz"]) == (120, 1)
    assert as_of_2022["jiangjin"] is None


def test_audit_lists_each_kind_of_check_and_is_honest_about_the_failure():
    rows = _json(["audit"], expect=1)
    kinds = {r["kind"] for r in rows}
    assert {"change", "parts", "share", "cumulative", "average"} <= kinds
    failing = [r for r in rows if not r["holds"]]
    assert [r["reported"] for r in failing] == ["luohuang-specialised-sme-growth-2022"]
    bad = failing[0]
    assert bad["result"] == "fails" and bad["gap"] > 0
    assert bad["computed"] == 381.8 and bad["against"] == 350
    assert set(bad["inputs"]) == {"luohuang-specialised-sme-count-2021",
                                  "luohuang-specialised-sme-count-2022"}
    trade = next(r for r in rows if r["reported"] == "jiangjin-cbz-trade-value-increase-2022")
    assert trade["holds"] and trade["computed"] == 22.54 and trade["tolerance"] > 0
    for r in rows:
        assert r["computation"] and r["inputs"]
        assert (r["gap"] == 0) == r["holds"]


def test_audit_failing_shows_only_failures_and_still_exits_1():
    rows = _json(["audit", "--failing"], expect=1)
    assert rows and all(not r["holds"] for r in rows)


def test_audit_exits_0_when_every_check_holds(standalone_fact_dir, monkeypatch):
    """A fact base whose arithmetic all holds (here the only one loaded: the bundled
    base, which holds one failing check, is swapped for it)."""
    write_toml(standalone_fact_dir, "sum.toml", """
[[fact]]
id = "probe-total"
topic = "testing"
entity = "test-zone"
metric = "machines_installed"
value = 40
unit = "测试台"
status = "actual"
period = "2021"
relation = { kind = "sum", of = ["probe-part-a", "probe-part-b"] }
label_zh = "合计"
label_en = "total"
source = "test-source"
quote = "全年安装42台，同比增长5.5%"

[[fact]]
id = "probe-part-a"
topic = "testing"
entity = "test-zone"
metric = "machines_installed"
value = 15
unit = "测试台"
status = "actual"
period = "2021-01..2021-06"
label_zh = "上半年"
label_en = "first half"
source = "test-source"
quote = "全年安装42台，同比增长5.5%"

[[fact]]
id = "probe-part-b"
topic = "testing"
entity = "test-zone"
metric = "machines_installed"
value = 25
unit = "测试台"
status = "actual"
period = "2021-07..2021-12"
label_zh = "下半年"
label_en = "second half"
source = "test-source"
quote = "全年安装42台，同比增长5.5%"
""")
    from corridor_cli import loader

    monkeypatch.setattr(loader, "bundled_facts_dir", lambda: standalone_fact_dir)
    rows = json.loads(run(["audit", "--format", "json"], expect=0).stdout)
    assert all(r["holds"] for r in rows)
    check = next(r for r in rows if r["id"] == "sum:probe-total")
    assert check["holds"] and check["computed"] == 40  # 15 + 25
    # the fixture's 2022 figure (42, +5.5 % yoy) against the 2021 total: 42/40 − 1 = 5 %,
    # within what 42 ± 0.5 and 40 ± 0.5 allow
    change = next(r for r in rows if r["kind"] == "change")
    assert change["holds"] and change["computed"] == 5


# ---------------------------------------------------------------- every format
@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_every_analysis_output_in_every_format(name, fmt):
    args = [*COMMANDS[name], "--format", fmt, "--lang", "en"]
    out = run(args, expect=_expect(name)).stdout
    machine = _json(COMMANDS[name], expect=_expect(name))
    assert machine
    if fmt == "csv":
        assert len(parse_csv(out)) == len(machine)
    elif fmt == "tsv":
        assert len(parse_csv(out, "\t")) == len(machine)
    elif fmt == "jsonl":
        assert parse_jsonl(out) == machine
    elif fmt == "json":
        assert json.loads(out) == machine
    elif fmt == "md":
        tokens = MarkdownIt("commonmark").enable("table").parse(out)
        body_rows = [t for t in tokens if t.type == "tr_open"]
        assert len(body_rows) == len(machine) + 1  # header + rows
    else:
        assert out.strip()


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_every_analysis_output_as_xlsx(name, tmp_path):
    path = tmp_path / f"{name}.xlsx"
    run([*COMMANDS[name], "--output", path], expect=_expect(name))
    with zipfile.ZipFile(path) as z:
        sheet = z.read("xl/worksheets/sheet1.xml").decode()
    machine = _json(COMMANDS[name], expect=_expect(name))
    assert sheet.count("<row ") == len(machine) + 1


def test_json_numbers_are_numbers_not_text():
    rows = _json(["facts", "--metric", "trains_run", "--status", "actual", "--by", "metric"])
    assert isinstance(rows[0]["sum"], int)
    rows = _json(["targets", "--year", "2023"])
    row = next(r for r in rows if r["id"] == "jiangjin-trains-run-target-2023")
    assert isinstance(row["progress_pct"], float)
    assert Decimal(str(row["progress_pct"])) == Decimal("40.7")


# ---------------------------------------------------------------- bad input
@pytest.mark.parametrize("args, option", [
    (["series", "trainz_run"], "trains_run"),
    (["facts", "--by", "yeer"], "year"),
    (["facts", "--by", "year", "--derived"], "--derived"),
    (["facts", "--by", "year", "--sort", "value"], "--sort"),
    (["series", "trains_run", "--from", "2024", "--to", "2018"], "--from"),
    (["targets", "--entity", "nowhere-at-all"], "nowhere"),
])
def test_bad_options_exit_2_with_a_message(args, option):
    result = run(args, expect=2)
    assert option in result.stderr
    assert "Traceback" not in result.stderr


def test_empty_series_is_a_header_and_a_note():
    result = run(["series", "trains_run", "--year", "2019", "--format", "csv"])
    assert parse_csv(result.stdout) == []
    assert "trains_run" in result.stdout.splitlines()[0] or "metric" in result.stdout
    assert "no figures" in result.stderr


# ---------------------------------------------------------------- real processes
def test_audit_through_a_real_pipe_exits_1_and_prints_csv():
    proc = run_proc(["audit"], expect=1)
    rows = parse_csv(proc.out)
    assert sum(1 for r in rows if r["result"] == "fails") == 1
    assert "Traceback" not in proc.err


def test_targets_through_a_real_pipe_to_head(tmp_path):
    proc = run_proc(["targets", "--format", "jsonl"])
    rows = parse_jsonl(proc.out)
    assert any(r["pace"] == "behind" for r in rows)


def test_help_of_each_analysis_command_leads_with_an_example():
    for name in ("series", "targets", "audit"):
        text = run([name, "--help"]).stdout
        assert f"corridor {name}" in text
    assert "--by" in run(["facts", "--help"]).stdout


def test_unexpected_status_is_never_zero_on_a_failing_audit():
    run(["audit", "--format", "csv"], expect=NONZERO)
