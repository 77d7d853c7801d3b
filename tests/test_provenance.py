"""Provenance: every quote appears verbatim (whitespace aside) in its source text."""

from __future__ import annotations

import json
import os
import re
import shutil
from pathlib import Path

import pytest

from conftest import MINIMAL_SOURCE_TEXT, REPO, assert_no_traceback, run, run_proc
from corridor_cli.loader import load
from corridor_cli.provenance import squeeze, verify_quotes


def seeds_dir() -> Path:
    """The five source texts: $CORRIDOR_SEEDS, else ../shared/seeds next to the repository."""
    return Path(os.environ.get("CORRIDOR_SEEDS") or REPO / ".." / "shared" / "seeds").resolve()


@pytest.fixture(scope="module")
def seeds() -> Path:
    path = seeds_dir()
    if not path.is_dir():
        pytest.skip(f"source texts not found at {path} (set CORRIDOR_SEEDS to their folder)")
    return path


@pytest.fixture
def seeds_copy(seeds, tmp_path) -> Path:
    copy = tmp_path / "seeds"
    shutil.copytree(seeds, copy)
    for path in copy.iterdir():
        path.chmod(0o644)
    return copy


def quote_problems(stderr: str) -> list[str]:
    return [ln for ln in stderr.splitlines() if "quote-not-found" in ln]


# ---------------------------------------------------------------- the bundled facts
def test_every_bundled_quote_is_in_its_source(seeds):
    result = run(["check", "--against", seeds])
    assert quote_problems(result.stderr) == []
    assert "source-unreadable" not in result.stderr


def test_every_bundled_quote_is_in_its_source_subprocess(seeds):
    proc = run_proc(["check", "--against", seeds])
    assert quote_problems(proc.err) == []
    assert_no_traceback(proc.err)


def _alter_quote_in_text(text: str, quote: str) -> str | None:
    """text with the first character of quote's occurrence changed; None if not found."""
    pattern = r"\s*".join(map(re.escape, squeeze(quote)))
    match = re.search(pattern, text)
    if match is None:
        return None
    start = match.start()
    return text[:start] + "〇" + text[start + 1:]


def test_altered_source_text_fails_and_names_the_fact(tmp_path, bundled_facts, monkeypatch):
    # The bundled texts (facts/texts/) come before any --against directory, so alter
    # them in a copy of the bundled fact directory and read that copy instead.
    from corridor_cli import loader

    copy = tmp_path / "facts"
    shutil.copytree(loader.bundled_facts_dir(), copy)
    monkeypatch.setattr(loader, "bundled_facts_dir", lambda: copy)
    sources = {s["id"]: s for s in json.loads(run(["sources", "--format", "json"]).stdout)}
    # a fact whose quote is long enough to be its own, in a source text we can alter
    fact = max(bundled_facts, key=lambda f: len(squeeze(f["quote"])))
    path = copy / "texts" / sources[fact["source"]]["file"]
    path.chmod(0o644)
    altered = _alter_quote_in_text(path.read_text(encoding="utf-8"), fact["quote"])
    assert altered is not None, f"{fact['id']}: quote not found to alter"
    path.write_text(altered, encoding="utf-8")

    result = run(["check"], expect=1)
    problems = quote_problems(result.stderr)
    assert any(fact["id"] in ln for ln in problems), result.stderr
    assert "source-unreadable" not in result.stderr
    assert_no_traceback(result.stderr)


def test_altered_user_source_subprocess(seeds_copy, fact_dir):
    (seeds_copy / "test-source.txt").write_text(MINIMAL_SOURCE_TEXT, encoding="utf-8")
    run_proc(["check", "--facts-dir", fact_dir, "--against", seeds_copy])  # all found: 0

    (seeds_copy / "test-source.txt").write_text(MINIMAL_SOURCE_TEXT.replace("42台", "24台"),
                                                encoding="utf-8")
    proc = run_proc(["check", "--facts-dir", fact_dir, "--against", seeds_copy], expect=1)
    problems = quote_problems(proc.err)
    assert len(problems) == 1, proc.err
    assert "test-zone-machines-2022" in problems[0]
    assert "test-zone-opened-2022-05" not in proc.err  # its quote is still there
    assert_no_traceback(proc.err)


def test_missing_source_text_is_reported(seeds_copy, fact_dir):
    # A source with no text anywhere is counted as not verified, not a failure.
    result = run(["check", "--facts-dir", fact_dir, "--against", seeds_copy])
    assert "1 not verified (no text found: test-source)" in result.stdout


def test_against_a_missing_directory(tmp_path):
    result = run(["check", "--against", tmp_path / "nowhere"], expect=2)
    assert "nowhere" in result.stderr
    assert "Traceback" not in result.output


# ---------------------------------------------------------------- the library, on its own
@pytest.fixture
def own_base(standalone_fact_dir):
    base, problems = load([standalone_fact_dir])
    assert problems == []
    return base


def test_quotes_found_whatever_the_whitespace(own_base, tmp_path):
    (tmp_path / "test-source.txt").write_text(MINIMAL_SOURCE_TEXT, encoding="utf-8")
    assert verify_quotes(own_base, tmp_path) == []


