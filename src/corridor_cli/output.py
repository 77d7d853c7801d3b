"""Where output goes: the terminal-or-pipe decision, language, encodings, atomic files.

The Environment is built once from the process (or by tests, explicitly) and
passed down, so nothing else inspects sys.stdout or os.environ.
"""

from __future__ import annotations

import os
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping, TextIO

LANGS = ("zh", "en")


class OutputError(OSError):
    """An output file that could not be written."""


@dataclass
class Environment:
    stdout: TextIO = field(default_factory=lambda: sys.stdout)
    stderr: TextIO = field(default_factory=lambda: sys.stderr)
    stdout_isatty: bool = False
    environ: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def from_process(cls) -> Environment:
        try:
            isatty = sys.stdout.isatty()
        except (AttributeError, ValueError):
            isatty = False
        return cls(sys.stdout, sys.stderr, isatty, os.environ)

    @property
    def color(self) -> bool:
        """Colour only on a terminal, and never with NO_COLOR set or TERM=dumb."""
        return (self.stdout_isatty and not self.environ.get("NO_COLOR")
                and self.environ.get("TERM") != "dumb")

    @property
    def width(self) -> int | None:
        columns = self.environ.get("COLUMNS", "")
        return int(columns) if columns.isdigit() and int(columns) > 0 else None

    def default_lang(self) -> str:
        """CORRIDOR_LANG, else the locale (zh_* gives zh), else en."""
        wanted = self.environ.get("CORRIDOR_LANG", "").strip().lower()
        if wanted:
            return wanted  # validated by the caller, which names the choices
        for var in ("LC_ALL", "LC_MESSAGES", "LANG"):
            value = self.environ.get(var)
            if value:
                return "zh" if value.lower().startswith("zh") else "en"
        return "en"


def make_streams_safe() -> None:
    """Never die of an encoding: data is UTF-8 whatever the locale; messages degrade."""
    for stream, errors in ((sys.stdout, "replace"), (sys.stderr, "backslashreplace")):
        encoding = (getattr(stream, "encoding", "") or "").lower().replace("-", "")
        if encoding != "utf8" and hasattr(stream, "reconfigure"):
            try:
                stream.reconfigure(encoding="utf-8" if stream is sys.stdout else None, errors=errors)
            except (ValueError, OSError):  # pragma: no cover - exotic stream
                pass


def write_atomic(path: Path, text: str, bom: bool = False) -> None:
    """Write text as UTF-8 to path via a temporary file and a rename: all or nothing."""
    path = Path(path)
    directory = path.parent if str(path.parent) else Path(".")
    data = (("\ufeff" if bom else "") + text).encode("utf-8")
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=directory)
    except OSError as exc:
        raise OutputError(f"cannot write {path}: {exc.strerror}") from None
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        if path.exists():
            os.chmod(tmp, path.stat().st_mode & 0o777)
        else:
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, path)
    except OSError as exc:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise OutputError(f"cannot write {path}: {exc.strerror}") from None
