"""Shared fixtures and strict helpers for the corridor test suite.

Two ways to drive the CLI, as a user does:

* ``run(args)``: in-process through Typer's ``CliRunner`` (fast; stdout and
  stderr kept apart).
* ``run_proc(args)``: a real ``python -m corridor_cli`` subprocess with real
  pipes (``console_script()`` finds the installed ``corridor`` script).

Both are strict: an unexpected exit status fails the test and shows stderr.
"""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import subprocess
import sys
import textwrap
from collections.abc import Mapping, Sequence
from pathlib import Path

import pytest
from typer.testing import CliRunner

from corridor_cli.cli import app

REPO = Path(__file__).resolve().parents[1]

# Variables that change what corridor reads or how it prints; tests set them explicitly.
_CORRIDOR_VARS = ("CORRIDOR_FACTS_PATH", "CORRIDOR_LANG", "NO_COLOR", "COLUMNS",
                  "CORRIDOR_CACHE_DIR", "CORRIDOR_NO_CACHE")


# ---------------------------------------------------------------- environment
@pytest.fixture(scope="session")
def _session_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("xdg-cache")


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch: pytest.MonkeyPatch, _session_cache: Path) -> None:
    """Every test starts without user fact paths, a language preference, NO_COLOR or
    COLUMNS, and with a parse cache of the test session's own (never the user's)."""
    for var in _CORRIDOR_VARS:
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(_session_cache))


def proc_env(extra: Mapping[str, str | None] | None = None) -> dict[str, str]:
    """The environment for a subprocess: ours without corridor's variables, plus extra
    (a value of None removes the variable)."""
    env = {k: v for k, v in os.environ.items() if k not in _CORRIDOR_VARS}
    for key, value in (extra or {}).items():
        if value is None:
            env.pop(key, None)
        else:
            env[key] = value
    return env


# ---------------------------------------------------------------- in-process CLI
# Any failure status: for errors whose exact status the contract leaves open.
NONZERO = range(1, 256)


def run(args: Sequence[str], expect: int | Sequence[int] = 0,
        env: Mapping[str, str | None] | None = None, **kwargs):
    """Invoke the CLI through CliRunner; fail the test unless it exits with `expect`
    (a status, or a collection of allowed statuses such as NONZERO)."""
    result = CliRunner().invoke(app, [str(a) for a in args], env=env, **kwargs)
    allowed = (expect,) if isinstance(expect, int) else expect
    if result.exit_code not in allowed:
        exc = ""
        if result.exception is not None and not isinstance(result.exception, SystemExit):
            import traceback

            exc = "".join(traceback.format_exception(result.exception))
        pytest.fail(
            f"corridor {' '.join(map(str, args))}: exit {result.exit_code}, expected {allowed}\n"
            f"--- stderr ---\n{result.stderr}\n--- stdout (head) ---\n{result.stdout[:2000]}\n{exc}",
            pytrace=False)
    return result


# ---------------------------------------------------------------- subprocess CLI
def console_script() -> str | None:
    """The installed `corridor` script: next to this Python first, then on PATH."""
    beside = Path(sys.executable).parent / ("corridor.exe" if os.name == "nt" else "corridor")
    if beside.exists():
        return str(beside)
    return shutil.which("corridor")


def run_proc(args: Sequence[str], expect: int | Sequence[int] = 0,
             env: Mapping[str, str | None] | None = None, script: bool = False,
             timeout: float = 60, input: bytes | None = None, cwd: Path | None = None):
    """Run corridor in a real subprocess with pipes; fail unless its status is expected.

    Returns the CompletedProcess with ``stdout``/``stderr`` as bytes and
    ``out``/``err`` decoded as UTF-8 (replacement on error, so a test can still
    report what it got).
    """
    if script:
        exe = console_script()
        if exe is None:
            pytest.skip("the `corridor` console script is not installed")
        cmd = [exe, *map(str, args)]
    else:
        cmd = [sys.executable, "-m", "corridor_cli", *map(str, args)]
    proc = subprocess.run(cmd, capture_output=True, env=proc_env(env), timeout=timeout,
                          input=input, cwd=cwd or REPO)
    proc.out = proc.stdout.decode("utf-8", "replace")
    proc.err = proc.stderr.decode("utf-8", "replace")
    allowed = (expect,) if isinstance(expect, int) else expect
    if proc.returncode not in allowed:
        pytest.fail(f"{' '.join(cmd)}: exit {proc.returncode}, expected {allowed}\n"
                    f"--- stderr ---\n{proc.err}\n--- stdout (head) ---\n{proc.out[:2000]}",
                    pytrace=False)
    return proc


