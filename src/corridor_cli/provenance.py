"""Provenance: does every quote appear verbatim (whitespace aside) in its source text?"""

from __future__ import annotations

import os
import re
import stat
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from decimal import MAX_EMAX, MIN_EMIN, Decimal, InvalidOperation, localcontext
from pathlib import Path, PurePosixPath, PureWindowsPath
from typing import Union

from corridor_cli.loader import Loaded
from corridor_cli.problems import Problem
from corridor_cli.records import Event, Fact, FactBase, Origin, Source, Unit
from corridor_cli.views import number_text

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


def _file_kind(mode: int) -> str:
    for test, kind in ((stat.S_ISDIR, "a directory"), (stat.S_ISFIFO, "a named pipe (FIFO)"),
                       (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"),
                       (stat.S_ISSOCK, "a socket")):
        if test(mode):
            return kind
    return "not a regular file"


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
    """The UTF-8 text of the regular file at path, read without blocking and at most
    MAX_TEXT_BYTES; fail(code, message) makes the exception for anything else."""
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0) \
        | getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        raise fail("source-unreadable", f"cannot read {shown}: {exc.strerror or exc}") from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):  # swapped since it was looked at
            raise fail("bad-source-file", f"{shown} is {_file_kind(info.st_mode)}, not a regular file")
        if info.st_size > MAX_TEXT_BYTES:
            raise fail("source-too-large", f"{shown} is larger than {MAX_TEXT_BYTES // 2**20} MB")
        chunks, size = [], 0
        while size <= MAX_TEXT_BYTES:
            chunk = os.read(fd, min(1 << 20, MAX_TEXT_BYTES + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        if size > MAX_TEXT_BYTES:
            raise fail("source-too-large", f"{shown} is larger than {MAX_TEXT_BYTES // 2**20} MB")
    except OSError as exc:
        raise fail("source-unreadable", f"cannot read {shown}: {exc.strerror or exc}") from None
    finally:
        os.close(fd)
    try:
        return b"".join(chunks).decode("utf-8-sig")
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
    for directory in text_dirs(source, against, dirs):
        candidate = directory / source.file
        try:
            if not os.path.lexists(candidate):
                continue
            inside = directory.resolve(strict=True)
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
            raise fail("bad-source-file", f"{candidate} is {_file_kind(mode)}, not a regular file")
        return SourceText(candidate, _read_regular(target, candidate, fail))
    return None


# ---------------------------------------------------------------- verifying quotes
@dataclass
class QuoteReport:
    """What verifying the quotes found: findings, and which sources had a text."""

    findings: list[Problem] = field(default_factory=list)
    verified: list[str] = field(default_factory=list)  # source ids whose text was read
    no_text: list[str] = field(default_factory=list)  # source ids with no text anywhere
    unreadable: list[str] = field(default_factory=list)  # source ids whose file is unsafe or unreadable
    quotes_found: int = 0
    quotes_not_found: int = 0
    quotes_unchecked: int = 0  # quotes of sources without a readable text

    @property
    def not_verified(self) -> list[str]:
        return [*self.no_text, *self.unreadable]


def check_quotes(base: FactBase, against: Dirs = ()) -> QuoteReport:
    """Look up every source's text (find_source_text) and check every fact's and event's
    quote against it. A source with no text anywhere is only counted, not a finding."""
    report = QuoteReport()
    texts: dict[str, str | None] = {}
    for source in base.sources.values():
        try:
            found = find_source_text(source, against, base.dirs)
        except SourceFileError as exc:
            report.findings.append(exc.problem)
            report.unreadable.append(source.id)
            texts[source.id] = None
            continue
        if found is None:
            report.no_text.append(source.id)
            texts[source.id] = None
        else:
            report.verified.append(source.id)
            texts[source.id] = squeeze(found.text)
    for record in (*base.facts, *base.events):
        text = texts.get(record.source)
        if text is None:
            report.quotes_unchecked += 1
        elif squeeze(record.quote) in text:
            report.quotes_found += 1
        else:
            report.quotes_not_found += 1
            report.findings.append(Problem(record.origin.file, record.origin.line_of("quote"), "quote",
                                           "quote-not-found",
                                           f"{record.id}: quote not found in {record.source} "
                                           f"({base.sources[record.source].file}): {record.quote!r}"))
    return report


def verify_quotes(base: FactBase, against: Dirs = ()) -> list[Problem]:
    """A problem for each fact or event whose quote is not in its source's text, and for
    each source whose `file` is unsafe or unreadable. against: one directory or several."""
    return check_quotes(base, against).findings


# ---------------------------------------------------------------- a quote in context
_SENTENCE_ENDS = "。！？!?"
_CLOSERS = "”’」』）)》〉】]\"'"  # closing marks that belong to the sentence before them
_PARAGRAPH_BREAK = re.compile(r"\n[^\S\n]*\n")


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
    begin = max((text.rfind(ch, 0, start) for ch in _SENTENCE_ENDS), default=-1) + 1
    while begin < start and (text[begin] in _CLOSERS or text[begin].isspace()):
        begin += 1
    for m in _PARAGRAPH_BREAK.finditer(text, begin, start):
        begin = max(begin, m.end())
    # on to the first sentence end at or after the quote's last character
    ends = [i for i in (text.find(ch, end - 1) for ch in _SENTENCE_ENDS) if i >= 0]
    stop = min(ends) + 1 if ends else len(text)
    while ends and stop < len(text) and text[stop] in _CLOSERS:
        stop += 1
    m = _PARAGRAPH_BREAK.search(text, end)
    if m is not None:
        stop = min(stop, m.start())
    return _collapse(text[begin:stop])


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
    return None if found is None else quote_context(found.text, record.quote)



_CHINESE_NUMERALS = {1: "一", 2: "两二", 3: "三", 4: "四", 5: "五", 6: "六", 7: "七", 8: "八",
                     9: "九", 10: "十", 0.5: "半"}
_CHINESE_NUMERAL_CHARS = "〇零一二两三四五六七八九十百千万亿半"  # what a Chinese numeral is made of
_MULTIPLIERS = "万亿千百"  # 1.2万吨: a multiplier between a figure and its unit
# What may follow a Chinese numeral that is a quantity (三个, 两年, 半年); 万亿千百 are
# multipliers, which count only as the start of the unit (两万吨 is 2 万吨, not 2 吨).
_MEASURE_WORDS = "个家年列成倍项名位批条次种座所台辆只周月天届轮期类大处片栋间户人"
# A figure as printed (digits already ASCII): 1200, 1,200 (ASCII thousands separators
# before exactly three digits), 17.97.
_FIGURE = re.compile(r"[0-9]{1,3}(?:,[0-9]{3})+(?:\.[0-9]+)?(?![0-9])|[0-9]+(?:\.[0-9]+)?")
_LETTERS = re.compile(r"[A-Za-z]+")
_FULLWIDTH_STOP = "\uff0e"  # ．: a decimal point between full-width digits (１．５)


def _normalise_digits(quote: str) -> str:
    """The quote with whitespace removed, every decimal digit (category Nd: ３, ٣) as its
    ASCII digit, full-width Latin letters as ASCII ones, and a full-width full stop
    between two digits as a decimal point. Nothing else changes: ², ⑫ and the
    full-width comma ， stay what they are (NFKC would make 2, 12 and ,)."""
    chars = []
    for ch in squeeze(quote):
        if ch.isascii():
            chars.append(ch)
        elif unicodedata.category(ch) == "Nd":
            chars.append(str(unicodedata.decimal(ch)))
        elif "\uff21" <= ch <= "\uff3a" or "\uff41" <= ch <= "\uff5a":
            chars.append(chr(ord(ch) - 0xFEE0))
        else:
            chars.append(ch)
    for i in range(1, len(chars) - 1):
        if chars[i] == _FULLWIDTH_STOP and chars[i - 1] in "0123456789" \
                and chars[i + 1] in "0123456789":
            chars[i] = "."
    return "".join(chars)


def _printed_forms(value: int | float) -> list[str]:
    """The Chinese numerals that may print a small value (一 … 十, 两/二, 半); [] for others."""
    return list(_CHINESE_NUMERALS.get(value, ""))


def _multiplier_ok(after: str, unit: str) -> bool:
    """A figure followed by 万/亿/千/百 is that many more: fine only if the unit starts so."""
    return not after or after not in _MULTIPLIERS or unit.startswith(after)


def _letters_ok(letters: str, unit_names: Sequence[str]) -> bool:
    """A figure followed by ASCII letters (5G, 3D, 100km) prints a number in the unit only
    when the unit's id or English name starts with those letters (case aside)."""
    return not letters or any(name.casefold().startswith(letters.casefold())
                              for name in unit_names if name)


def _figures(quote: str, unit: str, unit_names: Sequence[str] = ()) -> set[Decimal]:
    """Every whole figure printed in a normalised quote that may stand for a number in unit
    (unit_names: the unit's id and English name, for a figure followed by letters)."""
    found = set()
    for m in _FIGURE.finditer(quote):
        start, end = m.span()
        if start >= 2 and quote[start - 1] == "." and quote[start - 2] in "0123456789":
            continue  # the tail of 1.2.3
        after = quote[end:end + 1]
        if after == "." and quote[end + 1:end + 2] in tuple("0123456789"):
            continue
        if not _multiplier_ok(after, unit):
            continue
        letters = _LETTERS.match(quote, end)
        if letters is not None and not _letters_ok(letters.group(), unit_names or (unit,)):
            continue  # 5G, 3D: a name, not a figure
        try:
            found.add(Decimal(m.group().replace(",", "")))
        except InvalidOperation:  # pragma: no cover - the pattern only matches numbers
            continue
    return found


def _in_chinese(value: int | float, quote: str, unit: str) -> bool:
    """Whether a small value is printed as a Chinese numeral that is a quantity of its own:
    not inside a longer numeral (三十, 十三, 两万 unless the unit is 万…), and directly
    followed by the unit's first character or a measure word, or preceded by 第 or by
    the whole unit (万分之五)."""
    for form in _printed_forms(value):
        at = quote.find(form)
        while at != -1:
            before = quote[at - 1] if at else ""
            after = quote[at + 1:at + 2]
            if _chinese_quantity(quote, at, before, after, unit):
                return True
            at = quote.find(form, at + 1)
    return False


def _chinese_quantity(quote: str, at: int, before: str, after: str, unit: str) -> bool:
    """Whether the one-character numeral at quote[at] is a quantity (see _in_chinese)."""
    if before and before in _CHINESE_NUMERAL_CHARS:
        return False  # 十三, 一半
    if after and after in _MULTIPLIERS:
        return unit.startswith(after)  # 两万吨: 2 万吨, but 20000 吨
    if after and after in _CHINESE_NUMERAL_CHARS:
        return False  # 三十
    if before == "第" or (after and (after in _MEASURE_WORDS or after == unit[:1])):
        return True
    return bool(unit) and quote.endswith(unit, 0, at)  # 万分之五: the unit before its numeral


def verify_figures(facts: Iterable[Fact] | FactBase,
                   units: Mapping[str, Unit] | None = None) -> list[Problem]:
    """A problem for each fact whose value, value_max or change is not printed in its quote.

    A quote must state the figure it backs: this catches a typo in a value and a
    quote that stops before the change it is meant to carry. Takes any facts (a
    FactBase: its facts, and its units unless units is given); a number that did
    not load (None) is skipped, as is a fact without a quote. units (by id) give
    each unit's English name, for the letters rule below.

    How a figure counts as printed (signs aside: a change of -3.2 is printed 3.2):

    * The quote is read with whitespace removed and only its decimal digits
      normalised: any digit of Unicode category Nd (full-width １２００) reads as
      its ASCII digit, a full-width full stop between digits (１．５) as a decimal
      point and full-width Latin letters as ASCII ones. Nothing else is
      normalised (no NFKC): ² is not 2, ⑫ is not 12, and the full-width comma ，
      is a clause comma, never a thousands separator.
    * A figure is a whole number in the quote: a run of digits, with an optional
      decimal part, not preceded by a digit or by a digit and a decimal point and
      not followed by a digit or by a decimal point and a digit. 120 is not printed
      in 1200列, 2 not in 2022年 or 12, 1.5 not in 11.5 or 1.55. Only an ASCII
      comma between digits and followed by exactly three digits is a thousands
      separator: 1,200 prints 1200 (and neither 1 nor 200); 第3，300家 prints 3 and
      300. Figures compare as numbers: 1.50 prints 1.5.
    * A figure followed by a multiplier 万, 亿, 千 or 百 counts only where the
      unit (the fact's unit for value and value_max, change.unit for change)
      starts with that multiplier: 1.2万吨 prints 1.2 万吨, not 1.2 吨.
    * A figure directly followed by ASCII letters (5G, 3D, 100km) counts only
      where the unit's id or English name starts with those letters, case aside:
      100km² prints 100 km, but 5G基站 does not print 5 个.
    * 1 … 10 and 0.5 may also be printed as a Chinese numeral (一 … 十, 两/二, 半)
      that is a quantity: not inside a longer Chinese numeral (三 prints nothing in
      三十 or 十三), and directly followed by the unit's first character or by a
      measure word (个 家 年 列 成 倍 项 名 位 批 条 次 种 座 所 台 辆 只 周 月 天 届
      轮 期 类 大 处 片 栋 间 户 人), or preceded by 第. A following multiplier
      亿, 万, 千 or 百 counts only where the unit starts with it (两万吨 prints
      2 万吨, not 2 吨). A numeral directly preceded by the whole unit also
      counts (万分之五 prints 5 in the unit 万分之). So 三列 and 第三 print 3,
      but 两江新区, 一带一路 and 三峡 print nothing.
    """
    if isinstance(facts, FactBase):
        units = facts.units if units is None else units
        facts = facts.facts
    units = units or {}

    def names(unit: str | None) -> tuple[str, ...]:
        known = units.get(unit) if unit is not None else None
        name_en = getattr(known, "name_en", None)
        return (unit or "", name_en if isinstance(name_en, str) else "")

    findings: list[Problem] = []
    for fact in facts:
        if fact.quote is None:
            continue
        quote = _normalise_digits(fact.quote)
        numbers = [("value", "value", fact.value, fact.unit)]
        if fact.value_max is not None:
            numbers.append(("value_max", "value_max", fact.value_max, fact.unit))
        if fact.change is not None:
            numbers.append(("change", "change.value", fact.change.value, fact.change.unit))
        lines = dict(fact.origin.field_lines)
        for name, key, value, unit in numbers:
            if value is None:
                continue
            size = abs(value)
            if Decimal(number_text(size)) in _figures(quote, unit or "", names(unit)) \
                    or _in_chinese(size, quote, unit or ""):
                continue
            line = lines.get(key) or lines.get(key.split(".")[0]) or fact.origin.line
            findings.append(Problem(fact.origin.file, line, name, "figure-not-in-quote",
                                    f"{fact.id}: {name} {value} is not printed "
                                    f"in the quote {fact.quote!r}"))
    return findings


def _exact(number: int | float) -> Decimal:
    """A number as an exact Decimal: a float by its repr (1e8 → 100000000, 0.1 → 0.1)."""
    return Decimal(repr(number)) if isinstance(number, float) else Decimal(number)


def _in_base(number: int | float | None, scale: int | float) -> Decimal | None:
    """number × scale, exactly (no rounding, whatever the digits)."""
    if number is None:
        return None
    a, b = _exact(number), _exact(scale)
    with localcontext() as ctx:
        ctx.prec = len(a.as_tuple().digits) + len(b.as_tuple().digits) + 2
        ctx.Emax, ctx.Emin = MAX_EMAX, MIN_EMIN
        return (a * b).normalize()


def _same_figure(a: Fact, b: Fact, units: Mapping[str, Unit]) -> bool:
    """Whether two facts print the same figure: equal bound, and value and value_max equal
    in the base unit when both units are known and share a base (1 亿元 = 10000 万元),
    else equal as written with the same unit."""
    if a.bound != b.bound:
        return False
    ua, ub = units.get(a.unit), units.get(b.unit)
    if ua is not None and ub is not None and ua.base == ub.base and a.unit != b.unit:
        return (_in_base(a.value, ua.scale), _in_base(a.value_max, ua.scale)) == \
            (_in_base(b.value, ub.scale), _in_base(b.value_max, ub.scale))
    return (a.value, a.value_max, a.unit) == (b.value, b.value_max, b.unit)


def disagreements(base: FactBase) -> tuple[list[Problem], list[str]]:
    """Facts from different sources on the same entity, metric, period and status whose
    figures differ. Returns (unrecorded ones as problems, recorded ones as notes).

    Figures are compared in the base unit when both facts' units are known and share
    a base (value and value_max times the unit's scale, exactly): 1 亿元 and 10000 万元
    agree. A disagreement is recorded when each fact names the other in
    ``disagrees_with``.
    """
    groups: dict[tuple[str, str, str, str], list] = {}
    for fact in base.facts:
        key = (fact.entity, fact.metric, str(fact.period), fact.status.value)
        groups.setdefault(key, []).append(fact)
    unrecorded: list[Problem] = []
    recorded: list[str] = []
    for group in groups.values():
        for i, a in enumerate(group):
            for b in group[i + 1:]:
                if a.source == b.source:
                    continue
                if _same_figure(a, b, base.units):
                    continue
                text = (f"{a.id} ({a.source}: {a.bound.value} {a.value} {a.unit}) and "
                        f"{b.id} ({b.source}: {b.bound.value} {b.value} {b.unit}) disagree on "
                        f"{a.entity} {a.metric} {a.period} ({a.status.value})")
                if b.id in a.disagrees_with and a.id in b.disagrees_with:
                    recorded.append(f"recorded disagreement: {text}")
                else:
                    unrecorded.append(Problem(b.origin.file, b.origin.line, "disagrees_with",
                                              "unrecorded-disagreement",
                                              f"{text}; if both are printed so, name each in the "
                                              f"other's disagrees_with"))
    return unrecorded, recorded


# ---------------------------------------------------------------- every check at once
@dataclass(frozen=True)
class CheckReport:
    """What `corridor check` found: file problems (exit 2), findings of the checks
    (exit 1), disagreements the sources record, and how the quotes fared."""

    base: FactBase
    problems: list[Problem]
    findings: list[Problem]
    recorded: list[str]
    quotes: QuoteReport
    dirs: tuple[Path, ...]

    def summary(self) -> list[str]:
        base, quotes = self.base, self.quotes
        missing = [f"no text found: {', '.join(quotes.no_text)}"] if quotes.no_text else []
        if quotes.unreadable:
            missing.append(f"unsafe or unreadable file: {', '.join(quotes.unreadable)}")
        n = len(self.dirs)
        return [f"{len(base.facts)} facts, {len(base.events)} events, {len(base.entities)} "
                f"entities, {len(base.sources)} sources, {len(base.units)} units, "
                f"{len(base.topics)} topics from {n} director{'y' if n == 1 else 'ies'}",
                *self.recorded,
                f"{len(base.sources)} sources: {len(quotes.verified)} verified, "
                f"{len(quotes.not_verified)} not verified"
                + (f" ({'; '.join(missing)})" if missing else ""),
                f"{quotes.quotes_found} quotes verified, {quotes.quotes_not_found} not found, "
                f"{quotes.quotes_unchecked} not checked (no source text)",
                f"{len(self.problems)} problem(s) in the files; "
                f"{len(self.findings)} finding(s) from the checks"]


def _quoted_records(loaded: Loaded) -> FactBase:
    """The valid fact base with its facts and events replaced by every fact and event
    read (valid or not) that names a loaded source and has a quote; one whose id did
    not read is named by its kind, as the loader names it."""
    sources = loaded.base.sources

    def checkable(records):
        for record in records:
            if isinstance(record.source, str) and record.source in sources \
                    and isinstance(record.quote, str):
                if not isinstance(record.id, str):
                    record = replace(record, id=type(record).__name__.lower())
                yield record

    return replace(loaded.base, facts=tuple(checkable(loaded.all_facts)),
                   events=tuple(checkable(loaded.all_events)))


def check_all(loaded: Loaded, against: Dirs = ()) -> CheckReport:
    """Every check the facts allow, on every record read, valid or not: figures in quotes,
    sources against each other, quotes in their source texts."""
    base = loaded.base
    findings = verify_figures(loaded.all_facts, base.units)
    unrecorded, recorded = disagreements(base)
    findings += unrecorded
    # a quote missing from its source is reported in the same run as a bad field
    quotes = check_quotes(_quoted_records(loaded), against)
    findings += quotes.findings
    return CheckReport(base, loaded.problems, findings, recorded, quotes, tuple(base.dirs))
