"""Problems found in fact files: data to report, never exceptions to crash on."""

from __future__ import annotations

from dataclasses import dataclass


def _one_line(text: str) -> str:
    return text.replace("\r", "\\r").replace("\n", "\\n")


@dataclass(frozen=True, order=True)
class Problem:
    """One problem: where it is (file, line, field), a stable slug and a message."""

    file: str
    line: int | None
    field: str
    code: str
    message: str

    def __str__(self) -> str:
        """One line, always: a line break in a file name or a TOML key is escaped."""
        where = f"{self.file}:{self.line}" if self.line else self.file
        field = f" {self.field}:" if self.field else ""
        return _one_line(f"{where}:{field} {self.message} [{self.code}]")

    def as_dict(self) -> dict[str, object]:
        return {
            "file": self.file,
            "line": self.line,
            "field": self.field,
            "code": self.code,
            "message": self.message,
        }
