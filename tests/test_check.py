"""`corridor check` for curators and CI: bundled source texts, where a source's text is
found (texts/ then --against), safe reading, data output, exit statuses, and the
sentence around a quote."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest

from conftest import (
    MINIMAL_SOURCE_TEXT,
    REPO,
    assert_no_traceback,
    csv_header,
    parse_csv,
    parse_jsonl,
    run,
    run_proc,
    write_toml,
)
from corridor_cli import sourcetexts
from corridor_cli.loader import bundled_facts_dir, fact_dirs, load
from corridor_cli.provenance import (
    context_for,
    find_source_text,
    quote_context,
    squeeze,
    verify_quotes,
)

KEYS = {"file", "line", "field", "code", "message"}
BUNDLED_TEXTS = REPO / "facts" / "texts"
SEEDS = Path(os.environ.get("CORRIDOR_SEEDS") or REPO / ".." / "shared" / "seeds").resolve()
TRAINS_QUOTE = "全年开行西部陆海新通道江津班列536列"

# How many sources (articles) the bundled base has.
N = len(load([bundled_facts_dir()])[0].sources)


def summary(stdout: str) -> dict[str, str]:
    """The summary lines, by what they count."""
    lines = stdout.splitlines()
    return {"sources": next(ln for ln in lines if re.match(r"\d+ sources: ", ln)),
            "quotes": next(ln for ln in lines if re.match(r"\d+ quotes verified", ln)),
            "totals": next(ln for ln in lines if "problem(s) in the files" in ln)}


def line_of(path: Path, prefix: str) -> int:
    """The 1-based line of path that starts with prefix."""
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if line.startswith(prefix):
            return number
    raise AssertionError(f"{prefix!r} not in {path}")


def set_source_file(fact_dir: Path, value: str) -> Path:
    """Point the minimal source's `file` at value; the vocabulary file."""
    vocab = fact_dir / "vocab.toml"
    text = vocab.read_text(encoding="utf-8")
    assert 'file = "test-source.txt"' in text
    vocab.write_text(text.replace('file = "test-source.txt"', f"file = {json.dumps(value)}"),
                     encoding="utf-8")
    return vocab


def own_texts(fact_dir: Path) -> Path:
    texts = fact_dir / "texts"
    texts.mkdir(exist_ok=True)
    return texts


# ---------------------------------------------------------------- the bundled texts
def test_bundled_texts_ship_in_the_package_dir():
    sources = json.loads(run(["sources", "--format", "json"]).stdout)
    assert len(sources) == N == len({s["file"] for s in sources}) + 1  # 004 prints two articles
    for source in sources:
        assert (bundled_facts_dir() / "texts" / source["file"]).is_file(), source["file"]


def test_bundled_texts_are_the_seeds_byte_for_byte():
    if not SEEDS.is_dir():
        pytest.skip(f"source texts not found at {SEEDS}")
    seeds = sorted(p.name for p in SEEDS.glob("*.txt"))
    assert sorted(p.name for p in BUNDLED_TEXTS.glob("*.txt")) == seeds
    for name in seeds:
        assert (BUNDLED_TEXTS / name).read_bytes() == (SEEDS / name).read_bytes(), name


def test_bundled_check_verifies_every_quote_without_against():
    result = run(["check"])
    assert result.stderr == ""
    lines = summary(result.stdout)
    assert lines["sources"] == f"{N} sources: {N} verified, 0 not verified"
    assert re.fullmatch(r"\d+ quotes verified, 0 not found, 0 not checked.*", lines["quotes"])
    assert int(lines["quotes"].split()[0]) > 100
    assert lines["totals"] == "0 problem(s) in the files; 0 finding(s) from the checks"


def test_bundled_check_subprocess_from_another_directory(tmp_path):
    proc = run_proc(["check"], cwd=tmp_path)
    assert f"{N} sources: {N} verified, 0 not verified" in proc.out
    assert "0 finding(s)" in proc.out
    assert proc.err == ""


