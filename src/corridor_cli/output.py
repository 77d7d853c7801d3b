"""Where output goes: the terminal-or-pipe decision, language, encodings, atomic files,
the pager.

The Environment is built once from the process (or by tests, explicitly) and
passed down, so nothing else inspects sys.stdout or os.environ.
"""

from __future__ import annotations

import errno
import os
import re
import stat
import sys
from collections.abc import Iterable
from dataclasses import field
from pathlib import Path
from typing import Mapping, TextIO

from corridor_cli.fastclass import record
from corridor_cli.safetext import display_path

LANGS = ("zh", "en")
_POSITIVE = re.compile(r"[1-9][0-9]{0,4}", re.ASCII)


class OutputError(OSError):
    """An output that could not be written (or that corridor refuses to write)."""


class StdoutGone(Exception):
    """Standard output failed: the reader went away (EPIPE) or it cannot be written."""

    def __init__(self, error: OSError | None) -> None:
        super().__init__(str(error))
        self.error = error

    @property
    def reader_left(self) -> bool:
        return isinstance(self.error, BrokenPipeError) or (
            self.error is not None and self.error.errno == errno.EPIPE)


class _Wrapped:
    """A stream wrapper that passes everything else through to the stream it wraps."""

    def __init__(self, inner: TextIO | None) -> None:
        self._inner = inner

    def isatty(self) -> bool:
        try:
            return self._inner is not None and self._inner.isatty()
        except (OSError, ValueError, AttributeError):
            return False

    def __getattr__(self, name: str):
        if self._inner is None:
            raise AttributeError(name)
        return getattr(self._inner, name)


class GuardedStdout(_Wrapped):
    """Standard output whose failures surface as StdoutGone, whoever writes (our renderers,
    or the CLI framework printing --help): one place then maps them to an exit status."""

    def write(self, text: str) -> int:
        if self._inner is None:
            raise StdoutGone(OSError(errno.EBADF, "standard output is closed"))
        try:
            return self._inner.write(text)
        except OSError as exc:
            raise StdoutGone(exc) from None

    def flush(self) -> None:
        if self._inner is None:
            return
        try:
            self._inner.flush()
        except OSError as exc:
            raise StdoutGone(exc) from None


class QuietStderr(_Wrapped):
    """Standard error that never fails the command: a closed or broken stderr loses the
    message, never the exit status."""

    def write(self, text: str) -> int:
        try:
            if self._inner is not None:
                self._inner.write(text)
        except (OSError, ValueError):
            pass
        return len(text)

    def flush(self) -> None:
        try:
            if self._inner is not None:
                self._inner.flush()
        except (OSError, ValueError):
            pass


@record(frozen=False)
class Environment:
    stdout: TextIO = field(default_factory=lambda: sys.stdout)
    stderr: TextIO = field(default_factory=lambda: sys.stderr)
    stdout_isatty: bool = False
    environ: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def from_process(cls) -> Environment:
        try:
            isatty = sys.stdout.isatty()
        except (AttributeError, ValueError, OSError):
            isatty = False
        return cls(sys.stdout, sys.stderr, isatty, os.environ)

    @property
    def color(self) -> bool:
        """Colour only on a terminal, and never with NO_COLOR set or TERM=dumb."""
        return (self.stdout_isatty and not self.environ.get("NO_COLOR")
                and self.environ.get("TERM") != "dumb")

    @property
    def width(self) -> int | None:
        """COLUMNS when it is a plain positive number (ASCII digits, at most 99999), else None."""
        columns = self.environ.get("COLUMNS", "").strip()
        return int(columns) if _POSITIVE.fullmatch(columns) else None

    @property
    def height(self) -> int:
        lines = self.environ.get("LINES", "").strip()
        if _POSITIVE.fullmatch(lines):
            return int(lines)
        try:
            return os.get_terminal_size(self.stdout.fileno()).lines
        except (OSError, ValueError, AttributeError):
            return 24

    @property
    def can_page(self) -> bool:
        """A pager needs standard output to be a real terminal it can draw on itself."""
        try:
            return self.stdout_isatty and os.isatty(self.stdout.fileno())
        except (OSError, ValueError, AttributeError):
            return False

    def terminal_width(self) -> int | None:
        """The width to lay a table out for on this terminal: COLUMNS, else the terminal's."""
        if self.width:
            return self.width
        try:
            return os.get_terminal_size(self.stdout.fileno()).columns or None
        except (OSError, ValueError, AttributeError):
            return None

    def default_lang(self) -> str:
        """CORRIDOR_LANG (zh, en, or a locale name such as zh_CN.UTF-8), else the locale
        (zh_* gives zh), else en."""
        wanted = self.environ.get("CORRIDOR_LANG", "").strip().lower()
        if wanted:
            locale = re.fullmatch(r"(zh|en)(?:[_.@-].*)?", wanted)
            return locale.group(1) if locale else wanted  # else validated by the caller
        for var in ("LC_ALL", "LC_MESSAGES", "LANG"):
            value = self.environ.get(var)
            if value:
                return "zh" if value.lower().startswith("zh") else "en"
        return "en"


