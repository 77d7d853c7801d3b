"""Start-up stays lean: a command imports its own module and what it uses, nothing else.

Each case runs corridor in a real process and lists, at exit, the modules it imported.
(Speed itself is measured by benchmarks/run.py, never asserted here.)
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
import typer.main

from corridor_cli.cli import COMMANDS, MODULES, modules_for

_PROBE = """
import atexit, json, sys
_out = sys.argv.pop(1)
def _dump():
    with open(_out, "w") as f:
        json.dump(sorted(sys.modules), f)
atexit.register(_dump)
sys.argv[0] = "corridor"
from corridor_cli import main
main()
"""

HEAVY = ("rich", "tabulate", "xlsxwriter", "jinja2", "pygal", "importlib.metadata",
         "pydantic", "platformdirs", "hashlib", "secrets")


def imported(tmp_path, *args: str) -> set[str]:
    """The modules a real `corridor ARGS` process had imported when it exited."""
    out = tmp_path / "modules.json"
    env = {**os.environ, "COLUMNS": "100"}
    proc = subprocess.run([sys.executable, "-c", _PROBE, str(out), *args], env=env,
                          capture_output=True, text=True, stdin=subprocess.DEVNULL)
    assert proc.returncode == 0, proc.stderr
    return set(json.loads(out.read_text()))


def _has(modules: set[str], name: str) -> bool:
    return name in modules or any(m.startswith(name + ".") for m in modules)


def test_every_command_is_mapped_to_the_module_that_defines_it():
    from corridor_cli.cli import app

    names = list(typer.main.get_command(app).commands)
    assert sorted(names) == sorted(COMMANDS)
    assert set(MODULES) == set(COMMANDS.values())
    for name, module in COMMANDS.items():
        callback = typer.main.get_command(app).commands[name].callback
        # the registered callback is Typer's wrapper; the module it came from is its closure's
        wrapped = getattr(callback, "__wrapped__", callback)
        assert wrapped.__module__ == f"corridor_cli.cli.{module}", name


@pytest.mark.parametrize("args, wanted", [
    (["facts", "trains"], ("records",)),
    (["--version", "report", "--format", "md"], ("reports",)),
    (["--help"], MODULES),
    ([], MODULES),
    (["fact"], MODULES),  # a typo: all, so it gets its suggestion
])
def test_a_command_line_needs_only_its_command_module(args, wanted):
    assert modules_for(args, {}) == wanted


def test_shell_completion_loads_every_command():
    assert modules_for(["facts"], {"_CORRIDOR_COMPLETE": "complete_bash"}) == MODULES


def test_facts_as_csv_imports_nothing_it_does_not_use(tmp_path):
    modules = imported(tmp_path, "facts", "trains", "--year", "2023", "--format", "csv")
    assert "corridor_cli.cli.records" in modules
    for name in (*HEAVY, "corridor_cli.cli.reports", "corridor_cli.cli.export",
                 "corridor_cli.cli.search", "corridor_cli.cli.check", "corridor_cli.search",
                 "corridor_cli.report", "corridor_cli.export", "corridor_cli.analysis"):
        assert not _has(modules, name), name
    # Warm (the parse cache filled by the run above): the figures here are whole or print
    # as floats (base_number) and csv shows no text to a person, so neither decimal nor
    # unicodedata (which parsing uses) is imported.
    warm = imported(tmp_path, "facts", "trains", "--year", "2023", "--format", "csv")
    assert not _has(warm, "decimal") and not _has(warm, "unicodedata")
    assert not _has(warm, "corridor_cli.parsing")
    assert not _has(warm, "tomli") and not _has(warm, "tomllib")  # nothing is parsed


@pytest.mark.parametrize("fmt, wanted, unwanted", [
    ("md", "tabulate", "rich"),
    ("table", "rich", "tabulate"),
    ("json", "json", "rich"),
])
def test_each_format_imports_its_own_library_only(tmp_path, fmt, wanted, unwanted):
    modules = imported(tmp_path, "facts", "trains", "--format", fmt, "--no-pager")
    assert _has(modules, wanted) and not _has(modules, unwanted)
    assert not _has(modules, "jinja2") and not _has(modules, "pygal")


def test_report_and_chart_import_their_libraries(tmp_path):
    report = imported(tmp_path, "report", "--format", "md", "--no-pager")
    assert _has(report, "jinja2") and _has(report, "corridor_cli.cli.reports")
    assert not _has(report, "xlsxwriter") and not _has(report, "corridor_cli.cli.export")


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_each_command_runs_with_only_its_module_loaded(command):
    """`corridor CMD --help` in a real process: only CMD's module is imported up front."""
    proc = subprocess.run(["corridor", command, "--help"], capture_output=True, text=True,
                          env={**os.environ, "COLUMNS": "100"})
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith(f"Usage: corridor {command}")
    assert "Example" in proc.stdout


@pytest.fixture
def exit_raises(monkeypatch):
    """corridor_cli.main() ends the process (os._exit): in this one, raise SystemExit."""
    import corridor_cli

    def raising(status: int) -> None:
        raise SystemExit(status)

    monkeypatch.setattr(corridor_cli, "_exit", raising)


