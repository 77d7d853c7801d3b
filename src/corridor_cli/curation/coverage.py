"""Which printed figures a fact base covers, which it consciously ignores, which it lacks.

``coverage(base, texts, units)`` reads every figure and date printed in each source's
text (``printed.find_printed``) and gives each one a state:

* ``covered``: a fact's or event's quote of that source contains it at that place.
  Every occurrence of the quote in the text is found, whitespace ignored on both sides
  (as ``sourcetexts.locate`` does, but all occurrences, mapped back to the text's
  offsets); the figure is covered when its [start, end) lies inside one of them. ``by``
  holds the ids of the facts and events that cover it.
* ``ignored``: not covered, but inside an occurrence (found the same way) of an
  ``[[ignore]]`` record's ``text`` for that source; ``by`` holds the reasons.
* ``uncovered``: neither.

Dates count like figures (the issue asks that every figure *and dated happening* be
covered or ignored): an uncovered date is uncovered, and is also counted apart
(``dates_uncovered``) so a report can list it separately. Page furniture is excluded
from ``printed`` and only counted (``furniture``).

Texts: ``texts`` maps a source id to *that source's* text. Where one file prints several
articles, each source's text is its own article (``sourcetexts.article``), the span its
quotes are verified in, so every figure of the page is counted once, in the article
it belongs to; ``source_articles`` reads each source's article (and where it is) from
a loaded base, and ``article_texts`` and ``coverage_report`` build on it: the only
functions here that read files. Offsets in the results are offsets into the text
given for the source.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from corridor_cli.curation.printed import DATE, FURNITURE, Printed, find_printed
from corridor_cli.records import FactBase
from corridor_cli.sourcetexts import (
    SourceFileError,
    article,
    find_source_text,
    same_page,
)

COVERED, IGNORED, UNCOVERED = "covered", "ignored", "uncovered"


@dataclass(frozen=True)
class CoverageItem:
    """One printed figure or date of a source and its state."""

    printed: Printed
    state: str  # covered | ignored | uncovered
    by: tuple[str, ...]  # covered: fact and event ids; ignored: the ignore reasons

    @property
    def clause(self) -> str:
        return self.printed.clause

    @property
    def is_date(self) -> bool:
        return self.printed.kind == DATE


@dataclass(frozen=True)
class SourceCoverage:
    """The coverage of one source's text."""

    source: str
    items: tuple[CoverageItem, ...]  # figures and dates, in text order
    furniture_items: tuple[Printed, ...] = ()

    def _count(self, state: str | None = None, dates: bool | None = None) -> int:
        return sum(1 for item in self.items
                   if (state is None or item.state == state)
                   and (dates is None or item.is_date == dates))

    @property
    def printed(self) -> int:
        """Figures and dates printed (furniture excluded)."""
        return len(self.items)

    @property
    def covered(self) -> int:
        return self._count(COVERED)

    @property
    def ignored(self) -> int:
        return self._count(IGNORED)

    @property
    def uncovered(self) -> int:
        """Uncovered figures and dates."""
        return self._count(UNCOVERED)

    @property
    def dates(self) -> int:
        return self._count(dates=True)

    @property
    def dates_uncovered(self) -> int:
        return self._count(UNCOVERED, dates=True)

    @property
    def figures_uncovered(self) -> int:
        return self._count(UNCOVERED, dates=False)

    @property
    def furniture(self) -> int:
        return len(self.furniture_items)

    @property
    def percent_done(self) -> float:
        """(covered + ignored) / printed, in %; 100 when nothing is printed."""
        if not self.items:
            return 100.0
        return 100.0 * (self.covered + self.ignored) / self.printed

    @property
    def uncovered_items(self) -> tuple[CoverageItem, ...]:
        return tuple(item for item in self.items if item.state == UNCOVERED)


@dataclass(frozen=True)
class StaleIgnore:
    """An [[ignore]] record that does nothing: why (see ignores_unused)."""

    ignore: object  # records.Ignore
    why: str


