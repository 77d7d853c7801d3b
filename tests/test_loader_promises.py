"""The loader's promises: every problem at once, whole-number figures, names compared as
--entity compares them, right line numbers whatever the layout, linear time, and no
traceback from any file, file name or directory tree."""

from __future__ import annotations

import errno
import json
import os
import re
from pathlib import Path

import pytest

from conftest import MINIMAL_VOCAB, assert_no_traceback, run, run_proc, write_toml
from corridor_cli import factfiles, parsing
from corridor_cli.dates import Period
from corridor_cli.factfiles import ReadError, read_regular
from corridor_cli.loader import Loaded, bundled_facts_dir, fact_dirs, load, load_full
from corridor_cli.problems import Problem
from corridor_cli.provenance import verify_figures
from corridor_cli.records import Change, Fact, FactBase, Origin, Status, Unit

# One fact naming the bundled vocabularies, one key a line; {id}, {value}, {quote},
# {status} and {entity} may be changed. Its quote is in the bundled source's text, and
# no bundled fact has its metric and period, so that `corridor check` finds nothing else
# to say about it.
FACT = """\
[[fact]]
id = "{id}"
topic = "trains"
entity = "{entity}"
metric = "trains_run"
value = {value}
unit = "列"
status = "{status}"
period = "2021"
label_zh = "测试"
label_en = "probe"
source = "cqdaily-2020-07-06"
quote = "{quote}"
"""


QUOTE = "西部陆海新通道江津班列累计开行44列"


def fact(id: str = "probe-a", value: object = 44, quote: str = QUOTE, status: str = "actual",
         entity: str = "jiangjin-trains") -> str:
    return FACT.format(id=id, value=value, quote=quote, status=status, entity=entity)


def line_of(text: str, start: str, after: int = 0) -> int:
    """1-based number of the first line (after line `after`) that starts with start;
    lines split on \\n only, as TOML splits them."""
    for number, line in enumerate(text.split("\n"), start=1):
        if number > after and line.lstrip().startswith(start):
            return number
    raise AssertionError(f"no line starts with {start!r}")


def with_bundled(directory: Path) -> Loaded:
    return load_full(fact_dirs([directory], environ={}))


def where(problems: list[Problem], path: Path | None = None) -> set[tuple[int | None, str, str]]:
    return {(p.line, p.field, p.code) for p in problems if path is None or p.file == str(path)}


PROBLEM_LINE = re.compile(r"^(?P<file>.+?):(?P<line>\d+): (?P<field>[\w.]+): .* \[(?P<code>[a-z0-9-]+)\]$")


def parse_stderr(stderr: str, path: Path) -> set[tuple[int, str, str]]:
    """(line, field, code) of each `file:line: field: message [code]` line about path."""
    found = set()
    for line in stderr.splitlines():
        if line.startswith(f"{path}:"):
            m = PROBLEM_LINE.match(line)
            assert m, line
            found.add((int(m["line"]), m["field"], m["code"]))
    return found


# ---------------------------------------------------------------- 1. every problem at once
def test_check_reports_every_kind_of_mistake_in_one_run(tmp_path):
    text = "\n".join([
        fact(id="probe-bad-field", status="actuals"),  # a bad field
        fact(id="probe-unknown-entity", entity="nowhere-at-all"),  # an unknown reference
        fact(id="probe-figure", value=7),  # a figure not in its quote
        fact(id="probe-bad-field"),  # a duplicate id (of the first, itself invalid)
    ])
    path = write_toml(tmp_path, "f.toml", text)
    result = run(["check", "--facts-dir", tmp_path], expect=2)
    assert_no_traceback(result.stderr)
    assert parse_stderr(result.stderr, path) == {
        (line_of(text, 'status = "actuals"'), "status", "bad-choice"),
        (line_of(text, 'entity = "nowhere-at-all"'), "entity", "unknown-ref"),
        (line_of(text, "value = 7"), "value", "figure-not-in-quote"),
        (line_of(text, 'id = "probe-bad-field"', after=line_of(text, 'id = "probe-figure"')),
         "id", "duplicate-id"),
    }


def test_a_bad_field_and_an_unknown_reference_in_one_record(tmp_path):
    text = fact(value='"5"', entity="nowhere-at-all")
    path = write_toml(tmp_path, "f.toml", text)
    loaded = with_bundled(tmp_path)
    assert where(loaded.problems, path) == {
        (line_of(text, "value"), "value", "type-error"),
        (line_of(text, "entity"), "entity", "unknown-ref"),
    }
    assert not any(f.id == "probe-a" for f in loaded.base.facts)


def test_an_invalid_record_still_takes_part_in_the_duplicate_check(tmp_path):
    first = fact(status="actuals")
    write_toml(tmp_path, "a.toml", first)
    second = write_toml(tmp_path, "b.toml", "# again\n" + fact())
    loaded = with_bundled(tmp_path)
    assert sorted((p.file, p.line, p.code) for p in loaded.problems) == sorted([
        (str(tmp_path / "a.toml"), line_of(first, "status"), "bad-choice"),
        (str(second), 3, "duplicate-id"),
    ])
    assert not any(f.id == "probe-a" for f in loaded.base.facts)