def test_bundled_check_json_is_an_empty_list():
    proc = run_proc(["check", "--format", "json"])
    assert json.loads(proc.out) == []
    assert f"{N} sources: {N} verified" in proc.err  # the summary stays off stdout


def test_text_files_are_not_read_as_fact_files(fact_dir):
    (own_texts(fact_dir) / "test-source.txt").write_text(MINIMAL_SOURCE_TEXT, encoding="utf-8")
    (fact_dir / "texts" / "notes.txt").write_text("this = = is not TOML [[\n", encoding="utf-8")
    result = run(["check", "--facts-dir", fact_dir])
    assert "0 problem(s) in the files" in result.stdout


# ---------------------------------------------------------------- where texts are found
def test_user_texts_in_against(fact_dir, tmp_path):
    """The README walkthrough: check --facts-dir ~/my-facts --against ~/my-sources."""
    sources = tmp_path / "my-sources"
    sources.mkdir()
    (sources / "test-source.txt").write_text(MINIMAL_SOURCE_TEXT, encoding="utf-8")
    proc = run_proc(["check", "--facts-dir", fact_dir, "--against", sources])
    assert f"{N + 1} sources: {N + 1} verified, 0 not verified" in proc.out
    assert "0 finding(s)" in proc.out
    assert proc.err == ""


def test_user_texts_in_own_texts_dir(fact_dir):
    (own_texts(fact_dir) / "test-source.txt").write_text(MINIMAL_SOURCE_TEXT, encoding="utf-8")
    result = run(["check", "--facts-dir", fact_dir])
    assert summary(result.stdout)["sources"] == f"{N + 1} sources: {N + 1} verified, 0 not verified"
    assert result.stderr == ""


def test_user_texts_in_own_texts_dir_via_environment(fact_dir):
    (own_texts(fact_dir) / "test-source.txt").write_text(MINIMAL_SOURCE_TEXT, encoding="utf-8")
    proc = run_proc(["check"], env={"CORRIDOR_FACTS_PATH": str(fact_dir)})
    assert f"{N + 1} sources: {N + 1} verified, 0 not verified" in proc.out


