"""Where things are in a TOML file, which the TOML parser (tomli) does not report: one linear scan that
records the line of each record table ([[kind]] headers and inline tables in a top-level
`kind = [ … ]` array) and of each of its keys, nested keys as `parent.key`.

It runs only on text the parser has accepted, counts lines on \\n alone (as TOML does:
U+2028 inside a string is not a line break) and skips strings, multi-line strings
and comments, so their content is never taken for a header or a key.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

import tomli

_WS = re.compile(r"[ \t]*")
_WS_NL = re.compile(r"(?:[ \t\r\n]+|#[^\n]*)*")  # blank space, line breaks and comments
_KEY_PART = re.compile(r"""[A-Za-z0-9_-]+|"(?:[^"\\\n]|\\.)*"|'[^'\n]*'""")
_STRING = re.compile(r'"""(?:[^"\\]|\\[\s\S]|"(?!""))*"{3,5}'  # multi-line basic
                     r"|'''[\s\S]*?'{3,5}"  # multi-line literal
                     r'|"(?:[^"\\\n]|\\.)*"'  # basic
                     r"|'[^'\n]*'")  # literal
# A number, boolean or date-time: up to the next separator ("1979-05-27 07:32:00" has a space).
_SCALAR = re.compile(r"[^\s,\[\]{}#]+(?: [0-9]{2}:[^\s,\]}#]*)?")


@dataclass
class Place:
    """Where one record is written: the line of its table and of each of its keys."""

    line: int
    fields: dict[str, int] = field(default_factory=dict)

    def note(self, prefix: str, parts: Sequence[str], line: int) -> None:
        """A key written at line: `change.basis = …` notes both change and change.basis."""
        for end in range(1, len(parts) + 1):
            self.fields.setdefault(prefix + ".".join(parts[:end]), line)


@dataclass
class Frame:
    """An open [ array or { inline table while scanning."""

    array: bool
    record: Place | None = None  # the record whose keys an inline table holds
    prefix: str = ""  # the key path of that inline table inside its record, with a final dot
    records: list[Place] | None = None  # a top-level `kind = [...]`: each element is a record


