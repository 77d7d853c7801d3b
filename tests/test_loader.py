"""The loader: TOML files in, records and a list of problems out — never an exception.

Every bad-input class yields Problems naming file, line (where findable) and
field; all problems of all files come back at once.
"""

from __future__ import annotations

import json
import os
import random
import re
from pathlib import Path

import pytest

import tomli  # the parser corridor reads fact files with

from conftest import (
    MINIMAL_FACTS,
    MINIMAL_VOCAB,
    USER_FACT_BUNDLED_VOCAB,
    assert_no_traceback,
    run,
    run_proc,
    write_toml,
)
from corridor_cli.dates import PartialDate, Period
from corridor_cli.loader import ENV_PATH, bundled_facts_dir, fact_dirs, load
from corridor_cli.problems import Problem
from corridor_cli.records import Bound, Basis, Event, Fact, Status

SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")

# A valid fact that names the bundled vocabularies, laid out one key per line so
# that line numbers are easy to state (the comments give each line's number).
FACT_LINES = [
    "[[fact]]",
    'id = "probe-fact"',  # 2
    'topic = "trains"',  # 3
    'entity = "jiangjin-cbz"',  # 4
    'metric = "trains_run"',  # 5
    "value = 5",  # 6
    'unit = "列"',  # 7
    'status = "actual"',  # 8
    'period = "2022"',  # 9
    'label_zh = "测试"',  # 10
    'label_en = "probe"',  # 11
    'source = "cqdaily-2020-07-06"',  # 12
    'quote = "开行5列"',  # 13
]


def fact_text(**replace: str | None) -> str:
    """The probe fact with some lines replaced (key=None drops the line)."""
    lines = []
    for line in FACT_LINES:
        key = line.split("=")[0].strip()
        if key in replace:
            if replace[key] is not None:
                lines.append(replace[key])
        else:
            lines.append(line)
    return "\n".join(lines) + "\n"


def line_of(text: str, start: str) -> int:
    """1-based number of the first line of text that starts with start."""
    for number, line in enumerate(text.splitlines(), start=1):
        if line.startswith(start):
            return number
    raise AssertionError(f"no line starts with {start!r}")


def load_with_bundled(directory: Path) -> tuple:
    return load(fact_dirs([directory], environ={}))


def user_problems(directory: Path) -> list[Problem]:
    """Problems of a user directory loaded next to the bundled base (which has none)."""
    _, problems = load_with_bundled(directory)
    return problems


def only(problems: list[Problem], code: str) -> Problem:
    matching = [p for p in problems if p.code == code]
    assert len(matching) == 1, f"expected one {code!r} problem, got {[str(p) for p in problems]}"
    return matching[0]


def assert_well_formed(problem: Problem, path: Path) -> None:
    assert problem.file == str(path)
    assert SLUG.fullmatch(problem.code), problem.code
    assert problem.message.strip()
    assert str(path) in str(problem)
    assert problem.line is None or problem.line >= 1


# ---------------------------------------------------------------- valid input
def test_bundled_fact_base_has_no_problems():
    base, problems = load(fact_dirs([], environ={}))
    assert problems == [], "\n".join(map(str, problems))
    assert base.facts and base.events and base.units and base.topics
    assert base.entities and base.sources


def test_minimal_fact_dir_loads_into_typed_records(standalone_fact_dir):
    base, problems = load([standalone_fact_dir])
    assert problems == [], "\n".join(map(str, problems))
    assert set(base.units) == {"测试台", "%"}
    assert set(base.topics) == {"testing"}
    assert base.entities["test-zone"].aliases == ("测试区", "TZ Park")
    source = base.sources["test-source"]
    assert source.date == PartialDate(2022, 3)
    assert source.authors == ("张三",)
    (fact,) = base.facts
    assert isinstance(fact, Fact)
    assert fact.value == 42 and isinstance(fact.value, int)
    assert fact.status is Status.actual
    assert fact.bound is Bound.exact  # the documented default
    assert fact.period == Period.parse("2022")
    assert fact.change is not None
    assert (fact.change.value, fact.change.unit, fact.change.basis) == (5.5, "%", Basis.yoy)
    assert fact.origin.file == str(standalone_fact_dir / "facts.toml")
    assert fact.origin.line == line_of(MINIMAL_FACTS.lstrip("\n"), "[[fact]]")
    (event,) = base.events
    assert isinstance(event, Event)
    assert event.date == PartialDate(2022, 5)
    assert event.tags == ("opening",)


