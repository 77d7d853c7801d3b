"""Draft placeholders: a stub `corridor draft` writes marks what needs a human with a
string starting with records.PLACEHOLDER. The loader rejects each one, at any depth,
before any other check of its field, naming the placeholder and its line, so an
unfinished stub fails `corridor check` (exit 2) and every other command."""

from __future__ import annotations

import json
import re
import textwrap
from pathlib import Path

import pytest

from conftest import assert_no_traceback, run, run_proc, write_toml
from corridor_cli.loader import load
from corridor_cli.records import PLACEHOLDER, is_placeholder, placeholder

# A finished stub: a fact and an event on the minimal vocabulary (conftest's fact_dir)
# that load as they are. Each case below puts a placeholder in one field.
STUB = """\
# drafted by corridor draft
[[fact]]
id = "test-zone-machines-2022-h1"
topic = "testing"
entity = "test-zone"
metric = "machines_installed"
value = 20
unit = "测试台"
status = "actual"
period = "2022-01..2022-06"
change = { value = 3.5, unit = "%", basis = "yoy" }
label_zh = "2022年上半年测试园区安装台数"
label_en = "Machines installed in the Test Zone, H1 2022"
source = "test-source"
quote = "上半年安装20台，同比增长3.5%"

[[event]]
id = "test-zone-expanded-2022-06"
date = "2022-06"
title_zh = "测试园区扩园"
title_en = "Test Zone expands"
entity = "test-zone"
tags = ["expansion"]
source = "test-source"
quote = "6月，测试园区扩园"
"""

ENTITY = "TODO: entity (an id from [[entity]])"
METRIC = "TODO: metric — suggested: machines_installed"
PERIOD = "TODO: period (text says 1—6月)"

CASES = {
    # name: (the line replaced, its replacement, the field named, the placeholder)
    "entity": ('entity = "test-zone"\nmetric', f'entity = "{ENTITY}"\nmetric', "entity", ENTITY),
    "metric": ('metric = "machines_installed"', f'metric = "{METRIC}"', "metric", METRIC),
    "period": ('period = "2022-01..2022-06"', f'period = "{PERIOD}"', "period", PERIOD),
    "change": ('unit = "%", basis', 'unit = "TODO: change unit", basis', "change.unit",
               "TODO: change unit"),
    "change basis": ('basis = "yoy"', 'basis = "TODO: basis (同比?)"', "change.basis",
                     "TODO: basis (同比?)"),
    "label": ('label_en = "Machines installed in the Test Zone, H1 2022"',
              'label_en = "TODO: label"', "label_en", "TODO: label"),
    "bare marker": ('label_zh = "2022年上半年测试园区安装台数"', 'label_zh = "TODO"',
                    "label_zh", "TODO"),
    "list": ('tags = ["expansion"]', 'tags = ["expansion", "TODO: tag"]', "tags", "TODO: tag"),
    "event entity": ('entity = "test-zone"\ntags', f'entity = "{ENTITY}"\ntags', "entity", ENTITY),
    "event date": ('date = "2022-06"', 'date = "TODO: date (text says 6月)"', "date",
                   "TODO: date (text says 6月)"),
}


def stub_with(name: str) -> tuple[str, int]:
    """The stub with one placeholder, and the line the placeholder is on."""
    old, new, _, value = CASES[name]
    assert STUB.count(old) == 1, old
    text = STUB.replace(old, new)
    [line] = [n for n, ln in enumerate(text.splitlines(), start=1) if value in ln]
    return text, line


def placeholder_problems(stderr: str) -> list[tuple[str, int, str, str]]:
    """(file name, line, field, message) of each placeholder problem printed."""
    found = []
    for ln in stderr.splitlines():
        m = re.fullmatch(r"(.*):(\d+): ([\w.]+): (.*) \[placeholder\]", ln)
        if m:
            found.append((Path(m.group(1)).name, int(m.group(2)), m.group(3), m.group(4)))
    return found


def test_the_finished_stub_loads(standalone_fact_dir):
    write_toml(standalone_fact_dir, "stub.toml", STUB)
    base, problems = load([standalone_fact_dir])
    assert problems == []
    assert {f.id for f in base.facts} >= {"test-zone-machines-2022-h1"}


