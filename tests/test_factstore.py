"""The fact store: facts kept pickled by topic and read only when asked for, the checks
across files done on refs, and a large load parsed by a pool of processes. Every result is
compared with what a plain load of the same files gives."""

from __future__ import annotations

import os
import pickle
from pathlib import Path

import pytest
from dataclasses import replace
from conftest import MINIMAL_VOCAB, parse_csv, run_proc, write_toml

from corridor_cli import factstore, loader, parsing
from corridor_cli.cache import Cache
from corridor_cli.dates import PartialDate
from corridor_cli.query import FactQuery, select_facts, validate

TOPICS = """
[[topic]]
id = "other"
name_zh = "其他"
name_en = "Other"
"""

FACT = """
[[fact]]
id = "{id}"
topic = "{topic}"
entity = "test-zone"
metric = "machines_installed"
value = {value}
unit = "测试台"
status = "actual"
period = "{year}"
label_zh = "安装"
label_en = "Installed"
source = "test-source"
quote = "安装{value}测试台"
"""


def _facts(n: int, file: int, topic_every: int = 3) -> str:
    return "".join(FACT.format(id=f"fact-{file}-{i}", value=file * 100 + i,
                               topic="other" if i % topic_every == 0 else "testing",
                               year=2018 + i % 5) for i in range(n))


@pytest.fixture
def base_dir(tmp_path) -> Path:
    d = tmp_path / "facts"
    write_toml(d, "vocab.toml", MINIMAL_VOCAB + TOPICS)
    for file in range(6):
        write_toml(d, f"f{file}.toml", _facts(20, file))
    return d


def _summary(loaded: loader.Loaded) -> tuple:
    return ([(f.id, f.topic, f.value, str(f.origin)) for f in loaded.base.facts],
            [str(p) for p in loaded.problems], len(loaded.base.facts),
            [f.id for f in loaded.all_facts])


def test_facts_are_lazy_and_a_topic_reads_its_own_alone(base_dir):
    loaded = loader.load_full([base_dir])
    facts = loaded.base.facts
    assert isinstance(facts, factstore.LazyFacts)
    assert len(facts) == 120 and facts._all is None  # counted without reading one
    testing = facts.where(["testing"])
    assert facts._all is None
    assert [f.id for f in testing] == [f.id for f in facts if f.topic == "testing"]
    assert len(testing) == 6 * (20 - 7)
    both = facts.where(["testing", "other"])
    assert [f.id for f in both] == [f.id for f in facts]  # file order, then written order
    assert facts == tuple(facts) and facts[0].id == "fact-0-0" and facts[-1].id == "fact-5-19"
    assert pickle.loads(pickle.dumps(facts)) == tuple(facts)


@pytest.mark.parametrize("query", [
    dict(topic=("testing",), year=2020), dict(year=2018), dict(topic=("other", "testing")),
    dict(date_from=PartialDate.parse("2019-06"), date_to=PartialDate.parse("2021-02")),
    dict(topic=("other",), date_from=PartialDate.parse("2021")),
    dict(date_to=PartialDate.parse("2017-12-31")), dict()])
def test_a_query_reads_less_and_gives_what_filtering_every_fact_gives(base_dir, tmp_path, query):
    spans = "".join(FACT.format(id=f"span-{i}", value=i, topic="testing", year=period)
                    for i, period in enumerate(["2016..2020", "2019-11..2020-02", "2015",
                                                "2022-12-31"]))
    write_toml(base_dir, "spans.toml", spans)
    for cache in (None, Cache(tmp_path / "cache"), Cache(tmp_path / "cache")):  # cold, warm
        base = loader.load([base_dir], cache)[0]
        q = validate(base, FactQuery(**query))
        lazy = select_facts(base, q)
        assert base.facts._all is None  # answered without reading every fact
        plain = select_facts(replace(base, facts=tuple(base.facts)), q)
        assert [f.id for f in lazy] == [f.id for f in plain]
    ids = {f.id for f in plain}
    if query.get("year") == 2020:  # the spans over 2020, from one blob each
        assert {"span-0", "span-1"} <= ids and "span-2" not in ids
    if query.get("year") == 2018:
        assert "span-0" in ids and "span-1" not in ids


