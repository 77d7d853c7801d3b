"""Finding the fact files under the fact directories: every *.toml once, in a stable
order, with a problem (never an exception, never a hang) for a missing or unreadable
directory and for a symlink loop."""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Sequence
from pathlib import Path

from corridor_cli.problems import Problem
from corridor_cli.safetext import display_path

def os_problem(path: str | os.PathLike, exc: OSError, what: str) -> Problem:
    """A problem for an OSError met while looking at a directory or file."""
    name = display_path(exc.filename if exc.filename is not None else path)
    if exc.errno == errno.ELOOP:
        return Problem(name, None, "", "symlink-loop",
                       "a loop of symbolic links: it leads to no file or directory")
    code = "unreadable-dir" if what == "directory" else "unreadable"
    return Problem(name, None, "", code, f"cannot read {what}: {exc.strerror or exc}")


def _walk(top: str, top_id: tuple[int, int], problems: list[Problem]) -> list[str]:
    """Every *.toml name under top, following directory symlinks once each.

    A directory that cannot be listed is a problem (unreadable-dir), as is a
    symlink that leads back to a directory it is in (symlink-loop), which is
    then not followed; a directory reached a second time another way is skipped.
    """
    found: list[str] = []
    ancestors: dict[str, tuple[tuple[int, int], ...]] = {top: (top_id,)}
    visited = {top_id}

    def on_error(exc: OSError) -> None:
        problems.append(os_problem(top, exc, "directory"))

    for dirpath, dirnames, filenames in os.walk(top, onerror=on_error, followlinks=True):
        chain = ancestors.pop(dirpath, ())
        keep = []
        for name in sorted(dirnames):
            sub = os.path.join(dirpath, name)
            try:
                st = os.stat(sub)
            except OSError as exc:
                problems.append(os_problem(sub, exc, "directory"))
                continue
            key = (st.st_dev, st.st_ino)
            if key in chain:
                problems.append(Problem(display_path(sub), None, "", "symlink-loop",
                                        "a symbolic link to a directory it is in "
                                        "(a loop): not followed"))
                continue
            if key in visited:
                continue
            visited.add(key)
            ancestors[sub] = (*chain, key)
            keep.append(name)
        dirnames[:] = keep
        for name in filenames:
            path = os.path.join(dirpath, name)
            if name.endswith(".toml"):
                found.append(path)
            elif os.path.islink(path):  # os.walk lists a link loop as a file, whatever its name
                try:
                    os.stat(path)
                except OSError as exc:
                    if exc.errno == errno.ELOOP:
                        problems.append(os_problem(path, exc, "file"))
    return found


def toml_files(dirs: Sequence[Path], problems: list[Problem]) -> list[tuple[Path, Path]]:
    """Every *.toml file under each directory, once each, in a stable order, with the
    directory (as given) it was found under."""
    files: list[tuple[Path, Path]] = []
    seen: set[tuple[int, int]] = set()
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
        names = _walk(os.fspath(directory), (st.st_dev, st.st_ino), problems)
        for name in sorted(names, key=Path):
            try:
                file_st = os.stat(name)
            except OSError as exc:
                if exc.errno != errno.ENOENT:  # a dangling link is no fact file
                    problems.append(os_problem(name, exc, "file"))
                continue
            key = (file_st.st_dev, file_st.st_ino)
            if stat.S_ISREG(file_st.st_mode) and key not in seen:
                seen.add(key)
                files.append((Path(name), Path(directory)))
    return files