# ---------------------------------------------------------------- finding snippets
def occurrences(text: str, snippet: str) -> list[tuple[int, int]]:
    """Every [start, end) of text where snippet occurs, whitespace ignored on both
    sides; start is the first and end one past the last non-space character matched.
    Overlapping occurrences are all found."""
    needle = "".join(snippet.split())
    if not needle:
        return []
    positions = [i for i, ch in enumerate(text) if not ch.isspace()]
    squeezed = "".join(text[i] for i in positions)
    spans = []
    at = squeezed.find(needle)
    while at >= 0:
        spans.append((positions[at], positions[at + len(needle) - 1] + 1))
        at = squeezed.find(needle, at + 1)
    return spans


def _inside(item: Printed, spans: Iterable[tuple[int, int]]) -> bool:
    return any(start <= item.start and item.end <= end for start, end in spans)


def unit_strings(base: FactBase) -> list[str]:
    """The printed unit strings of a base's vocabulary: every unit's id and name_zh."""
    return sorted({name for unit in base.units.values() for name in (unit.id, unit.name_zh)
                   if name})


# ---------------------------------------------------------------- coverage
def source_coverage(base: FactBase, source_id: str, text: str,
                    units: Sequence[str] | None = None,
                    found: Sequence[Printed] | None = None) -> SourceCoverage:
    """The coverage of one source given its text (and, when the caller has it already,
    what find_printed found in it)."""
    if found is None:
        found = find_printed(text, unit_strings(base) if units is None else units)
    quotes: list[tuple[str, list[tuple[int, int]]]] = []
    for record in (*base.facts, *base.events):
        if record.source == source_id and record.quote:
            quotes.append((record.id, occurrences(text, record.quote)))
    ignores: list[tuple[str, list[tuple[int, int]]]] = []
    for ignore in getattr(base, "ignores", ()):  # a bare base-like object may have none
        if ignore.source == source_id and ignore.text:
            ignores.append((ignore.reason, occurrences(text, ignore.text)))
    items: list[CoverageItem] = []
    furniture: list[Printed] = []
    for printed in found:
        if printed.kind == FURNITURE:
            furniture.append(printed)
            continue
        by = tuple(dict.fromkeys(rid for rid, spans in quotes if _inside(printed, spans)))
        if by:
            items.append(CoverageItem(printed, COVERED, by))
            continue
        reasons = tuple(dict.fromkeys(reason for reason, spans in ignores
                                      if _inside(printed, spans)))
        if reasons:
            items.append(CoverageItem(printed, IGNORED, reasons))
        else:
            items.append(CoverageItem(printed, UNCOVERED, ()))
    return SourceCoverage(source_id, tuple(items), tuple(furniture))


def coverage(base: FactBase, texts: Mapping[str, str],
             units: Sequence[str] | None = None) -> list[SourceCoverage]:
    """The coverage of each source in texts (source id → that source's text), in the
    order of texts. units: the printed unit strings (default: the base's, see
    unit_strings)."""
    units = unit_strings(base) if units is None else units
    return [source_coverage(base, source_id, text, units) for source_id, text in texts.items()]


