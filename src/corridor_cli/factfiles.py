"""Finding and reading the fact files under the fact directories: every *.toml once, in
a stable order, with a problem (never an exception, never a hang) for a missing or
unreadable directory, a symlink loop, a dangling symlink, a *.toml that is not a regular
file, and a file too large to read."""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Sequence
from pathlib import Path

from corridor_cli.problems import Problem
from corridor_cli.safetext import display_path

MAX_FACT_FILE_BYTES = 64 * 2**20  # a fact file larger than this is not read


def os_problem(path: str | os.PathLike, exc: OSError, what: str) -> Problem:
    """A problem for an OSError met while looking at a directory or file."""
    name = display_path(exc.filename if exc.filename is not None else path)
    if exc.errno == errno.ELOOP:
        return Problem(name, None, "", "symlink-loop",
                       "a loop of symbolic links: it leads to no file or directory")
    code = "unreadable-dir" if what == "directory" else "unreadable"
    return Problem(name, None, "", code, f"cannot read {what}: {exc.strerror or exc}")


def file_kind(mode: int) -> str:
    """What a file that is not a regular file is: "a directory", "a named pipe (FIFO)"…"""
    for test, kind in ((stat.S_ISDIR, "a directory"), (stat.S_ISFIFO, "a named pipe (FIFO)"),
                       (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"),
                       (stat.S_ISSOCK, "a socket")):
        if test(mode):
            return kind
    return "not a regular file"


class ReadError(Exception):
    """A file that read_regular would not or could not read: a problem code and message."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code, self.message = code, message


def read_regular(path: str | os.PathLike, limit: int) -> bytes:
    """The bytes of the regular file at path, at most limit of them, read without ever
    blocking: opened with O_NONBLOCK (a FIFO or a device that stats as a regular file,
    such as /proc/kmsg, cannot hang the read), checked with fstat after opening (the file
    read is the file checked) and read in chunks up to limit + 1 bytes (a file that grows,
    or under-reports its size as /proc files do, cannot exhaust memory).

    Raises ReadError with code "not-a-file" (not a regular file), "too-large" (more
    than limit bytes), "symlink-loop", or "unreadable" (any other OSError, including
    EAGAIN/EWOULDBLOCK: reading would block).
    """
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0) \
        | getattr(os, "O_BINARY", 0) | getattr(os, "O_CLOEXEC", 0)
    too_large = f"larger than {limit // 2**20} MiB: not read" if limit >= 2**20 \
        else f"larger than {limit} bytes: not read"
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        raise _read_error(exc) from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise ReadError("not-a-file", f"{file_kind(info.st_mode)}, not a regular file: not read")
        if info.st_size > limit:
            raise ReadError("too-large", too_large)
        chunks, size = [], 0
        while size <= limit:
            chunk = os.read(fd, min(1 << 20, limit + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        if size > limit:
            raise ReadError("too-large", too_large)
    except OSError as exc:
        raise _read_error(exc) from None
    finally:
        os.close(fd)
    return b"".join(chunks)


def _read_error(exc: OSError) -> ReadError:
    if exc.errno == errno.ELOOP:
        return ReadError("symlink-loop", "a loop of symbolic links: it leads to no file or directory")
    if exc.errno in (errno.EAGAIN, errno.EWOULDBLOCK):
        return ReadError("unreadable", "cannot read file: reading it would block "
                                       "(it is not an ordinary file on disk)")
    return ReadError("unreadable", f"cannot read file: {exc.strerror or exc}")


def read_problem(path: str | os.PathLike, error: ReadError) -> Problem:
    """The problem for a fact file that read_regular would not read, naming the file."""
    return Problem(display_path(path), None, "", error.code, error.message)


def _walk(top: str, top_id: tuple[int, int], problems: list[Problem],
          walked: list[str]) -> list[str]:
    """Every *.toml name under top; the real path of each directory walked goes to walked.

    Iterative (no recursion limit, however deep the tree). A symbolic link to a
    directory is followed, once, only when it leads to a directory inside top's
    real path: one that leads outside (``ln -s / d/root``) is a problem
    (symlinked-dir) and is not walked, so a link can never send the loader across
    the file system or make it read what the user did not put there. A link back to a
    directory it is in is a symlink-loop; a directory that cannot be listed is
    unreadable-dir; a directory reached a second time another way is skipped.
    """
    found: list[str] = []
    boundary = os.path.realpath(top)
    visited = {top_id}
    walked.append(boundary)
    stack: list[tuple[str, tuple[tuple[int, int], ...]]] = [(top, (top_id,))]
    while stack:
        dirpath, chain = stack.pop()
        try:
            with os.scandir(dirpath) as listing:
                entries = sorted(listing, key=lambda e: e.name)
        except OSError as exc:
            problems.append(os_problem(dirpath, exc, "directory"))
            continue
        subdirs = []
        for entry in entries:
            path = entry.path
            try:
                is_link = entry.is_symlink()
                is_dir = entry.is_dir(follow_symlinks=True)
            except OSError:
                is_link, is_dir = True, False
            if not is_dir:
                if entry.name.endswith(".toml"):
                    found.append(path)
                elif is_link:  # a link loop is listed as neither file nor directory
                    try:
                        os.stat(path)
                    except OSError as exc:
                        if exc.errno == errno.ELOOP:
                            problems.append(os_problem(path, exc, "file"))
                continue
            try:
                st = os.stat(path)
            except OSError as exc:
                problems.append(os_problem(path, exc, "directory"))
                continue
            key = (st.st_dev, st.st_ino)
            if key in chain:
                problems.append(Problem(display_path(path), None, "", "symlink-loop",
                                        "a symbolic link to a directory it is in "
                                        "(a loop): not followed"))
                continue
            real = os.path.realpath(path)
            if is_link and not (real == boundary or real.startswith(boundary.rstrip(os.sep) + os.sep)):
                problems.append(Problem(display_path(path), None, "", "symlinked-dir",
                                        f"a symbolic link to {display_path(real)}, outside the "
                                        f"fact directory: not followed; give that directory "
                                        f"as its own --facts-dir"))
                continue
            if key in visited:
                continue
            visited.add(key)
            walked.append(real)
            subdirs.append((path, (*chain, key)))
        stack.extend(reversed(subdirs))
    return found


def _dangling_link(name: str) -> Problem | None:
    """A problem naming a symbolic link that leads to nothing and where it points; None
    when name is not a symbolic link."""
    try:
        target = os.readlink(name)
    except OSError:
        return None
    return Problem(display_path(name), None, "", "dangling-link",
                   f"a symbolic link to {display_path(target)}, which does not exist: "
                   f"no fact file read")


def toml_files(dirs: Sequence[Path], problems: list[Problem],
               watched: list[Path] | None = None) -> list[tuple[Path, Path]]:
    """Every *.toml file under each directory, once each, in a stable order, with the
    directory (as given) it was found under. A *.toml that is a dangling symbolic link
    (dangling-link) or not a regular file (not-a-file) is a problem, never skipped in
    silence. watched, when given, gets the real path of every directory walked (through
    symlinked subdirectories too), once each, in walk order."""
    files: list[tuple[Path, Path]] = []
    seen: set[tuple[int, int]] = set()
    walked: list[str] = []
    for directory in dirs:
        try:
            st = os.stat(directory)
        except (OSError, ValueError) as exc:
            if isinstance(exc, OSError) and exc.errno not in (errno.ENOENT, errno.ENOTDIR):
                problems.append(os_problem(directory, exc, "directory"))
            else:
                problems.append(Problem(display_path(directory), None, "", "missing-dir",
                                        "no such directory of fact files"))
            continue
        if not stat.S_ISDIR(st.st_mode):
            problems.append(Problem(display_path(directory), None, "", "missing-dir",
                                    "not a directory of fact files"))
            continue
        names = _walk(os.fspath(directory), (st.st_dev, st.st_ino), problems, walked)
        for name in sorted(names, key=Path):
            try:
                file_st = os.stat(name)
            except OSError as exc:
                dangling = _dangling_link(name) \
                    if exc.errno in (errno.ENOENT, errno.ENOTDIR) else None
                problems.append(dangling or os_problem(name, exc, "file"))
                continue
            key = (file_st.st_dev, file_st.st_ino)
            if key in seen:
                continue
            seen.add(key)
            if not stat.S_ISREG(file_st.st_mode):
                problems.append(Problem(display_path(name), None, "", "not-a-file",
                                        f"{file_kind(file_st.st_mode)}, not a regular file: "
                                        f"not read"))
                continue
            files.append((Path(name), Path(directory)))
    if watched is not None:
        watched.extend(Path(d) for d in dict.fromkeys(walked))
    return files


def read_file(path: Path, problems: list[Problem]) -> bytes | None:
    """The bytes of one fact file; a problem and None when it cannot be read (see
    read_regular: never blocks, never more than MAX_FACT_FILE_BYTES)."""
    try:
        return read_regular(path, MAX_FACT_FILE_BYTES)
    except ReadError as exc:
        problems.append(read_problem(path, exc))
        return None
