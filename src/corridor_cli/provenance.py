"""Provenance: every check the facts allow, on every record read. Figures against their
quotes (figures.py), quotes against their source texts (sourcetexts.py), sources
against each other; check_all runs them all for `corridor check`."""


from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

from corridor_cli.loader import Loaded
from corridor_cli.problems import Problem
from corridor_cli.records import Source, Fact, FactBase, Unit
from corridor_cli.figures import verify_figures
from corridor_cli.sourcetexts import (  # noqa: F401  (context_for, quote_context: public here too)
    Dirs,
    article,
    heading_at,
    SourceFileError,
    SourceText,
    context_for,
    find_source_text,
    quote_context,
    squeeze,
)

# ---------------------------------------------------------------- verifying quotes
@dataclass
class QuoteReport:
    """What verifying the quotes found: findings, and which sources had a text."""

    findings: list[Problem] = field(default_factory=list)
    verified: list[str] = field(default_factory=list)  # source ids whose text was read
    no_text: list[str] = field(default_factory=list)  # source ids with no text anywhere
    unreadable: list[str] = field(default_factory=list)  # source ids whose file is unsafe or unreadable
    no_article: list[str] = field(default_factory=list)  # source ids whose heading is not in the text
    quotes_found: int = 0
    quotes_not_found: int = 0
    quotes_unchecked: int = 0  # quotes of sources without a readable text
    # the texts of [[ignore]] tables, checked against the source text as quotes are
    ignores_found: int = 0
    ignores_not_found: int = 0
    ignores_unchecked: int = 0

    @property
    def not_verified(self) -> list[str]:
        return [*self.no_text, *self.unreadable, *self.no_article]


def check_quotes(base: FactBase, against: Dirs = ()) -> QuoteReport:
    """Look up every source's text (find_source_text) and check every fact's and event's
    quote, and every ignore's text, against it. A source with no text anywhere is only
    counted, not a finding."""
    report = QuoteReport()
    texts: dict[str, str | None] = {}
    found_texts: dict[str, SourceText] = {}
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
            found_texts[source.id] = found
    pages: dict[str, list[Source]] = {}  # the sources whose text is one and the same file
    for sid, found in found_texts.items():
        pages.setdefault(os.path.realpath(found.path), []).append(base.sources[sid])
    for sid, found in found_texts.items():
        source = base.sources[sid]
        page = pages[os.path.realpath(found.path)]
        if len(page) > 1 and not (source.heading or source.opening):
            others = ", ".join(o.id for o in page if o is not source)
            report.findings.append(Problem(
                source.origin.file, source.origin.line_of("file"), "heading",
                "article-unbounded", f"source {sid!r} shares its text {found.path} with "
                f"{others}: give the heading that starts its article"))
        text = article(found.text, source, page)
        if text is None:
            key = "heading" if source.heading and heading_at(found.text, source.heading) < 0 \
                else "opening"
            report.findings.append(Problem(
                source.origin.file, source.origin.line_of(key), key, f"{key}-not-found",
                f"source {sid!r}: {key} {getattr(source, key)!r} is not "
                f"{'a line of' if key == 'heading' else 'above its heading in'} {found.path}"))
            report.no_article.append(sid)
            texts[sid] = None
            continue
        report.verified.append(sid)
        texts[sid] = squeeze(text)
    def verify(record, needle: str, key: str, code: str, what: str) -> str:
        """Whether needle is in its source's text: "found", "not_found" or "unchecked"."""
        text = texts.get(record.source)
        if text is None:
            return "unchecked"
        if squeeze(needle) in text:
            return "found"
        report.findings.append(Problem(record.origin.file, record.origin.line_of(key), key, code,
                                       f"{what} not found in {record.source} "
                                       f"({base.sources[record.source].file}): {needle!r}"))
        return "not_found"

    for record in (*base.facts, *base.events):
        state = verify(record, record.quote, "quote", "quote-not-found", f"{record.id}: quote")
        setattr(report, f"quotes_{state}", getattr(report, f"quotes_{state}") + 1)
    for ignore in base.ignores:
        state = verify(ignore, ignore.text, "text", "ignore-text-not-found", "ignore: text")
        setattr(report, f"ignores_{state}", getattr(report, f"ignores_{state}") + 1)
    return report


def verify_quotes(base: FactBase, against: Dirs = ()) -> list[Problem]:
    """A problem for each fact or event whose quote is not in its source's text, and for
    each source whose `file` is unsafe or unreadable. against: one directory or several."""
    return check_quotes(base, against).findings


def _same_figure(a: Fact, b: Fact, units: Mapping[str, Unit]) -> bool:
    """Whether two facts print the same figure: equal bound, and value and value_max equal
    in the base unit when both units are known and share a base (1 亿元 = 10000 万元),
    else equal as written with the same unit."""
    if a.bound != b.bound:
        return False
    ua, ub = units.get(a.unit), units.get(b.unit)
    if ua is not None and ub is not None and ua.base == ub.base and a.unit != b.unit:
        return (ua.to_base(a.value), ua.to_base_or_none(a.value_max)) == \
            (ub.to_base(b.value), ub.to_base_or_none(b.value_max))
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
        if quotes.no_article:
            missing.append(f"article not found in its text: {', '.join(quotes.no_article)}")
        n = len(self.dirs)
        return [f"{len(base.facts)} facts, {len(base.events)} events, {len(base.entities)} "
                f"entities, {len(base.sources)} sources, {len(base.metrics)} metrics, "
                f"{len(base.units)} units, "
                f"{len(base.topics)} topics from {n} director{'y' if n == 1 else 'ies'}",
                *self.recorded,
                f"{len(quotes.verified) + len(quotes.not_verified)} sources: "
                f"{len(quotes.verified)} verified, "
                f"{len(quotes.not_verified)} not verified"
                + (f" ({'; '.join(missing)})" if missing else ""),
                f"{quotes.quotes_found} quotes verified, {quotes.quotes_not_found} not found, "
                f"{quotes.quotes_unchecked} not checked (no source text)",
                *([f"{quotes.ignores_found} ignore texts verified, "
                   f"{quotes.ignores_not_found} not found, "
                   f"{quotes.ignores_unchecked} not checked (no source text)"]
                  if quotes.ignores_found + quotes.ignores_not_found + quotes.ignores_unchecked
                  else []),
                f"{len(self.problems)} problem(s) in the files; "
                f"{len(self.findings)} finding(s) from the checks"]


def _quoted_records(loaded: Loaded) -> FactBase:
    """The valid fact base with its facts and events replaced by every fact and event
    read (valid or not) that names a loaded source and has a quote, and its ignores by
    every ignore read that names one and has a text; one whose id did not read is named
    by its kind, as the loader names it."""
    # every source read whose id and file parsed, valid or not: a source with a bad
    # date still names its text, and its quotes are checked in the same run
    sources: dict[str, Source] = {}
    for source in loaded.all_sources:
        if isinstance(source.id, str) and isinstance(source.file, str):
            sources.setdefault(source.id, source)

    def checkable(records):
        for record in records:
            if isinstance(record.source, str) and record.source in sources \
                    and isinstance(record.quote, str):
                if not isinstance(record.id, str):
                    record = replace(record, id=type(record).__name__.lower())
                yield record

    ignores = tuple(i for i in loaded.all_ignores
                    if isinstance(i.source, str) and i.source in sources
                    and isinstance(i.text, str))
    return replace(loaded.base, sources=sources, facts=tuple(checkable(loaded.all_facts)),
                   events=tuple(checkable(loaded.all_events)), ignores=ignores)


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
