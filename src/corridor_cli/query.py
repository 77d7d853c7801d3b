"""Pure query functions over a loaded fact base: filter, sort, limit, count.

Nothing here reads files, prints or knows about the command line. Bad query
values raise QueryError, whose message names the valid choices.
"""

from __future__ import annotations

import datetime as dt
import difflib
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from corridor_cli.dates import DateError, PartialDate
from corridor_cli.records import Entity, Event, Fact, FactBase, Status

SORT_FIELDS = ("period", "id", "value", "topic", "entity", "metric", "status", "source")


class QueryError(ValueError):
    """A query value that names nothing in the fact base, or is malformed."""

    def __init__(self, option: str, message: str) -> None:
        super().__init__(message)
        self.option = option


def _choices_hint(word: str, choices: Sequence[str], limit: int = 12) -> str:
    close = difflib.get_close_matches(word, choices, n=3, cutoff=0.5)
    if close:
        return "did you mean " + ", ".join(repr(c) for c in close) + "?"
    shown = ", ".join(sorted(choices)[:limit])
    more = f", … ({len(choices)} in all)" if len(choices) > limit else ""
    return f"choose from: {shown}{more}"


def parse_year(text: str | int, base: FactBase | None = None) -> int:
    """A four-digit year; QueryError naming the span the facts cover otherwise."""
    text = str(text).strip()
    if len(text) == 4 and text.isdigit():
        return int(text)
    span = ""
    if base is not None and (base.facts or base.events):
        years = [f.period.first_day().year for f in base.facts] + \
                [f.period.last_day().year for f in base.facts] + [e.date.year for e in base.events]
        span = f" (the facts cover {min(years)}–{max(years)})"
    raise QueryError("--year", f"{text!r} is not a year: give four digits such as 2022{span}")


def parse_date(text: str, option: str) -> PartialDate:
    try:
        return PartialDate.parse(text)
    except DateError as exc:
        raise QueryError(option, f"{exc}; for example 2018, 2018-07 or 2018-07-15") from None


def resolve_entity(base: FactBase, name: str) -> Entity:
    """The entity that name identifies: its id, zh or en name, or an alias, any case."""
    wanted = " ".join(name.split()).casefold()
    for entity in base.entities.values():
        if any(" ".join(n.split()).casefold() == wanted for n in entity.names()):
            return entity
    names = [n for e in base.entities.values() for n in e.names()]
    raise QueryError("--entity", f"no entity is called {name!r}; {_choices_hint(name, names)}")


def check_choice(option: str, value: str, choices: Iterable[str], what: str) -> str:
    choices = sorted(set(choices))
    if value in choices:
        return value
    raise QueryError(option, f"unknown {what} {value!r}; {_choices_hint(value, choices)}")


@dataclass(frozen=True)
class FactQuery:
    """What to select. None means no restriction. Entity is an entity id."""

    topic: str | None = None
    year: int | None = None
    date_from: PartialDate | None = None
    date_to: PartialDate | None = None
    entity: str | None = None
    metric: str | None = None
    status: Status | None = None
    source: str | None = None
    grep: str | None = None
    sort: str = "period"
    descending: bool = False
    limit: int | None = None

    def window(self) -> tuple[dt.date | None, dt.date | None]:
        """The date range asked for: --year and --from/--to together narrow each other."""
        lo = self.date_from.first_day() if self.date_from else None
        hi = self.date_to.last_day() if self.date_to else None
        if self.year is not None:
            y_lo, y_hi = dt.date(self.year, 1, 1), dt.date(self.year, 12, 31)
            lo = max(lo, y_lo) if lo else y_lo
            hi = min(hi, y_hi) if hi else y_hi
        return lo, hi


def validate(base: FactBase, query: FactQuery) -> FactQuery:
    """Check each value names something in the base; resolve the entity to its id."""
    if query.topic is not None:
        check_choice("TOPIC", query.topic, base.topics, "topic")
    if query.metric is not None:
        check_choice("--metric", query.metric, {f.metric for f in base.facts}, "metric")
    if query.source is not None:
        check_choice("--source", query.source, base.sources, "source")
    if query.sort not in SORT_FIELDS:
        raise QueryError("--sort", f"cannot sort by {query.sort!r}; {_choices_hint(query.sort, SORT_FIELDS)}")
    if query.limit is not None and query.limit < 0:
        raise QueryError("--limit", "--limit must be 0 or more")
    if query.entity is not None:
        query = FactQuery(**{**query.__dict__, "entity": resolve_entity(base, query.entity).id})
    return query


def _grep(needle: str | None, *haystacks: str) -> bool:
    if not needle:
        return True
    folded = needle.casefold()
    return any(folded in h.casefold() for h in haystacks)


def _sort_key(field: str):
    if field == "period":
        return lambda f: (f.period.first_day(), f.period.last_day(), f.id)
    if field == "value":
        return lambda f: (f.value, f.id)
    if field == "status":
        return lambda f: (f.status.value, f.id)
    return lambda f: (getattr(f, field), f.id)


def select_facts(base: FactBase, query: FactQuery) -> list[Fact]:
    """The facts that match every part of the query, sorted and limited."""
    lo, hi = query.window()
    chosen = [
        f for f in base.facts
        if (query.topic is None or f.topic == query.topic)
        and (query.entity is None or f.entity == query.entity)
        and (query.metric is None or f.metric == query.metric)
        and (query.status is None or f.status == query.status)
        and (query.source is None or f.source == query.source)
        and f.period.overlaps(lo, hi)
        and _grep(query.grep, f.label_zh, f.label_en, f.quote)
    ]
    chosen.sort(key=_sort_key(query.sort), reverse=query.descending)
    return chosen if query.limit is None else chosen[: query.limit]


def select_events(base: FactBase, date_from: PartialDate | None = None,
                  date_to: PartialDate | None = None, entity: str | None = None,
                  grep: str | None = None) -> list[Event]:
    """Events in date order (a month before the days within it), filtered."""
    lo = date_from.first_day() if date_from else None
    hi = date_to.last_day() if date_to else None
    entity_id = resolve_entity(base, entity).id if entity else None
    chosen = [
        e for e in base.events
        if (lo is None or e.date.last_day() >= lo)
        and (hi is None or e.date.first_day() <= hi)
        and (entity_id is None or e.entity == entity_id)
        and _grep(grep, e.title_zh, e.title_en, e.quote)
    ]
    chosen.sort(key=lambda e: (e.date.sort_key(), e.id))
    return chosen


def counts_by(base: FactBase, attribute: str) -> tuple[Counter[str], Counter[str]]:
    """How many facts, and how many events, name each value of attribute."""
    facts = Counter(getattr(f, attribute) for f in base.facts)
    events = Counter(getattr(e, attribute) for e in base.events if hasattr(e, attribute))
    return facts, events