def test_user_dir_may_name_bundled_vocabularies(tmp_path):
    write_toml(tmp_path, "mine.toml", USER_FACT_BUNDLED_VOCAB)
    base, problems = load_with_bundled(tmp_path)
    assert problems == [], "\n".join(map(str, problems))
    mine = [f for f in base.facts if f.id == "user-jiangjin-cbz-test-metric-2022"]
    assert len(mine) == 1
    assert mine[0].entity == "jiangjin-cbz"


def test_as_of_fact(tmp_path):
    write_toml(tmp_path, "f.toml", fact_text(period='as_of = "2023-05"',
                                             metric='metric = "trains_run_cumulative"'))
    base, problems = load_with_bundled(tmp_path)
    assert problems == []
    (fact,) = [f for f in base.facts if f.id == "probe-fact"]
    assert fact.period.is_point and str(fact.period) == "as of 2023-05"


def test_file_with_utf8_bom_loads(tmp_path):
    (tmp_path / "bom.toml").write_bytes(b"\xef\xbb\xbf" + fact_text().encode("utf-8"))
    assert user_problems(tmp_path) == []


def test_files_are_found_recursively(tmp_path):
    write_toml(tmp_path, "deep/er/f.toml", fact_text())
    base, problems = load_with_bundled(tmp_path)
    assert problems == []
    assert any(f.id == "probe-fact" for f in base.facts)


# ---------------------------------------------------------------- bad input, one class at a time
def test_toml_syntax_error_names_the_right_line(tmp_path):
    text = fact_text() + "\n\nbroken = = 3\n"
    path = write_toml(tmp_path, "f.toml", text)
    problem = only(user_problems(tmp_path), "toml-syntax")
    assert_well_formed(problem, path)
    assert problem.line == line_of(text, "broken")


def test_toml_syntax_error_in_the_middle_of_a_table(tmp_path):
    text = fact_text(value='value = 5 5')
    path = write_toml(tmp_path, "f.toml", text)
    problem = only(user_problems(tmp_path), "toml-syntax")
    assert_well_formed(problem, path)
    assert problem.line == line_of(text, "value")


@pytest.mark.parametrize("key, line", [
    ("change", 'change = { value = 1,\n  unit = "%" }'),  # an inline table over two lines
    ("change", 'change = { value = 1, unit = "%", }'),  # a trailing comma in an inline table
    ("label_en", 'label_en = "probe \\e"'),  # the \e escape
    ("label_en", 'label_en = "probe \\x41"'),  # the \xHH escape
    ("quote", "quote = 07:32"),  # a time without seconds
])
def test_fact_files_are_toml_1_0(tmp_path, key, line):
    """What TOML 1.1 adds (and tomli 2.4 reads) is a syntax error in a fact file, with
    its line: pyproject.toml keeps the parser on TOML 1.0."""
    text = fact_text(**{key: line}) if key != "change" else fact_text() + line + "\n"
    path = write_toml(tmp_path, "f.toml", text)
    problem = only(user_problems(tmp_path), "toml-syntax")
    assert_well_formed(problem, path)
    assert problem.line == line_of(text, key)


def test_missing_required_field(tmp_path):
    text = fact_text(metric=None)
    path = write_toml(tmp_path, "f.toml", text)
    problems = user_problems(tmp_path)
    problem = only(problems, "missing-field")
    assert_well_formed(problem, path)
    assert problem.field == "metric"
    assert "metric" in problem.message
    assert problem.line == 1  # the [[fact]] table that lacks it
    assert len(problems) == 1


@pytest.mark.parametrize("missing", ["id", "topic", "entity", "value", "unit", "status",
                                     "label_zh", "label_en", "source", "quote"])
def test_each_required_fact_field_is_required(tmp_path, missing):
    write_toml(tmp_path, "f.toml", fact_text(**{missing: None}))
    problems = user_problems(tmp_path)
    assert [p.field for p in problems if p.code == "missing-field"] == [missing], \
        [str(p) for p in problems]


def test_string_where_a_number_belongs(tmp_path):
    text = fact_text(value='value = "5"')
    path = write_toml(tmp_path, "f.toml", text)
    problem = only(user_problems(tmp_path), "type-error")
    assert_well_formed(problem, path)
    assert (problem.field, problem.line) == ("value", line_of(text, "value"))
    assert "number" in problem.message


@pytest.mark.parametrize("bad", ["true", "[5]", "{ n = 5 }"])
def test_other_wrong_types_for_value(tmp_path, bad):
    write_toml(tmp_path, "f.toml", fact_text(value=f"value = {bad}"))
    problem = only(user_problems(tmp_path), "type-error")
    assert problem.field == "value"


