"""corridor coverage as a user drives it: the bundled base at full coverage (CI holds it
there), and on a small fact directory every state, the stderr list, the exit statuses."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from conftest import assert_no_traceback, parse_csv, run, run_proc, write_toml

BUNDLED_SOURCES = {"cqdaily-2020-07-06", "luohuang-review-2022", "jiangjin-chengyu-2023",
                   "jiangjin-tongcheng-2020", "ibd-2023-xiyong", "ibd-2023-sichuan-ecommerce"}


def test_the_bundled_base_is_at_full_coverage():
    """A real process through a pipe: csv, exit 0, nothing on stderr."""
    proc = run_proc(["coverage"], expect=0)
    rows = parse_csv(proc.out)
    assert {r["source"] for r in rows} == BUNDLED_SOURCES
    for row in rows:
        printed, covered, ignored = int(row["printed"]), int(row["covered"]), int(row["ignored"])
        assert printed > 0 and int(row["uncovered"]) == 0, row
        assert covered + ignored == printed and float(row["percent_done"]) == 100.0, row
    assert proc.err == ""


def test_items_list_every_figure_with_its_state_in_json():
    data = json.loads(run(["coverage", "--items", "all", "--format", "json"]).stdout)
    assert {d["state"] for d in data} <= {"covered", "ignored"}
    summary = {r["source"]: r for r in json.loads(run(["coverage", "--format", "json"]).stdout)}
    for source, row in summary.items():
        mine = [d for d in data if d["source"] == source]
        assert len(mine) == row["printed"]
        assert sum(d["state"] == "ignored" for d in mine) == row["ignored"]
    trains = [d for d in data if d["printed"] == "536列"]
    assert trains and trains[0]["value"] == 536 and trains[0]["unit"] == "列"
    assert "jiangjin-trains-run-2022" in trains[0]["by"]


TEXT = "测试日报\n\n2022年5月，测试园区\n开园。全年安装42台，同比增长5.5%。\n园区新增企业17家，投资约3.5亿元。\n"


@pytest.fixture
def small(fact_dir: Path) -> Path:
    texts = fact_dir / "texts"
    texts.mkdir()
    (texts / "test-source.txt").write_text(TEXT, encoding="utf-8")
    return fact_dir


def test_uncovered_figures_exit_1_and_are_listed_with_line_and_clause(small):
    result = run(["coverage", "test-source", "--facts-dir", small, "--format", "csv"], expect=1)
    (row,) = parse_csv(result.stdout)
    assert (row["printed"], row["covered"], row["uncovered"]) == ("5", "3", "2")
    listed = [ln for ln in result.stderr.splitlines() if "uncovered" in ln]
    assert len(listed) == 2
    assert re.search(r"test-source\.txt:5: test-source: uncovered figure 17家: 园区新增企业17家", listed[0])
    assert "3.5亿元" in listed[1] and "投资约3.5亿元" in listed[1]
    assert_no_traceback(result.stderr)


def test_an_ignore_with_a_reason_completes_coverage(small):
    write_toml(small, "ignores.toml", """
        [[ignore]]
        source = "test-source"
        text = "园区新增企业17家，投资约3.5亿元"
        reason = "a test of ignoring"
        """)
    result = run(["coverage", "test-source", "--facts-dir", small, "--format", "csv"], expect=0)
    (row,) = parse_csv(result.stdout)
    assert (row["covered"], row["ignored"], row["uncovered"]) == ("3", "2", "0")
    items = parse_csv(run(["coverage", "test-source", "--facts-dir", small, "--items", "ignored",
                           "--format", "csv"]).stdout)
    assert [i["printed"] for i in items] == ["17家", "3.5亿元"]
    assert all(i["by"] == "a test of ignoring" for i in items)


def test_a_stale_ignore_fails(small):
    write_toml(small, "ignores.toml", """
        [[ignore]]
        source = "test-source"
        text = "园区新增企业17家，投资约3.5亿元"
        reason = "a test of ignoring"

        [[ignore]]
        source = "test-source"
        text = "全年安装42台"
        reason = "covered by the fact already"
        """)
    result = run(["coverage", "test-source", "--facts-dir", small], expect=1)
    assert "ignores.toml:8: ignore '全年安装42台': every figure it holds is covered" in result.stderr


def test_a_source_without_its_text_is_not_checked_and_fails(fact_dir):
    result = run(["coverage", "test-source", "--facts-dir", fact_dir, "--format", "csv"], expect=1)
    assert "test-source: not checked" in result.stderr
    (row,) = parse_csv(result.stdout)
    assert row["printed"] == "" and row["source"] == "test-source"


def test_bad_arguments_exit_2_naming_them():
    result = run(["coverage", "no-such-source"], expect=2)
    assert "unknown source 'no-such-source'" in result.stderr
    result = run(["coverage", "--items", "sometimes"], expect=2)
    assert "--items" in result.stderr
    assert_no_traceback(result.stderr)


def test_zh_headers_in_markdown():
    from markdown_it import MarkdownIt

    text = run(["coverage", "--format", "md", "--lang", "zh"]).stdout
    tokens = MarkdownIt("commonmark").enable("table").parse(text)
    headers = [t.children[0].content for t in tokens if t.type == "inline"][:8]
    assert headers[:5] == ["来源", "印出数字", "已收录", "有意不收", "未覆盖"]
