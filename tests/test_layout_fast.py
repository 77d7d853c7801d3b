"""The layout scan's fast path (one statement a line) against the full scan: wherever the
fast path decides, it decides exactly what the full scan does; anything it cannot read
line by line goes to the full scan."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import REPO

from corridor_cli.toml_layout import Layout


def _full(text: str) -> Layout:
    layout = Layout.__new__(Layout)
    layout.records, layout.first_line = {}, {}
    layout._text, layout._pos, layout._line = text, 0, 1
    layout._scan()
    return layout


def _fast(text: str) -> Layout | None:
    layout = Layout.__new__(Layout)
    layout.records, layout.first_line = {}, {}
    layout._text, layout._pos, layout._line = text, 0, 1
    return layout if layout._lines() else None


def _same(a: Layout, b: Layout) -> bool:
    return (a.records, a.first_line) == (b.records, b.first_line)


@pytest.mark.parametrize("path", sorted((REPO / "facts").glob("*.toml")), ids=lambda p: p.name)
def test_every_bundled_file_takes_the_fast_path_with_the_same_lines(path: Path):
    text = path.read_text(encoding="utf-8")
    fast = _fast(text)
    assert fast is not None, "the bundled files are written one statement a line"
    assert _same(fast, _full(text))
    assert _same(Layout(text), _full(text))


TRICKY = [
    # decided by the fast path
    '[[fact]]\nid = "a"\nchange = { value = 1.5, unit = "%", basis = "yoy" }\n',
    '[[fact]]\nid = "a" # comment\n\n# [[fact]] in a comment\nquote = "x = [[fact]]"\n',
    "[[fact]]\n'quoted key' = 1\n\"basic.key\" = 2\na . b = 3\n",
    '[[fact]]\nrelation = { kind = "sum", of = ["x", "y"] }\ntags = ["a", "b,c", \'d]\']\n',
    '[[fact]]\nid = "a"\n[fact.change]\nvalue = 1\nbasis = "yoy"\n[[event]]\nid = "b"\n',
    'title = "top"\n[[fact]]\nid = "a"\r\nvalue = 1979-05-27 07:32:00\r\n',
    '[[fact]]\nquote = "a \\" quote = \\" [[event]]"\nx = { a = { b = 1 } }\n',
    # left to the full scan
    '[[fact]]\nquote = """\n[[event]]\nid = "x"\n"""\nid = "a"\n',
    "[[fact]]\nquote = '''\nkey = 1\n'''\n",
    '[[fact]]\ntags = [\n  "a",\n  "b",\n]\nid = "a"\n',
    'fact = [\n  { id = "a", value = 1 },\n  { id = "b", value = 2 },\n]\n',
    'fact = [{ id = "a" }]\n',
    '[[fact]]\nx = [ [1, 2],\n [3] ]\nid = "a"\n',
]


@pytest.mark.parametrize("text", TRICKY)
def test_tricky_texts_are_decided_right_or_left_to_the_full_scan(text: str):
    import tomllib

    tomllib.loads(text)  # every case is valid TOML
    full = _full(text)
    fast = _fast(text)
    if fast is not None:
        assert _same(fast, full)
    assert _same(Layout(text), full)


def test_multi_line_values_leave_the_fast_path():
    assert _fast('[[fact]]\nquote = """\nx\n"""\n') is None
    assert _fast('[[fact]]\ntags = [\n"a"]\n') is None
    assert _fast('fact = [{ id = "a" }]\n') is None
