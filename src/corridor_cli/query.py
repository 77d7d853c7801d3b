"""Pure query functions over a loaded fact base: filter, sort, limit, count.

Nothing here reads files, prints or knows about the command line. Bad query
values raise QueryError, whose message names the valid choices.
"""

from __future__ import annotations

import datetime as dt
import difflib
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import replace
from enum import Enum

from corridor_cli.fastclass import record
from corridor_cli.dates import DateError, PartialDate
from corridor_cli.factstore import facts_where
from corridor_cli.records import (
    Entity, Event, EventStatus, Fact, FactBase, Status, exact, normalise_name,
)

SORT_FIELDS = ("period", "id", "value", "topic", "entity", "metric", "status", "source")


class QueryError(ValueError):
    """A query value that names nothing in the fact base, or is malformed."""

    def __init__(self, option: str, message: str) -> None:
        super().__init__(message)
        self.option = option


def choices_hint(word: str, choices: Sequence[str], limit: int = 12) -> str:
    """'did you mean X?' for a close choice; the choices themselves when there are few."""
    close = difflib.get_close_matches(word, choices, n=3, cutoff=0.5)
    if close:
        mean = "did you mean " + ", ".join(repr(c) for c in close) + "?"
        if len(choices) > limit:
            return mean
        return f"{mean} choose from: {', '.join(sorted(choices))}"
    if len(choices) <= limit:  # a short fixed list: every choice is a suggestion
        return f"did you mean one of: {', '.join(sorted(choices))}?"
    return f"choose from: {', '.join(sorted(choices)[:limit])}, … ({len(choices)} in all)"


def _shown(text: str, limit: int = 40) -> str:
    """A user's value as quoted back in a message: a very long one is cut."""
    return text if len(text) <= limit else text[:limit] + "…"


def parse_year(text: str | int, base: FactBase | None = None) -> int:
    """A four-digit year; QueryError naming the span the facts cover otherwise."""
    text = str(text).strip()
    if len(text) == 4 and text.isdecimal() and int(text) > 0:  # any decimal digits (２０２２), never ²
        return int(text)
    span = ""
    if base is not None and (base.facts or base.events):
        years = [f.period.first_day().year for f in base.facts] + \
                [f.period.last_day().year for f in base.facts] + [e.date.year for e in base.events]
        span = f" (the facts cover {min(years)}–{max(years)})"
    raise QueryError("--year", f"{_shown(text)!r} is not a year: give four digits such as 2022{span}")


def parse_date(text: str, option: str) -> PartialDate:
    if not text.strip():
        raise QueryError(option, f"{option} was given an empty value; for example 2018-07")
    try:
        return PartialDate.parse(text)
    except DateError as exc:
        raise QueryError(option, f"{exc}; for example 2018, 2018-07 or 2018-07-15") from None


def parse_limit(text: str | int | None) -> int | None:
    """--limit N: a count of 0 or more; one past any fact base's size means no limit."""
    if text is None:
        return None
    text = str(text).strip()
    if not text.isdecimal():
        raise QueryError("--limit", f"{_shown(text)!r} is not a count: give 0 or more, such as 10")
    digits = "".join(str(int(c)) for c in text).lstrip("0") or "0"  # any decimal digits
    return None if len(digits) > 15 else int(digits)


def split_values(values: str | Iterable[str] | None, option: str = "") -> tuple[str, ...]:
    """Option values given repeatedly or comma-separated (a,b or a，b), spaces trimmed.

    With an option name, a value that names nothing at all ('' or ',') is a QueryError:
    an empty filter never silently means "no filter"."""
    if values is None:
        return ()
    if isinstance(values, str):
        values = [values]
    out: list[str] = []
    for value in values:
        parts = [v.strip() for v in value.replace("，", ",").split(",")]
        if option and not any(parts):
            raise QueryError(option, f"{option} was given an empty value")
        out.extend(v for v in parts if v)
    return tuple(dict.fromkeys(out))


def _names(entity: Entity) -> set[str]:
    return {normalise_name(n) for n in entity.names()}