def test_altered_quote_is_a_problem_naming_the_record(own_base, tmp_path):
    (tmp_path / "test-source.txt").write_text(
        MINIMAL_SOURCE_TEXT.replace("测试园区\n开园", "测试园区\n闭园"), encoding="utf-8")
    (problem,) = verify_quotes(own_base, tmp_path)
    assert problem.code == "quote-not-found"
    assert problem.field == "quote"
    assert "test-zone-opened-2022-05" in problem.message
    assert problem.file.endswith("facts.toml") and problem.line


def test_unreadable_source_text(own_base, tmp_path):
    (tmp_path / "test-source.txt").write_bytes("全年安装42台".encode("gbk"))
    (problem,) = verify_quotes(own_base, tmp_path)
    assert problem.code == "source-unreadable"
    assert "test-source" in problem.message


def test_squeeze_removes_all_whitespace():
    assert squeeze(" 2018 年\n12 月，\u3000江津\t") == "2018年12月，江津"


# ---------------------------------------------------------------- figures and disagreements
def test_check_flags_a_value_missing_from_its_quote(fact_dir):
    facts = fact_dir / "facts.toml"
    facts.write_text(facts.read_text(encoding="utf-8").replace("value = 42", "value = 24"),
                     encoding="utf-8")
    result = run(["check", "--facts-dir", fact_dir], expect=1)
    lines = [ln for ln in result.stderr.splitlines() if "test-zone-machines-2022" in ln]
    assert len(lines) == 1 and "figure-not-in-quote" in lines[0], result.stderr
    assert "facts.toml" in lines[0]


SECOND_SOURCE = """
[[source]]
id = "test-source-two"
title_zh = "第二份测试报告"
title_en = "Second test report"
file = "test-source-two.txt"

[[fact]]
id = "test-zone-machines-2022-other"
topic = "testing"
entity = "test-zone"
metric = "machines_installed"
value = 40
unit = "测试台"
status = "actual"
period = "2022"
label_zh = "2022年测试园区安装台数（另一来源）"
label_en = "Machines installed in the Test Zone, 2022 (other source)"
source = "test-source-two"
quote = "安装40台"
{disagrees}
"""


def test_check_flags_an_unrecorded_disagreement(fact_dir):
    (fact_dir / "two.toml").write_text(SECOND_SOURCE.format(disagrees=""), encoding="utf-8")
    result = run(["check", "--facts-dir", fact_dir], expect=1)
    lines = [ln for ln in result.stderr.splitlines() if "disagree" in ln]
    assert len(lines) == 1, result.stderr
    assert "test-zone-machines-2022" in lines[0] and "test-zone-machines-2022-other" in lines[0]


def test_check_accepts_a_recorded_disagreement(fact_dir):
    (fact_dir / "two.toml").write_text(SECOND_SOURCE.format(
        disagrees='disagrees_with = ["test-zone-machines-2022"]'), encoding="utf-8")
    facts = fact_dir / "facts.toml"
    facts.write_text(facts.read_text(encoding="utf-8").replace(
        'quote = "全年安装42台，同比增长5.5%"',
        'quote = "全年安装42台，同比增长5.5%"\ndisagrees_with = ["test-zone-machines-2022-other"]'),
        encoding="utf-8")
    result = run(["check", "--facts-dir", fact_dir])
    assert result.stderr == ""


def _money_fact(fid: str, source: str, value: object, unit: str, value_max: object = None,
                bound: str = "exact") -> str:
    upto = "" if value_max is None else f"\nvalue_max = {value_max}"
    printed = f"{value}" + ("" if value_max is None else f"至{value_max}")
    return f"""
[[fact]]
id = "{fid}"
topic = "testing"
entity = "test-zone"
metric = "probe_metric"
value = {value}{upto}
unit = "{unit}"
bound = "{bound}"
status = "actual"
period = "2022"
label_zh = "协议引资"
label_en = "Investment signed"
source = "{source}"
quote = "协议引资{printed}{unit}"
"""


@pytest.mark.parametrize(("a", "b", "agree"), [
    ((1, "亿元"), (10000, "万元"), True),
    ((1.5, "亿元"), (15000, "万元"), True),
    ((0.1, "亿元"), (1000, "万元"), True),
    ((2.33, "亿元"), (23300, "万元"), True),
    ((1, "亿元"), (100000000, "元"), True),
    ((1, "亿元", 2), (10000, "万元", 20000), True),
    ((1, "亿元"), (10001, "万元"), False),
    ((1, "亿元", 2), (10000, "万元", 30000), False),
    ((1, "亿元"), (1, "亿美元"), False),  # another base: not comparable, so they differ
    ((1, "亿元"), (10000, "万吨"), False),
    ((1, "亿元", None, "exact"), (10000, "万元", None, "approx"), False),
])
def test_disagreement_compares_figures_in_the_base_unit(fact_dir, a, b, agree):
    first = _money_fact("test-zone-investment-a", "test-source", *a)
    second = SECOND_SOURCE.split("[[fact]]")[0] + _money_fact(
        "test-zone-investment-b", "test-source-two", *b)
    (fact_dir / "money.toml").write_text(first + second, encoding="utf-8")
    result = run(["check", "--facts-dir", fact_dir, "--format", "json"], expect=0 if agree else 1)
    problems = json.loads(result.stdout)
    if agree:
        assert problems == []
    else:
        (problem,) = problems
        assert (problem["code"], problem["field"]) == ("unrecorded-disagreement", "disagrees_with")
        assert problem["file"] == str(fact_dir / "money.toml")
        assert "test-zone-investment-a" in problem["message"]
        assert "test-zone-investment-b" in problem["message"]