def test_number_where_a_string_belongs(tmp_path):
    text = fact_text(label_en="label_en = 7")
    write_toml(tmp_path, "f.toml", text)
    problem = only(user_problems(tmp_path), "type-error")
    assert (problem.field, problem.line) == ("label_en", line_of(text, "label_en"))


@pytest.mark.parametrize(
    ("key", "wrong", "right"),
    [
        ("unit", "列车", "列"),
        ("unit", "亿美金", "亿美元"),
        ("entity", "jiangjin-cbx", "jiangjin-cbz"),
        ("source", "cqdaily-2020-07-07", "cqdaily-2020-07-06"),
        ("topic", "train", "trains"),
    ],
)
def test_unknown_reference_with_did_you_mean(tmp_path, key, wrong, right):
    path = write_toml(tmp_path, "f.toml", fact_text(**{key: f'{key} = "{wrong}"'}))
    base, problems = load_with_bundled(tmp_path)
    problem = only(problems, "unknown-ref")
    assert_well_formed(problem, path)
    assert problem.field == key
    assert problem.line is not None
    assert repr(wrong) in problem.message
    assert f"did you mean {right!r}" in problem.message
    # nothing is silently kept either: the fact with the broken reference is reported, not loaded
    assert not any(f.id == "probe-fact" for f in base.facts)


def test_unknown_change_unit(tmp_path):
    text = fact_text() + 'change = { value = 3.5, unit = "%%" }\n'
    write_toml(tmp_path, "f.toml", text)
    problem = only(user_problems(tmp_path), "unknown-ref")
    assert problem.field == "change.unit"


def test_unknown_event_references(tmp_path):
    write_toml(tmp_path, "e.toml", """
        [[event]]
        id = "probe-event"
        date = "2022-05"
        title_zh = "测试"
        title_en = "probe"
        entity = "jiangjin-cbx"
        source = "cqdaily-2020-07-07"
        quote = "q"
        """)
    problems = [p for p in user_problems(tmp_path) if p.code == "unknown-ref"]
    assert sorted(p.field for p in problems) == ["entity", "source"]


@pytest.mark.parametrize("value", ["2023-02-30", "2023-13", "2023-02-30..2023-05", "23"])
def test_invalid_period_date(tmp_path, value):
    text = fact_text(period=f'period = "{value}"')
    path = write_toml(tmp_path, "f.toml", text)
    problem = only(user_problems(tmp_path), "bad-date")
    assert_well_formed(problem, path)
    assert (problem.field, problem.line) == ("period", line_of(text, "period"))


def test_invalid_event_date(tmp_path):
    text = """
        [[event]]
        id = "probe-event"
        date = "2023-02-30"
        title_zh = "测试"
        title_en = "probe"
        entity = "jiangjin-cbz"
        source = "cqdaily-2020-07-06"
        quote = "q"
        """
    path = write_toml(tmp_path, "e.toml", text)
    problem = only(user_problems(tmp_path), "bad-date")
    assert problem.field == "date"
    assert problem.line == line_of(path.read_text(encoding="utf-8"), "date")
    assert "2023-02-30" in problem.message


def test_period_and_as_of_both(tmp_path):
    path = write_toml(tmp_path, "f.toml", fact_text() + 'as_of = "2022-12"\n')
    problem = only(user_problems(tmp_path), "bad-period")
    assert_well_formed(problem, path)
    assert problem.field in ("period", "as_of")
    assert "period" in problem.message and "as_of" in problem.message


def test_period_and_as_of_neither(tmp_path):
    path = write_toml(tmp_path, "f.toml", fact_text(period=None))
    problem = only(user_problems(tmp_path), "bad-period")
    assert_well_formed(problem, path)
    assert problem.line == 1


def test_duplicate_id_across_two_files_names_both_places(tmp_path):
    first = write_toml(tmp_path, "a.toml", fact_text())
    second = write_toml(tmp_path, "b.toml", "\n\n# a second copy\n" + fact_text())
    base, problems = load_with_bundled(tmp_path)
    problem = only(problems, "duplicate-id")
    assert problem.field == "id"
    both = str(problem)
    assert str(first) in both and str(second) in both
    assert "probe-fact" in problem.message
    # where: the later definition's own id line, and the first definition's place
    assert f"{second}:{line_of(second.read_text(encoding='utf-8'), 'id =')}:" in both
    assert f"{first}:1" in both
    assert len([f for f in base.facts if f.id == "probe-fact"]) == 1