# ---------------------------------------------------------------- the marker
def test_the_marker():
    assert PLACEHOLDER == "TODO"
    assert placeholder("entity (an id from [[entity]])") == ENTITY
    assert placeholder() == "TODO"
    for value in (ENTITY, METRIC, PERIOD, "TODO", "TODO:", "TODO entity", "  TODO: x",
                  "TODO—", "TODO(1)", placeholder("x")):
        assert is_placeholder(value), value
    for value in ("", "todo: x", "A TODO", "TODOS", "TODO_LIST", "TODO2", "test-zone", None, 5,
                  ["TODO"], {"a": "TODO"}):
        assert not is_placeholder(value), value


# ---------------------------------------------------------------- check rejects each one
@pytest.mark.parametrize("name", sorted(CASES))
def test_check_rejects_a_placeholder(fact_dir, name):
    text, line = stub_with(name)
    write_toml(fact_dir, "stub.toml", text)
    result = run(["check", "--facts-dir", fact_dir], expect=2)
    assert_no_traceback(result.stderr)
    field, value = CASES[name][2], CASES[name][3]
    [(file, found_line, found_field, message)] = placeholder_problems(result.stderr)
    assert (file, found_line, found_field) == ("stub.toml", line, field)
    assert f'still holds the draft placeholder "{value}"' in message
    assert "replace it before the" in message
    # the placeholder is the field's only problem: no unknown-ref, bad-format, bad-date …
    problem_lines = [ln for ln in result.stderr.splitlines() if re.search(r"\[[\w-]+\]$", ln)]
    assert problem_lines == [ln for ln in problem_lines if ln.endswith("[placeholder]")], \
        result.stderr
    assert "1 problem(s) in the files" in result.stdout


@pytest.mark.parametrize("name", sorted(CASES))
def test_a_placeholder_keeps_the_record_out(standalone_fact_dir, name):
    text, line = stub_with(name)
    path = write_toml(standalone_fact_dir, "stub.toml", text)
    base, problems = load([standalone_fact_dir])
    assert [(p.file, p.line, p.field, p.code) for p in problems] == \
        [(str(path), line, CASES[name][2], "placeholder")]
    ids = {r.id for r in (*base.facts, *base.events)}
    event_line = text.splitlines().index("[[event]]") + 1
    kept_out, loaded = ("test-zone-expanded-2022-06", "test-zone-machines-2022-h1") \
        if line > event_line else ("test-zone-machines-2022-h1", "test-zone-expanded-2022-06")
    assert kept_out not in ids and loaded in ids


def test_every_placeholder_of_a_stub_at_once(fact_dir):
    text = STUB
    for name in ("entity", "metric", "period", "change", "list"):
        old, new, _, _ = CASES[name]
        text = text.replace(old, new)
    path = write_toml(fact_dir, "stub.toml", text)
    result = run(["check", "--facts-dir", fact_dir], expect=2)
    lines = path.read_text(encoding="utf-8").splitlines()
    found = placeholder_problems(result.stderr)
    assert [field for _, _, field, _ in found] == ["entity", "metric", "period", "change.unit",
                                                  "tags"]
    for _, line, field, message in found:
        value = re.search(r'placeholder "(.*)"', message).group(1)
        assert value in lines[line - 1], (line, field)


def test_a_placeholder_in_a_multiline_layout(fact_dir):
    """A file the layout's fast path cannot read (a multi-line string, a multi-line array
    of records): the full scan finds the placeholder's line."""
    path = write_toml(fact_dir, "stub.toml", f"""
        entity = [
          {{ id = "x-zone", name_zh = "甲", name_en = "X", kind = "zone" }},
          {{ id = "y-zone", name_zh = "乙", name_en = "TODO: name", kind = "zone" }},
        ]

        [[event]]
        id = "test-zone-expanded-2022-06"
        note = \"\"\"
        entity = "test-zone" is not a key here,
        it is part of the note\"\"\"
        date = "2022-06"
        title_zh = "测试园区扩园"
        title_en = "Test Zone expands"
        entity = "{ENTITY}"
        source = "test-source"
        quote = "6月，测试园区扩园"
        """)
    result = run(["check", "--facts-dir", fact_dir], expect=2)
    lines = path.read_text(encoding="utf-8").splitlines()
    assert [(f, n, k) for f, n, k, _ in placeholder_problems(result.stderr)] == \
        [("stub.toml", 1 + next(n for n, ln in enumerate(lines) if "TODO: name" in ln),
          "name_en"),
         ("stub.toml", 1 + lines.index(f'entity = "{ENTITY}"'), "entity")]


