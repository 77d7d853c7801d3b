"""The parse cache: every way a cached parse could go stale or wrong, and that a broken or
unwritable cache only ever costs time. Parses are counted by wrapping the loader's one
per-file parse function; results are compared with a load that has no cache at all."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import MINIMAL_VOCAB, REPO, parse_csv, proc_env, run, run_proc, write_toml

from corridor_cli import cache as cache_mod
from corridor_cli import loader, parsing
from corridor_cli.cache import Cache, cache_root

FACT = """
[[fact]]
id = "{id}"
topic = "testing"
entity = "test-zone"
metric = "machines_installed"
value = {value}
unit = "测试台"
status = "actual"
period = "2022"
label_zh = "安装"
label_en = "Installed"
source = "test-source"
quote = "安装{value}测试台"
"""


@pytest.fixture
def facts(tmp_path) -> Path:
    d = tmp_path / "facts"
    write_toml(d, "vocab.toml", MINIMAL_VOCAB)
    write_toml(d, "a.toml", FACT.format(id="fact-a", value=1))
    write_toml(d, "b.toml", FACT.format(id="fact-b", value=2))
    return d


@pytest.fixture
def parses(monkeypatch) -> list[str]:
    """The names of the files parsed (not taken from the cache), in order."""
    seen: list[str] = []
    real = parsing.read_records

    def counting(path, root, problems, data=None):
        seen.append(Path(path).name)
        return real(path, root, problems, data)

    monkeypatch.setattr(parsing, "read_records", counting)
    return seen


def _load(d: Path, root: Path | None):
    base, problems = loader.load([d], Cache(root) if root is not None else None)
    return {f.id: f.value for f in base.facts}, [str(p) for p in problems]


def test_a_second_load_parses_nothing_and_gives_the_same(facts, tmp_path, parses):
    root = tmp_path / "cache"
    first = _load(facts, root)
    assert sorted(parses) == ["a.toml", "b.toml", "vocab.toml"]
    parses.clear()
    assert _load(facts, root) == first == _load(facts, None)[:2]
    assert parses == ["a.toml", "b.toml", "vocab.toml"]  # the uncached load parsed them


def test_an_edited_file_alone_is_parsed_again(facts, tmp_path, parses):
    root = tmp_path / "cache"
    _load(facts, root)
    parses.clear()
    write_toml(facts, "a.toml", FACT.format(id="fact-a", value=7))
    values, _ = _load(facts, root)
    assert parses == ["a.toml"] and values == {"fact-a": 7, "fact-b": 2}


def test_an_edit_of_the_same_size_within_the_same_second_is_seen(facts, tmp_path, parses):
    """Keyed on the bytes, not on size and mtime: an edit the clock cannot see still misses."""
    root = tmp_path / "cache"
    _load(facts, root)
    path = facts / "a.toml"
    st = path.stat()
    path.write_text(path.read_text(encoding="utf-8").replace("value = 1", "value = 9"),
                    encoding="utf-8")
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))  # same size, same timestamps
    parses.clear()
    values, _ = _load(facts, root)
    assert values["fact-a"] == 9 and parses == ["a.toml"]


def test_a_touched_but_unchanged_file_is_not_parsed(facts, tmp_path, parses):
    root = tmp_path / "cache"
    _load(facts, root)
    os.utime(facts / "b.toml", (1, 1))
    parses.clear()
    assert _load(facts, root)[0] == {"fact-a": 1, "fact-b": 2}
    assert parses == []


def test_a_deleted_file_is_gone_from_the_result(facts, tmp_path, parses):
    root = tmp_path / "cache"
    _load(facts, root)
    (facts / "b.toml").unlink()
    parses.clear()
    assert _load(facts, root)[0] == {"fact-a": 1}
    assert parses == []  # the other files are still as they were


def test_a_new_file_alone_is_parsed(facts, tmp_path, parses):
    root = tmp_path / "cache"
    _load(facts, root)
    write_toml(facts, "c.toml", FACT.format(id="fact-c", value=3))
    parses.clear()
    assert _load(facts, root)[0] == {"fact-a": 1, "fact-b": 2, "fact-c": 3}
    assert parses == ["c.toml"]


def test_problems_come_back_from_the_cache_too(facts, tmp_path, parses):
    root = tmp_path / "cache"
    write_toml(facts, "bad.toml", FACT.format(id="fact-bad", value='"x"'))
    first = _load(facts, root)
    assert any("bad.toml" in p for p in first[1])
    parses.clear()
    assert _load(facts, root) == first and parses == []
    (facts / "b.toml").write_text((facts / "b.toml").read_text() + "\n", encoding="utf-8")
    parses.clear()
    assert _load(facts, root)[1] == first[1] and parses == ["b.toml"]


def test_a_new_package_version_or_schema_reads_nothing_old(facts, tmp_path, parses, monkeypatch):
    env = {"XDG_CACHE_HOME": str(tmp_path / "xdg")}
    old = cache_root(env)
    _load(facts, old)
    monkeypatch.setattr(cache_mod, "__version__", "99.0.0")
    new = cache_root(env)
    assert new != old and new.parent == old.parent
    parses.clear()
    _load(facts, new)
    assert sorted(parses) == ["a.toml", "b.toml", "vocab.toml"]
    monkeypatch.setattr(cache_mod, "SCHEMA", cache_mod.SCHEMA + 1)
    assert cache_root(env) not in (old, new)


def test_a_corrupted_cache_file_is_a_miss(facts, tmp_path, parses):
    root = tmp_path / "cache"
    expected = _load(facts, root)
    entries = sorted(root.glob("*.pickle"))
    assert len(entries) == 4  # three files and the whole result
    entries += sorted(root.glob("*.parts"))  # and the facts of the two files that hold any
    assert len(entries) == 7
    for i, entry in enumerate(entries):
        entry.write_bytes([b"", b"\x80\x05garbage", b"not a pickle at all", b"\x80"][i % 4])
    parses.clear()
    assert _load(facts, root) == expected
    assert sorted(parses) == ["a.toml", "b.toml", "vocab.toml"]
    parses.clear()
    assert _load(facts, root) == expected and parses == []  # rewritten whole


@pytest.mark.parametrize("value", [
    ("not", "the", "shape"),
    "a string",
    None,
    ("base", [], (), (), (), [(0, {"not a part key": 1}, frozenset())]),
])
def test_a_checked_result_of_another_shape_under_the_right_key_is_a_miss(facts, tmp_path,
                                                                         parses, value):
    """Whatever stands under the checked result's name and key, if it is not the shape
    the loader writes (a part key of its index included), it is not used."""
    root = tmp_path / "cache"
    expected = _load(facts, root)
    [entry] = root.glob("base-*.pickle")
    key, stored = cache_mod.unpickle(entry.read_bytes())
    if isinstance(value, tuple) and value[0] == "base":
        value = (stored[0], *value[1:])
    Cache(root).put(entry.name.removesuffix(".pickle"), key, value)
    assert _load(facts, root) == expected


def test_an_unwritable_cache_directory_is_no_cache(facts, tmp_path, parses):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory", encoding="utf-8")
    root = blocker / "cache"  # cannot be created: its parent is a file
    assert _load(facts, root) == _load(facts, None)
    assert not root.exists()


def test_a_cache_directory_others_may_write_is_not_used(facts, tmp_path, parses):
    root = tmp_path / "shared"
    root.mkdir(mode=0o777)
    os.chmod(root, 0o777)
    _load(facts, root)
    assert list(root.iterdir()) == []


@pytest.mark.parametrize("problem", ["corrupted", "unwritable", "off"])
def test_the_cli_says_nothing_alarming_and_answers_right(facts, tmp_path, problem):
    args = ["facts", "--facts-dir", facts, "--format", "csv", "--topic", "testing"]
    env = {"XDG_CACHE_HOME": str(tmp_path / "xdg")}
    run_proc(args, env=env)  # fill the cache
    if problem == "corrupted":
        for entry in [*(tmp_path / "xdg").rglob("*.pickle"), *(tmp_path / "xdg").rglob("*.parts")]:
            entry.write_bytes(b"\x00" * 10)
    elif problem == "unwritable":
        (tmp_path / "file").write_text("x", encoding="utf-8")
        env = {"XDG_CACHE_HOME": str(tmp_path / "file" / "below")}
    else:
        env["CORRIDOR_NO_CACHE"] = "1"
    result = run_proc(args, env=env)
    assert result.err == ""
    assert {r["id"]: r["value"] for r in parse_csv(result.out)} == {"fact-a": "1", "fact-b": "2"}


def test_two_processes_at_once_each_get_the_right_answer(facts, tmp_path):
    env = proc_env({"XDG_CACHE_HOME": str(tmp_path / "xdg")})
    for round_ in range(3):
        write_toml(facts, "a.toml", FACT.format(id="fact-a", value=10 + round_))
        procs = [subprocess.Popen([sys.executable, "-m", "corridor_cli", "facts", "--facts-dir",
                                   str(facts), "--topic", "testing", "--format", "csv"],
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env,
                                  cwd=REPO) for _ in range(4)]
        for p in procs:
            out, err = p.communicate(timeout=60)
            assert p.returncode == 0 and err == b""
            rows = parse_csv(out.decode("utf-8"))
            assert {r["id"]: r["value"] for r in rows} == {"fact-a": str(10 + round_),
                                                           "fact-b": "2"}
    assert not list((tmp_path / "xdg").rglob("*.tmp"))  # no temporary file left behind


def test_the_cache_lives_under_xdg_cache_home(tmp_path):
    root = cache_root({"XDG_CACHE_HOME": str(tmp_path)})
    assert root.parent == tmp_path / "corridor"
    assert cache_root({"CORRIDOR_NO_CACHE": "1", "XDG_CACHE_HOME": str(tmp_path)}) is None
    assert cache_root({"CORRIDOR_CACHE_DIR": str(tmp_path / "c")}).parent == tmp_path / "c"
    home = cache_root({"HOME": str(tmp_path / "home")})
    assert home.parent == tmp_path / "home" / ".cache" / "corridor"


def test_check_reads_the_cache_and_reports_the_same(facts, tmp_path, parses):
    """`corridor check` loads through the parse cache like every other command: a second
    run parses nothing, and reports the same problems and findings with the same status
    (a file with a bad reference and a figure missing from its quote)."""
    write_toml(facts, "c.toml", FACT.format(id="fact-c", value=3).replace(
        'entity = "test-zone"', 'entity = "no-such-zone"').replace(
        'quote = "安装3测试台"', 'quote = "安装测试台"'))
    env = {"XDG_CACHE_HOME": str(tmp_path / "cache"), "CORRIDOR_CACHE_DIR": None,
           "CORRIDOR_NO_CACHE": None}
    first = run(["check", "--facts-dir", facts, "--format", "json"], expect=2, env=env)
    assert {"a.toml", "b.toml", "c.toml", "vocab.toml"} <= set(parses)  # and the bundled
    parses.clear()
    second = run(["check", "--facts-dir", facts, "--format", "json"], expect=2, env=env)
    assert parses == []
    assert second.stdout == first.stdout and second.stderr == first.stderr
    codes = {p["code"] for p in json.loads(first.stdout)}
    assert "unknown-ref" in codes and len(codes) >= 2, codes