def test_duplicate_of_a_bundled_fact_id(tmp_path, bundled_facts):
    bundled_id = bundled_facts[0]["id"]
    path = write_toml(tmp_path, "f.toml", fact_text(id=f'id = "{bundled_id}"'))
    problem = only(user_problems(tmp_path), "duplicate-id")
    assert bundled_id in problem.message
    assert str(path) in str(problem)
    assert str(bundled_facts_dir()) in problem.message


def test_fact_and_event_share_one_id_namespace(tmp_path):
    write_toml(tmp_path, "f.toml", fact_text() + """
[[event]]
id = "probe-fact"
date = "2022"
title_zh = "测试"
title_en = "probe"
entity = "jiangjin-cbz"
source = "cqdaily-2020-07-06"
quote = "q"
""")
    only(user_problems(tmp_path), "duplicate-id")


def test_duplicate_vocabulary_id(tmp_path):
    write_toml(tmp_path, "u.toml", """
        [[unit]]
        id = "列"
        name_zh = "列"
        name_en = "trains"
        scale = 1
        base = "train"
        """)
    problem = only(user_problems(tmp_path), "duplicate-id")
    assert "列" in problem.message


@pytest.mark.parametrize("bad", ["nan", "inf", "-inf", "+nan"])
def test_non_finite_value(tmp_path, bad):
    text = fact_text(value=f"value = {bad}")
    path = write_toml(tmp_path, "f.toml", text)
    problem = only(user_problems(tmp_path), "non-finite")
    assert_well_formed(problem, path)
    assert (problem.field, problem.line) == ("value", line_of(text, "value"))


def test_non_finite_change_value(tmp_path):
    write_toml(tmp_path, "f.toml", fact_text() + 'change = { value = nan, unit = "%" }\n')
    problem = only(user_problems(tmp_path), "non-finite")
    assert problem.field == "change.value"


def test_non_utf8_file(tmp_path):
    text = fact_text(label_zh='label_zh = "cafXXX"')
    path = tmp_path / "latin1.toml"
    path.write_bytes(text.encode("utf-8").replace(b"XXX", "é".encode("latin-1")))
    problem = only(user_problems(tmp_path), "not-utf8")
    assert_well_formed(problem, path)
    assert problem.line == line_of(text, "label_zh")


def test_deeply_nested_arrays(tmp_path):
    path = tmp_path / "deep.toml"
    path.write_text("x = " + "[" * 100_000 + "]" * 100_000, encoding="utf-8")
    problems = user_problems(tmp_path)
    assert len(problems) == 1, [str(p) for p in problems]
    assert_well_formed(problems[0], path)


@pytest.mark.parametrize("seed", range(5))
def test_random_binary_garbage(tmp_path, seed):
    path = tmp_path / "garbage.toml"
    path.write_bytes(random.Random(seed).randbytes(4096))
    problems = user_problems(tmp_path)
    assert problems, "random bytes loaded without a problem"
    for problem in problems:
        assert_well_formed(problem, path)


def test_os_urandom_garbage(tmp_path):
    path = tmp_path / "garbage.toml"
    path.write_bytes(os.urandom(2048) + b"\xff")  # \xff is never valid UTF-8
    problems = user_problems(tmp_path)
    assert [p.code for p in problems] == ["not-utf8"]


@pytest.mark.parametrize("data", [
    b"\x00\x00\x00\x00",
    b"[[fact]]\x00\nid = \"x\"\n",
    b"id = \"a\x00b\"\n",
    b"\x7fELF\x02\x01\x01\x00" + bytes(range(0, 32)),
    b"\xfe\xff\x00[\x00[\x00f",  # UTF-16 with its byte order mark
])
def test_binary_with_nul_bytes(tmp_path, data):
    path = tmp_path / "bin.toml"
    path.write_bytes(data)
    problems = user_problems(tmp_path)
    assert len(problems) == 1, [str(p) for p in problems]
    assert_well_formed(problems[0], path)
    assert problems[0].code in ("toml-syntax", "not-utf8")


def test_truncated_mid_table_at_a_line_boundary(tmp_path):
    """Cut after the value line: valid TOML, but the table lacks its later fields."""
    full = fact_text()
    cut = "".join(full.splitlines(keepends=True)[:6])
    path = write_toml(tmp_path, "cut.toml", cut)
    problems = user_problems(tmp_path)
    missing = sorted(p.field for p in problems if p.code == "missing-field")
    assert missing == ["label_en", "label_zh", "quote", "source", "status", "unit"]
    assert all(p.code in ("missing-field", "bad-period") for p in problems)
    for problem in problems:
        assert_well_formed(problem, path)
        assert problem.line == 1


