"""The README's "Adding facts" walkthrough, run verbatim from an empty directory with a
fresh HOME: every shell block in that section, in order, as a user would paste them."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from markdown_it import MarkdownIt

from conftest import REPO, assert_no_traceback, console_script, parse_csv, proc_env

posix_only = pytest.mark.skipif(os.name != "posix", reason="the walkthrough is a POSIX shell session")


def _section_blocks(heading: str) -> list[str]:
    """The ```sh blocks under a level-2 heading of README.md, parsed with markdown-it."""
    tokens = MarkdownIt("commonmark").parse((REPO / "README.md").read_text(encoding="utf-8"))
    blocks, inside = [], False
    for i, token in enumerate(tokens):
        if token.type == "heading_open" and token.tag == "h2":
            inside = tokens[i + 1].content.strip() == heading
        elif inside and token.type == "fence" and token.info.strip() == "sh":
            blocks.append(token.content)
    return blocks


def _shell(script: str, home: Path, cwd: Path) -> subprocess.CompletedProcess:
    exe = console_script()
    bindir = str(Path(exe).parent) if exe else ""
    env = proc_env({"HOME": str(home), "PATH": os.pathsep.join(
        p for p in (bindir, str(Path(sys.executable).parent), os.environ.get("PATH", "")) if p)})
    return subprocess.run(["bash", "-e", "-u", "-c", script], capture_output=True, text=True,
                          env=env, cwd=cwd, timeout=120)


@posix_only
def test_adding_facts_walkthrough_runs_verbatim_and_check_exits_0(tmp_path):
    if console_script() is None:
        pytest.skip("the `corridor` console script is not installed")
    blocks = _section_blocks("Adding facts")
    assert len(blocks) >= 2, "the walkthrough lost its shell blocks"
    assert any("corridor check" in b for b in blocks)
    home, empty = tmp_path / "home", tmp_path / "empty"
    home.mkdir()
    empty.mkdir()
    setup, *commands = blocks
    proc = _shell(setup, home, empty)
    assert proc.returncode == 0, proc.stderr
    for block in commands:
        for line in block.splitlines():
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            proc = _shell(line, home, empty)
            assert_no_traceback(proc.stderr)
            assert proc.returncode == 0, f"{line}\n{proc.stderr}\n{proc.stdout}"
            if line.startswith("corridor check"):
                assert "0 problem(s)" in proc.stdout and "0 finding(s)" in proc.stdout, proc.stdout
                assert "0 not verified" in proc.stdout, proc.stdout
            if line.startswith("corridor facts"):
                rows = parse_csv(proc.stdout)
                assert [r["value"] for r in rows] == ["1200"], rows
                assert rows[0]["source_title_en"] == "Jiangjin opening-up report 2024"
    assert list(empty.iterdir()) == []  # nothing written where the user stood


@posix_only
def test_walkthrough_texts_beside_the_facts_need_no_against(tmp_path):
    """The same files, with the text moved into ~/my-facts/texts/: check exits 0 without --against."""
    if console_script() is None:
        pytest.skip("the `corridor` console script is not installed")
    setup = _section_blocks("Adding facts")[0]
    home = tmp_path / "home"
    home.mkdir()
    assert _shell(setup, home, tmp_path).returncode == 0
    (home / "my-facts" / "texts").mkdir()
    (home / "my-sources" / "my-report-2024.txt").rename(
        home / "my-facts" / "texts" / "my-report-2024.txt")
    proc = _shell("corridor check --facts-dir ~/my-facts", home, tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "0 not verified" in proc.stdout
    # and a quote changed so that it is no longer in the text is a finding (exit 1)
    toml = home / "my-facts" / "jiangjin-2024.toml"
    toml.write_text(toml.read_text(encoding="utf-8").replace(
        'quote = "全年开行江津班列1200列，同比增长12.5%"', 'quote = "全年开行江津班列1200列，同比增长12.5%以上"'),
        encoding="utf-8")
    proc = _shell("corridor check --facts-dir ~/my-facts", home, tmp_path)
    assert proc.returncode == 1, proc.stderr
    assert "my-jiangjin-trains-run-2024" in proc.stderr


def _section_fences(heading: str, info: str) -> list[str]:
    tokens = MarkdownIt("commonmark").parse((REPO / "README.md").read_text(encoding="utf-8"))
    blocks, inside = [], False
    for i, token in enumerate(tokens):
        if token.type == "heading_open" and token.tag == "h2":
            inside = tokens[i + 1].content.strip() == heading
        elif inside and token.type == "fence" and token.info.strip() == info:
            blocks.append(token.content)
    return blocks


@posix_only
def test_curating_walkthrough_runs_and_its_shown_output_is_real(tmp_path):
    """The "Curating" section: its shell block run verbatim in an empty directory writes
    the draft the README shows (compared as TOML); the unfinished draft fails check with
    the lines shown; the finished file shown passes check and coverage, as shown."""
    import tomllib

    if console_script() is None:
        pytest.skip("the `corridor` console script is not installed")
    heading = "Curating: from a new text to checked facts"
    (setup,) = _section_blocks(heading)
    draft_shown, finished = _section_fences(heading, "toml")
    consoles = _section_fences(heading, "console")
    home, work = tmp_path / "home", tmp_path / "work"
    home.mkdir()
    work.mkdir()
    proc = _shell(setup, home, work)
    assert proc.returncode == 0, proc.stderr
    assert "drafted 1 fact stub and 1 event stub" in proc.stderr
    written = (work / "drafts" / "brief.toml").read_text(encoding="utf-8")
    assert tomllib.loads(written) == tomllib.loads(draft_shown)
    check = _shell("corridor check --facts-dir drafts", home, work)
    assert check.returncode == 2
    shown_lines = [ln for ln in consoles[1].splitlines()[1:] if ln != "…"]
    assert shown_lines and all(ln in check.stderr.splitlines() for ln in shown_lines)
    (work / "my-facts" / "brief-2024-03.toml").write_text(finished, encoding="utf-8")
    ok = _shell("corridor check --facts-dir my-facts", home, work)
    assert ok.returncode == 0, ok.stderr
    cov = _shell("corridor coverage brief-2024-03 --facts-dir my-facts --format md", home, work)
    assert cov.returncode == 0, cov.stderr
    assert cov.stdout.strip() in consoles[2]
    bundled = _shell("corridor coverage --format md", home, work)
    assert bundled.returncode == 0 and bundled.stdout.strip() in consoles[0]
