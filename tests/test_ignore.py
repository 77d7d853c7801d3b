"""[[ignore]] tables: printed figures a curator decided not to record, with a reason.
They load like every other table (strict fields, problems naming file, line and field,
exit status 2), name a known source, survive the parse cache, and `corridor check`
verifies their text in the source's text as it verifies quotes."""

from __future__ import annotations

import json
import re
import textwrap
from pathlib import Path

import pytest

from conftest import (
    MINIMAL_SOURCE_TEXT,
    assert_no_traceback,
    run,
    run_proc,
    write_toml,
)
from corridor_cli.cache import Cache
from corridor_cli.loader import KINDS, fact_dirs, load, load_full
from corridor_cli.records import FactBase, Ignore

# The minimal source text prints 测试日报 (the paper's name) above the article.
VALID = """
[[ignore]]
source = "test-source"
text = "测试日报"
reason = "page furniture: the newspaper's name"
note = "printed above every article"
"""


def line_of(path: Path, prefix: str) -> int:
    """The 1-based line of path that starts with prefix."""
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if line.startswith(prefix):
            return number
    raise AssertionError(f"{prefix!r} not in {path}")


def with_text(fact_dir: Path) -> Path:
    texts = fact_dir / "texts"
    texts.mkdir(exist_ok=True)
    (texts / "test-source.txt").write_text(MINIMAL_SOURCE_TEXT, encoding="utf-8")
    return fact_dir


def problem_line(stderr: str, path: Path, code: str) -> tuple[int, str]:
    """The line number and field of the one problem with this code that names path."""
    found = [ln for ln in stderr.splitlines() if ln.endswith(f"[{code}]")]
    assert len(found) == 1, stderr
    m = re.match(r"(.*):(\d+): ([\w.]+): ", found[0])
    assert m, found[0]
    assert Path(m.group(1)).name == path.name, found[0]
    return int(m.group(2)), m.group(3)


# ---------------------------------------------------------------- a valid ignore
def test_ignore_is_a_kind():
    assert "ignore" in KINDS
    assert FactBase().ignores == ()


def test_valid_ignore_loads(standalone_fact_dir):
    path = write_toml(standalone_fact_dir, "ignores.toml", "# ignored figures\n" + VALID)
    base, problems = load([standalone_fact_dir])
    assert problems == []
    assert base.ignores == (Ignore("test-source", "测试日报",
                                   "page furniture: the newspaper's name",
                                   "printed above every article"),)
    ignore = base.ignores[0]
    assert Path(ignore.origin.file).name == "ignores.toml"
    assert ignore.origin.line == line_of(path, "[[ignore]]") == 3
    assert ignore.origin.line_of("text") == line_of(path, "text =")
    assert ignore.origin.line_of("reason") == line_of(path, "reason =")
    # an ignore is neither a fact nor an event: nothing else sees it
    assert len(base.facts) == 1 and len(base.events) == 1


def test_note_is_optional(standalone_fact_dir):
    write_toml(standalone_fact_dir, "ignores.toml", VALID.replace(
        'note = "printed above every article"\n', ""))
    base, problems = load([standalone_fact_dir])
    assert problems == []
    assert base.ignores[0].note is None


def test_ignores_as_an_inline_array(standalone_fact_dir):
    write_toml(standalone_fact_dir, "ignores.toml", """
        ignore = [
          { source = "test-source", text = "测试日报", reason = "the paper's name" },
          { source = "test-source", text = "2022年5月", reason = "" },
        ]
        """)
    base, problems = load([standalone_fact_dir])
    assert [i.text for i in base.ignores] == ["测试日报"]
    assert base.ignores[0].origin.line == 2
    assert [(p.code, p.field, p.line) for p in problems] == \
        [("empty-field", "reason", 3)]


def test_several_ignores_of_one_source(standalone_fact_dir):
    write_toml(standalone_fact_dir, "ignores.toml", VALID + textwrap.dedent("""
        [[ignore]]
        source = "test-source"
        text = "42台"
        reason = "restates fact test-zone-machines-2022's figure"
        """))
    base, problems = load([standalone_fact_dir])
    assert problems == []
    assert [i.text for i in base.ignores] == ["测试日报", "42台"]


