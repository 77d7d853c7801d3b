"""Problems found in fact files: data to report, never exceptions to crash on."""

from __future__ import annotations

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