def test_truncated_mid_string_is_a_syntax_problem(tmp_path):
    full = fact_text()
    cut = full[: full.index("开行") + 1]  # inside the quote's string
    path = write_toml(tmp_path, "cut.toml", cut)
    problem = only(user_problems(tmp_path), "toml-syntax")
    assert_well_formed(problem, path)
    assert "Unterminated string" in problem.message


@pytest.mark.parametrize("cut_after", ["开行", "label_en"], ids=["mid-string", "mid-key"])
def test_truncated_file_problem_names_a_line(tmp_path, cut_after):
    full = fact_text()
    cut = full[: full.index(cut_after) + len(cut_after) - 1]  # mid-string / mid-key
    write_toml(tmp_path, "cut.toml", cut)
    problem = only(user_problems(tmp_path), "toml-syntax")
    # the parser says "at end of document"; the line is the last one
    assert problem.line == len(cut.splitlines())


def test_unknown_field_typo(tmp_path):
    text = fact_text(label_en='lable_en = "probe"')
    path = write_toml(tmp_path, "f.toml", text)
    problems = user_problems(tmp_path)
    problem = only(problems, "unknown-field")
    assert_well_formed(problem, path)
    assert (problem.field, problem.line) == ("lable_en", line_of(text, "lable_en"))
    assert "did you mean 'label_en'" in problem.message
    # and the real field is reported missing, so the fact is not half-loaded
    assert only(problems, "missing-field").field == "label_en"


def test_unknown_top_level_table(tmp_path):
    text = fact_text() + '\n[[facts]]\nid = "x"\n'
    path = write_toml(tmp_path, "f.toml", text)
    problem = only(user_problems(tmp_path), "unknown-table")
    assert_well_formed(problem, path)
    assert problem.field == "facts"
    assert problem.line == line_of(text, "[[facts]]")
    assert "did you mean 'fact'" in problem.message


def test_top_level_key_that_is_not_a_table(tmp_path):
    write_toml(tmp_path, "f.toml", 'fact = "not a table"\n')
    problem = only(user_problems(tmp_path), "type-error")
    assert (problem.field, problem.line) == ("fact", 1)


def test_bad_enum_values(tmp_path):
    text = fact_text(status='status = "actul"') + 'bound = "roughly"\n'
    write_toml(tmp_path, "f.toml", text)
    problems = user_problems(tmp_path)
    assert sorted(p.field for p in problems if p.code == "bad-choice") == ["bound", "status"]
    status = next(p for p in problems if p.field == "status")
    assert "actual" in status.message and "target" in status.message


def test_alias_naming_another_entity_is_ambiguous(tmp_path):
    path = write_toml(tmp_path, "e.toml", """
        [[entity]]
        id = "my-zone"
        name_zh = "我的园区"
        name_en = "My Zone"
        kind = "zone"
        aliases = ["江津综保区"]
        """)
    problem = only(user_problems(tmp_path), "ambiguous-name")
    assert_well_formed(problem, path)
    assert "jiangjin-cbz" in problem.message


def test_value_max_must_exceed_value(tmp_path):
    write_toml(tmp_path, "f.toml", fact_text() + "value_max = 3\n")
    assert only(user_problems(tmp_path), "bad-value").field == "value_max"


def test_missing_facts_dir(tmp_path):
    missing = tmp_path / "no-such-dir"
    base, problems = load_with_bundled(missing)
    problem = only(problems, "missing-dir")
    assert problem.file == str(missing)
    assert base.facts  # the bundled facts are still there


# ---------------------------------------------------------------- all at once
def test_three_distinct_problems_in_one_file_yield_three(tmp_path):
    text = fact_text(value='value = "5"', period='period = "2023-02-30"',
                     status='status = "actul"')
    write_toml(tmp_path, "f.toml", text)
    problems = user_problems(tmp_path)
    assert len(problems) == 3, [str(p) for p in problems]
    assert {(p.field, p.line) for p in problems} == {
        ("value", line_of(text, "value")),
        ("period", line_of(text, "period")),
        ("status", line_of(text, "status")),
    }


