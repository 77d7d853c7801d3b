"""Typed, immutable records of the fact base. Nothing here reads files or prints."""

from __future__ import annotations

import functools
import re
from dataclasses import field
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Any

from corridor_cli.dates import PartialDate, Period
from corridor_cli.fastclass import record

if TYPE_CHECKING:  # decimal is imported on first use: a listing of facts never needs it
    from decimal import Context, Decimal


# The tables a fact file may hold: [[unit]], [[topic]], … (the vocabularies first).
KINDS = ("unit", "topic", "metric", "entity", "source", "fact", "event", "ignore")


class Bound(str, Enum):
    """How the printed figure relates to the true one."""

    exact = "exact"
    approx = "approx"  # 约, 左右
    lower = "lower"  # 超, 余, 以上, 突破, 多: at least the figure
    upper = "upper"  # 不到, 以下: at most the figure


class Status(str, Enum):
    actual = "actual"
    target = "target"  # 目标, 力争, 计划
    forecast = "forecast"  # 预计, 有望


class EventStatus(str, Enum):
    """Whether an event happened, or is only planned or forecast (2023年有望上市)."""

    actual = "actual"
    planned = "planned"
    forecast = "forecast"


class MetricKind(str, Enum):
    """What arithmetic a metric's figures allow (see PRODUCT.md, "The data")."""

    flow = "flow"  # an amount in a period: adds across disjoint periods and entities
    level = "level"  # a stock at a point in time: adds across entities, never across time
    cumulative = "cumulative"  # a flow totalled since it began, at a point in time
    rate = "rate"  # growth and other ratios: never added
    share = "share"  # a part of a whole: never added
    rank = "rank"  # a place in an order: never added
    measure = "measure"  # an attribute (capacity, transit time, score): never added

    @property
    def point_in_time(self) -> bool:
        """Stated as_of a date, never for a span."""
        return self in (MetricKind.level, MetricKind.cumulative)


class Basis(str, Enum):
    """What a reported change is measured against."""

    yoy = "yoy"  # 同比, 较去年同期
    annual_average = "annual_average"  # 年均
    vs_benchmark = "vs_benchmark"  # 高出全国 …
    over_period = "over_period"  # across the fact's whole period


Number = int | float


def normalise_name(text: str) -> str:
    """How names are compared everywhere (--entity, name collisions): spacing and case ignored."""
    return " ".join(text.split()).casefold()


# ---------------------------------------------------------------- draft placeholders
# What `corridor draft` writes where a stub needs a human: a string value that starts with
# PLACEHOLDER, e.g. entity = "TODO: entity (an id from [[entity]])", metric = "TODO: metric
# — suggested: trains_run", period = "TODO: period (text says 1—5月)". The loader rejects
# every string that is one, at any depth (inside change, relation, a list such as tags),
# before any other check of that field (problem code "placeholder"), so an unfinished
# stub never loads and `corridor check` exits 2 naming the placeholder and its line.
# Numbers are never placeholders: the draft always fills a value.
PLACEHOLDER = "TODO"
_PLACEHOLDER_RE = re.compile(r"\s*TODO(?![A-Za-z0-9_])")  # TODO, TODO: …, not TODOS


def is_placeholder(value: Any) -> bool:
    """Whether value is a draft placeholder: a string starting with PLACEHOLDER ("TODO",
    "TODO: entity …"; leading whitespace aside), not followed by a letter, digit or _."""
    return isinstance(value, str) and _PLACEHOLDER_RE.match(value) is not None


def placeholder(what: str = "") -> str:
    """The placeholder for a field a human must fill: placeholder("entity (an id from
    [[entity]])") → "TODO: entity (an id from [[entity]])"; placeholder() → "TODO"."""
    return f"{PLACEHOLDER}: {what}" if what else PLACEHOLDER