def make_streams_safe() -> None:
    """Never die of an encoding: data is UTF-8 whatever the locale; messages degrade."""
    for stream, errors in ((sys.stdout, "replace"), (sys.stderr, "backslashreplace")):
        if stream is None:
            continue
        encoding = (getattr(stream, "encoding", "") or "").lower().replace("-", "")
        if hasattr(stream, "reconfigure"):
            try:
                if encoding != "utf8":
                    stream.reconfigure(encoding="utf-8" if stream is sys.stdout else None,
                                       errors=errors)
                elif stream is sys.stderr:
                    stream.reconfigure(errors=errors)
            except (ValueError, OSError):  # pragma: no cover - exotic stream
                pass


def silence_stdout() -> None:
    """Point file descriptor 1 at /dev/null, so the interpreter's last flush cannot fail."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 1)
        os.close(devnull)
    except OSError:
        pass


# ---------------------------------------------------------------- --output
def check_output_path(path: Path | str, protected: Iterable[Path] = (),
                      protected_dirs: Iterable[Path] = (), watched_dirs: Iterable[Path] = ()) -> None:
    """Refuse an --output that is not a regular file to be replaced, or that would change
    what corridor reads.

    corridor replaces its output atomically (a temporary file, then a rename), so it
    never writes through a symlink and never replaces a device, a FIFO, a socket or a
    directory with a regular file: those are refused. So are a fact file this run reads
    (``protected``), a new *.toml in a fact directory or in any directory the loader
    walks (``protected_dirs``, ``watched_dirs``: the next run would load it), and a
    file in a fact directory's texts/ folder, where source texts live. Both the path as
    written and the path it resolves to are checked.
    """
    raw = os.fspath(path)
    name = display_path(raw)
    if raw.endswith(("/", os.sep, "/.", "/..")) or raw in (".", ".."):
        raise OutputError(f"refusing to write {name}: it names a directory, not a file")
    path = Path(raw)
    try:
        info = os.lstat(path)
    except FileNotFoundError:
        info = None
    except (OSError, ValueError) as exc:
        raise OutputError(f"cannot write {name}: {getattr(exc, 'strerror', None) or exc}") from None
    if info is not None and not stat.S_ISREG(info.st_mode):
        what = ("a symbolic link" if stat.S_ISLNK(info.st_mode)
                else "a directory" if stat.S_ISDIR(info.st_mode)
                else "a FIFO" if stat.S_ISFIFO(info.st_mode)
                else "a device" if stat.S_ISCHR(info.st_mode) or stat.S_ISBLK(info.st_mode)
                else "not a regular file")
        raise OutputError(f"refusing to write {name}: it is {what}, and --output only replaces "
                          f"regular files; use shell redirection (> {name}) to write through it")
    written = Path(os.path.abspath(raw))
    resolved = Path(os.path.realpath(raw))
    if resolved in {Path(os.path.realpath(p)) for p in protected}:
        raise OutputError(f"refusing to write {name}: it is a fact file this command reads")
    toml = written.suffix.lower() == ".toml" or resolved.suffix.lower() == ".toml"
    for directory in protected_dirs:
        for target, root in ((written, Path(os.path.abspath(directory))),
                             (resolved, Path(os.path.realpath(directory)))):
            if toml and root in target.parents:
                raise OutputError(f"refusing to write {name}: a .toml file inside the fact "
                                  f"directory {display_path(directory)} would be read as facts")
            if root / "texts" in target.parents:
                raise OutputError(f"refusing to write {name}: it is in the texts/ folder of the "
                                  f"fact directory {display_path(directory)}, where source "
                                  f"texts live")
    if toml and resolved.parent in {Path(os.path.realpath(d)) for d in watched_dirs}:
        raise OutputError(f"refusing to write {name}: a .toml file in a directory the fact "
                          f"files are read from would be read as facts")


def _create_exclusive(name: str) -> int:
    """A new file, readable by its owner only until it is complete; never an existing one."""
    return os.open(name, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0), 0o600)


def write_atomic(path: Path, data: bytes | str, bom: bool = False) -> None:
    """Write data to path via a temporary file and a rename: all or nothing.

    The temporary file is removed on any way out (an error, Ctrl-C, SIGTERM turned
    into SystemExit by the CLI). Text is written as UTF-8.
    """
    path = Path(path)
    if isinstance(data, str):
        data = (("\ufeff" if bom else "") + data).encode("utf-8")
    directory = path.parent if str(path.parent) else Path(".")
    name = display_path(path)
    done = False
    # The name is chosen before the file exists, so whatever interrupts us from here on
    # (an error, Ctrl-C, SIGTERM, even between creating the file and using it), the
    # finally clause knows what to remove.
    # short enough beside any legal file name (NAME_MAX is 255 bytes on most systems)
    stem = path.name.encode("utf-8", "surrogateescape")[:100].decode("utf-8", "ignore")
    import secrets  # only when a file is written: it costs milliseconds to import

    tmp = str(directory / f".{stem}.{secrets.token_hex(6)}.tmp")
    ours = True
    try:
        try:
            fd = _create_exclusive(tmp)
        except FileExistsError:  # not ours (a 1 in 2**48 clash): never remove it
            ours = False
            raise
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        try:
            info = os.lstat(path)
        except FileNotFoundError:
            info = None
        if info is not None and not stat.S_ISREG(info.st_mode):  # appeared since the check
            raise OutputError(f"refusing to write {name}: it is no longer a regular file")
        if info is not None:
            os.chmod(tmp, info.st_mode & 0o777)
        else:
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, path)
        done = True
    except OutputError:
        raise
    except (OSError, ValueError) as exc:
        raise OutputError(f"cannot write {name}: {getattr(exc, 'strerror', None) or exc}") from None
    finally:
        if ours and not done:
            try:
                os.unlink(tmp)
            except OSError:
                pass


# ---------------------------------------------------------------- the pager
def pager_command(environ: Mapping[str, str]) -> str | None:
    """The user's pager (CORRIDOR_PAGER, then PAGER, else less), or None for none."""
    for var in ("CORRIDOR_PAGER", "PAGER"):
        if var in environ:
            value = environ[var].strip()
            return None if value in ("", "cat") else value
    return "less"


def page(text: str, command: str, environ: Mapping[str, str]) -> bool:
    """Show text through the pager; False when the pager cannot be started (print instead).

    less gets less-like defaults (LESS=FRX: quit at once when the text fits one screen,
    pass colours through, leave the text on the screen) unless the user set LESS.
    """
    import subprocess

    env = dict(environ)
    env.setdefault("LESS", "FRX")
    env.setdefault("LV", "-c")
    try:
        proc = subprocess.Popen(command, shell=True, stdin=subprocess.PIPE, env=env)
    except OSError:
        return False
    try:
        assert proc.stdin is not None
        proc.stdin.write(text.encode("utf-8", "replace"))
        proc.stdin.close()
    except OSError:  # the user quit the pager before reading everything
        pass
    while True:
        try:
            proc.wait()
            break
        except KeyboardInterrupt:  # Ctrl-C belongs to the pager while it runs
            continue
    # A pager that could not run (not found 127, not executable 126, a shell syntax
    # error, `false`) showed nothing: the caller prints the text instead. Pagers exit 0
    # when the reader quits them.
    return proc.returncode == 0