def ignores_unused(base: FactBase, texts: Mapping[str, str],
                   units: Sequence[str] | None = None,
                   found: Mapping[str, Sequence[Printed]] | None = None) -> list[StaleIgnore]:
    """The [[ignore]] records that do nothing, so curators notice stale ones: their
    source's text is not given, their text is not found in it, it holds no printed
    figure or date, or every figure it holds is covered by a fact or event anyway.
    found: what find_printed found in each source's text, where the caller has it."""
    units = unit_strings(base) if units is None else units
    stale: list[StaleIgnore] = []
    cache: dict[str, list[Printed]] = {}
    for ignore in base.ignores:
        source = ignore.source
        if source not in texts:
            stale.append(StaleIgnore(ignore, f"no text for source {source!r}"))
            continue
        text = texts[source]
        spans = occurrences(text, ignore.text)
        if not spans:
            stale.append(StaleIgnore(ignore, "its text is not found in the source's text"))
            continue
        if source not in cache:
            printed = found[source] if found and source in found else find_printed(text, units)
            cache[source] = [p for p in printed if p.kind != FURNITURE]
        inside = [p for p in cache[source] if _inside(p, spans)]
        if not inside:
            stale.append(StaleIgnore(ignore, "its text holds no printed figure or date"))
            continue
        quotes = [occurrences(text, r.quote) for r in (*base.facts, *base.events)
                  if r.source == source and r.quote]
        if all(any(_inside(p, q) for q in quotes) for p in inside):
            stale.append(StaleIgnore(ignore, "every figure it holds is covered by a fact or event"))
    return stale


@dataclass(frozen=True)
class SourceArticle:
    """A source's article as read from its text file: the text (None when the file is
    not found, not readable, or does not print the article's heading) and where it is."""

    source: str
    text: str | None
    path: str = ""  # the text file, as found
    first_line: int = 1  # the file's line the article starts on
    why: str = ""  # why text is None

    def line_of(self, offset: int) -> int:
        """The file's line of an offset into text."""
        return self.first_line + (self.text or "")[:offset].count("\n")


def source_articles(base: FactBase, against: str | os.PathLike | Sequence[str | os.PathLike] = (),
                    sources: Iterable[str] | None = None) -> list[SourceArticle]:
    """Every source (or those named, in that order), with its article's text and where
    it was found, or why it was not. Reads files (through sourcetexts)."""
    result: list[SourceArticle] = []
    wanted = list(base.sources) if sources is None else list(sources)
    for source_id in wanted:
        source = base.sources.get(source_id)
        if source is None:
            result.append(SourceArticle(source_id, None, why="no such source"))
            continue
        try:
            found = find_source_text(source, against, base.dirs)
        except SourceFileError as exc:
            result.append(SourceArticle(source_id, None, why=str(exc) or "its text cannot be read"))
            continue
        if found is None:
            result.append(SourceArticle(source_id, None, why=f"no text file {source.file!r} found"))
            continue
        text = article(found.text, source, same_page(base, source, found, against))
        if text is None:
            result.append(SourceArticle(source_id, None, str(found.path),
                                        why="its heading is not in its text file"))
            continue
        first = found.text.find(text) if text else 0
        result.append(SourceArticle(source_id, text, str(found.path),
                                    found.text[:max(first, 0)].count("\n") + 1))
    return result


def article_texts(base: FactBase, against: str | os.PathLike | Sequence[str | os.PathLike] = (),
                  sources: Iterable[str] | None = None) -> dict[str, str]:
    """Source id → the text of its article, for every source (or those named) whose text
    is found and readable and whose heading/opening is in it (see source_articles)."""
    return {a.source: a.text for a in source_articles(base, against, sources)
            if a.text is not None}


def coverage_report(base: FactBase, against: str | os.PathLike | Sequence[str | os.PathLike] = (),
                    sources: Iterable[str] | None = None,
                    ) -> tuple[list[tuple[SourceArticle, SourceCoverage | None]], list[StaleIgnore]]:
    """What `corridor coverage` reports: each source (or those named) with its article
    and coverage (None when its text was not read), and the stale ignores of those
    sources. Reads the source texts."""
    units = unit_strings(base)
    articles = source_articles(base, against, sources)
    texts = {a.source: a.text for a in articles if a.text is not None}
    found = {source: find_printed(text, units) for source, text in texts.items()}  # once each
    results = [(a, None if a.text is None
                else source_coverage(base, a.source, a.text, units, found[a.source]))
               for a in articles]
    chosen = {a.source for a in articles}
    stale = [s for s in ignores_unused(base, texts, units, found) if s.ignore.source in chosen]
    return results, stale
