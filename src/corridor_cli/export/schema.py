"""The fact base as tables: columns with types and descriptions, keys, indexes, rows.

The rows of the seven main tables are the machine rows the other commands print
(views.fact_row, views.event_row, and the rows of the sources, entities, metrics,
units and topics views), so a table's fields and values equal the json output's.
Every list field (aliases, tags, authors, …) is kept as it is there (a list: JSON
text in SQLite) and is also given a small link table, one row per item, whose
foreign keys and indexes a list inside a text cannot have.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from corridor_cli import query, views
from corridor_cli.records import FactBase

Row = dict[str, Any]

TEXT, INTEGER, REAL, NUMERIC = "TEXT", "INTEGER", "REAL", "NUMERIC"


class ExportError(ValueError):
    """The fact base cannot be exported as it is (a reference that names nothing, a
    number a format cannot hold exactly)."""


@dataclass(frozen=True)
class Column:
    name: str
    type: str  # TEXT, INTEGER (booleans as 0/1), REAL or NUMERIC (an INTEGER or REAL per value)
    description: str
    nullable: bool = False
    is_list: bool = False  # a list of text: JSON text in SQLite, like the json output


@dataclass(frozen=True)
class ForeignKey:
    columns: tuple[str, ...]
    table: str
    references: tuple[str, ...] = ("id",)


@dataclass(frozen=True)
class Table:
    name: str
    description: str
    columns: tuple[Column, ...]
    primary_key: tuple[str, ...]
    rows: list[Row]
    foreign_keys: tuple[ForeignKey, ...] = ()
    indexes: tuple[tuple[str, ...], ...] = ()
    # hints for a browser such as Datasette: the column that names a row, the default
    # order, the columns worth counting values of
    label_column: str | None = None
    sort: str | None = None
    facets: tuple[str, ...] = ()
    column_names: tuple[str, ...] = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "column_names", tuple(c.name for c in self.columns))

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)


def _c(name: str, type_: str, description: str, null: bool = False,
       is_list: bool = False) -> Column:
    return Column(name, type_, description, null, is_list)


_ID_NOTE = "unique among facts and events (corridor show ID)"
_SOURCE_COPY = "copied from the sources table for convenience"
_NAME = (_c("name_zh", TEXT, "Name in Chinese."), _c("name_en", TEXT, "Name in English."))
_FACT_COUNT = _c("facts", INTEGER, "How many facts name it.")
_EVENT_COUNT = _c("events", INTEGER, "How many events name it.")
_SOURCE_FIELDS = (
    _c("source", TEXT, "The source document it is quoted from → sources.id."),
    _c("source_title_zh", TEXT, f"The source's title in Chinese, {_SOURCE_COPY}."),
    _c("source_title_en", TEXT, f"The source's title in English, {_SOURCE_COPY}."),
    _c("source_publication_zh", TEXT, f"The publication in Chinese (重庆日报), {_SOURCE_COPY}; "
                                      "NULL where none is printed.", null=True),
    _c("source_publication_en", TEXT, f"The publication in English, {_SOURCE_COPY}.", null=True),
    _c("source_date", TEXT, "The source's date as printed (2020-07-06, 2023-06 or 2023), "
                            f"{_SOURCE_COPY}; NULL when undated.", null=True),
)

FACT_COLUMNS = (
    _c("id", TEXT, f"The fact's id, {_ID_NOTE}."),
    _c("topic", TEXT, "Its topic → topics.id."),
    _c("entity", TEXT, "What the figure is about → entities.id."),
    _c("metric", TEXT, "What it measures → metrics.id."),
    _c("metric_kind", TEXT, "The metric's kind, which says what arithmetic the figure allows: "
                            "flow, level, cumulative, rate, share, rank or measure."),
    _c("value", NUMERIC, "The figure exactly as the source prints it (an INTEGER or a REAL, "
                         "never rounded), in this row's unit (column unit; the units table "
                         "describes each unit). The same figure in the base unit is value_base."),
    _c("value_max", NUMERIC, "Where the source gives a range, its upper end, in the row's unit; "
                             "else NULL.", null=True),
    _c("unit", TEXT, "The unit value and value_max are in, as printed (亿元, 万吨, 列, %) → "
                     "units.id."),
    _c("value_base", NUMERIC, "value converted exactly to base_unit (value × the unit's scale: "
                              "8.095 亿元 is 809500000 CNY): comparable, and summable where the "
                              "metric kind allows, across rows with the same base_unit."),
    _c("value_max_base", NUMERIC, "value_max in base_unit; NULL without a range.", null=True),
    _c("base_unit", TEXT, "The base unit of value_base: the unit's base in the units table "
                          "(CNY, USD, tonne, TEU, train, count, percent, …)."),
    _c("bound", TEXT, "How the printed figure relates to the true one: exact, approx (约), "
                      "lower (超, 以上: at least) or upper (不到: at most)."),
    _c("status", TEXT, "actual, target or forecast."),
    _c("period", TEXT, "The period as written: 2022, 2023-01..2023-05, 2016..2020, or "
                       "'as of 2023-06' for a point in time."),
    _c("period_kind", TEXT, "day, month, year, span (a range of dates) or as_of (a point in "
                            "time)."),
    _c("period_start", TEXT, "First day of the period (ISO date); for as_of, the first day the "
                             "point may fall on (as of 2023-06: 2023-06-01)."),
    _c("period_end", TEXT, "Last day of the period (ISO date), inclusive; for as_of, the last "
                           "day the point may fall on."),
    _c("change", NUMERIC, "A change the source reports with the figure (同比增长 5.5%: 5.5), in "
                          "change_unit; NULL when none.", null=True),
    _c("change_unit", TEXT, "The unit of change (usually %) → units.id.", null=True),
    _c("change_basis", TEXT, "What the change is measured against: yoy, annual_average, "
                             "vs_benchmark or over_period.", null=True),
    _c("change_bound", TEXT, "How the printed change relates to the true one (as bound).",
       null=True),
    _c("label_zh", TEXT, "What the figure is, in Chinese."),
    _c("label_en", TEXT, "What the figure is, in English."),
    *_SOURCE_FIELDS,
    _c("quote", TEXT, "The source's words the figure is read from, verbatim."),
    _c("note", TEXT, "The curator's note on how the figure was read; NULL when none.",
       null=True),
    _c("disagrees_with", TEXT, "JSON array of the ids of facts from other sources that report "
                               "the same figure differently; also in fact_disagrees_with.",
       is_list=True),
)

EVENT_COLUMNS = (
    _c("id", TEXT, f"The event's id, {_ID_NOTE}."),
    _c("date", TEXT, "When, as precisely as the source says: 2018, 2018-07 or 2018-07-15."),
    _c("status", TEXT, "actual, planned or forecast."),
    _c("title_zh", TEXT, "What happened, in Chinese."),
    _c("title_en", TEXT, "What happened, in English."),
    _c("entity", TEXT, "What it happened to → entities.id."),
    _c("tags", TEXT, "JSON array of tags (opening, completion, …); also in event_tags.",
       is_list=True),
    *_SOURCE_FIELDS,
    _c("quote", TEXT, "The source's words, verbatim."),
    _c("note", TEXT, "The curator's note; NULL when none.", null=True),
)

SOURCE_COLUMNS = (
    _c("id", TEXT, "The source's id."),
    _c("publication_zh", TEXT, "The publication in Chinese (重庆日报); NULL where none is "
                               "printed.", null=True),
    _c("publication_en", TEXT, "The publication in English.", null=True),
    _c("title_zh", TEXT, "The title in Chinese."),
    _c("title_en", TEXT, "The title in English."),
    _c("authors", TEXT, "JSON array of the authors, in printed order; also in source_authors.",
       is_list=True),
    _c("date", TEXT, "The date as printed (2020-07-06, 2023-06 or 2023); NULL when undated.",
       null=True),
    _c("file", TEXT, "The source text's file, under the texts/ folder of its fact directory."),
    _c("heading", TEXT, "Where one text prints several articles, this one's heading line.",
       null=True),
    _FACT_COUNT, _EVENT_COUNT,
    _c("note", TEXT, "The curator's note; NULL when none.", null=True),
)

ENTITY_COLUMNS = (
    _c("id", TEXT, "The entity's id."),
    *_NAME,
    _c("kind", TEXT, "What sort of thing it is (district, bonded-zone, port, programme, …)."),
    _c("part_of", TEXT, "The entity it is directly part of → entities.id; NULL at the top.",
       null=True),
    _c("within", TEXT, "JSON array of everything it is part of, transitively, nearest first; "
                       "also in entity_within.", is_list=True),
    _c("aliases", TEXT, "JSON array of other names it goes by; also in entity_aliases.",
       is_list=True),
    _FACT_COUNT, _EVENT_COUNT,
)

METRIC_COLUMNS = (
    _c("id", TEXT, "The metric's id."),
    *_NAME,
    _c("kind", TEXT, "What arithmetic its figures allow: a flow adds across disjoint periods "
                     "and entities, a level across entities at one date; a cumulative is a "
                     "flow's running total as of a date; a rate, share, rank or measure never "
                     "adds."),
    _c("of", TEXT, "For a cumulative metric, the flow it totals → metrics.id; else NULL.",
       null=True),
    _c("bases", TEXT, "JSON array of the base units its figures may be stated in; also in "
                      "metric_bases.", is_list=True),
    _c("definition", TEXT, "What exactly it counts."),
    _FACT_COUNT,
)

UNIT_COLUMNS = (
    _c("id", TEXT, "The unit as printed (亿元, 万吨, 列, %)."),
    *_NAME,
    _c("scale", NUMERIC, "How many base units one of it is (亿元: 100000000): value × scale = "
                         "value_base."),
    _c("base", TEXT, "The base unit it converts to (CNY, tonne, train, percent, …): "
                     "facts.base_unit."),
    _FACT_COUNT,
    _c("discrete", INTEGER, "1 if it counts whole things one by one (列, 家), so a figure "
                            "printed in full is the count itself, never rounded; else 0."),
)

TOPIC_COLUMNS = (_c("id", TEXT, "The topic's id."), *_NAME, _FACT_COUNT)


def _main(name: str, description: str, columns: Sequence[Column], rows: list[Row],
          **options: Any) -> Table:
    return Table(name, description, tuple(columns), ("id",), rows, **options)


def _links(name: str, description: str, owner: tuple[str, str], item: Column,
           pairs: Iterable[tuple[str, Sequence[Any]]], item_ref: str | None = None,
           position: str = "position") -> Table:
    """A link table: one row per item of a list field, (owner, position, item)."""
    owner_column, owner_table = owner
    columns = (_c(owner_column, TEXT, f"→ {owner_table}.id."),
               _c(position, INTEGER, "Its place in the list, from 1."), item)
    rows = [{owner_column: key, position: i, item.name: value}
            for key, items in pairs for i, value in enumerate(items, start=1)]
    fks = [ForeignKey((owner_column,), owner_table)]
    if item_ref:
        fks.append(ForeignKey((item.name,), item_ref))
    return Table(name, description, columns, (owner_column, position), rows, tuple(fks),
                 ((item.name,),), facets=(item.name,))


def tables(base: FactBase) -> list[Table]:
    """Every table of the export, referenced tables first. Raises ExportError if a
    reference names nothing (a base loaded without problems never does)."""
    facts = query.select_facts(base, query.FactQuery())  # `corridor facts` order
    events = query.select_events(base)
    units = views.units_view(base, "en").machine
    for row in units:
        row["discrete"] = int(base.units[row["id"]].discrete)
    entities = views.entities_view(base, "en").machine
    metrics = views.metrics_view(base, "en").machine
    sources = views.sources_view(base, "en").machine
    fk = ForeignKey
    result = [
        _main("topics", "The topics facts are filed under.", TOPIC_COLUMNS,
              views.topics_view(base, "en").machine, label_column="name_en"),
        _main("units", "The units figures are printed in, each with its base unit and scale: "
              "facts.value is in the row's unit, facts.value_base in the unit's base.",
              UNIT_COLUMNS, units, indexes=(("base",),), label_column="name_en"),
        _main("metrics", "What facts measure; the kind decides what arithmetic is legitimate.",
              METRIC_COLUMNS, metrics, foreign_keys=(fk(("of",), "metrics"),),
              indexes=(("kind",), ("of",)), label_column="name_en", facets=("kind",)),
        _main("entities", "The places, zones, companies and programmes facts and events are "
              "about, with the hierarchy part_of.", ENTITY_COLUMNS, entities,
              foreign_keys=(fk(("part_of",), "entities"),), indexes=(("kind",), ("part_of",)),
              label_column="name_en", facets=("kind",)),
        _main("sources", "The source documents facts and events are quoted from.",
              SOURCE_COLUMNS, sources, indexes=(("date",),), label_column="title_en"),
        _main("facts", "One row per fact: a figure with its unit, period, status and the "
              "source's own words; the fields of `corridor facts --format json`. value is in "
              "the row's unit (see units), value_base the same figure in base_unit.",
              FACT_COLUMNS, [views.fact_row(f, base) for f in facts],
              foreign_keys=(fk(("topic",), "topics"), fk(("entity",), "entities"),
                            fk(("metric",), "metrics"), fk(("unit",), "units"),
                            fk(("change_unit",), "units"), fk(("source",), "sources")),
              indexes=(("topic",), ("entity",), ("metric",), ("unit",), ("change_unit",),
                       ("status",), ("source",), ("period_start", "period_end"),
                       ("period_end",)),
              label_column="label_en", sort="period_start",
              facets=("topic", "metric", "status", "base_unit")),
        _main("events", "One row per dated event; the fields of `corridor timeline --format "
              "json`.", EVENT_COLUMNS, [views.event_row(e, base) for e in events],
              foreign_keys=(fk(("entity",), "entities"), fk(("source",), "sources")),
              indexes=(("date",), ("entity",), ("status",), ("source",)),
              label_column="title_en", sort="date", facets=("status", "entity", "tags")),
        _links("fact_disagrees_with", "facts.disagrees_with, one row per fact named: facts of "
               "other sources that report the same figure differently.", ("fact", "facts"),
               _c("other_fact", TEXT, "A fact that reports it differently → facts.id."),
               ((f.id, f.disagrees_with) for f in facts), item_ref="facts"),
        Table("fact_relations", "How a fact's figure follows from other facts' figures, as "
              "its source states it (checked by `corridor audit`): one row per fact related.",
              (_c("fact", TEXT, "The fact whose figure follows → facts.id."),
               _c("position", INTEGER, "The related fact's place in the relation, from 1."),
               _c("kind", TEXT, "sum, share, increase, growth or average_increase."),
               _c("of_fact", TEXT, "A fact it follows from → facts.id.")),
              ("fact", "position"),
              [{"fact": f.id, "position": i, "kind": f.relation.kind.value, "of_fact": other}
               for f in facts if f.relation for i, other in enumerate(f.relation.of, start=1)],
              (fk(("fact",), "facts"), fk(("of_fact",), "facts")), (("of_fact",),),
              facets=("kind",)),
        _links("event_tags", "events.tags, one row per tag.", ("event", "events"),
               _c("tag", TEXT, "A tag (opening, completion, …)."),
               ((e.id, e.tags) for e in events)),
        _links("entity_aliases", "entities.aliases, one row per alias.", ("entity", "entities"),
               _c("alias", TEXT, "Another name the entity goes by."),
               ((e["id"], e["aliases"]) for e in entities)),
        _links("entity_within", "entities.within, one row per entity an entity is part of, "
               "transitively: the facts within X are those whose entity is X or has X as an "
               "ancestor here.", ("entity", "entities"),
               _c("ancestor", TEXT, "An entity it is part of → entities.id."),
               ((e["id"], e["within"]) for e in entities), item_ref="entities",
               position="depth"),
        _links("source_authors", "sources.authors, one row per author.", ("source", "sources"),
               _c("author", TEXT, "An author, as printed."),
               ((s["id"], s["authors"]) for s in sources)),
        _links("metric_bases", "metrics.bases, one row per base unit allowed.",
               ("metric", "metrics"), _c("base", TEXT, "A base unit (units.base) its figures "
                                                       "may be stated in."),
               ((m["id"], m["bases"]) for m in metrics)),
    ]
    check(result)
    return result


def check(tables: Sequence[Table]) -> None:
    """Every key present and unique, every required value present, every reference
    resolving: raises ExportError naming the first that is not."""
    by_name = {t.name: t for t in tables}
    for t in tables:
        keys: set[tuple] = set()
        required = [c.name for c in t.columns if not c.nullable]
        for row in t.rows:
            key = tuple(row.get(c) for c in t.primary_key)
            if key in keys:
                raise ExportError(f"{t.name}: {', '.join(map(str, key))} appears twice")
            keys.add(key)
            missing = [c for c in required if row.get(c) is None]
            if missing:
                raise ExportError(f"{t.name} {', '.join(map(str, key))}: no {missing[0]}")
    for t in tables:
        for fk in t.foreign_keys:
            target = by_name[fk.table]
            known = {tuple(r.get(c) for c in fk.references) for r in target.rows}
            for row in t.rows:
                value = tuple(row.get(c) for c in fk.columns)
                if None not in value and value not in known:
                    key = ", ".join(str(row.get(c)) for c in t.primary_key)
                    raise ExportError(f"{t.name} {key}: {', '.join(fk.columns)} "
                                      f"{', '.join(map(str, value))!r} names no {fk.table} row")