# ---------------------------------------------------------------- a real terminal (pty)
def run_in_pty(args: Sequence[object], env: Mapping[str, str | None] | None,
               columns: int = 120, rows: int = 40, timeout: float = 60,
               stdin_tty: bool = False, crlf: bool = True):
    """Run corridor with its standard output (and standard input, with stdin_tty) on a
    pty of the given size: (status, what it drew, stderr). crlf=False turns the
    terminal's CR LF line ends into LF."""
    pty = pytest.importorskip("pty")
    import fcntl
    import struct
    import termios

    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", rows, columns, 0, 0))
    proc = subprocess.Popen([sys.executable, "-m", "corridor_cli", *map(str, args)],
                            stdin=slave if stdin_tty else subprocess.DEVNULL, stdout=slave,
                            stderr=subprocess.PIPE, env=proc_env(env), cwd=REPO)
    os.close(slave)
    chunks = []
    while True:
        try:
            data = os.read(master, 65536)
        except OSError:  # EIO: the child closed its end
            break
        if not data:
            break
        chunks.append(data)
    os.close(master)
    err = proc.stderr.read().decode("utf-8", "replace")
    status = proc.wait(timeout=timeout)
    drawn = b"".join(chunks).decode("utf-8", "replace")
    return status, drawn if crlf else drawn.replace("\r\n", "\n"), err


# ---------------------------------------------------------------- parsing
def parse_csv(text: str, delimiter: str = ",") -> list[dict[str, str]]:
    quoting = csv.QUOTE_NONE if delimiter == "\t" else csv.QUOTE_MINIMAL
    return list(csv.DictReader(io.StringIO(text, newline=""), delimiter=delimiter,
                               quoting=quoting))


def csv_header(text: str, delimiter: str = ",") -> list[str]:
    return next(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))


def parse_jsonl(text: str) -> list[dict]:
    # split on \n alone: U+2028 or U+0085 inside a JSON string is data, not a line break
    return [json.loads(line) for line in text.split("\n") if line.strip()]


def assert_no_traceback(stderr: str) -> None:
    assert "Traceback" not in stderr, stderr


# ---------------------------------------------------------------- fact files
def write_toml(directory: Path, name: str, text: str) -> Path:
    """Write dedented TOML text to directory/name (creating directories) and return the path."""
    path = directory / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return path


# A minimal fact base of its own: one unit, topic, entity, source, fact and event.
# Ids are chosen not to clash with the bundled base, so the directory also loads
# next to it (--facts-dir).
# A test metric that fits any bundled unit and any period (kind measure).
PROBE_METRIC = """
[[metric]]
id = "probe_metric"
name_zh = "探针"
name_en = "probe"
definition = "A test metric that may be stated in any bundled unit, for a period or as of a date."
kind = "measure"
bases = ["CNY", "GWh", "TEU", "USD", "container", "count", "day", "km", "minute", "mu",
         "per_ten_thousand", "percent", "percentage_point", "rank", "ratio", "score", "tonne",
         "train", "vehicle", "year"]
"""

MINIMAL_VOCAB = """
[[unit]]
id = "测试台"
name_zh = "测试台"
name_en = "machines"
scale = 1
base = "count"

[[topic]]
id = "testing"
name_zh = "测试"
name_en = "Testing"

[[metric]]
id = "machines_installed"
name_zh = "安装台数"
name_en = "machines installed"
definition = "Number of machines installed in the period."
kind = "flow"
bases = ["count"]

[[entity]]
id = "test-zone"
name_zh = "测试园区"
name_en = "Test Zone"
kind = "industrial-area"
aliases = ["测试区", "TZ Park"]

[[source]]
id = "test-source"
title_zh = "测试报告"
title_en = "Test report"
publication_zh = "测试日报"
publication_en = "Test Daily"
authors = ["张三"]
date = "2022-03"
file = "test-source.txt"
"""