def test_problems_of_every_file_are_reported_together(tmp_path):
    write_toml(tmp_path, "a.toml", fact_text(value="value = nan"))
    write_toml(tmp_path, "b.toml", "x = = 1\n")
    (tmp_path / "c.toml").write_bytes(b"label = \"caf\xe9\"\n")
    write_toml(tmp_path, "d.toml", fact_text(id='id = "probe-two"', entity='entity = "nowhere"'))
    problems = user_problems(tmp_path)
    assert sorted((Path(p.file).name, p.code) for p in problems) == [
        ("a.toml", "non-finite"), ("b.toml", "toml-syntax"), ("c.toml", "not-utf8"),
        ("d.toml", "unknown-ref"),
    ]


def test_problems_in_several_tables_of_one_file(tmp_path):
    text = fact_text(value="value = inf") + "\n" + fact_text(id='id = "probe-two"', unit=None)
    write_toml(tmp_path, "f.toml", text)
    problems = user_problems(tmp_path)
    assert sorted((p.code, p.line) for p in problems) == [
        ("missing-field", len(FACT_LINES) + 2), ("non-finite", 6)]


# ---------------------------------------------------------------- where facts come from
def test_fact_dirs_order_bundled_env_then_extra(tmp_path):
    a, b, c = tmp_path / "a", tmp_path / "b", tmp_path / "c"
    dirs = fact_dirs([c], environ={ENV_PATH: os.pathsep.join([str(a), "", str(b)])})
    assert dirs == [bundled_facts_dir(), a, b, c]


def test_env_path_adds_directories(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    write_toml(a, "f.toml", fact_text(id='id = "probe-a"'))
    write_toml(b, "f.toml", fact_text(id='id = "probe-b"'))
    base, problems = load(fact_dirs([], environ={ENV_PATH: f"{a}{os.pathsep}{b}"}))
    assert problems == []
    assert {"probe-a", "probe-b"} <= {f.id for f in base.facts}


def test_same_directory_twice_is_read_once(tmp_path):
    write_toml(tmp_path, "f.toml", fact_text())
    base, problems = load(fact_dirs([tmp_path, tmp_path], environ={}))
    assert problems == []


# ---------------------------------------------------------------- through the CLI
BAD_FILE = fact_text(value='value = "5"', period='period = "2023-02-30"', status='status = "actul"')


def test_cli_bad_facts_dir_reports_each_problem_on_its_own_line(tmp_path):
    path = write_toml(tmp_path, "broken-facts.toml", BAD_FILE)
    expected = user_problems(tmp_path)
    assert len(expected) == 3
    result = run(["facts", "--facts-dir", tmp_path], expect=2)
    assert result.stdout == ""
    lines = [line for line in result.stderr.splitlines() if path.name in line]
    assert len(lines) == 3, result.stderr
    for problem in expected:
        assert any(f":{problem.line}:" in line and problem.field in line for line in lines)
    assert_no_traceback(result.stderr)


def test_cli_bad_facts_dir_subprocess(tmp_path):
    write_toml(tmp_path, "broken-facts.toml", BAD_FILE)
    (tmp_path / "garbage.toml").write_bytes(b"\x00\xff\xfe binary")
    write_toml(tmp_path, "deep.toml", "x = " + "[" * 100_000 + "]" * 100_000)
    proc = run_proc(["facts", "--facts-dir", tmp_path, "--format", "json"], expect=2)
    assert proc.out == ""
    assert_no_traceback(proc.err)
    assert len([ln for ln in proc.err.splitlines() if "broken-facts.toml" in ln]) == 3
    assert len([ln for ln in proc.err.splitlines() if "garbage.toml" in ln]) == 1
    assert len([ln for ln in proc.err.splitlines() if "deep.toml" in ln]) == 1


@pytest.mark.parametrize("command", ["timeline", "sources", "entities", "topics", "units",
                                     "check"])
def test_every_command_refuses_invalid_fact_files(tmp_path, command):
    write_toml(tmp_path, "broken-facts.toml", BAD_FILE)
    result = run([command, "--facts-dir", tmp_path], expect=2)
    lines = [ln for ln in result.stderr.splitlines() if "broken-facts.toml" in ln]
    # check also verifies the quote of the invalid fact ("开行5列" is not in its source)
    quote_lines = [ln for ln in lines if ln.endswith("[quote-not-found]")]
    assert len(quote_lines) == (1 if command == "check" else 0), result.stderr
    assert len(lines) - len(quote_lines) == 3, result.stderr


# The probe fact with a value and quote that `corridor check` finds in the bundled source
# text, so that check reports nothing else about it.
IN_SOURCE = {"value": "value = 44", "quote": 'quote = "西部陆海新通道江津班列累计开行44列"'}


def test_cli_one_line_per_problem_even_with_a_newline_in_a_key(tmp_path):
    path = tmp_path / "keys.toml"
    path.write_text('"a\\nb" = 1\n' + fact_text(**IN_SOURCE) + '"x\\ry" = 2\n', encoding="utf-8")
    problems = user_problems(tmp_path)
    assert sorted(p.code for p in problems) == ["unknown-field", "unknown-table"]
    result = run(["check", "--facts-dir", tmp_path], expect=2)
    lines = result.stderr.splitlines()
    assert len(lines) == len(problems), result.stderr
    assert all(line.startswith(str(path)) for line in lines)


def test_cli_missing_facts_dir(tmp_path):
    missing = tmp_path / "nowhere"
    result = run(["facts", "--facts-dir", missing], expect=2)
    assert str(missing) in result.stderr
    assert_no_traceback(result.stderr)


def test_cli_facts_dir_after_command_name_adds_user_facts(fact_dir):
    result = run(["facts", "--facts-dir", fact_dir, "testing", "--format", "json"])
    assert [r["id"] for r in json.loads(result.stdout)] == ["test-zone-machines-2022"]


def test_cli_env_path_adds_user_facts(fact_dir, tmp_path):
    other = tmp_path / "other"
    write_toml(other, "f.toml", USER_FACT_BUNDLED_VOCAB)
    env = {ENV_PATH: os.pathsep.join([str(fact_dir), str(other)])}
    result = run(["facts", "--format", "json"], env=env)
    ids = {r["id"] for r in json.loads(result.stdout)}
    assert {"test-zone-machines-2022", "user-jiangjin-cbz-test-metric-2022"} <= ids
    # without the variable, neither is there
    ids = {r["id"] for r in json.loads(run(["facts", "--format", "json"]).stdout)}
    assert not ids & {"test-zone-machines-2022", "user-jiangjin-cbz-test-metric-2022"}


# ---------------------------------------------------------------- type confusion, every field
_WRONG_VALUES = ['1', '1.5', 'true', '"x"', '[]', '[1, "a"]', '{}', '{ value = 1 }', '2022-05-01',
                 '1979-05-27T07:32:00Z', '07:32:00', 'nan', '[[1]]']


# What Python's repr of a TOML value looks like, and TOML's own words never do.
_PYTHON_REPR = re.compile(r"datetime\.|\bTrue\b|\bFalse\b|\{'|\[\d|\['|\[\]|\{\}|"
                          r"\bnot \d|\bnot \[|\bnot \{|tzinfo")


def _toml_kind(literal: str) -> str:
    value = tomli.loads(f"v = {literal}")["v"]
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, (int, float)):
        return "number"
    return type(value).__name__


