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