def test_a_placeholder_in_a_sub_table(fact_dir):
    text = STUB.replace('change = { value = 3.5, unit = "%", basis = "yoy" }\n', "")
    text = text.replace('quote = "上半年安装20台，同比增长3.5%"\n',
                        'quote = "上半年安装20台，同比增长3.5%"\n\n'
                        '[fact.change]\nvalue = 3.5\nunit = "%"\nbasis = "TODO: basis"\n')
    path = write_toml(fact_dir, "stub.toml", text)
    line = 1 + path.read_text().splitlines().index('basis = "TODO: basis"')
    result = run(["check", "--facts-dir", fact_dir], expect=2)
    assert [(n, k) for _, n, k, _ in placeholder_problems(result.stderr)] == \
        [(line, "change.basis")]


def test_a_source_stub_with_placeholders(fact_dir):
    path = write_toml(fact_dir, "stub.toml", """
        [[source]]
        id = "new-report-2024"
        title_zh = "TODO: title_zh"
        title_en = "TODO: title_en"
        publication_zh = "测试日报"
        publication_en = "TODO: publication_en"
        authors = ["TODO: authors"]
        date = "TODO: date"
        file = "new-report.txt"
        """)
    result = run(["check", "--facts-dir", fact_dir], expect=2)
    assert_no_traceback(result.stderr)
    lines = path.read_text(encoding="utf-8").splitlines()
    found = placeholder_problems(result.stderr)
    assert [k for _, _, k, _ in found] == ["title_zh", "title_en", "publication_en", "authors",
                                          "date"]
    for _, line, field, message in found:
        assert lines[line - 1].startswith(f"{field} = "), (line, field)
        assert message.startswith("source 'new-report-2024': field ")
        assert message.endswith("replace it before the source can load")
    assert "bad-date" not in result.stderr


def test_a_placeholder_id_is_not_used_as_the_records_name(fact_dir):
    write_toml(fact_dir, "stub.toml", STUB.replace('id = "test-zone-machines-2022-h1"',
                                                   'id = "TODO: id"'))
    result = run(["check", "--facts-dir", fact_dir], expect=2)
    [(_, _, field, message)] = placeholder_problems(result.stderr)
    assert field == "id" and message.startswith("fact: field 'id'")


def test_entity_aliases_and_relation(fact_dir):
    stub = STUB.replace("[[fact]]\n", '[[fact]]\nrelation = { kind = "sum", of = ["TODO: parts"] }\n')
    path = write_toml(fact_dir, "stub.toml", stub + textwrap.dedent("""
        [[entity]]
        id = "test-annex"
        name_zh = "测试园区附园"
        name_en = "Test Zone annex"
        kind = "industrial-area"
        aliases = ["TODO: aliases"]
        part_of = "test-zone"
        """))
    result = run(["check", "--facts-dir", fact_dir], expect=2)
    lines = path.read_text(encoding="utf-8").splitlines()
    found = placeholder_problems(result.stderr)
    assert sorted(k for _, _, k, _ in found) == ["aliases", "relation.of"]
    for _, line, field, _ in found:
        assert lines[line - 1].startswith(field.split(".")[0] + " = "), (line, field)
    assert "bad-relation" not in result.stderr and "unknown-ref" not in result.stderr


# ---------------------------------------------------------------- every command, any format
@pytest.mark.parametrize("command", [["facts"], ["timeline"], ["show", "test-zone-machines-2022"]])
def test_every_command_refuses_a_stub(fact_dir, command):
    text, line = stub_with("entity")
    write_toml(fact_dir, "stub.toml", text)
    result = run([*command, "--facts-dir", fact_dir], expect=2)
    assert_no_traceback(result.stderr)
    assert [(n, k) for _, n, k, _ in placeholder_problems(result.stderr)] == [(line, "entity")]


def test_check_json_names_the_placeholder(fact_dir):
    text, line = stub_with("metric")
    write_toml(fact_dir, "stub.toml", text)
    result = run(["check", "--facts-dir", fact_dir, "--format", "json"], expect=2)
    [problem] = json.loads(result.stdout)
    assert (problem["line"], problem["field"], problem["code"]) == (line, "metric", "placeholder")
    assert METRIC in problem["message"]


def test_check_in_a_subprocess(fact_dir):
    text, line = stub_with("period")
    write_toml(fact_dir, "stub.toml", text)
    proc = run_proc(["check", "--facts-dir", fact_dir], expect=2)
    assert_no_traceback(proc.err)
    [(file, found_line, field, message)] = placeholder_problems(proc.err)
    assert (file, found_line, field) == ("stub.toml", line, "period")
    assert PERIOD in message