def test_all_facts_holds_invalid_facts_for_the_figure_check(tmp_path):
    text = fact(status="actuals", value=9)  # bad status, and 9 is not in the quote
    path = write_toml(tmp_path, "f.toml", text)
    loaded = with_bundled(tmp_path)
    (mine,) = [f for f in loaded.all_facts if f.id == "probe-a"]
    assert mine.status is None and mine.value == 9 and mine.quote == QUOTE
    assert mine not in loaded.base.facts
    assert where(verify_figures(loaded.all_facts), path) == {
        (line_of(text, "value"), "value", "figure-not-in-quote")}
    assert len(loaded.all_facts) == len(loaded.base.facts) + 1


def test_references_of_a_record_with_a_bad_id_are_checked(tmp_path):
    text = fact(id="Not An Id", entity="nowhere-at-all")
    path = write_toml(tmp_path, "f.toml", text)
    assert where(with_bundled(tmp_path).problems, path) == {
        (line_of(text, "id"), "id", "bad-format"),
        (line_of(text, "entity"), "entity", "unknown-ref"),
    }


def test_a_fact_naming_an_invalid_entity_is_left_out_without_a_second_problem(tmp_path):
    text = MINIMAL_VOCAB.replace('kind = "industrial-area"', "kind = 3") + """
[[unit]]
id = "%"
name_zh = "百分比"
name_en = "percent"
scale = 1
base = "percent"

[[fact]]
id = "test-zone-machines-2022"
topic = "testing"
entity = "test-zone"
metric = "machines_installed"
value = 42
unit = "测试台"
status = "actual"
period = "2022"
label_zh = "台数"
label_en = "Machines"
source = "test-source"
quote = "全年安装42台"
"""
    path = write_toml(tmp_path, "f.toml", text)
    base, problems = load([tmp_path])
    assert where(problems) == {(line_of(text.lstrip("\n"), "kind = 3"), "kind", "type-error")}
    assert problems[0].file == str(path)
    assert base.facts == () and "test-zone" not in base.entities
    assert set(base.units) == {"测试台", "%"}


def test_factbase_records_files_dirs_and_origin_root(tmp_path):
    write_toml(tmp_path, "deep/f.toml", fact())
    dirs = fact_dirs([tmp_path], environ={})
    loaded = load_full(dirs)
    assert loaded.problems == []
    assert loaded.base.dirs == tuple(dirs)
    assert (tmp_path / "deep" / "f.toml").resolve() in loaded.base.files
    assert (bundled_facts_dir() / "vocab" / "units.toml").resolve() in loaded.base.files
    (mine,) = [f for f in loaded.base.facts if f.id == "probe-a"]
    assert mine.origin.root == str(tmp_path)
    assert loaded.base.units["列"].origin.root == str(bundled_facts_dir())
    assert load(dirs) == (loaded.base, loaded.problems)


# ---------------------------------------------------------------- 2. whole-number figures
def make_fact(value, quote, unit="列", value_max=None, change=None) -> Fact:
    return Fact("probe", "trains", "jiangjin-trains", "trains_run", value, unit, Status.actual,
                Period.parse("2022"), "测试", "probe", "cqdaily-2020-07-06", quote,
                value_max=value_max, change=change, origin=Origin("f.toml", 1, (("value", 6),)))


@pytest.mark.parametrize(("value", "quote", "unit", "printed"), [
    (120, "开行1200列", "列", False),
    (1200, "开行1200列", "列", True),
    (2, "2022年开行", "列", False),
    (2, "开行12列", "列", False),
    (2, "开行2列", "列", True),
    (1.5, "增长11.5", "列", False),
    (1.5, "增长1.55", "列", False),
    (1.5, "增长1.5%", "列", True),
    (1.5, "增长1.50%", "列", True),
    (5, "开行0.5列", "列", False),
    (1200, "开行1,200列", "列", True),
    # the full-width comma is a clause comma, never a thousands separator
    (1200, "开行1，200列", "列", False),
    (200, "开行1，200列", "列", True),
    (1200, "开行１，２００列", "列", False),
    (200, "开行1,200列", "列", False),
    (1200, "开行１２００列", "列", True),
    (1.5, "增长１．５", "列", True),
    (3, "开行三列", "列", True),
    (3, "开行三十列", "列", False),
    (3, "开行十三列", "列", False),
    (30, "开行三十列", "列", True),  # Chinese numerals are read by value
    (2, "开行两列", "列", True),
    (10, "十四五期间", "列", False),
    (0.5, "半年", "年", True),  # 年 is no measure word: 半年 is 0.5 年 only
    (1.2, "货量1.2万吨", "万吨", True),
    (1.2, "货量1.2万吨", "吨", False),
    (2, "两万吨", "万吨", True),
    (2, "两万吨", "吨", False),
])
def test_figures_match_whole_numbers(value, quote, unit, printed):
    problems = verify_figures([make_fact(value, quote, unit)])
    assert (problems == []) is printed, [str(p) for p in problems]
    if not printed:
        (problem,) = problems
        assert (problem.file, problem.line, problem.field, problem.code) == \
            ("f.toml", 6, "value", "figure-not-in-quote")