def resolve_entity(base: FactBase, name: str, notes: list[str] | None = None) -> Entity:
    """The entity that name identifies.

    An exact id, zh or en name, or alias (case and spacing ignored) wins. Else a part
    of a name: the entities with a name that starts with it, else those with a name
    that contains it. Among several, one that all the others are part of wins (珞璜
    is 珞璜临港产业城, not the 珞璜港 inside it); else the one whose matching name is
    shortest (西永 is 西永综保区 rather than 西永综保区区内航空前置货站). A note says
    what else matched. A tie is an error that lists the candidates.
    """
    wanted = normalise_name(name)
    entities = list(base.entities.values())
    for entity in entities:
        if wanted in _names(entity):
            return entity
    if not any(c.isalnum() for c in wanted):
        raise QueryError("--entity", f"{name!r} names no entity: give an id, a name or a part "
                                     f"of a name with letters or digits in it")
    if wanted:
        for test in (str.startswith, str.__contains__):
            found = sorted(((min(len(n) for n in _names(e) if test(n, wanted)), e.id, e)
                            for e in entities if any(test(n, wanted) for n in _names(e))),
                           key=lambda t: (t[0], t[1]))
            if not found:
                continue
            # a name that matches a place and what is part of it means the place:
            # 珞璜 is 珞璜临港产业城, not the 珞璜港 inside it
            matched = {e.id for _, _, e in found}
            everything = found
            found = [t for t in found if matched.isdisjoint(base.ancestors(t[1]))] or found
            if len(found) == 1 or found[0][0] < found[1][0]:
                best = found[0][2]
                if len(everything) > 1 and notes is not None:
                    rest = [e.id for _, _, e in everything if e is not best]
                    others = ", ".join(rest[:5])
                    more = ", …" if len(rest) > 5 else ""
                    notes.append(f"{name!r} taken as {best.id} ({best.name_zh} / {best.name_en}); "
                                 f"it also matches {others}{more}")
                return best
            tied = [e for length, _, e in found if length == found[0][0]]
            listed = "; ".join(f"{e.id} ({e.name_zh} / {e.name_en})" for e in tied[:12])
            raise QueryError("--entity", f"{name!r} matches {len(tied)} entities equally well: "
                                         f"{listed}; give one of these ids")
    names = [n for e in entities for n in e.names()]
    raise QueryError("--entity", f"no entity is called {name!r}; {choices_hint(name, names)}")


def resolve_entities(base: FactBase, values: str | Iterable[str] | None,
                     notes: list[str] | None = None, option: str = "--entity") -> tuple[str, ...]:
    """Entity ids for option values: each value names one entity, or several separated by
    commas (a name that itself contains a comma is tried whole first)."""
    if values is None:
        return ()
    if isinstance(values, str):
        values = [values]
    ids: list[str] = []
    for value in values:
        if not value.strip():
            raise QueryError(option, f"{option} was given an empty value")
        try:
            ids.append(_resolve(base, value, notes, option).id)
            continue
        except QueryError:
            if "," not in value.replace("，", ","):
                raise
        ids.extend(_resolve(base, part, notes, option).id for part in split_values(value, option))
    return tuple(dict.fromkeys(ids))


def _resolve(base: FactBase, name: str, notes: list[str] | None, option: str) -> Entity:
    try:
        return resolve_entity(base, name, notes)
    except QueryError as exc:
        if option == "--entity":
            raise
        raise QueryError(option, str(exc)) from None


def resolve_within(base: FactBase, values: str | Iterable[str] | None,
                   notes: list[str] | None = None) -> tuple[str, ...]:
    """--within E: E and every entity part of it, transitively, for each E named."""
    roots = resolve_entities(base, values, notes, "--within")
    found: dict[str, None] = {}
    for root in roots:
        found.update(dict.fromkeys(sorted(base.within(root))))
    return tuple(found)


def _entity_filter(entity_ids: tuple[str, ...],
                   within_ids: Iterable[str] | None) -> frozenset[str] | None:
    """The entity ids a record may name, or None for any: --entity and --within each
    restrict, and given both a record must satisfy both."""
    allowed = frozenset(entity_ids) if entity_ids else None
    if within_ids is not None:
        within = frozenset(within_ids)
        allowed = within if allowed is None else allowed & within
    return allowed


def check_choice(option: str, value: str, choices: Iterable[str], what: str) -> str:
    """value, or the one choice it names ignoring case and surrounding spaces; else a
    QueryError with a did-you-mean."""
    choices = sorted(set(choices))
    if value in choices:
        return value
    folded = {c.casefold(): c for c in choices}
    wanted = value.strip().casefold()
    if wanted in folded:
        return folded[wanted]
    raise QueryError(option, f"unknown {what} {value!r}; {choices_hint(value, choices)}")


