"""Real processes, pipes and terminals: closed pipes, locales, NO_COLOR, narrow
terminals, the terminal-or-pipe default format, --version."""

from __future__ import annotations

import io
import json
import os
import re
import shlex
import subprocess
import sys

import pytest

from conftest import (
    run_in_pty,
    REPO,
    assert_no_traceback,
    console_script,
    csv_header,
    parse_csv,
    proc_env,
    run,
    run_proc,
)
from corridor_cli import __version__
from corridor_cli.cli import app
from corridor_cli.output import Environment
from corridor_cli.views import FACT_FIELDS

ESC = "\x1b"
posix_only = pytest.mark.skipif(os.name != "posix", reason="needs a POSIX shell and ptys")


def corridor_cmd() -> list[str]:
    return [sys.executable, "-m", "corridor_cli"]


# ---------------------------------------------------------------- closed pipes
@posix_only
@pytest.mark.parametrize("fmt", ["json"])
def test_shell_pipe_into_head(fmt):
    """`corridor facts | head -1`: the first line, then a quiet exit when head goes away."""
    command = " ".join(map(shlex.quote, [*corridor_cmd(), "facts", "--format", fmt]))
    script = f'{command} | head -1; echo "corridor-status=${{PIPESTATUS[0]}}" >&2'
    proc = subprocess.run(["bash", "-c", script], capture_output=True, env=proc_env(),
                          timeout=60, cwd=REPO)
    err = proc.stderr.decode("utf-8", "replace")
    assert proc.returncode == 0
    assert_no_traceback(err)
    assert "Exception ignored" not in err
    status = int(re.search(r"corridor-status=(\d+)", err).group(1))
    assert status in (0, 141), f"corridor exited {status}: {err}"  # 141: SIGPIPE, also clean
    first = proc.stdout.decode("utf-8")
    assert first.count("\n") == 1
    if fmt == "csv":
        assert csv_header(first) == list(FACT_FIELDS)
    else:
        assert first.strip() == "["


@posix_only
def test_shell_pipe_with_plain_sh():
    script = console_script()
    exe = shlex.quote(script) if script else " ".join(map(shlex.quote, corridor_cmd()))
    proc = subprocess.run(f"{exe} facts | head -1", shell=True, capture_output=True,
                          env=proc_env(), timeout=60)
    assert proc.returncode == 0
    assert_no_traceback(proc.stderr.decode("utf-8", "replace"))
    assert proc.stdout.decode("utf-8").startswith("id,")