UNITS = {u.id: u for u in (
    Unit("列", "列", "trains", 1, "train"), Unit("万吨", "万吨", "10,000 tonnes", 1e4, "tonne"),
    Unit("个", "个", "items", 1, "count"), Unit("家", "家", "companies", 1, "count"),
    Unit("km", "公里", "kilometres", 1, "km"), Unit("平方公里", "平方公里", "square kilometres", 1, "km2"),
    Unit("标箱", "标箱", "TEU", 1, "TEU"), Unit("GB", "GB", "gigabytes", 1, "byte"),
    Unit("万分之", "万分之", "per ten thousand", 1, "ratio"), Unit("位", "位", "rank", 1, "rank"),
)}


@pytest.mark.parametrize(("value", "quote", "unit", "printed"), [
    # a Chinese numeral in a name is not a figure
    (2, "重庆两江新区开行班列120列", "列", False),
    (120, "重庆两江新区开行班列120列", "列", True),
    (1, "一带一路沿线开行班列", "列", False),
    (3, "三峡库区货运量800万吨", "万吨", False),
    (800, "三峡库区货运量800万吨", "万吨", True),
    (2, "二〇二二年开行", "列", False),
    # ... but one that counts something is
    (3, "开行三列", "列", True),
    (2, "已封关运行两年", "年", True),
    (3, "第三批入驻", "位", True),  # an ordinal: a rank only
    (3, "第三十批入驻", "个", False),
    (10, "十大项目", "个", False),  # 大 is no measure word
    (5, "不到万分之五的土地", "万分之", True),
    (5, "五的土地", "万分之", False),
    (2, "两万吨", "吨", False),
    # an Arabic number followed by letters is a name unless the unit starts so
    (5, "建成5G基站40个", "个", False),
    (40, "建成5G基站40个", "个", True),
    (3, "3D打印企业10家", "家", False),
    (100, "占地100km²", "km", True),
    (100, "占地100KM", "km", True),
    (100, "占地100km²", "平方公里", False),
    (2208, "2208TEU发往全国", "标箱", True),
    (5, "5GB流量", "GB", True),
    # NFKC is not applied: ² is not 2, ⑫ not 12, ， not a thousands separator
    (2, "占地100km²", "km", False),
    (12, "第⑫号", "个", False),
    (300, "综合排名全国第3，300家企业入驻", "家", True),
    (3, "综合排名全国第3，300家企业入驻", "位", True),
    (3300, "综合排名全国第3，300家企业入驻", "家", False),
    (3300, "综合排名全国第3,300家企业入驻", "位", True),  # 第: a rank
    (12, "开行１２列", "列", True),
    (3, "开行٣列", "列", True),
    (1200, "开行1,2000列", "列", False),
])
def test_figures_are_quantities_not_names(value, quote, unit, printed):
    problems = verify_figures([make_fact(value, quote, unit)], UNITS)
    assert (problems == []) is printed, [str(p) for p in problems]
    if not printed:
        (problem,) = problems
        assert (problem.file, problem.line, problem.field, problem.code) == \
            ("f.toml", 6, "value", "figure-not-in-quote")


def test_figure_check_takes_units_from_a_factbase():
    fact = make_fact(100, "占地100km²", "km")
    assert verify_figures(FactBase(units=UNITS, facts=(fact,))) == []
    assert [p.code for p in verify_figures(FactBase(facts=(make_fact(5, "5G基站", "个"),)))] == \
        ["figure-not-in-quote"]


def test_figures_of_value_max_and_change_and_a_negative_change():
    change = Change(-3.2, "%")
    ok = make_fact(10, "开行10至12列，下降3.2%", value_max=12, change=change)
    assert verify_figures([ok]) == []
    bad = make_fact(10, "开行10至112列，下降13.2%", value_max=12, change=change)
    assert [(p.field, p.code) for p in verify_figures([bad])] == [
        ("value_max", "figure-not-in-quote"), ("change", "figure-not-in-quote")]


def test_figure_check_skips_what_did_not_load_and_takes_a_factbase():
    assert verify_figures([make_fact(None, "开行5列"), make_fact(7, None),
                           make_fact(5, "开行5列", change=Change(None, "%"))]) == []
    assert len(verify_figures(FactBase(facts=(make_fact(7, "开行5列"),)))) == 1


def test_the_bundled_facts_pass_the_figure_check():
    loaded = load_full(fact_dirs([], environ={}))
    assert loaded.problems == []
    assert verify_figures(loaded.all_facts) == [], "\n".join(map(str, verify_figures(loaded.all_facts)))


