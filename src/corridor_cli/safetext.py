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

import os
import re

# Cc (C0, DEL, C1), the line breaks str.splitlines() knows, bidi and other format
# characters that are invisible or reorder text, tag characters, lone surrogates.
_UNSAFE = re.compile(
    "[\x00-\x1f\x7f-\x9f\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f"
    "\u200b\u200e\u200f\u2028-\u202e\u2060-\u206f\u3164\ufe00-\ufe0f\ufeff\uffa0"
    "\ufff9-\ufffb\ud800-\udfff\U000e0000-\U000e0fff]"
)
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _escape(match: re.Match[str]) -> str:
    char = match.group()
    named = _NAMED.get(char)
    if named:
        return named
    code = ord(char)
    if code < 0x100:
        return f"\\x{code:02x}"
    if code < 0x10000:
        return f"\\u{code:04x}"
    return f"\\U{code:08x}"


def visible(text: object) -> str:
    """str(text) with every control, line-breaking or invisible format character escaped."""
    text = str(text)
    return _UNSAFE.sub(_escape, text) if _UNSAFE.search(text) else text


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
