"""Text from the data, made safe to show a person: never markup, never terminal control.

Every human-facing output (tables, stacked records, Markdown, messages on stderr)
passes its text through ``visible()``. Characters that a terminal or a Markdown
reader would act on instead of showing (C0/C1 controls such as ESC, line and
paragraph separators, bidi overrides and other invisible format characters,
lone surrogates from undecodable bytes) are replaced by a visible escape such as
``\\x1b``, ``\\n`` or ``\\u202e``, so the reader sees what the data holds and
nothing it holds can move the cursor, recolour the screen, start a hyperlink,
reorder a line or split a row. Machine formats (csv, json) keep the data as is:
their own quoting makes it safe there.
"""

from __future__ import annotations

import functools
import os
import re

# Always escaped, whatever the Unicode version: C0, DEL and C1 controls, soft hyphen,
# the invisible fillers and variation selectors, bidi and other format characters,
# line and paragraph separators, lone surrogates, tag characters. Compiled when first
# needed (its surrogate and plane-14 ranges take about 1 ms to compile): text that
# str.isprintable() accepts is checked against _PRINTABLE_UNSAFE alone.
_UNSAFE_CLASS = (
    "[\x00-\x1f\x7f-\x9f\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f"
    "\u200b\u200e\u200f\u2028-\u202e\u2060-\u206f\u3164\ufe00-\ufe0f\ufeff\uffa0"
    "\ufff9-\ufffb\ud800-\udfff\U000e0000-\U000e0fff]"
)
# The characters of that list that str.isprintable() accepts (a combining grapheme
# joiner, Hangul and Khmer fillers, Mongolian and other variation selectors): all that
# printable text can hold of it (tests/test_redteam.py checks this against the list). A
# set, not a pattern: a character class this wide takes longer to compile than to build.
_PRINTABLE_UNSAFE = frozenset(
    "\u034f\u115f\u1160\u17b4\u17b5\u180b\u180c\u180d\u180f\u3164\uffa0"
    + "".join(map(chr, range(0xFE00, 0xFE10))) + "".join(map(chr, range(0xE0100, 0xE01F0)))
)


@functools.cache
def _unsafe_pattern() -> re.Pattern[str]:
    return re.compile(_UNSAFE_CLASS)


# And every other character of these categories this Python's Unicode tables know:
# controls, format characters (Arabic number signs, Egyptian format controls, …),
# surrogates, line and paragraph separators. Zero-width (non-)joiners are kept: they
# shape scripts and emoji and control nothing.
_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Zl", "Zp"})
_KEEP = frozenset({"\u200c", "\u200d"})
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _escape_char(char: str) -> str:
    named = _NAMED.get(char)
    if named:
        return named
    code = ord(char)
    if 0xDC80 <= code <= 0xDCFF:  # a byte that was not UTF-8 (surrogateescape): show the byte
        return f"\\x{code - 0xDC00:02x}"
    if code < 0x100:
        return f"\\x{code:02x}"
    if code < 0x10000:
        return f"\\u{code:04x}"
    return f"\\U{code:08x}"


def _unsafe(char: str) -> bool:
    from unicodedata import category  # only for text with a character str.isprintable refuses

    return char not in _KEEP and (_unsafe_pattern().match(char) is not None
                                  or category(char) in _CATEGORIES)


def _escaped(m: re.Match[str]) -> str:
    return _escape_char(m.group())


def visible(text: object) -> str:
    """str(text) with every control, line-breaking or invisible format character escaped."""
    text = str(text)
    # str.isprintable() is False for every character of _CATEGORIES (and for other
    # invisibles, unassigned and private-use ones), by this Python's own Unicode tables,
    # and for every ASCII control: printable text needs only the fixed list checked, and
    # printable ASCII text nothing at all.
    if text.isprintable():
        if text.isascii() or _PRINTABLE_UNSAFE.isdisjoint(text):
            return text
        return "".join(_escape_char(c) if c in _PRINTABLE_UNSAFE else c for c in text)
    if text.isascii():
        return _unsafe_pattern().sub(_escaped, text)
    if not any(_unsafe(c) for c in text):
        return text
    return "".join(_escape_char(c) if _unsafe(c) else c for c in text)


def display_path(path: str | bytes | os.PathLike) -> str:
    """A file name as printable UTF-8 text: bytes of the name that are not UTF-8 become
    \\xNN escapes (Python holds them as lone surrogates, which cannot be printed)."""
    name = os.fspath(path)
    if isinstance(name, bytes):
        return name.decode("utf-8", "backslashreplace")
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return os.fsencode(name).decode("utf-8", "backslashreplace")
    return name