def test_every_field_with_a_value_of_the_wrong_type(tmp_path):
    """Each key of every kind of table, given each value of another TOML type: a problem
    naming that field, never an exception, never silently accepted."""
    text = MINIMAL_VOCAB + MINIMAL_FACTS + ('\n[[unit]]\nid = "%"\nname_zh = "百分比"\n'
                                            'name_en = "percent"\nscale = 1\nbase = "percent"\n')
    lines = text.splitlines()
    checked = 0
    for index, line in enumerate(lines):
        m = re.match(r"^(\w+) = (.*)$", line)
        if not m:
            continue
        key, original = m.groups()
        for wrong in _WRONG_VALUES:
            if _toml_kind(wrong) == _toml_kind(original):
                continue
            case = tmp_path / f"case{checked}"
            case.mkdir()
            path = case / "f.toml"
            path.write_text("\n".join(lines[:index] + [f"{key} = {wrong}"] + lines[index + 1:]),
                            encoding="utf-8")
            _, problems = load([case])
            assert any(p.field.split(".")[0] == key and p.line == index + 1 for p in problems), \
                f"line {index + 1}: {key} = {wrong}: {[str(p) for p in problems]}"
            for p in problems:  # TOML words, never Python's repr of the value
                assert not _PYTHON_REPR.search(p.message), str(p)
            checked += 1
    assert checked > 200


@pytest.mark.parametrize("key,value,expected_line", [
    ("topic", 'topic = "trian"', 3),
    ("entity", 'entity = "jiangjin-cb"', 4),
    ("unit", 'unit = "lie"', 7),
    ("source", 'source = "no-such-source"', 12),
])
def test_unknown_reference_names_the_line_of_its_field(tmp_path, key, value, expected_line):
    path = write_toml(tmp_path, "f.toml", fact_text(**{key: value}))
    problem = only(user_problems(tmp_path), "unknown-ref")
    assert problem.file == str(path)
    assert problem.field == key
    assert problem.line == expected_line