@pytest.mark.parametrize("cached", [False, True])
def test_a_pool_of_processes_gives_what_one_process_gives(base_dir, tmp_path, monkeypatch, cached):
    write_toml(base_dir, "bad.toml", FACT.format(id="fact-0-1", value="true", topic="nope",
                                                 year="20x"))
    cache = Cache(tmp_path / "cache") if cached else None
    one = _summary(loader.load_full([base_dir], cache))
    if cache is not None:
        cache = Cache(tmp_path / "cache2")
    monkeypatch.setattr(loader, "PARALLEL_BYTES", 0)
    # Other tests may leave idle threads in this process, which would keep the loader from
    # forking (that refusal has its own test below).
    monkeypatch.setattr(loader, "_alone", lambda: True)
    pids = tmp_path / "pids"
    pids.mkdir()
    real = loader._parse

    def noting(*args):  # runs in whichever process parses: it leaves a file named after it
        (pids / str(os.getpid())).touch()
        return real(*args)

    monkeypatch.setattr(loader, "_parse", noting)
    pooled = _summary(loader.load_full([base_dir], cache))
    parsed_in = {int(p.name) for p in pids.iterdir()}
    assert parsed_in and os.getpid() not in parsed_in  # the pool's workers parsed, not this
    assert pooled == one
    assert any("f0.toml" in p and "duplicate-id" in p for p in one[1])  # bad.toml comes first
    assert any("unknown topic" in p for p in one[1])
    if cache is not None:  # the workers filled the cache: the next load parses nothing
        monkeypatch.setattr(parsing, "read_records", None)
        assert _summary(loader.load_full([base_dir], cache)) == one


def test_a_lost_file_entry_under_a_stored_check_is_parsed_again(base_dir, tmp_path):
    root = tmp_path / "cache"
    expected = _summary(loader.load_full([base_dir], Cache(root)))
    entries = sorted([*root.glob("file-*.pickle"), *root.glob("file-*.parts")])
    assert len(entries) == 14
    for n, entry in enumerate(entries):  # gone, garbage, cut short, or another file's
        if n % 4 == 0:
            entry.unlink()
        elif n % 4 == 1:
            entry.write_bytes(b"\x80\x05junk" if entry.suffix == ".pickle" else b"corridor-parts-1\nxx")
        elif n % 4 == 2:
            entry.write_bytes(entry.read_bytes()[:-40])
        else:
            entry.write_bytes(entries[(n + 1) % len(entries)].read_bytes())
    assert list(root.glob("base-*.pickle"))  # the checked result is still there
    assert _summary(loader.load_full([base_dir], Cache(root))) == expected


def test_a_field_far_below_its_table_is_reported_on_its_own_line(tmp_path):
    d = tmp_path / "facts"
    long_note = "note = '''\n" + "一行\n" * 300 + "'''\n"
    text = FACT.format(id="fact-far", value=1, topic="testing", year=2020).replace(
        'label_zh = "安装"', long_note + 'label_zh = "安装"').replace(
        'source = "test-source"', 'source = "no-such-source"')
    write_toml(d, "vocab.toml", MINIMAL_VOCAB)
    write_toml(d, "far.toml", text)
    problems = loader.load_full([d], Cache(tmp_path / "cache")).problems
    wrong = [p for p in problems if p.code == "unknown-ref"]
    lines = (d / "far.toml").read_text(encoding="utf-8").split("\n")
    assert len(wrong) == 1 and wrong[0].line > 300
    assert lines[wrong[0].line - 1].startswith("source = ")