# ---------------------------------------------------------------- 3. name collisions
@pytest.mark.parametrize("alias", ["tz   park", "TZ PARK", "Test\tZone", "TEST-ZONE", " 测试区 "])
def test_names_differing_only_by_spacing_or_case_collide(standalone_fact_dir, alias):
    text = f"""
[[entity]]
id = "other-zone"
name_zh = "另一园区"
name_en = "Other Zone"
kind = "industrial-area"
aliases = ["{alias}"]
"""
    path = write_toml(standalone_fact_dir, "z-other.toml", text)  # read after vocab.toml
    _, problems = load([standalone_fact_dir])
    (problem,) = problems
    assert (problem.file, problem.line, problem.field, problem.code) == \
        (str(path), line_of(text.lstrip("\n"), "aliases"), "aliases", "ambiguous-name")
    assert "test-zone" in problem.message


# ---------------------------------------------------------------- 4. line numbers
@pytest.mark.parametrize("odd", ["\u2028", "\u2029", "\u0085", "\u2028\u2029\u0085"])
def test_line_numbers_with_line_separators_inside_strings(tmp_path, odd):
    """TOML breaks lines at \\n only: U+2028, U+2029 and U+0085 in a string or a
    comment are not line breaks (str.splitlines() would count them)."""
    text = fact(status="actuals").replace('id = "probe-a"\n',
                                          f'id = "probe-a"\nnote = "a{odd}b"  # c{odd}d\n')
    path = write_toml(tmp_path, "f.toml", f"# first{odd}\n" + text)
    problem = only(with_bundled(tmp_path).problems, "bad-choice")
    assert (problem.file, problem.line, problem.field) == \
        (str(path), 1 + line_of(text, "status"), "status")


@pytest.mark.parametrize("quotes", ['"""', "'''"])
def test_multi_line_strings_that_look_like_headers_and_keys(tmp_path, quotes):
    note = f'note = {quotes}\n[[fact]]\nid = "x"\nstatus = "y"\n{quotes}\n'
    text = fact().replace('label_zh = "测试"\n', 'label_zh = "测试"\n' + note)
    text = text.replace('status = "actual"', 'statuz = "actual"')
    path = write_toml(tmp_path, "f.toml", text + fact(id="probe-b", status="actuals"))
    loaded = with_bundled(tmp_path)
    first_end = text.count("\n")
    assert where(loaded.problems, path) == {
        (1, "status", "missing-field"),
        (line_of(text, "statuz"), "statuz", "unknown-field"),
        (first_end + line_of(fact(), "status"), "status", "bad-choice"),
    }


INLINE = """\
# facts as one array of inline tables
fact = [
  { id = "probe-a", topic = "trains", entity = "jiangjin-trains", metric = "trains_run", value = 5, unit = "列", status = "actuals", period = "2022", label_zh = "测试", label_en = "probe", source = "cqdaily-2020-07-06", quote = "开行5列" },

  # a comment with a quote "
  { id = "probe-b", topic = "trains", entity = "nowhere-at-all", metric = "trains_run", value = 5, unit = "列", status = "actual", period = "2022", label_zh = "测试", label_en = "probe", source = "cqdaily-2020-07-06", quote = "开行5列" },
  { id = "probe-c", topic = "trains", entity = "jiangjin-trains", disagrees_with = [
      "probe-a",
    ], metric = "trains_run", value = 5, unit = "列", status = "actuall", period = "2022", label_zh = "测试", label_en = "probe", source = "cqdaily-2020-07-06", quote = "开行5列", change = { value = 1, unit = "%%" } },
]
"""


def test_inline_array_of_tables_lines(tmp_path):
    path = write_toml(tmp_path, "f.toml", INLINE)
    loaded = with_bundled(tmp_path)
    a, b, c = (line_of(INLINE, "{ id = " + repr(i).replace("'", '"')) for i in
               ("probe-a", "probe-b", "probe-c"))
    c_rest = line_of(INLINE, "], metric")
    assert where(loaded.problems, path) == {
        (a, "status", "bad-choice"),
        (b, "entity", "unknown-ref"),
        (c_rest, "status", "bad-choice"),
        (c_rest, "change.unit", "unknown-ref"),
    }
    facts = {f.id: f for f in loaded.all_facts}
    assert [facts[i].origin.line for i in ("probe-a", "probe-b", "probe-c")] == [a, b, c]
    assert facts["probe-c"].origin.line_of("disagrees_with") == c
    assert facts["probe-c"].origin.line_of("change.value") == c_rest


def test_crlf_file_lines(tmp_path):
    text = fact() + "\n" + fact(id="probe-b", status="actuals")
    path = tmp_path / "crlf.toml"
    path.write_bytes(text.replace("\n", "\r\n").encode("utf-8"))
    problem = only(with_bundled(tmp_path).problems, "bad-choice")
    assert (problem.file, problem.line, problem.field) == \
        (str(path), line_of(text, "status", after=line_of(text, 'id = "probe-b"')), "status")


def test_sub_tables_and_dotted_keys_have_their_lines(tmp_path):
    text = fact() + '[fact.change]\nvalue = 1\nbasis = "yearly"\n'
    text = text.replace('quote = "开行5列"', 'quote = "开行5列，增长1%"')
    path = write_toml(tmp_path, "f.toml", text)
    assert where(with_bundled(tmp_path).problems, path) == {
        (line_of(text, "[fact.change]"), "change.unit", "missing-field"),
        (line_of(text, "basis"), "change.basis", "bad-choice"),
    }


