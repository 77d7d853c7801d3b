"""Draft fact and event stubs from a new text: a TOML table for every figure and dated
happening the fact base does not cover yet, pre-filled from its clause, for a curator
to finish (pure: text in, TOML text out; no files read, no CLI).

What a stub holds:

* from the text: value and value_max, unit (the vocabulary's id when the printed unit is
  in it), bound, status, change (kept with its figure: 同比增长14.2% is the change of
  the figure before it, never a stub of its own), period or as_of where the sentence
  states it (today resolves 今年, 全年, 去年, year-less dates), the quote (the figure's
  clause, widened to the sentence's period words before it and its change after it;
  verbatim), the source;
* for a human, as placeholders (records.placeholder: a string starting "TODO", which the
  loader rejects, so an unfinished stub never loads): id, topic, entity, metric, labels,
  and the period where the text does not state it, each with what the text suggests
  (the metric by unit base and the words around the figure; the entity by the names
  and aliases the sentence prints).

Dates that no fact stub's quote holds become event stubs (date, quote to the end of
the sentence). Page furniture (page numbers, prices, phone numbers, bylines) gets no
stub. When the source id is not in the base, a [[source]] stub comes first.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from corridor_cli.curation.coverage import UNCOVERED, source_coverage, unit_strings
from corridor_cli.curation.printed import DATE, FIGURE, FURNITURE, Printed, find_printed
from corridor_cli.records import FactBase, decimal_text, placeholder
from corridor_cli.safetext import visible
from corridor_cli.sourcetexts import PARAGRAPH_BREAK, SENTENCE_ENDS

# a sentence ends at a full stop (sourcetexts' rule) or a blank line
_SENTENCE_END = re.compile(f"[{re.escape(SENTENCE_ENDS)}]|{PARAGRAPH_BREAK.pattern}")
_CJK = re.compile(r"[\u3400-\u9fff]+")


@dataclass
class Stub:
    """One drafted table: its kind (fact, event, source) and its fields in order."""

    kind: str
    fields: list[tuple[str, object]] = field(default_factory=list)
    comment: str = ""

    def get(self, key: str) -> object:
        return dict(self.fields).get(key)


@dataclass
class Draft:
    stubs: list[Stub]
    skipped: list[Printed]  # page furniture: recognised, no stub
    covered: int  # figures and dates the base already covers

    @property
    def facts(self) -> list[Stub]:
        return [s for s in self.stubs if s.kind == "fact"]

    @property
    def events(self) -> list[Stub]:
        return [s for s in self.stubs if s.kind == "event"]


# ---------------------------------------------------------------- suggestions
def _bigrams(text: str) -> set[str]:
    grams: set[str] = set()
    for run in _CJK.findall(text):
        grams.update(run[i:i + 2] for i in range(len(run) - 1))
    return grams


class _Suggester:
    """Metric, topic and entity suggestions from the vocabulary and the facts using it."""

    def __init__(self, base: FactBase) -> None:
        self.base = base
        words: dict[str, set[str]] = {}
        topics: dict[str, Counter[str]] = {}
        for m in base.metrics.values():
            words[m.id] = _bigrams(m.name_zh)
        for f in base.facts:
            words.setdefault(f.metric, set()).update(_bigrams(f.label_zh))
            topics.setdefault(f.metric, Counter())[f.topic] += 1
        self.words, self.topics = words, topics
        self.names = sorted(((name, e.id) for e in base.entities.values()
                             for name in (e.name_zh, *e.aliases) if _CJK.search(name or "")),
                            key=lambda pair: -len(pair[0]))

    def metrics(self, unit: str | None, context: str, ordinal: bool) -> list[str]:
        unit_base = self.base.units[unit].base if unit in self.base.units else None
        grams = _bigrams(context)
        scored = []
        for m in self.base.metrics.values():
            if ordinal != (m.kind.value == "rank"):
                continue
            if unit_base is not None and m.bases and unit_base not in m.bases:
                continue
            score = len(grams & self.words.get(m.id, set()))
            if score:
                scored.append((-score, m.id))
        return [mid for _score, mid in sorted(scored)[:3]]

    def topic(self, metric: str | None) -> str | None:
        counts = self.topics.get(metric or "")
        return counts.most_common(1)[0][0] if counts else None

    def entities(self, sentence: str) -> list[str]:
        found: list[str] = []
        taken = [False] * len(sentence)
        for name, eid in self.names:
            at = sentence.find(name)
            while at >= 0:
                if not any(taken[at:at + len(name)]):
                    taken[at:at + len(name)] = [True] * len(name)
                    if eid not in found:
                        found.append(eid)
                at = sentence.find(name, at + 1)
        return found[:3]


# ---------------------------------------------------------------- spans of the text
def _sentence(text: str, start: int, end: int) -> tuple[int, int]:
    begin = 0
    for m in _SENTENCE_END.finditer(text, 0, start):
        begin = m.end()
    m = _SENTENCE_END.search(text, end)
    return begin, (m.start() if m else len(text))


def _quote_span(text: str, item: Printed, period_from: int | None,
                changes: Sequence[Printed]) -> tuple[int, int]:
    """The figure's clause, widened back to its period words and on to its changes, all
    within its sentence."""
    start, end = item.clause_start, item.clause_end
    s_begin, s_end = _sentence(text, item.start, item.end)
    if period_from is not None and s_begin <= period_from < start:
        start = period_from
    for change in changes:
        if change.clause_end <= s_end:
            end = max(end, change.clause_end)
    return start, end


def _verbatim(text: str, start: int, end: int) -> str:
    return text[start:end].strip().rstrip("，,；;、：:")


# ---------------------------------------------------------------- numbers and TOML
def number(value: Decimal | None) -> int | float | None:
    """A printed Decimal as the number a fact file holds: an int when whole."""
    if value is None:
        return None
    if value == value.to_integral_value():
        return int(value)
    return float(format(value, "f"))


def _toml_value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, Decimal):
        return decimal_text(value)
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{k} = {_toml_value(v)}" for k, v in value.items()) + " }"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    # a TOML basic string (json's escapes are TOML's), with every other control, format
    # or separator character escaped too: data never reaches a terminal as control
    return _INVISIBLE.sub(lambda m: f"\\u{ord(m.group()):04x}",
                          json.dumps(str(value), ensure_ascii=False))


_INVISIBLE = re.compile("[\x7f-\x9f\u00ad\u061c\u180e\u200b-\u200f\u2028-\u202e"
                        "\u2060-\u2069\ufeff\ufff9-\ufffb]")


def to_toml(draft: Draft, header: Sequence[str] = ()) -> str:
    # comments are text from the data too: every control or format character an escape
    lines = [f"# {visible(line)}" if line else "#" for line in header]
    for stub in draft.stubs:
        if lines:
            lines.append("")
        if stub.comment:
            lines.extend(f"# {visible(c)}" for c in stub.comment.splitlines())
        lines.append(f"[[{stub.kind}]]")
        lines.extend(f"{key} = {_toml_value(value)}" for key, value in stub.fields)
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------- drafting
def _period_fields(item: Printed) -> list[tuple[str, object]]:
    if item.period:
        return [("period", item.period)]
    if item.as_of:
        return [("as_of", item.as_of)]
    said = f"the text says {item.period_text}" if item.period_text else \
        "not stated in the sentence"
    return [("period", placeholder(f"period (a span) or as_of (a point in time): {said}"))]


def _unit(base: FactBase, item: Printed) -> object:
    if item.ordinal and not item.unit and "位" in base.units:
        return "位"
    if item.unit in base.units:
        return item.unit
    printed = item.unit or "none"
    return placeholder(f"unit (printed {printed}; not in the unit vocabulary: add a [[unit]] "
                       f"or choose one)")


def _change(item: Printed) -> dict[str, object]:
    c = item.change
    assert c is not None
    out: dict[str, object] = {"value": number(c.value), "unit": c.unit, "basis": c.basis}
    if c.bound != "exact":
        out["bound"] = c.bound
    return out


def _fact_stub(text: str, item: Printed, changes: list[Printed], period_from: int | None,
               source: str, base: FactBase, hints: _Suggester) -> Stub:
    qs, qe = _quote_span(text, item, period_from, changes)
    s_begin, s_end = _sentence(text, item.start, item.end)
    sentence = text[s_begin:s_end]
    unit = _unit(base, item)
    metrics = hints.metrics(unit if isinstance(unit, str) else None, item.clause, item.ordinal)
    topic = hints.topic(metrics[0] if metrics else None)
    entities = hints.entities(sentence)
    suggest = (lambda xs: f" — suggested: {', '.join(xs)}" if xs else "")
    fields: list[tuple[str, object]] = [
        ("id", placeholder("id (kebab-case: entity-metric-period, e.g. jiangjin-trains-run-2023)")),
        ("topic", placeholder(f"topic (an id from [[topic]]){suggest([topic] if topic else [])}")),
        ("entity", placeholder(f"entity (an id from [[entity]]){suggest(entities)}")),
        ("metric", placeholder(f"metric (an id from [[metric]]){suggest(metrics)}")),
        ("value", number(item.value if item.value is not None else Decimal(0))),
    ]
    if item.value_max is not None:
        fields.append(("value_max", number(item.value_max)))
    fields.append(("unit", unit))
    if item.bound != "exact":
        fields.append(("bound", item.bound))
    fields.append(("status", item.status))
    fields.extend(_period_fields(item))
    if changes:
        fields.append(("change", _change(changes[0])))
    fields += [
        ("label_zh", placeholder("label_zh (a short Chinese label)")),
        ("label_en", placeholder("label_en (a short English label)")),
        ("source", source),
        ("quote", _verbatim(text, qs, qe)),
    ]
    notes = [f"Drafted by corridor draft from the figure {item.printed!r}."]
    if item.period_text and (item.period or item.as_of):
        notes.append(f"Period read from {item.period_text!r}: check it.")
    if len(changes) > 1:
        notes.append("More changes are printed with it: "
                     + ", ".join(repr(c.printed) for c in changes[1:]) + ".")
    fields.append(("note", " ".join(notes)))
    return Stub("fact", fields, comment=f"{item.printed}: {item.clause}")


def _event_stub(text: str, item: Printed, source: str, hints: _Suggester) -> Stub:
    s_begin, s_end = _sentence(text, item.start, item.end)
    quote = _verbatim(text, item.clause_start, s_end)
    entities = hints.entities(text[s_begin:s_end])
    status = {"target": "planned", "forecast": "forecast"}.get(item.status, "actual")
    date: object = item.date or placeholder(f"date (the text says {item.printed}: give the year)")
    suggest = f" — suggested: {', '.join(entities)}" if entities else ""
    fields: list[tuple[str, object]] = [
        ("id", placeholder("id (kebab-case, e.g. jiangjin-first-train-2023-03-05)")),
        ("date", date),
        ("title_zh", placeholder("title_zh (what happened, in Chinese)")),
        ("title_en", placeholder("title_en (what happened, in English)")),
        ("entity", placeholder(f"entity (an id from [[entity]]){suggest}")),
        ("tags", [placeholder("tags (kebab-case words: opening, signing, first-train …)")]),
    ]
    if status != "actual":
        fields.append(("status", status))
    fields += [("source", source), ("quote", quote),
               ("note", f"Drafted by corridor draft from the date {item.printed!r}.")]
    return Stub("event", fields, comment=f"{item.printed}: {quote}")


def _source_stub(source: str, file_name: str, today: str | None, text: str) -> Stub:
    heading = next((line.strip().lstrip("#").strip() for line in text.splitlines()
                    if line.strip() and not re.search(r"\d{4}年\d{1,2}月\d{1,2}日|第\s*\d+\s*版",
                                                      line)), "")
    fields: list[tuple[str, object]] = [
        ("id", source),
        ("title_zh", heading or placeholder("title_zh (the headline as printed)")),
        ("title_en", placeholder("title_en (the headline in English)")),
        ("publication_zh", placeholder("publication_zh (the newspaper or site, in Chinese)")),
        ("publication_en", placeholder("publication_en (the newspaper or site, in English)")),
        ("date", today or placeholder("date (the publication date: YYYY, YYYY-MM or YYYY-MM-DD)")),
        ("file", file_name or placeholder("file (the text's file name under texts/)")),
    ]
    return Stub("source", fields, comment="The source is not in the fact base yet: check "
                                          "its title, then put the text under texts/.")


def draft(text: str, source: str, base: FactBase, *, today: str | None = None,
          file_name: str = "") -> Draft:
    """Stubs for every figure and dated happening of text that base does not cover."""
    units = unit_strings(base)
    items = find_printed(text, units, today)
    uncovered: set[int] = set(range(len(items)))
    covered = 0
    if source in base.sources:
        states = source_coverage(base, source, text, units, items)
        state_at = {(it.printed.start, it.printed.end): it.state for it in states.items}
        uncovered = {k for k, p in enumerate(items)
                     if p.kind != FURNITURE and state_at.get((p.start, p.end)) == UNCOVERED}
        covered = sum(1 for it in states.items if it.state != UNCOVERED)
    changes_of: dict[int, list[Printed]] = {}
    for p in items:
        if p.kind == FIGURE and p.change is not None and p.change_of is not None:
            changes_of.setdefault(p.change_of, []).append(p)
    hints = _Suggester(base)
    stubs: list[Stub] = []
    if source not in base.sources:
        stubs.append(_source_stub(source, file_name, today, text))
    quoted: list[tuple[int, int]] = []
    fact_stubs: list[tuple[int, Stub]] = []
    for k, p in enumerate(items):
        if k not in uncovered or p.kind != FIGURE:
            continue
        if p.change is not None and p.change_of is not None and p.change_of in uncovered:
            continue  # drafted with its figure
        period_from = _period_start(items, k, text)
        changes = changes_of.get(k, [])
        stub = _fact_stub(text, p, changes, period_from, source, base, hints)
        qs, qe = _quote_span(text, p, period_from, changes)
        quoted.append((qs, qe))
        fact_stubs.append((p.start, stub))
    event_stubs: list[tuple[int, Stub]] = []
    for k, p in enumerate(items):
        if k not in uncovered or p.kind != DATE:
            continue
        if any(qs <= p.start and p.end <= qe for qs, qe in quoted):
            continue  # the period of a drafted fact: covered once that fact is finished
        event_stubs.append((p.start, _event_stub(text, p, source, hints)))
    stubs += [s for _at, s in sorted(fact_stubs + event_stubs, key=lambda pair: pair[0])]
    return Draft(stubs, [p for p in items if p.kind == FURNITURE], covered)


def _period_start(items: list[Printed], k: int, text: str) -> int | None:
    """Where the words a figure's period was read from start (今年1—2月, 截至2023年底),
    when they come before it in its sentence and no other figure lies between."""
    p = items[k]
    if not p.period_text:
        return None
    s_begin, _ = _sentence(text, p.start, p.end)
    found = text.rfind(p.period_text, s_begin, p.start)  # the words themselves, verbatim
    at = found if found >= 0 else None
    if at is None:
        for other in reversed(items[:k]):
            if other.start < s_begin:
                break
            if other.kind == DATE and other.printed in p.period_text:
                at = other.clause_start
                break
    if at is not None and any(at <= o.start < p.start and o.kind == FIGURE
                              and not (o.change is not None) for o in items):
        return None  # another figure lies between: the period is noted, not quoted
    return at


def header(result: Draft, text_name: str, source: str, today: str | None) -> list[str]:
    """The comment lines that open a draft file."""
    facts, events = len(result.facts), len(result.events)
    lines = [f"Drafted by corridor draft from {text_name} for source {source}"
             + (f", dated {today}." if today else "."),
             f"{facts} fact stub{'s' if facts != 1 else ''}, {events} event stub"
             f"{'s' if events != 1 else ''}; {result.covered} printed figures and dates already "
             f"covered; page furniture skipped: "
             + (", ".join(f"{p.printed} ({p.reason})" for p in result.skipped) or "none") + ".",
             "Replace every TODO (corridor check names each one and its line), check every",
             "value, bound, status and period against the text, delete what should not be",
             "recorded (or record it as an [[ignore]] with a reason), then run corridor check."]
    return lines


def summary(result: Draft, text_name: str) -> str:
    facts, events = len(result.facts), len(result.events)
    return (f"drafted {facts} fact stub{'s' if facts != 1 else ''} and {events} event stub"
            f"{'s' if events != 1 else ''} from {text_name}"
            + (f"; {len(result.skipped)} pieces of page furniture skipped" if result.skipped else "")
            + "; replace every TODO, then run corridor check")