def test_empty_source_date_is_a_problem_not_no_date(tmp_path):
    write_toml(tmp_path, "s.toml", """
        [[source]]
        id = "probe-source"
        title_zh = "标题"
        title_en = "Title"
        file = "x.txt"
        date = ""
    """)
    problem = only(user_problems(tmp_path), "empty-field")
    assert problem.field == "date"
    assert problem.line == 6


@pytest.mark.parametrize(("literal", "words"), [
    ("12:00:00", "not a time"),
    ("true", "not a boolean (true)"),
    ("false", "not a boolean (false)"),
    ("{ a = 1 }", "not a table"),
    ('[1, "x"]', "not an array"),
    ("1979-05-27T07:32:00Z", "not a date-time"),
    ("1979-05-27T07:32:00", "not a date-time"),
    ("1979-05-27", "not a date"),
    ("12", "not an integer (12)"),
    ("1.5", "not a decimal (1.5)"),
    ('"actuals"', "not 'actuals'"),
])
@pytest.mark.parametrize("key", ["status", "bound"])
def test_a_bad_choice_names_the_toml_type_not_the_python_repr(tmp_path, literal, words, key):
    text = fact_text(status=f"{key} = {literal}") if key == "status" else \
        fact_text() + f"{key} = {literal}\n"
    path = write_toml(tmp_path, "f.toml", text)
    problems = [p for p in user_problems(tmp_path) if p.field == key]
    (problem,) = problems
    assert (problem.file, problem.line, problem.code) == (str(path), line_of(text, key), "bad-choice")
    assert problem.message.endswith(words), problem.message
    assert "datetime" not in problem.message and "True" not in problem.message


@pytest.mark.parametrize(("literal", "words"), [
    ("2024-01-01", "period must be a string, not a date"),
    ("12:00:00", "period must be a string, not a time"),
    ("1979-05-27T07:32:00Z", "period must be a string, not a date-time"),
    ("2024", "period must be a string, not an integer"),
])
def test_a_wrong_type_names_the_toml_type(tmp_path, literal, words):
    text = fact_text(period=f"period = {literal}")
    write_toml(tmp_path, "f.toml", text)
    problem = only(user_problems(tmp_path), "type-error")
    assert (problem.field, problem.line) == ("period", line_of(text, "period"))
    assert problem.message.endswith(words), problem.message


@pytest.mark.parametrize(("period", "as_of", "expected"), [
    ('"2024"', '"2024-13"', {("as_of", "bad-date")}),
    ('"2024-13"', '"2024-12"', {("period", "bad-date")}),
    ('"2024-13"', '"2024-02-30"', {("period", "bad-date"), ("as_of", "bad-date")}),
    ("2024-01-01", '"2024-12"', {("period", "type-error")}),
    ('"2024"', "2024-12-31", {("as_of", "type-error")}),
    ('""', '"2024"', {("period", "empty-field")}),
    ('"2024"', '"2024-12"', set()),
])
def test_period_and_as_of_both_are_each_checked_in_full(tmp_path, period, as_of, expected):
    """Both given: one problem for giving both, and every problem of each in the same run."""
    text = fact_text(period=f"period = {period}", **IN_SOURCE) + f"as_of = {as_of}\n"
    path = write_toml(tmp_path, "f.toml", text)
    problems = user_problems(tmp_path)
    assert all(p.file == str(path) for p in problems)
    assert {(p.field, p.code) for p in problems} == {("period", "bad-period"), *expected}
    lines = {p.field: p.line for p in problems if p.code != "bad-period"}
    assert all(line == line_of(text, field) for field, line in lines.items())
    result = run(["check", "--facts-dir", tmp_path, "--format", "json"], expect=2)
    assert {(p["field"], p["code"]) for p in json.loads(result.stdout)} == \
        {("period", "bad-period"), *expected}


@pytest.mark.parametrize(("key", "literal", "code"), [
    ("period", '"2024-13"', "bad-date"),
    ("as_of", '"2024-13"', "bad-date"),
    ("period", "2024-01-01", "type-error"),
    ("as_of", "12:00:00", "type-error"),
])
def test_period_or_as_of_alone_is_checked(tmp_path, key, literal, code):
    text = fact_text(period=f"{key} = {literal}")
    write_toml(tmp_path, "f.toml", text)
    (problem,) = user_problems(tmp_path)
    assert (problem.field, problem.code, problem.line) == (key, code, line_of(text, key))