# ---------------------------------------------------------------- invalid ignores
INVALID = {
    # name: (how to change VALID, field, code)
    "unknown key": (lambda t: t + 'page = 3\n', "page", "unknown-field"),
    "wrong type": (lambda t: t.replace('text = "测试日报"', "text = 13"), "text", "type-error"),
    "list for a string": (lambda t: t.replace('reason = "page furniture: the newspaper\'s name"',
                                              'reason = ["furniture"]'), "reason", "type-error"),
    "missing source": (lambda t: t.replace('source = "test-source"\n', ""), "source",
                       "missing-field"),
    "missing text": (lambda t: t.replace('text = "测试日报"\n', ""), "text", "missing-field"),
    "missing reason": (lambda t: t.replace('reason = "page furniture: the newspaper\'s name"\n',
                                           ""), "reason", "missing-field"),
    "empty reason": (lambda t: t.replace('reason = "page furniture: the newspaper\'s name"',
                                         'reason = "  "'), "reason", "empty-field"),
    "empty text": (lambda t: t.replace('text = "测试日报"', 'text = ""'), "text", "empty-field"),
    "unknown source": (lambda t: t.replace('source = "test-source"', 'source = "test-sourse"'),
                       "source", "unknown-ref"),
    "an id": (lambda t: t.replace("[[ignore]]\n", '[[ignore]]\nid = "ig-1"\n'), "id",
              "unknown-field"),
    "placeholder": (lambda t: t.replace('reason = "page furniture: the newspaper\'s name"',
                                        'reason = "TODO: why is it not recorded?"'),
                    "reason", "placeholder"),
}


def expected_line(path: Path, field: str, code: str) -> int:
    """Where the problem must point: the field's line, or the table's for a missing one."""
    return line_of(path, "[[ignore]]") if code == "missing-field" else line_of(path, f"{field} =")


@pytest.mark.parametrize("name", sorted(INVALID))
def test_invalid_ignore_is_reported_and_not_loaded(standalone_fact_dir, name):
    change, field, code = INVALID[name]
    path = write_toml(standalone_fact_dir, "ignores.toml", change(VALID.lstrip("\n")))
    base, problems = load([standalone_fact_dir])
    assert base.ignores == ()
    assert [(p.file, p.line, p.field, p.code) for p in problems] == \
        [(str(path), expected_line(path, field, code), field, code)]
    assert problems[0].message.startswith("ignore")
    if code == "unknown-ref":
        assert "did you mean 'test-source'?" in problems[0].message


@pytest.mark.parametrize("name", ["unknown key", "wrong type", "missing reason",
                                  "empty reason", "unknown source"])
@pytest.mark.parametrize("command", ["facts", "check"])
def test_invalid_ignore_exits_2_via_the_cli(fact_dir, name, command):
    change, field, code = INVALID[name]
    path = write_toml(with_text(fact_dir), "ignores.toml", change(VALID.lstrip("\n")))
    result = run([command, "--facts-dir", fact_dir], expect=2)
    assert_no_traceback(result.stderr)
    assert problem_line(result.stderr, path, code) == (expected_line(path, field, code), field)


def test_invalid_ignore_exits_2_in_a_subprocess(fact_dir):
    change, field, code = INVALID["empty reason"]
    path = write_toml(with_text(fact_dir), "ignores.toml", change(VALID.lstrip("\n")))
    proc = run_proc(["check", "--facts-dir", fact_dir], expect=2)
    assert_no_traceback(proc.err)
    assert problem_line(proc.err, path, code) == (line_of(path, "reason ="), "reason")


def test_invalid_ignore_as_json(fact_dir):
    path = write_toml(with_text(fact_dir), "ignores.toml", INVALID["unknown source"][0](VALID))
    result = run(["check", "--facts-dir", fact_dir, "--format", "json"], expect=2)
    problems = json.loads(result.stdout)
    assert [(Path(p["file"]).name, p["line"], p["field"], p["code"]) for p in problems] == \
        [("ignores.toml", line_of(path, "source ="), "source", "unknown-ref")]


def test_an_invalid_source_makes_its_ignores_invalid(standalone_fact_dir):
    vocab = standalone_fact_dir / "vocab.toml"
    vocab.write_text(vocab.read_text(encoding="utf-8").replace('date = "2022-03"',
                                                                'date = "2022-13"'),
                     encoding="utf-8")
    write_toml(standalone_fact_dir, "ignores.toml", VALID)
    base, problems = load([standalone_fact_dir])
    assert [p.code for p in problems] == ["bad-date"]
    assert base.ignores == ()


# ---------------------------------------------------------------- check: the text is printed
def bundled_ignores() -> int:
    """How many [[ignore]] tables the bundled base holds (check counts them too)."""
    return len(load(fact_dirs([]))[0].ignores)


def test_check_verifies_ignore_texts(fact_dir):
    write_toml(with_text(fact_dir), "ignores.toml", VALID)
    result = run(["check", "--facts-dir", fact_dir])
    assert result.stderr == ""
    assert f"{bundled_ignores() + 1} ignore texts verified, 0 not found, 0 not checked " \
        "(no source text)" in result.stdout.splitlines()
    assert "0 problem(s) in the files; 0 finding(s) from the checks" in result.stdout


