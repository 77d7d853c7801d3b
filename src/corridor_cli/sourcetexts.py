"""Source texts: where a source's text is (the texts/ folder of its fact directory, then
each --against directory), reading it safely (a regular file inside that directory,
never blocking, never too large), and a quote in the sentence around it."""


from __future__ import annotations

import os
import re
import stat
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath, PureWindowsPath
from typing import Union

from corridor_cli.factfiles import ReadError, file_kind, read_regular
from corridor_cli.problems import Problem
from corridor_cli.records import Event, Fact, FactBase, Origin, Source

_SPACE = re.compile(r"\s+")


def squeeze(text: str) -> str:
    """Text with all whitespace removed: line breaks and spacing differ between copies."""
    return _SPACE.sub("", text)


# ---------------------------------------------------------------- finding a source's text
TEXTS_DIR = "texts"  # under each fact directory: the texts of the sources defined there
MAX_TEXT_BYTES = 50 * 1024 * 1024  # a source text larger than this is not read

Dirs = Union[str, os.PathLike, Sequence[Union[str, os.PathLike]]]


@dataclass(frozen=True)
class SourceText:
    """A source's text and the file it was read from (as looked up, before symlinks)."""

    path: Path
    text: str


class SourceFileError(Exception):
    """A source's `file` cannot be read safely; `problem` names the source's file,
    line and field `file`."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(problem.message)
        self.problem = problem


def _as_dirs(against: Dirs) -> list[Path]:
    """One directory or a sequence of them, as paths."""
    if isinstance(against, (str, os.PathLike)):
        return [Path(against)]
    return [Path(d) for d in against]


def fact_root(origin: Origin, dirs: Sequence[str | os.PathLike] = ()) -> Path | None:
    """The fact directory a record's file was found under: Origin.root when the loader
    filled it, else the first of dirs (the fact directories, in load order; the bundled
    one when none are given) that holds the file; None when neither tells."""
    if origin.root:
        return Path(origin.root)
    try:
        file = Path(origin.file).resolve()
    except (OSError, RuntimeError, ValueError):
        return None
    if not dirs:
        from corridor_cli import loader

        dirs = [loader.bundled_facts_dir()]
    for directory in dirs:
        try:
            if file.is_relative_to(Path(directory).resolve()):
                return Path(directory)
        except (OSError, RuntimeError, ValueError):
            continue
    return None


def text_dirs(source: Source, against: Dirs = (), dirs: Sequence[str | os.PathLike] = ()) -> list[Path]:
    """Where a source's text is looked for, in order: the texts/ directory of the fact
    directory that defines the source, then each --against directory."""
    root = fact_root(source.origin, dirs)
    return ([root / TEXTS_DIR] if root is not None else []) + _as_dirs(against)


def _unsafe_name(name: str) -> str | None:
    """Why a `file` value cannot name a file inside a texts directory; None if it can."""
    if "\0" in name:
        return "contains a NUL character"
    if (PurePosixPath(name).is_absolute() or PureWindowsPath(name).is_absolute()
            or PureWindowsPath(name).drive or name.startswith(("/", "\\"))):
        return "is an absolute path"
    if ".." in PurePosixPath(name.replace("\\", "/")).parts:
        return "contains '..'"
    return None


def _read_regular(path: Path, shown: Path, fail) -> str:
    """The UTF-8 text of the regular file at path, read as fact files are read (never
    blocking, at most MAX_TEXT_BYTES); fail(code, message) makes the exception."""
    codes = {"not-a-file": "bad-source-file", "too-large": "source-too-large"}
    try:
        data = read_regular(path, MAX_TEXT_BYTES)
    except ReadError as exc:
        raise fail(codes.get(exc.code, "source-unreadable"), f"{shown}: {exc.message}") from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise fail("source-unreadable",
                   f"cannot read {shown}: not UTF-8 text (at byte offset {exc.start})") from None


def find_source_text(source: Source, against: Dirs = (),
                     dirs: Sequence[str | os.PathLike] = ()) -> SourceText | None:
    """The text of source's `file`, from the first directory of text_dirs() that has it;
    None when none has it.

    Raises SourceFileError when the file found cannot be read safely: `file` is
    absolute or climbs out with '..', or resolves (after symlinks) outside the
    directory it is looked up in, or is not a regular file (a device, a FIFO, a
    directory), or is unreadable, not UTF-8 or larger than MAX_TEXT_BYTES.
    """
    def fail(code: str, message: str) -> SourceFileError:
        return SourceFileError(Problem(source.origin.file, source.origin.line_of("file"), "file",
                                       code, f"source {source.id!r}: {message}"))

    why = _unsafe_name(source.file)
    if why is not None:
        raise fail("bad-source-file", f"file {source.file!r} {why}; give a file name inside "
                                      f"the fact directory's {TEXTS_DIR}/ or an --against directory")
    root = fact_root(source.origin, dirs)
    for directory in text_dirs(source, against, dirs):
        candidate = directory / source.file
        # texts/ must lie inside its fact directory: a texts/ that is a link to /etc
        # does not make /etc/passwd a source text
        boundary = root if root is not None and directory == root / TEXTS_DIR else directory
        try:
            if not os.path.lexists(candidate):
                continue
            inside = directory.resolve(strict=True)
            if not inside.is_relative_to(boundary.resolve(strict=True)):
                raise fail("bad-source-file", f"{directory} leads outside {boundary} (to {inside})")
            target = candidate.resolve(strict=True)
        except (OSError, RuntimeError) as exc:  # a broken or looping symbolic link
            raise fail("bad-source-file", f"{candidate} cannot be followed: "
                                          f"{getattr(exc, 'strerror', None) or exc}") from None
        if not target.is_relative_to(inside):
            raise fail("bad-source-file", f"{candidate} leads outside {directory} (to {target})")
        try:
            mode = os.stat(target).st_mode
        except OSError as exc:
            raise fail("source-unreadable", f"cannot read {candidate}: {exc.strerror or exc}") from None
        if not stat.S_ISREG(mode):
            raise fail("bad-source-file", f"{candidate} is {file_kind(mode)}, not a regular file")
        return SourceText(candidate, _read_regular(target, candidate, fail))
    return None


# ---------------------------------------------------------------- a quote in context
SENTENCE_ENDS = "。！？!?"
_CLOSERS = "”’」』）)》〉】]\"'"  # closing marks that belong to the sentence before them
PARAGRAPH_BREAK = re.compile(r"\n[^\S\n]*\n")


def _wide(ch: str) -> bool:
    return unicodedata.east_asian_width(ch) in ("W", "F")


def _collapse(text: str) -> str:
    """Whitespace collapsed: none next to a Chinese character (a line wrap or spaced-out
    characters in the source), else one space."""
    text = text.strip()

    def join(m: re.Match[str]) -> str:
        return "" if _wide(text[m.start() - 1]) or _wide(text[m.end()]) else " "

    return _SPACE.sub(join, text)


def quote_context(text: str, quote: str) -> str | None:
    """The whole sentence(s) of text containing quote, found ignoring whitespace; None if
    the quote is not in text.

    Sentences end at 。！？!? (with any closing quotation mark after them) and at a
    paragraph break (a blank line). The text's own characters are returned, its
    whitespace collapsed.
    """
    needle = squeeze(quote)
    if not needle:
        return None
    positions = [i for i, ch in enumerate(text) if not ch.isspace()]
    at = "".join(text[i] for i in positions).find(needle)
    if at < 0:
        return None
    start, end = positions[at], positions[at + len(needle) - 1] + 1
    # back to just after the previous sentence end or paragraph break
    begin = max((text.rfind(ch, 0, start) for ch in SENTENCE_ENDS), default=-1) + 1
    while begin < start and (text[begin] in _CLOSERS or text[begin].isspace()):
        begin += 1
    for m in PARAGRAPH_BREAK.finditer(text, begin, start):
        begin = max(begin, m.end())
    # on to the first sentence end at or after the quote's last character
    ends = [i for i in (text.find(ch, end - 1) for ch in SENTENCE_ENDS) if i >= 0]
    stop = min(ends) + 1 if ends else len(text)
    while ends and stop < len(text) and text[stop] in _CLOSERS:
        stop += 1
    m = PARAGRAPH_BREAK.search(text, end)
    if m is not None:
        stop = min(stop, m.start())
    return _collapse(text[begin:stop])


def locate(text: str, needle: str) -> int:
    """Where needle starts in text, found ignoring whitespace in both; -1 if absent."""
    squeezed = squeeze(needle)
    if not squeezed:
        return -1
    positions = [i for i, ch in enumerate(text) if not ch.isspace()]
    at = "".join(text[i] for i in positions).find(squeezed)
    return -1 if at < 0 else positions[at]


def heading_at(text: str, heading: str) -> int:
    """Where the line that is heading starts (a Markdown '#' prefix and whitespace
    ignored: the whole line must be the heading, not a phrase inside a sentence); -1."""
    wanted = squeeze(heading.lstrip("#"))
    offset = 0
    for line in text.splitlines(keepends=True):
        if wanted and squeeze(line.strip().lstrip("#")) == wanted:
            return offset
        offset += len(line)
    return -1


def article_start(text: str, source: Source) -> int:
    """Where source's article starts in the text: at its heading line, or earlier at its
    opening words when a lead is printed above the heading (the last place they occur
    before the heading, so a stock phrase elsewhere on the page is passed over); 0 with
    neither; -1 when one given is not in the text (or the opening not before the heading)."""
    if not source.heading and not source.opening:
        return 0
    at = len(text)
    if source.heading:
        at = heading_at(text, source.heading)
        if at < 0:
            return -1
    if source.opening:
        found, start = -1, 0
        while True:
            hit = locate(text[start:at], source.opening)
            if hit < 0:
                break
            found, start = start + hit, start + hit + 1
        if found < 0:
            return -1
        at = min(at, found)
    return at


def article(text: str, source: Source, page: Iterable[Source]) -> str | None:
    """The part of a text file that is source's article: from its start (article_start)
    to the start of the next article of another source printed in the same file (page:
    the sources whose text is this very file), or the end. None when its heading or
    opening words are not in the text."""
    begin = article_start(text, source)
    if begin < 0:
        return None
    stops = [article_start(text, other) for other in page
             if other.id != source.id and (other.heading or other.opening)]
    stop = min((at for at in stops if at > begin), default=len(text))
    return text[begin:stop]


def same_page(base: FactBase, source: Source, found: SourceText, against: Dirs = ()) -> list[Source]:
    """The other sources whose text is the same file as found (not merely the same name)."""
    here = os.path.realpath(found.path)
    page = []
    for other in base.sources.values():
        if other.id == source.id or other.file != source.file:
            continue
        try:
            theirs = find_source_text(other, against, base.dirs)
        except SourceFileError:
            continue
        if theirs is not None and os.path.realpath(theirs.path) == here:
            page.append(other)
    return page


def context_for(base: FactBase, record: Fact | Event, against: Dirs = ()) -> str | None:
    """The sentence(s) of its source's text around record's quote; None when the text
    is not found, cannot be read safely, or does not hold the quote."""
    source = base.sources.get(record.source)
    if source is None:
        return None
    try:
        found = find_source_text(source, against, base.dirs)
    except SourceFileError:
        return None
    if found is None:
        return None
    text = article(found.text, source, same_page(base, source, found, against))
    return None if text is None else quote_context(text, record.quote)