def test_standard_table_and_top_level_key_lines(tmp_path):
    text = "# x\n\n[fact]\nid = 1\n"
    write_toml(tmp_path, "a.toml", text)
    write_toml(tmp_path, "b.toml", '# y\n\nevent = "not a table"\n')
    problems = sorted((Path(p.file).name, p.line, p.field, p.code)
                      for p in with_bundled(tmp_path).problems)
    assert problems == [("a.toml", 3, "fact", "type-error"), ("b.toml", 3, "event", "type-error")]


def generated(n: int, bad_last: bool = True) -> str:
    rows = []
    for i in range(n):
        status = "actuals" if bad_last and i == n - 1 else "actual"
        rows.append(f'  {{ id = "gen-fact-{i}", topic = "trains", entity = "jiangjin-trains", '
                    f'metric = "trains_run", value = {i + 1}, unit = "列", status = "{status}", '
                    f'period = "2022", label_zh = "测试", label_en = "test", '
                    f'source = "cqdaily-2020-07-06", quote = "开行{i + 1}列" }},\n')
    return "# generated\nfact = [\n" + "".join(rows) + "]\n"


def test_problem_in_the_last_of_4000_inline_facts_has_the_right_line(tmp_path):
    text = generated(4000)
    path = write_toml(tmp_path, "gen.toml", text)
    loaded = with_bundled(tmp_path)
    assert [(p.file, p.line, p.field, p.code) for p in loaded.problems] == \
        [(str(path), 4002, "status", "bad-choice")]
    assert line_of(text, '{ id = "gen-fact-3999"') == 4002
    last = loaded.all_facts[-1]
    assert (last.id, last.origin.line, last.origin.line_of("quote")) == ("gen-fact-3999", 4002, 4002)
    assert len([f for f in loaded.base.facts if f.id.startswith("gen-fact-")]) == 3999


# ---------------------------------------------------------------- 6. no traceback from any file
def only(problems: list[Problem], code: str) -> Problem:
    matching = [p for p in problems if p.code == code]
    assert len(matching) == 1, [str(p) for p in problems]
    return matching[0]


def test_an_integer_too_long_to_read(tmp_path):
    path = write_toml(tmp_path, "huge.toml", fact() + "\n\nx = " + "9" * 5000 + "\n")
    problem = only(with_bundled(tmp_path).problems, "bad-number")
    assert (problem.file, problem.line) == (str(path), fact().count("\n") + 3)
    proc = run_proc(["check", "--facts-dir", tmp_path], expect=2)
    assert_no_traceback(proc.err)
    assert f"{path}:{problem.line}:" in proc.err and "[bad-number]" in proc.err


def test_symlink_loop_between_two_fact_files(tmp_path):
    write_toml(tmp_path, "good.toml", fact())
    (tmp_path / "a.toml").symlink_to("b.toml")
    (tmp_path / "b.toml").symlink_to("a.toml")
    loaded = with_bundled(tmp_path)
    assert sorted((p.file, p.code) for p in loaded.problems) == [
        (str(tmp_path / "a.toml"), "symlink-loop"), (str(tmp_path / "b.toml"), "symlink-loop")]
    assert any(f.id == "probe-a" for f in loaded.base.facts)
    proc = run_proc(["check", "--facts-dir", tmp_path], expect=2, timeout=60)
    assert_no_traceback(proc.err)
    assert proc.err.count("[symlink-loop]") == 2


def test_directory_symlinked_into_itself(tmp_path):
    write_toml(tmp_path, "sub/f.toml", fact())
    (tmp_path / "sub" / "loop").symlink_to("..", target_is_directory=True)
    (tmp_path / "self").symlink_to(".", target_is_directory=True)
    loaded = with_bundled(tmp_path)
    assert sorted((p.file, p.code) for p in loaded.problems) == [
        (str(tmp_path / "self"), "symlink-loop"), (str(tmp_path / "sub" / "loop"), "symlink-loop")]
    assert len([f for f in loaded.base.facts if f.id == "probe-a"]) == 1
    proc = run_proc(["check", "--facts-dir", tmp_path], expect=2, timeout=60)
    assert_no_traceback(proc.err)


def test_a_facts_dir_that_is_a_symlink_loop(tmp_path):
    (tmp_path / "loop").symlink_to("loop")
    (problem,) = with_bundled(tmp_path / "loop").problems
    assert (problem.file, problem.code) == (str(tmp_path / "loop"), "symlink-loop")


def test_a_symlinked_directory_is_followed_once(tmp_path):
    write_toml(tmp_path, "real/f.toml", fact())
    (tmp_path / "link").symlink_to("real", target_is_directory=True)
    loaded = with_bundled(tmp_path)
    assert loaded.problems == []
    assert len([f for f in loaded.base.facts if f.id == "probe-a"]) == 1