def test_reader_closes_the_pipe_after_one_line():
    # json of every fact is far larger than a pipe's buffer, so the writer must meet the close
    proc = subprocess.Popen([*corridor_cmd(), "facts", "--format", "json"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=proc_env(),
                            cwd=REPO)
    first = proc.stdout.readline()
    proc.stdout.close()
    try:
        err = proc.stderr.read().decode("utf-8", "replace")
        status = proc.wait(timeout=60)
    finally:
        proc.kill() if proc.poll() is None else None
    assert first.strip() == b"["
    assert_no_traceback(err)
    assert "Exception ignored" not in err
    assert status in (0, 141, -13), f"exit {status}: {err}"  # -13: killed by SIGPIPE


@posix_only
def test_closed_stdout_exits_without_a_traceback():
    command = " ".join(map(shlex.quote, [*corridor_cmd(), "facts"]))
    proc = subprocess.run(["bash", "-c", f"{command} >&-"], capture_output=True,
                          env=proc_env(), timeout=60, cwd=REPO)
    assert_no_traceback(proc.stderr.decode("utf-8", "replace"))


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full")
def test_full_disk_on_stdout_is_a_clean_error():
    with open("/dev/full", "wb") as full:
        proc = subprocess.run([*corridor_cmd(), "facts"], stdout=full, stderr=subprocess.PIPE,
                              env=proc_env(), timeout=60, cwd=REPO)
    err = proc.stderr.decode("utf-8", "replace")
    assert_no_traceback(err)
    assert proc.returncode != 0  # the data did not get out: not a success
    assert "No space left" in err


# ---------------------------------------------------------------- locales
def _check_trains_csv(stdout: bytes) -> None:
    text = stdout.decode("utf-8")  # data stays UTF-8 whatever the locale
    rows = parse_csv(text)
    assert any(r["unit"] == "列" and float(r["value"]) == 407 for r in rows)


def test_c_locale():
    proc = run_proc(["facts", "trains", "--year", "2023", "--format", "csv"],
                    env={"LC_ALL": "C", "LANG": "C", "PYTHONIOENCODING": None,
                         "PYTHONUTF8": None})
    _check_trains_csv(proc.stdout)
    assert_no_traceback(proc.err)


NON_UTF8 = {"LC_ALL": "C", "LANG": "C", "PYTHONUTF8": "0", "PYTHONCOERCECLOCALE": "0",
            "PYTHONIOENCODING": "latin-1"}


def test_non_utf8_locale_still_prints_the_data():
    proc = run_proc(["facts", "trains", "--year", "2023", "--format", "csv"], env=NON_UTF8)
    _check_trains_csv(proc.stdout)
    assert_no_traceback(proc.err)


def test_non_utf8_locale_table_and_errors():
    proc = run_proc(["facts", "trains", "--format", "table", "--lang", "zh"], env=NON_UTF8,
                    script=True)
    assert proc.stdout.strip()
    assert_no_traceback(proc.err)
    # an error message with Chinese in it cannot crash on the way out either
    proc = run_proc(["facts", "--entity", "不存在的园区"], expect=2, env=NON_UTF8)
    assert_no_traceback(proc.err)
    assert proc.err.strip()


def test_non_utf8_locale_accepts_chinese_arguments():
    """Under a C locale Python hands non-ASCII argv over surrogate-escaped; 江津综保区
    must still name the entity (through the console script, whose main() fixes argv)."""
    wanted = run(["facts", "--entity", "jiangjin-cbz", "--format", "json"])
    proc = run_proc(["facts", "--entity", "江津综保区", "--format", "json"], env=NON_UTF8,
                    script=True)
    assert [r["id"] for r in json.loads(proc.out)] == [r["id"] for r in json.loads(wanted.stdout)]


# ---------------------------------------------------------------- colour and width
def test_no_color_and_narrow_columns_in_a_pipe():
    proc = run_proc(["facts", "trains", "--format", "table"], env={"NO_COLOR": "1", "COLUMNS": "20"})
    assert ESC not in proc.out
    assert "407" in proc.out
    assert_no_traceback(proc.err)


def _table_via_environment(environ: dict[str, str]) -> str:
    """Render through the CLI with an Environment that says stdout is a terminal."""
    from typer.testing import CliRunner

    stdout, stderr = io.StringIO(), io.StringIO()
    env = Environment(stdout=stdout, stderr=stderr, stdout_isatty=True, environ=environ)
    result = CliRunner().invoke(app, ["facts", "trains", "--year", "2023"], obj=env)
    assert result.exit_code == 0, stderr.getvalue() + result.output
    return stdout.getvalue()


def test_terminal_default_is_a_coloured_table_unless_no_color():
    coloured = _table_via_environment({"TERM": "xterm-256color", "COLUMNS": "250"})
    assert ESC in coloured  # so the NO_COLOR check below can fail
    assert "407" in coloured
    plain = _table_via_environment({"TERM": "xterm-256color", "COLUMNS": "250", "NO_COLOR": "1"})
    assert ESC not in plain
    assert "407" in plain
    assert not plain.lstrip().startswith("id,topic")  # a table for people, not csv


def test_term_dumb_means_no_colour():
    assert ESC not in _table_via_environment({"TERM": "dumb", "COLUMNS": "250"})


def test_narrow_terminal_in_process():
    text = _table_via_environment({"TERM": "xterm", "COLUMNS": "20", "NO_COLOR": "1"})
    assert text.strip()
    assert "407" in text


# ---------------------------------------------------------------- a real terminal (pty)
@posix_only
def test_pty_default_is_a_table_and_no_color_removes_escapes():
    status, coloured, err = run_in_pty(["facts", "trains", "--year", "2023"],
                                        {"TERM": "xterm-256color", "NO_COLOR": None},
                                        columns=250)
    assert status == 0, err
    assert ESC in coloured  # a terminal gets colour ...
    assert not coloured.startswith("id,topic")  # ... and a table, not csv
    status, plain, err = run_in_pty(["facts", "trains", "--year", "2023", "--format", "table"],
                                     {"TERM": "xterm-256color", "NO_COLOR": "1"}, columns=250)
    assert status == 0, err
    assert ESC not in plain  # NO_COLOR: none at all
    assert "407" in plain
    assert_no_traceback(err)


@posix_only
def test_pty_narrow_terminal():
    status, text, err = run_in_pty(["facts", "trains", "--format", "table"],
                                    {"TERM": "xterm", "COLUMNS": "20"}, columns=20)
    assert status == 0, err
    assert text.strip()
    assert_no_traceback(err)


@posix_only
def test_pty_explicit_format_wins_over_the_terminal():
    status, text, err = run_in_pty(["facts", "trains", "--format", "csv"], {"TERM": "xterm"})
    assert status == 0, err
    assert csv_header(text.replace("\r\n", "\n")) == list(FACT_FIELDS)
    assert ESC not in text


# ---------------------------------------------------------------- version
def test_python_m_version():
    proc = run_proc(["--version"])
    assert re.search(r"\d+\.\d+\.\d+", proc.out)
    assert __version__ in proc.out


def test_console_script_version():
    proc = run_proc(["-V"], script=True)
    assert __version__ in proc.out


def test_console_script_json():
    proc = run_proc(["facts", "trains", "--year", "2023", "--format", "json"], script=True)
    records = json.loads(proc.out)
    assert any(r["value"] == 407 and r["unit"] == "列" for r in records)


def test_in_process_default_is_csv():
    assert csv_header(run(["facts", "trains"]).stdout) == list(FACT_FIELDS)