@record
class Origin:
    """Where a record was defined: file and 1-based line."""

    file: str
    line: int | None = None
    field_lines: tuple[tuple[str, int], ...] = ()  # the line of each field, where found
    root: str = ""  # the fact directory the file was found under, as given

    def line_of(self, key: str) -> int | None:
        return dict(self.field_lines).get(key, self.line)

    def __str__(self) -> str:
        return f"{self.file}:{self.line}" if self.line else self.file


@record
class Unit:
    id: str
    name_zh: str
    name_en: str
    scale: Number
    base: str
    origin: Origin = field(default=Origin(""), compare=False, repr=False)
    # whole things counted one by one (列, 家, 个): a figure printed in full is the count
    # itself, never rounded (536 列 is 536 trains; 12 万户 is rounded to 万 and is not)
    discrete: bool = False

    def to_base(self, value: Number) -> Decimal:
        """value in this unit, exactly, in the base unit: 8.095 亿元 → 809500000 CNY.
        Decimal arithmetic on the numbers as written, so no float noise creeps in."""
        context = _exact_context()
        return context.multiply(exact(value), exact(self.scale)).normalize(context)

    def to_base_or_none(self, value: Number | None) -> Decimal | None:
        return None if value is None else self.to_base(value)


@functools.cache
def _exact_context() -> Context:
    """A context with more digits than any number TOML lets through: it never rounds."""
    from decimal import Context

    return Context(prec=10_000)


def exact(value: Number | Decimal) -> Decimal:
    """A number as the decimal it was written as (float 8.095 → Decimal('8.095'))."""
    from decimal import Decimal

    if isinstance(value, Decimal):
        return value
    return Decimal(repr(value)) if isinstance(value, float) else Decimal(value)


def decimal_text(value: Decimal) -> str:
    """Plain positional notation, no exponent and no trailing zeros: 809500000, 17.97."""
    return format(value.normalize(_exact_context()), "f")


@record
class Topic:
    id: str
    name_zh: str
    name_en: str
    origin: Origin = field(default=Origin(""), compare=False, repr=False)


@record
class Metric:
    """What a fact measures: a vocabulary entry whose kind decides the legitimate arithmetic."""

    id: str
    name_zh: str
    name_en: str
    definition: str
    kind: MetricKind
    bases: tuple[str, ...]  # the unit bases it may be stated in
    of: str = ""  # a cumulative metric: the flow it accumulates
    origin: Origin = field(default=Origin(""), compare=False, repr=False)

    def name(self, lang: str) -> str:
        return self.name_zh if lang == "zh" else self.name_en


@record
class Entity:
    id: str
    name_zh: str
    name_en: str
    kind: str
    aliases: tuple[str, ...] = ()
    origin: Origin = field(default=Origin(""), compare=False, repr=False)
    part_of: str = ""  # the entity this one is part of (珞璜港 → 珞璜临港产业城)

    def names(self) -> tuple[str, ...]:
        """Every string that identifies this entity: id, both names, aliases."""
        return (self.id, self.name_zh, self.name_en, *self.aliases)


@record
class Source:
    id: str
    title_zh: str
    title_en: str
    publication_zh: str
    publication_en: str
    file: str
    authors: tuple[str, ...] = ()
    date: PartialDate | None = None
    note: str = ""
    origin: Origin = field(default=Origin(""), compare=False, repr=False)
    heading: str = ""  # where one text file prints several articles: this one's heading line
    opening: str = ""  # its first words, where a lead is printed above the heading


class RelationKind(str, Enum):
    """How a fact's figure follows from other facts' figures, as its source states it."""

    sum = "sum"  # the total of the facts named (62 started + 41 completed = 103)
    share = "share"  # a share in % of the one fact named (62.9 % of the 62 projects)
    increase = "increase"  # the increase of [later] over its comparison value (by its
    # % change), or from [earlier, later]
    growth = "growth"  # growth in % from [earlier] to [later]
    average_increase = "average_increase"  # ([later] − [earlier]) / the years between


RELATION_ARITY = {  # how many facts each kind names: (fewest, most)
    RelationKind.sum: (2, None), RelationKind.share: (1, 1), RelationKind.increase: (1, 2),
    RelationKind.growth: (2, 2), RelationKind.average_increase: (2, 2),
}