def test_check_accepts_whitespace_differences(fact_dir):
    # the text prints 测试园区 and 开园 on two lines
    write_toml(with_text(fact_dir), "ignores.toml", VALID.replace(
        'text = "测试日报"', 'text = "测试 园区开园"'))
    result = run(["check", "--facts-dir", fact_dir])
    assert f"{bundled_ignores() + 1} ignore texts verified, 0 not found" in result.stdout


def test_check_flags_an_ignore_text_absent_from_the_source(fact_dir):
    path = write_toml(with_text(fact_dir), "ignores.toml", VALID + textwrap.dedent("""
        [[ignore]]
        source = "test-source"
        text = "第13版"
        reason = "page furniture: the page number"
        """))
    result = run(["check", "--facts-dir", fact_dir], expect=1)
    assert_no_traceback(result.stderr)
    [finding] = result.stderr.splitlines()
    assert problem_line(result.stderr, path, "ignore-text-not-found") == \
        (line_of(path, 'text = "第13版"'), "text")
    assert "not found in test-source (test-source.txt): '第13版'" in finding
    assert f"{bundled_ignores() + 1} ignore texts verified, 1 not found, 0 not checked" \
        in result.stdout


def test_check_flags_an_absent_text_in_a_subprocess(fact_dir):
    path = write_toml(with_text(fact_dir), "ignores.toml",
                      VALID.replace('text = "测试日报"', 'text = "测试周报"'))
    proc = run_proc(["check", "--facts-dir", fact_dir, "--format", "jsonl"], expect=1)
    [finding] = [json.loads(ln) for ln in proc.out.splitlines() if ln.strip()]
    assert (Path(finding["file"]).name, finding["line"], finding["field"], finding["code"]) == \
        ("ignores.toml", line_of(path, "text ="), "text", "ignore-text-not-found")


def test_check_counts_an_ignore_without_a_source_text(fact_dir):
    write_toml(fact_dir, "ignores.toml", VALID)  # no texts/ folder
    result = run(["check", "--facts-dir", fact_dir])
    assert f"{bundled_ignores()} ignore texts verified, 0 not found, 1 not checked " \
        "(no source text)" in result.stdout


def test_check_verifies_the_text_of_an_otherwise_invalid_ignore(fact_dir):
    """As for quotes: a bad field and an absent text are reported in the same run."""
    path = write_toml(with_text(fact_dir), "ignores.toml",
                      VALID.replace('text = "测试日报"', 'text = "测试周报"') + "page = 3\n")
    result = run(["check", "--facts-dir", fact_dir], expect=2)
    codes = sorted(re.findall(r"\[([\w-]+)\]$", result.stderr, re.M))
    assert codes == ["ignore-text-not-found", "unknown-field"]
    assert problem_line(result.stderr, path, "ignore-text-not-found")[0] == \
        line_of(path, "text =")


def test_bundled_check_has_no_ignore_findings():
    result = run(["check"])
    assert "ignore-text-not-found" not in result.stderr


# ---------------------------------------------------------------- the parse cache
def test_cache_round_trip(standalone_fact_dir, tmp_path):
    write_toml(standalone_fact_dir, "ignores.toml", VALID + textwrap.dedent("""
        [[ignore]]
        source = "nowhere"
        text = "42台"
        reason = "restates a fact"
        """))
    cache_dir = tmp_path / "cache"
    first = load_full([standalone_fact_dir], Cache(cache_dir))
    assert list(cache_dir.glob("*.pickle"))  # written
    second = load_full([standalone_fact_dir], Cache(cache_dir))
    fresh = load_full([standalone_fact_dir])
    for loaded in (first, second):
        assert loaded.base.ignores == fresh.base.ignores
        assert [i.origin for i in loaded.base.ignores] == [i.origin for i in fresh.base.ignores]
        assert loaded.all_ignores == fresh.all_ignores
        assert loaded.problems == fresh.problems
    assert len(second.base.ignores) == 1 and len(second.all_ignores) == 2
    # a file changed since is read again, not served from the cache
    write_toml(standalone_fact_dir, "ignores.toml", VALID.replace("测试日报", "42台"))
    third = load_full([standalone_fact_dir], Cache(cache_dir))
    assert [i.text for i in third.base.ignores] == ["42台"] and third.problems == []


def test_cache_round_trip_through_the_cli(fact_dir, tmp_path):
    write_toml(with_text(fact_dir), "ignores.toml", VALID + "page = 3\n")
    env = {"CORRIDOR_CACHE_DIR": str(tmp_path / "cache")}
    first = run_proc(["check", "--facts-dir", fact_dir], expect=2, env=env)
    second = run_proc(["check", "--facts-dir", fact_dir], expect=2, env=env)
    assert first.err == second.err and "[unknown-field]" in first.err
    assert first.out == second.out