MINIMAL_FACTS = """
[[fact]]
id = "test-zone-machines-2022"
topic = "testing"
entity = "test-zone"
metric = "machines_installed"
value = 42
unit = "测试台"
status = "actual"
period = "2022"
change = { value = 5.5, unit = "%", basis = "yoy" }
label_zh = "2022年测试园区安装台数"
label_en = "Machines installed in the Test Zone, 2022"
source = "test-source"
quote = "全年安装42台，同比增长5.5%"

[[event]]
id = "test-zone-opened-2022-05"
date = "2022-05"
title_zh = "测试园区开园"
title_en = "Test Zone opens"
entity = "test-zone"
tags = ["opening"]
source = "test-source"
quote = "2022年5月，测试园区开园"
"""

# The source text the quotes above come from (whitespace differs on purpose).
MINIMAL_SOURCE_TEXT = "测试日报\n\n2022年5月，测试园区\n开园。全年安装42台，同比增长5.5%。\n"


@pytest.fixture
def fact_dir(tmp_path: Path) -> Path:
    """A minimal valid fact directory: vocab.toml (unit, topic, metric, entity, source),
    facts.toml (one fact, one event) and probe-metric.toml (PROBE_METRIC). The "%" unit of the change is not defined here;
    load it together with the bundled base, or use `standalone_fact_dir`."""
    d = tmp_path / "facts"
    write_toml(d, "vocab.toml", MINIMAL_VOCAB)
    write_toml(d, "facts.toml", MINIMAL_FACTS)
    write_toml(d, "probe-metric.toml", PROBE_METRIC)  # its bases are the bundled units'
    return d


@pytest.fixture
def standalone_fact_dir(fact_dir: Path) -> Path:
    """The minimal fact directory plus the "%" unit, so it loads on its own."""
    (fact_dir / "probe-metric.toml").unlink()
    write_toml(fact_dir, "percent.toml", """
        [[unit]]
        id = "%"
        name_zh = "百分比"
        name_en = "percent"
        scale = 1
        base = "percent"
        """)
    return fact_dir


# A user fact that names only bundled vocabularies.
USER_FACT_BUNDLED_VOCAB = """
[[fact]]
id = "user-jiangjin-cbz-test-metric-2022"
topic = "trains"
entity = "jiangjin-cbz"
metric = "trains_run"
value = 5
unit = "列"
status = "actual"
period = "2022"
label_zh = "用户测试指标"
label_en = "User test metric"
source = "cqdaily-2020-07-06"
quote = "开行5列"
"""


# ---------------------------------------------------------------- bundled facts, once
@pytest.fixture(scope="session")
def bundled_facts() -> list[dict]:
    """Every bundled fact, as `corridor facts --format json` prints it."""
    result = CliRunner().invoke(app, ["facts", "--format", "json"],
                                env={k: None for k in _CORRIDOR_VARS})
    assert result.exit_code == 0, result.stderr
    facts = json.loads(result.stdout)
    assert facts, "the bundled fact base is empty"
    return facts


@pytest.fixture(scope="session")
def bundled_events() -> list[dict]:
    result = CliRunner().invoke(app, ["timeline", "--format", "json"],
                                env={k: None for k in _CORRIDOR_VARS})
    assert result.exit_code == 0, result.stderr
    events = json.loads(result.stdout)
    assert events, "the bundled fact base has no events"
    return events


def find_one(records: list[dict], **properties) -> dict:
    """The single record with all these properties (numbers compared as numbers)."""
    found = [r for r in records if all(r.get(k) == v for k, v in properties.items())]
    assert len(found) == 1, f"expected one record with {properties}, found {len(found)}: " \
                            f"{[r.get('id') for r in found]}"
    return found[0]
