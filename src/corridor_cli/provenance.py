"""Provenance: does every quote appear verbatim (whitespace aside) in its source text?"""

from __future__ import annotations

import re
from pathlib import Path

from corridor_cli.problems import Problem
from corridor_cli.records import FactBase
from corridor_cli.views import number_text

_SPACE = re.compile(r"\s+")


def squeeze(text: str) -> str:
    """Text with all whitespace removed: line breaks and spacing differ between copies."""
    return _SPACE.sub("", text)


def verify_quotes(base: FactBase, directory: Path) -> list[Problem]:
    """A problem for each fact or event whose quote is not in its source's text file."""
    texts: dict[str, str | None] = {}
    findings: list[Problem] = []
    for source in base.sources.values():
        path = Path(directory) / source.file
        try:
            texts[source.id] = squeeze(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError) as exc:
            texts[source.id] = None
            reason = exc.strerror if isinstance(exc, OSError) else "not UTF-8 text"
            findings.append(Problem(source.origin.file, source.origin.line, "file",
                                    "source-unreadable",
                                    f"source {source.id!r}: cannot read {path}: {reason}"))
    for record in (*base.facts, *base.events):
        text = texts.get(record.source)
        if text is not None and squeeze(record.quote) not in text:
            findings.append(Problem(record.origin.file, record.origin.line, "quote",
                                    "quote-not-found",
                                    f"{record.id}: quote not found in {record.source} "
                                    f"({base.sources[record.source].file}): {record.quote!r}"))
    return findings


_CHINESE_NUMERALS = {1: "一", 2: "两二", 3: "三", 4: "四", 5: "五", 6: "六", 7: "七", 8: "八",
                     9: "九", 10: "十", 0.5: "半"}


def _printed_forms(value: int | float) -> list[str]:
    """How a value may be printed: 536, 17.97, 8.095, or a Chinese numeral for small ones."""
    forms = [number_text(value)]
    forms.extend(_CHINESE_NUMERALS.get(value, ""))
    return forms


def verify_figures(base: FactBase) -> list[Problem]:
    """A problem for each fact whose value, value_max or change is not printed in its quote.

    A quote must state the figure it backs: this catches a typo in a value and a
    quote that stops before the change it is meant to carry.
    """
    findings: list[Problem] = []
    for fact in base.facts:
        quote = squeeze(fact.quote)
        numbers = [("value", fact.value)]
        if fact.value_max is not None:
            numbers.append(("value_max", fact.value_max))
        if fact.change is not None:
            numbers.append(("change", fact.change.value))
        for field, value in numbers:
            if not any(form and form in quote for form in _printed_forms(abs(value))):
                findings.append(Problem(fact.origin.file, fact.origin.line, field,
                                        "figure-not-in-quote",
                                        f"{fact.id}: {field} {value} is not printed in the quote "
                                        f"{fact.quote!r}"))
    return findings


def disagreements(base: FactBase) -> tuple[list[Problem], list[str]]:
    """Facts from different sources on the same entity, metric, period and status whose
    figures differ. Returns (unrecorded ones as problems, recorded ones as notes).

    A disagreement is recorded when each fact names the other in ``disagrees_with``.
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
                if (a.value, a.value_max, a.unit, a.bound) == (b.value, b.value_max, b.unit, b.bound):
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
