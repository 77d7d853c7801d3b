"""Problems found in fact files: data to report, never exceptions to crash on."""

from __future__ import annotations

import difflib
from collections.abc import Iterable

from corridor_cli.fastclass import record
from corridor_cli.safetext import visible


@record(order=True)
class Problem:
    """One problem: where it is (file, line, field), a stable slug and a message."""

    file: str
    line: int | None
    field: str
    code: str
    message: str

    def __str__(self) -> str:
        """One line, always, and safe on a terminal: line breaks and control characters in a
        file name, a TOML key or a quoted value are shown as escapes."""
        where = f"{self.file}:{self.line}" if self.line else self.file
        field = f" {self.field}:" if self.field else ""
        return visible(f"{where}:{field} {self.message} [{self.code}]")

    def as_dict(self) -> dict[str, object]:
        return {
            "file": self.file,
            "line": self.line,
            "field": self.field,
            "code": self.code,
            "message": self.message,
        }


def closest(word: str, choices: Iterable[str]) -> str:
    """' (did you mean X?)' when a choice is close to word, else ''."""
    match = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f" (did you mean {match[0]!r}?)" if match else ""