def test_the_cli_answers_the_same_from_a_cold_a_warm_and_a_pooled_load(base_dir, tmp_path):
    args = ["facts", "testing", "--year", "2021", "--facts-dir", base_dir, "--format", "csv"]
    plain = run_proc(args, env={"CORRIDOR_NO_CACHE": "1"})
    env = {"XDG_CACHE_HOME": str(tmp_path / "xdg")}
    cold, warm = run_proc(args, env=env), run_proc(args, env=env)
    assert plain.returncode == cold.returncode == warm.returncode == 0
    rows = parse_csv(plain.out)
    assert rows and {r["topic"] for r in rows} == {"testing"}
    assert parse_csv(cold.out) == parse_csv(warm.out) == rows


def test_a_large_file_is_known_by_its_bytes_too(tmp_path, monkeypatch):
    """Files of 256 KiB or more get another digest (SHA-256): an edit is still seen, and a
    touch is still no edit."""
    d = tmp_path / "facts"
    write_toml(d, "vocab.toml", MINIMAL_VOCAB + TOPICS)
    write_toml(d, "big.toml", _facts(1100, 1))
    assert (d / "big.toml").stat().st_size >= 1 << 18
    root = tmp_path / "cache"
    parsed: list[str] = []
    real = parsing.read_records
    monkeypatch.setattr(parsing, "read_records",
                        lambda path, *a: parsed.append(Path(path).name) or real(path, *a))
    first = loader.load([d], Cache(root))[0]
    os.utime(d / "big.toml")
    parsed.clear()
    assert loader.load([d], Cache(root))[0] == first and parsed == []
    text = (d / "big.toml").read_text(encoding="utf-8")
    (d / "big.toml").write_text(text.replace("value = 699\n", "value = 9699\n"), encoding="utf-8")
    stat = (d / "big.toml").stat()
    os.utime(d / "big.toml", ns=(stat.st_atime_ns, stat.st_mtime_ns))
    again = loader.load([d], Cache(root))[0]
    assert parsed == ["big.toml"]
    assert {f.id: f.value for f in again.facts}["fact-1-599"] == 9699


def test_a_process_with_other_threads_parses_here_not_in_forks(base_dir, tmp_path, monkeypatch):
    import threading

    monkeypatch.setattr(loader, "PARALLEL_BYTES", 0)
    pids = tmp_path / "pids"
    pids.mkdir()
    real = loader._parse

    def noting(*args):
        (pids / str(os.getpid())).touch()
        return real(*args)

    monkeypatch.setattr(loader, "_parse", noting)
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:
        loaded = loader.load_full([base_dir])
    finally:
        stop.set()
        other.join()
    assert {int(p.name) for p in pids.iterdir()} == {os.getpid()}
    assert len(loaded.base.facts) == 120 and not loaded.problems


@pytest.mark.parametrize("first", ["valid", "every"])
def test_valid_facts_and_every_fact_read_are_one_set_of_records(base_dir, tmp_path, first):
    """With invalid facts in the files, the valid facts (base.facts) and every fact read
    (all_facts) are two sequences over the same records, whichever is read first: the
    valid ones are every one but the invalid, in the same order, and not unpickled twice
    (`corridor check` reads both, which at 100,000 facts held two copies)."""
    bad = FACT.format(id="bad-1", value=1, topic="testing", year=2019).replace(
        'entity = "test-zone"', 'entity = "no-such-zone"')
    bad += FACT.format(id="bad-2", value=2, topic="nope", year=2020)
    write_toml(base_dir, "f2.toml", _facts(3, 2) + bad + _facts(2, 9))
    for cache in (None, Cache(tmp_path / "cache"), Cache(tmp_path / "cache")):
        loaded = loader.load_full([base_dir], cache)
        valid, every = loaded.base.facts, loaded.all_facts
        assert valid is not every and len(every) == len(valid) + 2
        listed = list(valid) if first == "valid" else list(every)
        assert listed  # read
        assert [f.id for f in valid] == [f.id for f in every if not f.id.startswith("bad-")]
        by_id = {f.id: f for f in every}
        assert all(f is by_id[f.id] for f in valid)  # the same records
        assert {p.code for p in loaded.problems} >= {"unknown-ref"}