def test_unreadable_subdirectory_simulated(tmp_path, monkeypatch):
    write_toml(tmp_path, "f.toml", fact())
    locked = tmp_path / "deep" / "locked"
    write_toml(locked, "g.toml", fact(id="probe-b"))
    real_scandir = os.scandir

    def scandir(path="."):
        if os.fspath(path) == str(locked):
            raise PermissionError(errno.EACCES, "Permission denied", os.fspath(path))
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", scandir)
    loaded = with_bundled(tmp_path)
    assert [(p.file, p.line, p.code) for p in loaded.problems] == [(str(locked), None, "unreadable-dir")]
    assert "Permission denied" in loaded.problems[0].message
    assert any(f.id == "probe-a" for f in loaded.base.facts)
    result = run(["check", "--facts-dir", tmp_path], expect=2)
    assert f"{locked}: cannot read directory" in result.stderr


def test_unreadable_top_directory_simulated(tmp_path, monkeypatch):
    real_scandir = os.scandir

    def scandir(path="."):
        if os.fspath(path) == str(tmp_path):
            raise PermissionError(errno.EACCES, "Permission denied", os.fspath(path))
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", scandir)
    (problem,) = with_bundled(tmp_path).problems
    assert (problem.file, problem.code) == (str(tmp_path), "unreadable-dir")


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() == 0,
                    reason="as root, chmod 000 does not stop reading a directory")
def test_unreadable_subdirectory_for_real(tmp_path):
    write_toml(tmp_path, "f.toml", fact())
    locked = tmp_path / "locked"
    write_toml(locked, "g.toml", fact(id="probe-b"))
    locked.chmod(0)
    try:
        loaded = with_bundled(tmp_path)
        proc = run_proc(["check", "--facts-dir", tmp_path], expect=2)
    finally:
        locked.chmod(0o755)
    assert [(p.file, p.code) for p in loaded.problems] == [(str(locked), "unreadable-dir")]
    assert_no_traceback(proc.err)
    assert "[unreadable-dir]" in proc.err


def test_file_name_that_is_not_utf8(tmp_path):
    raw = os.path.join(os.fsencode(tmp_path), b"bad\xff.toml")
    with open(raw, "wb") as f:
        f.write(fact(status="actuals").encode("utf-8"))
    problem = only(with_bundled(tmp_path).problems, "bad-choice")
    assert problem.file == f"{tmp_path}/bad\\xff.toml"
    assert problem.line == line_of(fact(), "status")
    str(problem).encode("utf-8")
    json.dumps(problem.as_dict(), ensure_ascii=False).encode("utf-8")
    proc = run_proc(["check", "--facts-dir", tmp_path], expect=2)
    assert_no_traceback(proc.err)
    assert f"{tmp_path}/bad\\xff.toml:{problem.line}: status:" in proc.err


def test_fact_directory_name_that_is_not_utf8(tmp_path):
    raw = os.path.join(os.fsencode(tmp_path), b"dir\xfe")
    os.mkdir(raw)
    with open(os.path.join(raw, b"f.toml"), "wb") as f:
        f.write(b"x = = 1\n")
    (problem,) = with_bundled(Path(os.fsdecode(raw))).problems
    assert (problem.file, problem.code) == (f"{tmp_path}/dir\\xfe/f.toml", "toml-syntax")
    json.dumps(problem.as_dict(), ensure_ascii=False).encode("utf-8")


# ---------------------------------------------------------------- 7. a source's file
SOURCE = """\
[[source]]
id = "probe-source"
title_zh = "标题"
title_en = "Title"
file = {file}
"""


@pytest.mark.parametrize("file", [
    '"/etc/passwd"', '"../secret.txt"', '"texts/../../secret.txt"', '".."', '"texts\\\\a.txt"',
    '"a\\u0000b.txt"', '"a\\nb.txt"', '"a\\u007fb.txt"', '""', '"  "', '"."', '"C:/x.txt"',
    '"C:x.txt"',
])
def test_bad_source_file(tmp_path, file):
    text = SOURCE.format(file=file)
    path = write_toml(tmp_path, "s.toml", "# a source\n" + text)
    loaded = with_bundled(tmp_path)
    assert [(p.file, p.line, p.field, p.code) for p in loaded.problems] == \
        [(str(path), 6, "file", "bad-source-file")]
    assert "probe-source" not in loaded.base.sources


@pytest.mark.parametrize("file", ['"probe.txt"', '"texts/probe.txt"', '"./probe.txt"', '"a..b.txt"'])
def test_good_source_file(tmp_path, file):
    write_toml(tmp_path, "s.toml", SOURCE.format(file=file))
    loaded = with_bundled(tmp_path)
    assert loaded.problems == []
    assert "probe-source" in loaded.base.sources


def test_bad_source_file_through_the_cli(tmp_path):
    path = write_toml(tmp_path, "s.toml", SOURCE.format(file='"../../etc/passwd"'))
    result = run(["check", "--facts-dir", tmp_path], expect=2)
    assert parse_stderr(result.stderr, path) == {(5, "file", "bad-source-file")}
    assert_no_traceback(result.stderr)


# ---------------------------------------------------------------- 8. reading fact files safely


