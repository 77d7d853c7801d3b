"""Validation at scale (issue 10, item 4): a base of 10,000 generated facts with broken
files, large enough to be parsed on every core (loader.PARALLEL_BYTES), reports every
problem with file and line, exits 2 and never shows a traceback: cold, from the cache,
and after one more file breaks."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import REPO, run_proc

from corridor_cli import loader

PROBLEM = re.compile(r"^(?P<file>.+?\.toml):(?P<line>\d+): (?:(?P<field>[\w.]+): )?.+ "
                     r"\[(?P<code>[a-z-]+)\]$")


@pytest.fixture(scope="module")
def broken(tmp_path_factory) -> Path:
    d = tmp_path_factory.mktemp("scale") / "facts"
    subprocess.run([sys.executable, str(REPO / "benchmarks" / "gen_facts.py"), "10000", str(d),
                    "--files", "20"], check=True, capture_output=True, timeout=120)
    files = sorted(d.glob("*.toml"))
    assert sum(f.stat().st_size for f in files) >= loader.PARALLEL_BYTES  # parsed in parallel

    def edit(path: Path, old: str, new: str) -> None:
        text = path.read_text(encoding="utf-8")
        assert old in text
        path.write_text(text.replace(old, new, 1), encoding="utf-8")

    edit(files[3], "value = ", 'value = "many" # ')  # a field of the wrong type
    edit(files[8], 'topic = "', 'topic = "no-such-topic" # "')  # names nothing
    lines = files[12].read_text(encoding="utf-8").split("\n")
    lines[300] = "this is not TOML ["  # a file that does not parse
    files[12].write_text("\n".join(lines), encoding="utf-8")
    first_id = re.search(r'^id = "([^"]+)"', files[3].read_text(encoding="utf-8"), re.M)[1]
    edit(files[17], 'id = "', f'id = "{first_id}" # "')  # an id defined twice
    return d


def _problems(err: str) -> list[dict[str, str]]:
    lines = err.strip().split("\n")
    assert lines[-1].startswith("corridor: ") and "problem(s)" in lines[-1]
    found = [PROBLEM.match(line) for line in lines[:-1]]
    assert all(found), [line for line, m in zip(lines, found) if not m]
    return [m.groupdict() for m in found]  # type: ignore[union-attr]


def _check_lines(problems: list[dict[str, str]]) -> None:
    """Each problem's line holds what it names."""
    for p in problems:
        text = Path(p["file"]).read_text(encoding="utf-8").split("\n")[int(p["line"]) - 1]
        if p["code"] == "toml-syntax":
            assert text == "this is not TOML ["
        else:
            assert text.startswith(f"{p['field']} = "), (p, text)


def test_every_problem_of_a_large_base_with_file_and_line_and_exit_2(broken, tmp_path):
    env = {"XDG_CACHE_HOME": str(tmp_path / "xdg")}
    args = ["facts", "trains", "--year", "2023", "--format", "csv", "--facts-dir", broken]
    cold = run_proc(args, expect=2, env=env, timeout=240)
    warm = run_proc(args, expect=2, env=env, timeout=240)
    uncached = run_proc(args, expect=2, env={"CORRIDOR_NO_CACHE": "1"}, timeout=240)
    for result in (cold, warm, uncached):
        assert result.out == "" and "Traceback" not in result.err
    problems = _problems(cold.err)
    assert _problems(warm.err) == _problems(uncached.err) == problems
    assert sorted(p["code"] for p in problems) == ["duplicate-id", "toml-syntax", "type-error",
                                                   "unknown-ref"]
    _check_lines(problems)
    # one more file broken: the cache serves the rest, every problem is still reported
    files = sorted(broken.glob("*.toml"))
    text = files[5].read_text(encoding="utf-8")
    files[5].write_text(text.replace('unit = "', 'unit = "no-such-unit" # "', 1),
                        encoding="utf-8")
    try:
        after = _problems(run_proc(args, expect=2, env=env, timeout=240).err)
    finally:
        files[5].write_text(text, encoding="utf-8")
    assert len(after) == 5 and [p for p in after if p not in problems][0]["field"] == "unit"
    _check_lines(after)