class Layout:
    """The lines of the records of one TOML text, which the TOML parser (tomli) does not report.

    One linear scan over text that tomli has already accepted: it follows
    strings (basic, literal and multi-line, so a string that looks like a
    [[fact]] header or a `key = value` line is not taken for one), comments and
    the nesting of [ and {. For each record table (a [[kind]] header, or an
    element of a top-level `kind = [...]` array, such as an inline table) it
    records the start line and the line of each key (keys of inline tables and
    sub-tables inside the record as `parent.key`), and for each top-level name
    the first line it appears on ([kind], [[kind]] or `kind = ...`). Lines are
    counted on \\n only, as TOML counts them: U+2028, \\v, \\f or \\r are not line
    breaks.
    """

    def __init__(self, text: str) -> None:
        self.records: dict[str, list[Place]] = {}
        self.first_line: dict[str, int] = {}
        self._text, self._pos, self._line = text, 0, 1
        if not self._lines():
            self.records, self.first_line = {}, {}
            self._scan()

    def _lines(self) -> bool:
        """The fast path for files written one statement a line, as fact files are: a
        [[kind]] or [kind.sub] header, or `key = value` with a value that ends on its line
        (a string, a scalar, an array of those, or an inline table of those). Returns False,
        having decided nothing, at the first line of any other shape (a multi-line string,
        array or table, a top-level `kind = [...]`), and the full scan runs instead."""
        record: Place | None = None
        prefix = ""
        in_root = True
        simple = _SIMPLE.match
        for number, line in enumerate(self._text.split("\n"), 1):
            m = simple(line)
            if m is not None:  # most lines: bare_key = "a string" or a number
                if record is not None and not in_root:
                    record.fields.setdefault(prefix + m.group(1), number)
                elif in_root:
                    self.first_line.setdefault(m.group(1), number)
                continue
            m = _LINE.match(line)
            if m is None:
                return False
            if m["blank"] is not None:
                continue
            if m["header"] is not None:
                parts = _parts(m["header"])
                if parts is None:
                    return False
                in_root, record, prefix = False, None, ""
                self.first_line.setdefault(parts[0], number)
                if m["array"]:
                    if len(parts) != 1:
                        return False
                    record = Place(number)
                    self.records.setdefault(parts[0], []).append(record)
                elif len(parts) > 1 and self.records.get(parts[0]):
                    record = self.records[parts[0]][-1]
                    record.note("", parts[1:], number)
                    prefix = ".".join(parts[1:]) + "."
                continue
            parts = _parts(m["key"])
            if parts is None:
                return False
            value = m["value"]
            if in_root:
                if value.startswith(("[", "{")):
                    return False  # a top-level kind = [ … ]: records the full scan finds
                self.first_line.setdefault(parts[0], number)
                continue
            if record is None:
                continue
            record.note(prefix, parts, number)
            if value.startswith("{"):
                inner = prefix + ".".join(parts) + "."
                for key in _INLINE_KEY.finditer(value):
                    if key["key"] is not None:
                        sub = _parts(key["key"])
                        if sub is None:
                            return False
                        record.note(inner, sub, number)
        return True

    def place(self, kind: str, index: int) -> Place | None:
        """Where the index-th record of kind is written; None when not found."""
        places = self.records.get(kind, [])
        return places[index] if index < len(places) else None

    def _eat(self, pattern: re.Pattern[str]) -> str:
        m = pattern.match(self._text, self._pos)
        if m is None or not m.group():
            return ""
        self._pos = m.end()
        self._line += m.group().count("\n")
        return m.group()

    def _char(self) -> str:
        return self._text[self._pos:self._pos + 1]

    def _key(self) -> list[str]:
        """A dotted key; the position is left after it and the blanks that follow."""
        parts = []
        while True:
            self._eat(_WS)
            token = self._eat(_KEY_PART)
            if not token:
                break
            parts.append(_key_text(token))
            self._eat(_WS)
            if self._char() != ".":
                break
            self._pos += 1
        return parts

    def _assignment(self) -> tuple[int, list[str]]:
        """The line and parts of `key =`; the position is left at the value."""
        line, parts = self._line, self._key()
        if self._char() == "=":
            self._pos += 1
        self._eat(_WS)
        return line, parts

    def _header(self) -> tuple[int, list[str], bool]:
        """A [table] or [[array]] header: its line, key parts and which of the two."""
        line = self._line
        array = self._text.startswith("[[", self._pos)
        self._pos += 2 if array else 1
        parts = self._key()
        self._pos += 2 if array and self._text.startswith("]]", self._pos) else 1
        return line, parts, array

    def _value(self, stack: list[Frame], record: Place | None, prefix: str,
               records: list[Place] | None = None) -> None:
        """Consume a scalar or a string, or open the array or inline table that starts here."""
        char = self._char()
        if char == "[":
            self._pos += 1
            stack.append(Frame(True, records=records))
        elif char == "{":
            self._pos += 1
            stack.append(Frame(False, record, prefix))
        elif not self._eat(_STRING if char in "\"'" else _SCALAR):
            self._pos += 1  # never stall, whatever the text

    def _scan(self) -> None:
        text = self._text
        stack: list[Frame] = []
        record: Place | None = None  # the record the keys under the current header belong to
        prefix = ""  # their key path inside it ([fact.change] → "change.")
        in_root = True  # no [header] yet: keys are top-level names
        while self._pos < len(text):
            if not stack:  # a statement: [header], [[header]] or key = value
                self._eat(_WS_NL)
                if self._pos >= len(text):
                    break
                if self._char() == "[":
                    line, parts, array = self._header()
                    in_root, record, prefix = False, None, ""
                    if not parts:
                        continue
                    self.first_line.setdefault(parts[0], line)
                    if len(parts) == 1 and array:
                        record = Place(line)
                        self.records.setdefault(parts[0], []).append(record)
                    elif len(parts) > 1 and self.records.get(parts[0]):
                        record = self.records[parts[0]][-1]  # [kind.sub]: in the last [[kind]]
                        record.note("", parts[1:], line)
                        prefix = ".".join(parts[1:]) + "."
                    continue
                line, parts = self._assignment()
                if in_root:
                    records = None
                    if parts:
                        self.first_line.setdefault(parts[0], line)
                        if len(parts) == 1 and self._char() == "[":
                            records = self.records.setdefault(parts[0], [])
                    self._value(stack, None, "", records)
                elif record is not None and parts:
                    record.note(prefix, parts, line)
                    self._value(stack, record, prefix + ".".join(parts) + ".")
                else:
                    self._value(stack, None, "")
                continue
            frame = stack[-1]
            self._eat(_WS_NL)
            char = self._char()
            if char in ("]", "}", ""):
                self._pos += 1
                stack.pop()
            elif char == ",":
                self._pos += 1
            elif frame.array:
                element = None
                if frame.records is not None:
                    element = Place(self._line)
                    frame.records.append(element)
                self._value(stack, element, "")
            else:
                line, parts = self._assignment()
                if frame.record is not None and parts:
                    frame.record.note(frame.prefix, parts, line)
                    self._value(stack, frame.record, frame.prefix + ".".join(parts) + ".")
                else:
                    self._value(stack, None, "")