def check_choices(option: str, values: str | Iterable[str] | None, choices: Iterable[str],
                  what: str) -> tuple[str, ...]:
    choices = sorted(set(choices))
    return tuple(dict.fromkeys(check_choice(option, v, choices, what)
                               for v in split_values(values, option)))


def _window(date_from: PartialDate | None, date_to: PartialDate | None,
            year: int | None) -> tuple[dt.date | None, dt.date | None]:
    """The date range asked for: --year and --from/--to together narrow each other.
    Options that leave no day at all contradict each other: QueryError."""
    lo = date_from.first_day() if date_from else None
    hi = date_to.last_day() if date_to else None
    if lo and hi and lo > hi:
        raise QueryError("--from", f"--from {date_from} is after --to {date_to}: nothing can match")
    if year is not None:
        y_lo, y_hi = dt.date(year, 1, 1), dt.date(year, 12, 31)
        if (hi and hi < y_lo) or (lo and lo > y_hi):
            raise QueryError("--year", f"--year {year} lies outside --from/--to: nothing can match")
        lo = max(lo, y_lo) if lo else y_lo
        hi = min(hi, y_hi) if hi else y_hi
    return lo, hi


@record
class FactQuery:
    """What to select. Empty means no restriction; several values mean any of them.
    Each of topic, entity, metric, status and source takes one value or several
    (a tuple, or commas); validate() turns entity names into ids."""

    topic: str | tuple[str, ...] | None = None
    year: int | None = None
    date_from: PartialDate | None = None
    date_to: PartialDate | None = None
    entity: str | tuple[str, ...] | None = None
    within: str | tuple[str, ...] | None = None  # an entity and everything part of it
    metric: str | tuple[str, ...] | None = None
    status: Status | str | tuple[Status | str, ...] | None = None
    source: str | tuple[str, ...] | None = None
    grep: str | None = None
    sort: str = "period"
    descending: bool = False
    limit: int | None = None

    def window(self) -> tuple[dt.date | None, dt.date | None]:
        return _window(self.date_from, self.date_to, self.year)


def _statuses(values, enum: type[Enum], option: str = "--status") -> tuple:
    if values is None:
        return ()
    if isinstance(values, (str, Enum)):
        values = [values]
    names = [v.value if isinstance(v, Enum) else v for v in values]
    return tuple(enum(v) for v in check_choices(option, names, [m.value for m in enum], "status"))


def validate(base: FactBase, query: FactQuery, notes: list[str] | None = None) -> FactQuery:
    """Check each value names something in the base; resolve entity names to ids.
    Every multi-valued field comes back as a tuple; notes gets what a reader should know
    (a partial entity name taken as one of several)."""
    topics = check_choices("TOPIC", query.topic, base.topics, "topic")
    metrics = check_choices("--metric", query.metric, _metric_ids(base) if split_values(
        query.metric, "--metric") else (), "metric")  # every fact read only when needed
    sources = check_choices("--source", query.source, base.sources, "source")
    statuses = _statuses(query.status, Status)
    sort = check_choice("--sort", query.sort, SORT_FIELDS, "sort field")
    if query.limit is not None and query.limit < 0:
        raise QueryError("--limit", "--limit must be 0 or more")
    query.window()
    within = resolve_within(base, query.within, notes) if query.within is not None else None
    return replace(query, topic=topics, metric=metrics, source=sources, status=statuses,
                   entity=resolve_entities(base, query.entity, notes), within=within, sort=sort)


def _metric_ids(base: FactBase) -> set[str]:
    """The metrics a query may name: those defined, and any a fact of the base names."""
    return {*base.metrics, *(f.metric for f in base.facts)}


def check_grep(text: str | None) -> str | None:
    """--grep TEXT: any text but an empty one, which would match everything."""
    if text is not None and not text.strip():
        raise QueryError("--grep", "--grep was given an empty value")
    return text


def _grep(needle: str | None, *haystacks: str) -> bool:
    if not needle:
        return True
    folded = needle.casefold()
    return any(folded in h.casefold() for h in haystacks)


def sort_key(field: str, base: FactBase):
    """The key --sort FIELD orders by, for facts and for anything shaped like one (a
    derived figure: status a plain string, source possibly None)."""
    if field == "period":
        return lambda f: (f.period.sort_key(), f.id)
    if field == "value":  # in base units: 8.095 亿元 above 9000 万元
        def by_value(f: Fact):
            unit = base.units.get(f.unit)
            return (unit.to_base(f.value) if unit is not None else exact(f.value), f.id)
        return by_value
    if field == "status":
        return lambda f: (getattr(f.status, "value", f.status), f.id)
    return lambda f: (getattr(f, field) or "", f.id)