def test_the_console_entry_freezes_the_heap_on_its_way_out(monkeypatch, capsys, exit_raises):
    """main() leaves what it made to the OS (gc.freeze), after the command has run and
    whether it succeeded or not; what it printed is all there."""
    import gc

    import corridor_cli

    frozen: list[bool] = []
    monkeypatch.setattr(gc, "freeze", lambda: frozen.append(True))
    for argv, status in ((["corridor", "--version"], 0), (["corridor", "facts", "--year", "x"], 2)):
        frozen.clear()
        monkeypatch.setattr(sys, "argv", argv)
        with pytest.raises(SystemExit) as exc:
            corridor_cli.main()
        assert exc.value.code == status and frozen == [True]
    assert capsys.readouterr().out.startswith("corridor ")


@pytest.mark.parametrize("argv", [["corridor", "--version"], ["corridor", "facts", "--year", "x"]])
def test_the_console_entry_runs_under_a_larger_gc_threshold_and_puts_it_back(monkeypatch, argv,
                                                                             exit_raises):
    """The collector's first threshold is raised before the command line is imported and
    restored when main() returns or raises; the other two stay as they were."""
    import gc

    import corridor_cli
    from corridor_cli import cli

    monkeypatch.setattr(gc, "freeze", lambda: None)
    before = gc.get_threshold()
    seen: list[tuple[int, int, int]] = []
    run = cli.main

    def spy() -> None:
        seen.append(gc.get_threshold())
        run()

    monkeypatch.setattr(cli, "main", spy)
    monkeypatch.setattr(sys, "argv", argv)
    with pytest.raises(SystemExit):
        corridor_cli.main()
    assert seen == [(corridor_cli.GC_YOUNG, *before[1:])]
    assert gc.get_threshold() == before


def test_python_m_and_the_console_script_share_the_entry():
    """`python -m corridor_cli` and `corridor` both go through corridor_cli.main."""
    import tomllib

    from conftest import REPO

    scripts = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]["scripts"]
    assert scripts == {"corridor": "corridor_cli:main"}
    assert "from corridor_cli import main" in (REPO / "src/corridor_cli/__main__.py").read_text()
    out = subprocess.run([sys.executable, "-m", "corridor_cli", "--version"], capture_output=True,
                         text=True, check=True).stdout
    assert out == subprocess.run(["corridor", "--version"], capture_output=True, text=True,
                                 check=True).stdout


def test_a_piped_run_writes_every_row_before_it_exits(tmp_path):
    """The whole output reaches a pipe and an --output file, frozen heap or not."""
    proc = subprocess.run(["corridor", "facts", "--format", "jsonl"], capture_output=True,
                          text=True, env={**os.environ, "CORRIDOR_CACHE_DIR": str(tmp_path / "c")})
    assert proc.returncode == 0, proc.stderr
    rows = [json.loads(line) for line in proc.stdout.splitlines()]
    target = tmp_path / "all.json"
    proc = subprocess.run(["corridor", "facts", "--output", str(target)], capture_output=True,
                          text=True, env={**os.environ, "CORRIDOR_CACHE_DIR": str(tmp_path / "c")})
    assert proc.returncode == 0, proc.stderr
    assert json.loads(target.read_text(encoding="utf-8")) == rows and len(rows) >= 150


_EXIT_PROBE = """
import atexit, sys
class Noisy:
    def __del__(self):
        sys.stderr.write("torn down\\n")
keep = Noisy()  # a module global: deleted only by the interpreter's teardown
atexit.register(lambda: sys.stderr.write("atexit ran\\n"))
sys.argv[0] = "corridor"
from corridor_cli import main
print("before", end="")  # left in the buffer: the way out must flush it
main()
"""


@pytest.mark.parametrize("args, status", [(["--version"], 0), (["facts", "--year", "x"], 2),
                                          (["no-such-command"], 2)])
def test_the_way_out_runs_atexit_flushes_and_skips_the_teardown(args, status):
    """main() ends the process itself (os._exit) once atexit handlers have run and standard
    output and error are flushed: the status is the command's, buffered output arrives,
    and the interpreter's teardown (which deletes every module and object) never runs."""
    proc = subprocess.run([sys.executable, "-c", _EXIT_PROBE, *args], capture_output=True,
                          text=True, stdin=subprocess.DEVNULL)
    assert proc.returncode == status, proc.stderr
    assert proc.stdout.startswith("before")
    assert "atexit ran" in proc.stderr and "torn down" not in proc.stderr
    # the same probe without corridor's exit: the teardown does run (the probe can tell)
    plain = _EXIT_PROBE.replace("from corridor_cli import main", "main = lambda: None")
    proc = subprocess.run([sys.executable, "-c", plain], capture_output=True, text=True)
    assert "torn down" in proc.stderr and "atexit ran" in proc.stderr


def test_the_way_out_leaves_an_unusual_status_to_the_interpreter(monkeypatch, capsys):
    """A status sys.exit would print (not a number) is handed to the interpreter as is."""
    import corridor_cli

    exits: list[int] = []
    monkeypatch.setattr(corridor_cli, "_exit", exits.append)
    with pytest.raises(SystemExit) as exc:
        corridor_cli.leave("corridor: a message")
    assert exc.value.code == "corridor: a message" and exits == []
    corridor_cli.leave(None)
    corridor_cli.leave(3)
    assert exits == [0, 3]
