"""Docs are tested: every command has help leading with a real example, and the
README shows each one."""

from __future__ import annotations

import re

import pytest
import typer

from conftest import REPO, run
from corridor_cli.cli import app

COMMANDS = sorted(typer.main.get_command(app).commands)


def test_there_are_commands():
    assert {"facts", "timeline", "show", "check"} <= set(COMMANDS)


def test_root_help_lists_every_command_and_an_example():
    text = run(["--help"]).stdout
    assert "Example" in text
    for name in COMMANDS:
        assert re.search(rf"\b{re.escape(name)}\b", text), name


@pytest.mark.parametrize("name", COMMANDS)
def test_command_help_has_an_example(name):
    text = run([name, "--help"]).stdout
    assert "Example" in text
    assert f"corridor {name}" in text  # the example is a command line a user can type


@pytest.mark.parametrize("name", COMMANDS)
def test_command_is_in_the_readme(name):
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert f"corridor {name}" in readme, f"README.md does not show `corridor {name}`"


def test_every_documented_format_is_a_choice():
    text = run(["facts", "--help"]).stdout
    for fmt in ("table", "csv", "tsv", "md", "json", "jsonl"):
        assert fmt in text


def test_readme_sources_table_matches_corridor_sources():
    """The per-source counts the README quotes are what `corridor sources` prints."""
    import json

    readme = (REPO / "README.md").read_text(encoding="utf-8")
    for source in json.loads(run(["sources", "--format", "json"]).stdout):
        row = re.search(rf"^\| `{re.escape(source['id'])}` \|.*\| (\d+) \| (\d+) \|$", readme, re.M)
        assert row, f"README.md has no row for source {source['id']}"
        assert (int(row.group(1)), int(row.group(2))) == (source["facts"], source["events"])