def _tuple(values) -> tuple:
    if values is None:
        return ()
    return (values,) if isinstance(values, (str, Enum)) else tuple(values)


def _any(wanted, value) -> bool:
    """No restriction when nothing is wanted; else value must be one of them."""
    if not wanted:
        return True
    return value in ((wanted,) if isinstance(wanted, (str, Enum)) else wanted)


@record
class Scope:
    """The parts of a (validated) query every record kind is filtered by: topic, entity
    (--entity and --within), metric, sources, the date window and --grep. Status is not
    here: each record kind has its own."""

    query: FactQuery
    entities: frozenset[str] | None
    lo: dt.date | None
    hi: dt.date | None

    def accepts(self, topic: str, entity: str, metric: str, sources: Iterable[str],
                period, *texts: str) -> bool:
        q = self.query
        return (_any(q.topic, topic)
                and (self.entities is None or entity in self.entities)
                and _any(q.metric, metric)
                and (not q.source or any(_any(q.source, s) for s in sources))
                and period.overlaps(self.lo, self.hi)
                and _grep(q.grep, *texts))


def scope(base: FactBase, query: FactQuery) -> Scope:
    lo, hi = query.window()
    within = None if query.within is None else \
        {e for w in _tuple(query.within) for e in base.within(w)}
    return Scope(query, _entity_filter(_tuple(query.entity), within), lo, hi)


def select_facts(base: FactBase, query: FactQuery) -> list[Fact]:
    """The facts that match every part of the query, sorted and limited."""
    where = scope(base, query)
    # Read only the facts that may match by topic and years (factstore.LazyFacts).
    candidates = facts_where(base.facts, query.topic or None,
                             where.lo.year if where.lo else None,
                             where.hi.year if where.hi else None)
    chosen = [
        f for f in candidates
        if _any(query.status, f.status)
        and where.accepts(f.topic, f.entity, f.metric, (f.source,), f.period,
                          f.label_zh, f.label_en, f.quote)
    ]
    chosen.sort(key=sort_key(query.sort, base), reverse=query.descending)
    return chosen if query.limit is None else chosen[: query.limit]


EVENT_SORT_FIELDS = ("date", "id", "entity", "source", "status")


def select_events(base: FactBase, date_from: PartialDate | None = None,
                  date_to: PartialDate | None = None, entity: str | Iterable[str] | None = None,
                  grep: str | None = None, *, year: int | None = None,
                  status: str | Iterable[str] | None = None,
                  source: str | Iterable[str] | None = None, sort: str = "date",
                  descending: bool = False, limit: int | None = None,
                  notes: list[str] | None = None,
                  within: str | Iterable[str] | None = None) -> list[Event]:
    """Events in date order (a month before the days within it), filtered, sorted, limited."""
    lo, hi = _window(date_from, date_to, year)
    entity_ids = _entity_filter(resolve_entities(base, entity, notes),
                                None if within is None else resolve_within(base, within, notes))
    statuses = _statuses(status, EventStatus)
    sources = check_choices("--source", source, base.sources, "source")
    sort = check_choice("--sort", sort, EVENT_SORT_FIELDS, "sort field")
    if limit is not None and limit < 0:
        raise QueryError("--limit", "--limit must be 0 or more")
    chosen = [
        e for e in base.events
        if (lo is None or e.date.last_day() >= lo)
        and (hi is None or e.date.first_day() <= hi)
        and (entity_ids is None or e.entity in entity_ids)
        and _any(statuses, e.status)
        and _any(sources, e.source)
        and _grep(grep, e.title_zh, e.title_en, e.quote)
    ]
    chosen.sort(key=lambda e: (e.date.sort_key(), e.id))
    if sort != "date":
        chosen.sort(key=lambda e: (getattr(e, sort).value if sort == "status"
                                   else getattr(e, sort)))
    if descending:
        chosen.reverse()
    return chosen if limit is None else chosen[:limit]


def counts_by(base: FactBase, attribute: str) -> tuple[Counter[str], Counter[str]]:
    """How many facts, and how many events, name each value of attribute."""
    facts = Counter(getattr(f, attribute) for f in base.facts)
    events = Counter(getattr(e, attribute) for e in base.events if hasattr(e, attribute))
    return facts, events