# One line of the fast path. A value that ends on its line: a basic or literal string,
# a scalar, or an array or inline table holding only those (and arrays of them); a
# triple quote, or a bracket left open, matches none of these and sends the file to the
# full scan.
_BARE = r"[A-Za-z0-9_-]+"
_KEY = rf"""(?:{_BARE}|"(?:[^"\\\n]|\\.)*"|'[^'\n]*')"""
_DOTTED = rf"{_KEY}(?:[ \t]*\.[ \t]*{_KEY})*"
_STR = r"""(?:"(?!"")(?:[^"\\\n]|\\.)*"|'(?!'')[^'\n]*')"""
_ATOM = rf"""(?:{_STR}|[^\s,\[\]{{}}#"'=]+(?: [0-9]{{2}}:[^\s,\]}}#]*)?)"""
_ARRAY = rf"\[(?:\s*{_ATOM}\s*,)*\s*(?:{_ATOM}\s*)?\]"
_ITEM = rf"(?:{_ATOM}|{_ARRAY})"
_INLINE = (rf"\{{(?:\s*{_DOTTED}\s*=\s*{_ITEM}\s*,)*"
           rf"\s*(?:{_DOTTED}\s*=\s*{_ITEM}\s*)?\}}")
_LINE = re.compile(
    rf"""[ \t]*(?:(?P<blank>(?:\#.*)?\r?)"""
    rf"""|(?P<array>\[)?\[[ \t]*(?P<header>{_DOTTED})[ \t]*\](?(array)\])[ \t]*(?:\#.*)?\r?"""
    rf"""|(?P<key>{_DOTTED})[ \t]*=[ \t]*(?P<value>{_INLINE}|{_ITEM})[ \t]*(?:\#.*)?\r?)$""")
_SIMPLE = re.compile(r"""[ \t]*([A-Za-z0-9_-]+)[ \t]*=[ \t]*"""
                     r"""(?:"(?!"")(?:[^"\\\n]|\\.)*"|[^\s,\[\]{}#"'=]+)[ \t]*\r?$""")
_INLINE_KEY = re.compile(rf"{_STR}|(?P<key>{_DOTTED})[ \t]*=")
_SPLIT = re.compile(rf"[ \t]*({_KEY})[ \t]*(?:\.|$)")


def _parts(dotted: str) -> list[str] | None:
    """The parts of a dotted key as tomli reads them (None if it cannot tell)."""
    parts, pos = [], 0
    while pos < len(dotted):
        m = _SPLIT.match(dotted, pos)
        if m is None or m.end() == pos:
            return None
        parts.append(_key_text(m.group(1)))
        pos = m.end()
    return parts or None


def _key_text(token: str) -> str:
    """A key part as tomli reads it: bare, 'literal' or "basic" (escapes decoded)."""
    if token[0] == "'" or (token[0] == '"' and "\\" not in token):
        return token[1:-1]
    if token[0] == '"':
        try:
            return next(iter(tomli.loads(f"{token} = 0")))
        except (ValueError, StopIteration):
            return token[1:-1]
    return token