def test_a_huge_fact_file_is_a_problem_not_read(tmp_path):
    write_toml(tmp_path, "good.toml", fact())
    big = tmp_path / "big.toml"
    with open(big, "wb") as f:
        f.truncate(1 << 30)  # sparse: 1 GiB of NULs, not read
    loaded = with_bundled(tmp_path)
    assert [(p.file, p.line, p.code) for p in loaded.problems] == [(str(big), None, "too-large")]
    assert "64 MiB" in loaded.problems[0].message
    assert any(f.id == "probe-a" for f in loaded.base.facts)
    proc = run_proc(["facts", "--facts-dir", tmp_path], expect=2, timeout=20)
    assert f"{big}: " in proc.err and "[too-large]" in proc.err
    assert_no_traceback(proc.err)


@pytest.mark.parametrize("extra", [0, 1, 100])
def test_the_size_limit_is_exact(tmp_path, monkeypatch, extra):
    text = fact()
    path = write_toml(tmp_path, "f.toml", text)
    size = len(text.encode("utf-8"))
    monkeypatch.setattr(factfiles, "MAX_FACT_FILE_BYTES", size - extra)
    problems: list[Problem] = []
    parsed = parsing.parse_file(path, problems)
    if extra:  # the limit is below the file's size
        assert parsed is None
        assert [(p.file, p.line, p.code) for p in problems] == [(str(path), None, "too-large")]
    else:
        assert parsed is not None and problems == []


@pytest.mark.skipif(not os.path.exists("/proc/self/maps"), reason="no /proc here")
def test_a_file_that_under_reports_its_size_is_still_capped():
    # /proc files stat as regular files of size 0: the cap holds while reading
    assert os.stat("/proc/self/maps").st_size == 0
    with pytest.raises(ReadError) as caught:
        read_regular("/proc/self/maps", 16)
    assert caught.value.code == "too-large"


@pytest.mark.skipif(not os.path.exists("/proc/kmsg"), reason="no /proc/kmsg here")
def test_a_symlink_to_proc_kmsg_does_not_hang(tmp_path):
    write_toml(tmp_path, "good.toml", fact())
    (tmp_path / "x.toml").symlink_to("/proc/kmsg")
    proc = run_proc(["facts", "--facts-dir", tmp_path, "--format", "json"], expect=2, timeout=20)
    assert_no_traceback(proc.err)
    assert re.search(rf"^{re.escape(str(tmp_path / 'x.toml'))}: .*\[unreadable\]$", proc.err, re.MULTILINE), \
        proc.err
    loaded = with_bundled(tmp_path)
    assert [(p.file, p.code) for p in loaded.problems] == [(str(tmp_path / "x.toml"), "unreadable")]


@pytest.mark.parametrize("errno_value", sorted({errno.EAGAIN, errno.EWOULDBLOCK}))
def test_a_read_that_would_block_is_a_problem(tmp_path, monkeypatch, errno_value):
    write_toml(tmp_path, "good.toml", fact())
    blocked = write_toml(tmp_path, "blocked.toml", fact(id="probe-b"))
    real_open, real_read = os.open, os.read
    blocked_fds = set()

    def fake_open(path, flags, *args):
        assert flags & os.O_NONBLOCK, "fact files are opened without blocking"
        fd = real_open(path, flags, *args)
        if os.fspath(path) == str(blocked):
            blocked_fds.add(fd)
        else:  # a file descriptor number is reused once closed
            blocked_fds.discard(fd)
        return fd

    def fake_read(fd, n):
        if fd in blocked_fds:
            raise BlockingIOError(errno_value, "Resource temporarily unavailable")
        return real_read(fd, n)

    monkeypatch.setattr(factfiles.os, "open", fake_open)
    monkeypatch.setattr(factfiles.os, "read", fake_read)
    loaded = with_bundled(tmp_path)
    assert [(p.file, p.line, p.code) for p in loaded.problems] == [(str(blocked), None, "unreadable")]
    assert "would block" in loaded.problems[0].message
    assert any(f.id == "probe-a" for f in loaded.base.facts)
    assert not any(f.id == "probe-b" for f in loaded.all_facts)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes here")
def test_a_fifo_or_a_device_named_toml_is_a_problem(tmp_path):
    write_toml(tmp_path, "good.toml", fact())
    os.mkfifo(tmp_path / "pipe.toml")
    (tmp_path / "null.toml").symlink_to(os.devnull)
    loaded = with_bundled(tmp_path)
    assert sorted((p.file, p.code) for p in loaded.problems) == [
        (str(tmp_path / "null.toml"), "not-a-file"), (str(tmp_path / "pipe.toml"), "not-a-file")]
    messages = {Path(p.file).name: p.message for p in loaded.problems}
    assert "named pipe" in messages["pipe.toml"] and "character device" in messages["null.toml"]
    proc = run_proc(["check", "--facts-dir", tmp_path], expect=2, timeout=20)
    assert proc.err.count("[not-a-file]") == 2


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes here")
def test_read_regular_checks_the_file_it_opened(tmp_path):
    """Swapped for a FIFO or a directory after it was looked at: refused, without hanging."""
    os.mkfifo(tmp_path / "pipe")
    for path, kind in ((tmp_path / "pipe", "named pipe"), (tmp_path, "directory")):
        with pytest.raises(ReadError) as caught:
            read_regular(path, 1 << 20)
        assert caught.value.code == "not-a-file" and kind in caught.value.message