@record
class Relation:
    """The arithmetic a source states between a fact and others: checked by the audit."""

    kind: RelationKind
    of: tuple[str, ...]  # fact ids, in the order the kind reads them


@record
class Change:
    """A reported change of a figure, e.g. 同比增长 116.49 %."""

    value: Number
    unit: str
    basis: Basis = Basis.yoy
    bound: Bound = Bound.exact


@record
class Fact:
    id: str
    topic: str
    entity: str
    metric: str
    value: Number
    unit: str
    status: Status
    period: Period
    label_zh: str
    label_en: str
    source: str
    quote: str
    bound: Bound = Bound.exact
    value_max: Number | None = None
    change: Change | None = None
    note: str = ""
    disagrees_with: tuple[str, ...] = ()  # facts of other sources that report it differently
    origin: Origin = field(default=Origin(""), compare=False, repr=False)
    relation: Relation | None = None  # how the figure follows from other facts (audited)

    def label(self, lang: str) -> str:
        return self.label_zh if lang == "zh" else self.label_en


@record
class Event:
    id: str
    date: PartialDate
    title_zh: str
    title_en: str
    entity: str
    source: str
    quote: str
    tags: tuple[str, ...] = ()
    note: str = ""
    origin: Origin = field(default=Origin(""), compare=False, repr=False)
    status: EventStatus = EventStatus.actual

    def title(self, lang: str) -> str:
        return self.title_zh if lang == "zh" else self.title_en


@record
class Ignore:
    """A figure printed in a source that a curator decided not to record, and why
    ([[ignore]]): page furniture, a restatement of another fact's figure, a figure outside
    the corridor's scope. Lets coverage reach 100 % meaningfully. No id."""

    source: str  # a source id
    text: str  # the figure as printed, or a longer verbatim snippet that locates it
    reason: str  # why it is not recorded (never empty)
    note: str | None = None
    origin: Origin = field(default=Origin(""), compare=False, repr=False)


@record
class FactBase:
    """Everything loaded: the vocabularies, the facts and the events, by id."""

    units: dict[str, Unit] = field(default_factory=dict)
    topics: dict[str, Topic] = field(default_factory=dict)
    metrics: dict[str, Metric] = field(default_factory=dict)
    entities: dict[str, Entity] = field(default_factory=dict)
    sources: dict[str, Source] = field(default_factory=dict)
    facts: tuple[Fact, ...] = ()
    events: tuple[Event, ...] = ()
    files: tuple[Path, ...] = ()  # every fact file read (resolved): --output never writes over them
    dirs: tuple[Path, ...] = ()  # the fact directories, in load order
    # every directory walked under them (real paths, through symlinked subdirectories
    # too): a *.toml written into one would be loaded next time
    watched_dirs: tuple[Path, ...] = ()
    ignores: tuple[Ignore, ...] = ()  # printed figures consciously not recorded ([[ignore]])

    def within(self, entity_id: str) -> frozenset[str]:
        """The entity and everything part of it, transitively."""
        children: dict[str, list[str]] = {}
        for e in self.entities.values():
            if e.part_of:
                children.setdefault(e.part_of, []).append(e.id)
        found, todo = {entity_id}, [entity_id]
        while todo:
            for child in children.get(todo.pop(), ()):
                if child not in found:
                    found.add(child)
                    todo.append(child)
        return frozenset(found)

    def ancestors(self, entity_id: str) -> tuple[str, ...]:
        """The chain of part_of above an entity, nearest first."""
        chain: dict[str, None] = {}
        current = self.entities.get(entity_id)
        while current is not None and current.part_of and current.part_of not in chain \
                and current.part_of != entity_id:
            chain[current.part_of] = None
            current = self.entities.get(current.part_of)
        return tuple(chain)

    def find(self, record_id: str) -> Fact | Event | None:
        for found in (*self.facts, *self.events):
            if found.id == record_id:
                return found
        return None