def test_source_with_no_text_is_not_verified_but_not_a_failure(fact_dir, tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    result = run(["check", "--facts-dir", fact_dir, "--against", empty])
    lines = summary(result.stdout)
    assert lines["sources"] == f"{N + 1} sources: {N} verified, 1 not verified (no text found: test-source)"
    assert re.search(r", 2 not checked", lines["quotes"]), lines["quotes"]  # one fact, one event
    assert result.stderr == ""


def test_against_repeated_each_directory_is_searched(fact_dir, tmp_path):
    write_toml(fact_dir, "two.toml", """
        [[source]]
        id = "test-source-two"
        title_zh = "第二份测试报告"
        title_en = "Second test report"
        file = "two.txt"

        [[event]]
        id = "test-zone-expanded-2023"
        date = "2023"
        title_zh = "测试园区扩区"
        title_en = "Test Zone expands"
        entity = "test-zone"
        source = "test-source-two"
        quote = "测试园区扩区"
        """)
    first, second = tmp_path / "first", tmp_path / "second"
    first.mkdir()
    second.mkdir()
    (first / "test-source.txt").write_text(MINIMAL_SOURCE_TEXT, encoding="utf-8")
    (second / "two.txt").write_text("2023年，测试园区\n扩区。", encoding="utf-8")
    result = run(["check", "--facts-dir", fact_dir, "--against", first, "--against", second])
    assert summary(result.stdout)["sources"] == f"{N + 2} sources: {N + 2} verified, 0 not verified"


def test_against_directories_are_searched_in_order(fact_dir, tmp_path):
    good, bad = tmp_path / "good", tmp_path / "bad"
    good.mkdir()
    bad.mkdir()
    (good / "test-source.txt").write_text(MINIMAL_SOURCE_TEXT, encoding="utf-8")
    (bad / "test-source.txt").write_text("另一份文本。", encoding="utf-8")
    run(["check", "--facts-dir", fact_dir, "--against", good, "--against", bad])
    result = run(["check", "--facts-dir", fact_dir, "--against", bad, "--against", good], expect=1)
    assert "quote-not-found" in result.stderr
    assert "test-zone-machines-2022" in result.stderr


def test_own_texts_dir_comes_before_against(fact_dir, tmp_path):
    (own_texts(fact_dir) / "test-source.txt").write_text(MINIMAL_SOURCE_TEXT, encoding="utf-8")
    other = tmp_path / "other"
    other.mkdir()
    (other / "test-source.txt").write_text("另一份文本。", encoding="utf-8")
    run(["check", "--facts-dir", fact_dir, "--against", other])


@pytest.mark.parametrize("make", ["missing", "file"])
def test_against_must_be_a_directory(tmp_path, make):
    target = tmp_path / "nowhere"
    if make == "file":
        target.write_text("x", encoding="utf-8")
    result = run(["check", "--against", target], expect=2)
    assert "nowhere" in result.stderr and "--against" in result.stderr
    assert_no_traceback(result.stderr)


def test_against_missing_subprocess():
    proc = run_proc(["check", "--against", "/nonexistent"], expect=2)
    assert "/nonexistent" in proc.err
    assert proc.out == ""
    assert_no_traceback(proc.err)


# ---------------------------------------------------------------- findings and exit statuses
def test_quote_not_found_exits_1_naming_the_fact(fact_dir):
    (own_texts(fact_dir) / "test-source.txt").write_text(
        MINIMAL_SOURCE_TEXT.replace("42台", "24台"), encoding="utf-8")
    proc = run_proc(["check", "--facts-dir", fact_dir], expect=1)
    lines = [ln for ln in proc.err.splitlines() if "quote-not-found" in ln]
    assert len(lines) == 1, proc.err
    assert "test-zone-machines-2022" in lines[0]
    assert re.match(rf"{re.escape(str(fact_dir / 'facts.toml'))}:\d+: quote:", lines[0])
    assert "1 not found" in proc.out
    assert_no_traceback(proc.err)


def test_file_problem_outranks_findings(fact_dir):
    (own_texts(fact_dir) / "test-source.txt").write_text("另一份文本。", encoding="utf-8")
    write_toml(fact_dir, "broken.toml", "x = = 1\n")
    result = run(["check", "--facts-dir", fact_dir], expect=2)
    assert "broken.toml:1" in result.stderr
    assert "quote-not-found" in result.stderr


# ---------------------------------------------------------------- --format
def test_format_json_names_file_line_field_and_code(tmp_path):
    facts = write_toml(tmp_path, "one.toml", """
        [[fact]]
        id = "bad-date-fact"
        topic = "trains"
        entity = "jiangjin-cbz"
        metric = "trains_run"
        value = 5
        unit = "列"
        status = "actual"
        period = "2023-02-30"
        label_zh = "测试"
        label_en = "Test"
        source = "cqdaily-2020-07-06"
        quote = "开行5列"
        """)
    proc = run_proc(["check", "--facts-dir", tmp_path, "--format", "json"], expect=2)
    rows = json.loads(proc.out)
    assert rows and all(set(row) == KEYS for row in rows)
    (row,) = [r for r in rows if r["code"] == "bad-date"]
    assert row["file"] == str(facts)
    assert row["line"] == line_of(facts, "period")
    assert row["field"] == "period"
    assert "2023-02-30" in row["message"]
    assert "problem(s) in the files" in proc.err


def test_format_json_carries_findings(fact_dir):
    facts = fact_dir / "facts.toml"
    facts.write_text(facts.read_text(encoding="utf-8").replace("value = 42", "value = 24"),
                     encoding="utf-8")
    result = run(["check", "--facts-dir", fact_dir, "--format", "json"], expect=1)
    rows = json.loads(result.stdout)
    (row,) = rows
    assert set(row) == KEYS
    assert (row["code"], row["field"]) == ("figure-not-in-quote", "value")
    assert row["file"] == str(facts) and isinstance(row["line"], int)


def test_format_jsonl_and_csv(fact_dir):
    facts = fact_dir / "facts.toml"
    facts.write_text(facts.read_text(encoding="utf-8").replace("value = 42", "value = 24"),
                     encoding="utf-8")
    jsonl = parse_jsonl(run(["check", "--facts-dir", fact_dir, "--format", "jsonl"], expect=1).stdout)
    assert [set(r) for r in jsonl] == [KEYS]
    assert jsonl[0]["code"] == "figure-not-in-quote"
    out = run(["check", "--facts-dir", fact_dir, "--format", "csv"], expect=1).stdout
    assert csv_header(out) == ["file", "line", "field", "code", "message"]
    (row,) = parse_csv(out)
    assert row["code"] == "figure-not-in-quote" and row["line"].isdigit()


def test_format_table_is_the_default_behaviour(fact_dir):
    facts = fact_dir / "facts.toml"
    facts.write_text(facts.read_text(encoding="utf-8").replace("value = 42", "value = 24"),
                     encoding="utf-8")
    plain = run(["check", "--facts-dir", fact_dir], expect=1)
    table = run(["check", "--facts-dir", fact_dir, "--format", "table"], expect=1)
    assert plain.stdout == table.stdout and plain.stderr == table.stderr
    assert "figure-not-in-quote" in plain.stderr and "figure-not-in-quote" not in plain.stdout


# ---------------------------------------------------------------- reading source files safely
def _assert_file_problem(proc, vocab: Path, statuses=(1,)) -> None:
    assert proc.returncode in statuses
    assert_no_traceback(proc.err)
    where = f"{vocab}:{line_of(vocab, 'file')}: file:"
    assert any(ln.startswith(where) for ln in proc.err.splitlines()), proc.err


@pytest.mark.parametrize("value", ["/dev/zero", "../../etc/passwd", "/etc/passwd"])
def test_unsafe_file_names_are_problems(fact_dir, tmp_path, value):
    vocab = set_source_file(fact_dir, value)
    sources = tmp_path / "a" / "b"
    sources.mkdir(parents=True)
    # Exit 1 (a finding, read side) or 2 (if the loader rejects the value first).
    proc = run_proc(["check", "--facts-dir", fact_dir, "--against", sources],
                    expect=(1, 2), timeout=30)
    _assert_file_problem(proc, vocab, (1, 2))
    assert value in proc.err


def test_unsafe_file_name_as_json(fact_dir):
    vocab = set_source_file(fact_dir, "/dev/zero")
    proc = run_proc(["check", "--facts-dir", fact_dir, "--format", "json"], expect=(1, 2),
                    timeout=30)
    rows = json.loads(proc.out)
    assert any(r["file"] == str(vocab) and r["line"] == line_of(vocab, "file")
               and r["field"] == "file" for r in rows), rows


def test_symlink_outside_is_a_finding(fact_dir, tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text(MINIMAL_SOURCE_TEXT, encoding="utf-8")
    (own_texts(fact_dir) / "test-source.txt").symlink_to(secret)
    proc = run_proc(["check", "--facts-dir", fact_dir], expect=1, timeout=30)
    _assert_file_problem(proc, fact_dir / "vocab.toml")
    assert "bad-source-file" in proc.err and "outside" in proc.err
    assert "unsafe or unreadable file: test-source" in proc.out


def test_symlink_to_a_device_is_a_finding(fact_dir):
    if not Path("/dev/zero").exists():
        pytest.skip("no /dev/zero")
    (own_texts(fact_dir) / "test-source.txt").symlink_to("/dev/zero")
    proc = run_proc(["check", "--facts-dir", fact_dir], expect=1, timeout=30)
    _assert_file_problem(proc, fact_dir / "vocab.toml")
    assert "bad-source-file" in proc.err


def test_symlink_inside_is_followed(fact_dir):
    texts = own_texts(fact_dir)
    (texts / "real.txt").write_text(MINIMAL_SOURCE_TEXT, encoding="utf-8")
    (texts / "test-source.txt").symlink_to("real.txt")
    result = run(["check", "--facts-dir", fact_dir])
    assert f"{N + 1} sources: {N + 1} verified" in result.stdout


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes here")
def test_fifo_is_a_finding_not_a_hang(fact_dir, tmp_path):
    os.mkfifo(own_texts(fact_dir) / "test-source.txt")
    proc = run_proc(["check", "--facts-dir", fact_dir], expect=1, timeout=30)
    _assert_file_problem(proc, fact_dir / "vocab.toml")
    assert "FIFO" in proc.err and "bad-source-file" in proc.err


def test_fifo_in_against_is_a_finding(fact_dir, tmp_path):
    if not hasattr(os, "mkfifo"):
        pytest.skip("no named pipes here")
    sources = tmp_path / "sources"
    sources.mkdir()
    os.mkfifo(sources / "test-source.txt")
    proc = run_proc(["check", "--facts-dir", fact_dir, "--against", sources], expect=1, timeout=30)
    _assert_file_problem(proc, fact_dir / "vocab.toml")


def test_directory_is_a_finding(fact_dir):
    (own_texts(fact_dir) / "test-source.txt").mkdir()
    result = run(["check", "--facts-dir", fact_dir], expect=1)
    assert "a directory, not a regular file" in result.stderr
    assert_no_traceback(result.stderr)


def test_text_not_utf8_is_a_finding(fact_dir):
    (own_texts(fact_dir) / "test-source.txt").write_bytes(MINIMAL_SOURCE_TEXT.encode("gbk"))
    result = run(["check", "--facts-dir", fact_dir], expect=1)
    assert "source-unreadable" in result.stderr and "not UTF-8" in result.stderr


def test_text_too_large_is_a_finding(fact_dir, monkeypatch):
    (own_texts(fact_dir) / "test-source.txt").write_text(MINIMAL_SOURCE_TEXT * 100, encoding="utf-8")
    monkeypatch.setattr(sourcetexts, "MAX_TEXT_BYTES", 1000)
    result = run(["check", "--facts-dir", fact_dir], expect=1)
    assert "source-too-large" in result.stderr


# ---------------------------------------------------------------- the library
def test_find_source_text_reports_where_it_read(standalone_fact_dir, tmp_path):
    (own_texts(standalone_fact_dir) / "test-source.txt").write_text("正文。", encoding="utf-8")
    base, problems = load([standalone_fact_dir])
    assert problems == []
    source = base.sources["test-source"]
    found = find_source_text(source, [tmp_path], [standalone_fact_dir])
    assert found is not None and found.text == "正文。"
    assert found.path == standalone_fact_dir / "texts" / "test-source.txt"
    (standalone_fact_dir / "texts" / "test-source.txt").unlink()
    assert find_source_text(source, [tmp_path], [standalone_fact_dir]) is None


def test_verify_quotes_takes_one_directory_or_several(standalone_fact_dir, tmp_path):
    base, _ = load([standalone_fact_dir])
    (tmp_path / "test-source.txt").write_text(MINIMAL_SOURCE_TEXT, encoding="utf-8")
    assert verify_quotes(base, tmp_path) == []
    assert verify_quotes(base, [tmp_path / "nothing", tmp_path]) == []


# ---------------------------------------------------------------- a quote in context
@pytest.fixture(scope="module")
def trains_text() -> str:
    return (BUNDLED_TEXTS / "001_fcfb30629f7c2435.txt").read_text(encoding="utf-8")


def test_quote_context_on_the_bundled_text(trains_text):
    context = quote_context(trains_text, TRAINS_QUOTE)
    assert context is not None
    assert TRAINS_QUOTE in context
    assert context.endswith("。")
    assert context == ("亮点一全年开行西部陆海新通道江津班列536列，运量位列全市第2位，"
                       "总运量在全市占比由5%提升至20%以上。")
    assert squeeze(context) in squeeze(trains_text)


def test_quote_context_ignores_whitespace_in_the_quote(trains_text):
    assert quote_context(trains_text, "江津班列 536\n列") == quote_context(trains_text, TRAINS_QUOTE)


def test_quote_context_not_found():
    assert quote_context("全年开行536列。", "全年开行537列") is None
    assert quote_context("全年开行536列。", "  ") is None


def test_quote_context_sentence_bounds():
    text = "第一句。第二句说\n  全年开行\n536列，很好！第三句？"
    assert quote_context(text, "全年开行536列") == "第二句说全年开行536列，很好！"
    # a quote across a sentence end gives both sentences
    assert quote_context(text, "很好！第三句") == "第二句说全年开行536列，很好！第三句？"
    # closing quotation marks stay with their sentence
    assert quote_context("他说：“开行了。”然后离开。", "开行了") == "他说：“开行了。”"
    assert quote_context("他说：“开行了。”然后离开。", "然后") == "然后离开。"
    # a paragraph break ends a sentence
    assert quote_context("标题\n\n正文开始，开行536列\n\n下一段。", "开行536列") == "正文开始，开行536列"
    assert quote_context("It ran. Trains ran 536 times! Then?", "536") == "It ran. Trains ran 536 times!"


def test_context_for_a_bundled_record():
    base, problems = load(fact_dirs([], {}))
    assert problems == []
    record = next(r for r in (*base.facts, *base.events) if TRAINS_QUOTE in squeeze(r.quote))
    context = context_for(base, record)
    assert context is not None and squeeze(record.quote) in squeeze(context)
    assert context.endswith("。")


def test_context_for_a_user_record(fact_dir, tmp_path):
    base, _ = load(fact_dirs([fact_dir], {}))
    record = base.find("test-zone-opened-2022-05")
    assert context_for(base, record) is None  # no text anywhere
    (tmp_path / "test-source.txt").write_text(MINIMAL_SOURCE_TEXT, encoding="utf-8")
    assert context_for(base, record, [tmp_path]) == "2022年5月，测试园区开园。"


# ---------------------------------------------------------------- figures printed in the quote
def _probe_fact(value: object, unit: str, quote: str, fid: str = "test-zone-probe-2022",
                extra: str = "") -> str:
    return f"""
[[fact]]
id = "{fid}"
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
{extra}"""


def _check_json(fact_dir: Path, expect: int) -> list[dict]:
    result = run(["check", "--facts-dir", fact_dir, "--format", "json"], expect=expect)
    rows = json.loads(result.stdout)
    assert all(set(row) == KEYS for row in rows)
    return rows


@pytest.mark.parametrize(("value", "unit", "quote"), [
    (2, "列", "重庆两江新区开行班列120列"),
    (1, "列", "一带一路班列开行120列"),
    (3, "万吨", "三峡库区货运量800万吨"),
    (5, "个", "建成5G基站40个"),
    (2, "个", "占地100km²，建成基站40个"),
    (12, "个", "第⑫号基站"),
    (3300, "家", "综合排名全国第3，300家企业入驻"),
])
def test_check_fails_a_figure_that_is_not_printed(fact_dir, value, unit, quote):
    (own_texts(fact_dir) / "test-source.txt").write_text(MINIMAL_SOURCE_TEXT + quote + "。",
                                                         encoding="utf-8")
    write_toml(fact_dir, "probe.toml", _probe_fact(value, unit, quote))
    (row,) = _check_json(fact_dir, 1)
    assert (row["file"], row["field"], row["code"]) == \
        (str(fact_dir / "probe.toml"), "value", "figure-not-in-quote")
    assert row["line"] == line_of(fact_dir / "probe.toml", "value")
    assert "test-zone-probe-2022" in row["message"]


@pytest.mark.parametrize(("value", "unit", "quote"), [
    (120, "列", "重庆两江新区开行班列120列"),
    (300, "家", "综合排名全国第3，300家企业入驻"),
    (3, "位", "综合排名全国第3，300家企业入驻"),
    (40, "个", "建成5G基站40个"),
    (800, "万吨", "三峡库区货运量800万吨"),
    (2, "年", "已封关运行两年"),
    (1200, "列", "开行1,200列"),
    (1200, "列", "开行１２００列"),
])
def test_check_passes_a_figure_that_is_printed(fact_dir, value, unit, quote):
    (own_texts(fact_dir) / "test-source.txt").write_text(MINIMAL_SOURCE_TEXT + quote + "。",
                                                         encoding="utf-8")
    write_toml(fact_dir, "probe.toml", _probe_fact(value, unit, quote))
    assert _check_json(fact_dir, 0) == []


# ---------------------------------------------------------------- quotes of invalid records
@pytest.mark.parametrize(("replace", "field", "code"), [
    (('topic = "testing"', 'topic = "no-such-topic"'), "topic", "unknown-ref"),
    (('status = "actual"', 'status = "actuals"'), "status", "bad-choice"),
    (('period = "2022"', 'period = "2022-13"'), "period", "bad-date"),
    (('entity = "test-zone"', 'entity = "nowhere"'), "entity", "unknown-ref"),
    (('value = 44', 'value = "44"'), "value", "type-error"),
])
def test_check_verifies_quotes_of_invalid_facts_in_the_same_run(fact_dir, replace, field, code):
    (own_texts(fact_dir) / "test-source.txt").write_text(MINIMAL_SOURCE_TEXT, encoding="utf-8")
    text = _probe_fact(44, "个", "开行44列，此句不在原文中").replace(*replace)
    path = write_toml(fact_dir, "probe.toml", text)
    rows = _check_json(fact_dir, 2)
    assert {(r["file"], r["field"], r["code"]) for r in rows} == {
        (str(path), field, code), (str(path), "quote", "quote-not-found")}
    (quote_row,) = [r for r in rows if r["code"] == "quote-not-found"]
    assert quote_row["line"] == line_of(path, "quote")
    assert quote_row["message"].startswith("test-zone-probe-2022: quote not found in test-source")


def test_check_verifies_quotes_of_invalid_events_and_of_records_without_an_id(fact_dir):
    (own_texts(fact_dir) / "test-source.txt").write_text(MINIMAL_SOURCE_TEXT, encoding="utf-8")
    path = write_toml(fact_dir, "probe.toml", _probe_fact(44, "个", "开行44列，不在原文", fid="Not An Id") + """
[[event]]
id = "test-zone-closed-2022"
date = "2022-02-30"
title_zh = "测试园区闭园"
title_en = "Test Zone closes"
entity = "test-zone"
source = "test-source"
quote = "测试园区闭园"
""")
    rows = _check_json(fact_dir, 2)
    assert sorted((r["field"], r["code"], r["line"]) for r in rows) == sorted([
        ("id", "bad-format", line_of(path, "id = \"Not")),
        ("quote", "quote-not-found", line_of(path, 'quote = "开行')),
        ("date", "bad-date", line_of(path, "date")),
        ("quote", "quote-not-found", line_of(path, 'quote = "测试园区闭园')),
    ])
    messages = sorted(r["message"] for r in rows if r["code"] == "quote-not-found")
    assert messages[0].startswith("fact: quote not found in test-source")
    assert messages[1].startswith("test-zone-closed-2022: quote not found in test-source")
    assert "None" not in " ".join(messages)


def test_a_quote_of_an_unknown_or_invalid_source_is_not_checked(fact_dir):
    """A source that did not load has no text to check against: only its own problem."""
    (own_texts(fact_dir) / "test-source.txt").write_text(MINIMAL_SOURCE_TEXT, encoding="utf-8")
    text = _probe_fact(44, "个", "开行44列，不在原文").replace('source = "test-source"',
                                                        'source = "no-such-source"')
    path = write_toml(fact_dir, "probe.toml", text)
    rows = _check_json(fact_dir, 2)
    assert [(r["file"], r["field"], r["code"]) for r in rows] == \
        [(str(path), "source", "unknown-ref")]