# ---------------------------------------------------------------- 9. dangling links
@pytest.mark.parametrize("target", ["missing.toml", "nowhere/x.toml", "good.toml/x"])
def test_a_dangling_toml_link_is_a_problem(tmp_path, target):
    write_toml(tmp_path, "good.toml", fact())
    (tmp_path / "sub").mkdir()
    link = tmp_path / "sub" / "gone.toml"
    link.symlink_to(target)
    loaded = with_bundled(tmp_path)
    assert [(p.file, p.line, p.field, p.code) for p in loaded.problems] == \
        [(str(link), None, "", "dangling-link")]
    assert target in loaded.problems[0].message
    assert any(f.id == "probe-a" for f in loaded.base.facts)
    result = run(["check", "--facts-dir", tmp_path, "--format", "json"], expect=2)
    (row,) = json.loads(result.stdout)
    assert (row["file"], row["code"]) == (str(link), "dangling-link") and target in row["message"]


def test_a_dangling_link_not_named_toml_is_no_fact_file(tmp_path):
    write_toml(tmp_path, "good.toml", fact())
    (tmp_path / "notes.txt").symlink_to("missing.txt")
    assert with_bundled(tmp_path).problems == []


# ---------------------------------------------------------------- 10. watched directories
def test_watched_dirs_are_every_directory_walked_real_paths(tmp_path):
    facts, ext = tmp_path / "d", tmp_path / "ext"
    write_toml(facts, "f.toml", fact())
    write_toml(facts, "a/b/g.toml", fact(id="probe-b"))
    write_toml(facts, "inner/deep/h.toml", fact(id="probe-c"))
    ext.mkdir()
    (facts / "innerlink").symlink_to("inner", target_is_directory=True)  # inside: walked once
    (facts / "a" / "loop").symlink_to("..", target_is_directory=True)  # a loop: not walked
    (facts / "again").symlink_to("a", target_is_directory=True)  # walked once already
    (facts / "extlink").symlink_to("../ext", target_is_directory=True)  # outside: a problem
    loaded = with_bundled(facts)
    assert sorted(p.code for p in loaded.problems) == ["symlink-loop", "symlinked-dir"]
    (outside,) = [p for p in loaded.problems if p.code == "symlinked-dir"]
    assert outside.file == str(facts / "extlink") and "--facts-dir" in outside.message
    watched = loaded.base.watched_dirs
    mine = [d for d in watched if tmp_path.resolve() in (d, *d.parents)]
    real = tmp_path.resolve()
    assert sorted(mine) == sorted([real / "d", real / "d" / "a", real / "d" / "a" / "b",
                                   real / "d" / "inner", real / "d" / "inner" / "deep"])
    assert len(watched) == len(set(watched))
    assert bundled_facts_dir().resolve() in watched
    assert (bundled_facts_dir() / "vocab").resolve() in watched
    assert {"probe-a", "probe-b", "probe-c"} <= {f.id for f in loaded.base.facts}


def test_a_link_out_of_the_fact_directory_is_never_walked(tmp_path):
    """ln -s / d/root: a problem naming the link, at once, never a walk of the file system."""
    facts = tmp_path / "d"
    write_toml(facts, "f.toml", fact())
    (facts / "root").symlink_to("/", target_is_directory=True)
    proc = run_proc(["facts", "--facts-dir", facts, "--format", "csv"], expect=2, timeout=20)
    assert f"{facts / 'root'}: a symbolic link to /" in proc.err and "[symlinked-dir]" in proc.err


def test_a_very_deep_fact_directory_is_walked_without_recursion(tmp_path):
    deep = tmp_path / "d"
    deep.mkdir()
    levels = [deep]
    for _ in range(1100):  # deeper than Python's recursion limit; os.makedirs would recurse
        levels.append(levels[-1] / "a")
        levels[-1].mkdir()
    try:
        write_toml(levels[-1], "f.toml", fact(id="probe-deep"))
        loaded = with_bundled(deep)
        assert loaded.problems == []
        assert "probe-deep" in {f.id for f in loaded.base.facts}
    finally:  # removed bottom-up here: shutil.rmtree (and pytest's cleanup) would recurse
        (levels[-1] / "f.toml").unlink(missing_ok=True)
        for level in reversed(levels):
            level.rmdir()


def test_output_is_refused_in_a_directory_reached_through_a_symlink(tmp_path):
    facts = tmp_path / "d"
    write_toml(facts, "f.toml", fact())
    (facts / "inner").mkdir()
    (facts / "innerlink").symlink_to("inner", target_is_directory=True)
    for target in (facts / "innerlink" / "new.toml", facts / "inner" / "new.toml"):
        proc = run_proc(["facts", "--facts-dir", facts, "-o", target], expect=74)
        assert "refusing to write" in proc.err
        assert not target.exists()
    assert list((facts / "inner").iterdir()) == []
