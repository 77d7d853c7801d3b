"""One fact file's bytes to records: TOML parsed, each table's fields read and checked.

Whatever the bytes, read_records returns the records it could build, each with whether
all its fields are valid, and a problem for everything wrong, each naming file, line and
field: a record with a bad field is still built as far as it can be (the bad field
becomes None). A string value that is a draft placeholder (records.is_placeholder) is
reported as a problem of code "placeholder" on its field's line and checked no further.

Imported only when a file is parsed (loader._parse): a run served from the parse cache
never needs tomli, the layout scan or the field checks.
"""

from __future__ import annotations

import datetime
import json
import math
import os
import re
import sys
import unicodedata
from collections.abc import Callable
from enum import Enum
from pathlib import PurePosixPath, PureWindowsPath
from typing import TYPE_CHECKING, Any, TypeVar

from corridor_cli.dates import DateError, PartialDate, Period
from corridor_cli.factfiles import read_file
from corridor_cli.problems import Problem, closest
from corridor_cli.records import (
    KINDS,
    RELATION_ARITY,
    Basis,
    Bound,
    Change,
    Entity,
    Event,
    EventStatus,
    Fact,
    Ignore,
    Metric,
    MetricKind,
    Origin,
    Relation,
    RelationKind,
    Source,
    Status,
    Topic,
    Unit,
    PLACEHOLDER,
    is_placeholder,
)
from corridor_cli.safetext import display_path

if TYPE_CHECKING:
    from pathlib import Path

    from corridor_cli.toml_layout import Layout, Place

_ID_RE = re.compile(r"[a-z0-9]+(?:[-_.][a-z0-9]+)*")
_METRIC_RE = re.compile(r"[a-z][a-z0-9]*(?:_[a-z0-9]+)*")
_TAG_RE = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
_TOML_POS_RE = re.compile(r"\(at line (\d+), column (\d+)\)")
_DIGIT_RUN_RE = re.compile(r"[0-9][0-9_]*")

E = TypeVar("E", bound=Enum)

# ---------------------------------------------------------------- one table's fields
class _Placeholder:
    """What a draft placeholder string reads as once reported: not a string, not missing."""

    def __repr__(self) -> str:
        return "<placeholder>"

    def __reduce__(self) -> str:
        return "_PLACEHOLDER"  # unpickled (from the cache) as the one instance


_PLACEHOLDER = _Placeholder()


def _inert(value: Any) -> bool:
    """Whether value can hold no draft placeholder: a string without PLACEHOLDER in it
    anywhere, or a value that is neither a string, a table nor a list (a quick test that
    spares the pattern and the walk for nearly every value)."""
    if isinstance(value, str):
        return PLACEHOLDER not in value
    return not isinstance(value, (dict, list))


class _Table:
    """Reads and checks the fields of one raw table, collecting problems.

    A field that fails its check reads as None (or its default) and sets ok to
    False; the other fields are still read and checked.
    """

    def __init__(self, raw: dict[str, Any], kind: str, file: str, root: str,
                 place: Place | None, problems: list[Problem]) -> None:
        self.raw, self.kind, self.file, self.root = raw, kind, file, root
        self.start = place.line if place is not None else None
        self.fields = place.fields if place is not None else {}
        self.problems = problems
        self.seen: set[str] = set()
        self.ok = True
        rid = raw.get("id")
        self.label = f"{kind} {rid!r}" if isinstance(rid, str) and not is_placeholder(rid) \
            else kind
        # Draft placeholders first: each is a problem of its own, its field reads as
        # _PLACEHOLDER (not a string, not missing) and no other check reports on it.
        self.placeholders: set[str] = set()
        self.raw = self._without_placeholders(raw, "")

    @property
    def origin(self) -> Origin:
        # keys interned: one string per field name across all records (memory, pickle size)
        return Origin(self.file, self.start,
                      tuple((sys.intern(k), v) for k, v in self.fields.items()), self.root)

    def line_of(self, key: str) -> int | None:
        """The line of a field (change.basis: its own line, else change's), else the table's."""
        line = self.fields.get(key)
        if line is None and "." in key:
            line = self.fields.get(key.split(".")[0])
        return line or self.start

    def problem(self, key: str, code: str, message: str) -> None:
        self.ok = False
        if key in self.placeholders and code != "unknown-field":
            return  # the placeholder is the field's problem: nothing more to say of it
        self.problems.append(Problem(self.file, self.line_of(key), key, code,
                                     f"{self.label}: {message}"))

    def _without_placeholders(self, value: Any, key: str) -> Any:
        """value with every draft placeholder string in it (at any depth: a table's
        values, a list's entries) reported and replaced by _PLACEHOLDER. key: the dotted
        path of value in the record ("" for the record itself); an entry of a list is
        reported under the list's key."""
        if isinstance(value, str) and PLACEHOLDER in value and is_placeholder(value):
            self.placeholders.add(key)
            self.ok = False
            self.problems.append(Problem(
                self.file, self.line_of(key), key, "placeholder",
                f"{self.label}: field {key!r} still holds the draft placeholder "
                f"{json.dumps(value.strip(), ensure_ascii=False)}: replace it before the "
                f"{self.kind} can load"))
            return _PLACEHOLDER
        if isinstance(value, dict):
            return {k: v if _inert(v) else self._without_placeholders(v, f"{key}.{k}" if key else k)
                    for k, v in value.items()}
        if isinstance(value, list):
            return [v if _inert(v) else self._without_placeholders(v, key) for v in value]
        return value

    def get(self, key: str, required: bool) -> Any:
        self.seen.add(key)
        if key not in self.raw:
            if required:
                self.problem(key, "missing-field", f"required field {key!r} is missing")
            return None
        value = self.raw[key]
        return None if value is _PLACEHOLDER else value

    def text(self, key: str, required: bool = True, pattern: re.Pattern[str] | None = None,
             form: str = "") -> str | None:
        value = self.get(key, required)
        if value is None:
            return None if required else ""
        if not isinstance(value, str):
            self.problem(key, "type-error", f"{key} must be a string, not {_type_name(value)}")
            return None
        if required and not value.strip():
            self.problem(key, "empty-field", f"{key} must not be empty")
            return None
        if pattern is not None and not pattern.fullmatch(value):
            self.problem(key, "bad-format", f"{key} {value!r} is not {form}")
            return None
        return value

    def number(self, key: str, required: bool = True, value: Any = None) -> int | float | None:
        if value is None:
            value = self.get(key, required)
            if value is None:
                return None
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            self.problem(key, "type-error", f"{key} must be a number, not {_type_name(value)}")
            return None
        if isinstance(value, float) and not math.isfinite(value):
            self.problem(key, "non-finite", f"{key} must be a finite number, not {value}")
            return None
        return value

    def choice(self, key: str, enum: type[E], default: E | None = None, value: Any = None) -> E | None:
        if value is None:
            value = self.get(key, default is None)
            if value is None:
                return default
        names = [member.value for member in enum]
        if not isinstance(value, str) or value not in names:
            self.problem(key, "bad-choice",
                         f"{key} must be one of {', '.join(names)}, not {_describe(value)}")
            return None
        return enum(value)

    def strings(self, key: str, pattern: re.Pattern[str] | None = None, form: str = "") -> tuple[str, ...]:
        value = self.get(key, False)
        if value is None:
            return ()
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self.problem(key, "type-error", f"{key} must be a list of strings")
            return ()
        if pattern is not None:
            for v in value:
                if not pattern.fullmatch(v):
                    self.problem(key, "bad-format", f"{key} entry {v!r} is not {form}")
        return tuple(value)

    def date(self, key: str, required: bool = True) -> PartialDate | None:
        value = self.text(key, required)
        if value == "" and key in self.raw:
            self.problem(key, "empty-field", f"{key} must be a date or left out, not empty")
            return None
        if not value:
            return None
        try:
            return PartialDate.parse(value)
        except DateError as exc:
            self.problem(key, "bad-date", str(exc))
            return None

    def finish(self) -> None:
        for key in self.raw:
            if key not in self.seen:
                self.problem(key, "unknown-field",
                             f"unknown field {key!r}{closest(key, self.seen)}")


_TYPE_NAMES = {str: "a string", int: "an integer", float: "a decimal", bool: "a boolean",
               list: "an array", dict: "a table", datetime.datetime: "a date-time",
               datetime.date: "a date", datetime.time: "a time"}


def _type_name(value: Any) -> str:
    """The TOML type of a value, as a user writes of it: "an integer", "a date-time"."""
    return _TYPE_NAMES.get(type(value), "a value")


def _describe(value: Any) -> str:
    """A value as a message shows it, never as Python's repr: a string quoted; a boolean,
    integer or decimal by its TOML type and value ("a boolean (true)", "an integer (12)");
    anything else by its TOML type alone ("a time", "a date-time", "a table", "an array")."""
    if isinstance(value, str):
        return repr(value)
    if isinstance(value, bool):
        return f"a boolean ({'true' if value else 'false'})"
    if isinstance(value, int):
        digits = str(value) if abs(value) < 10**20 else ""
        return f"an integer ({digits})" if digits else "an integer"
    if isinstance(value, float):
        text = "nan" if math.isnan(value) else "inf" if value == math.inf \
            else "-inf" if value == -math.inf else repr(value)
        return f"a decimal ({text})"
    return _type_name(value)


# ---------------------------------------------------------------- one record of each kind
# Each builder returns the record with every field it could read (a failed one is
# None); _Table.ok says whether all of them were valid.
def _unit(t: _Table) -> Unit:
    uid, zh, en = t.text("id"), t.text("name_zh"), t.text("name_en")
    scale, base = t.number("scale"), t.text("base")
    if scale is not None and scale <= 0:
        t.problem("scale", "bad-value", "scale must be positive")
        scale = None
    discrete = t.get("discrete", False)
    if discrete is None:
        discrete = False
    elif not isinstance(discrete, bool):
        t.problem("discrete", "type-error", f"discrete must be true or false, not "
                  f"{_describe(discrete)}")
        discrete = False
    elif discrete and scale is not None and scale != 1:
        t.problem("discrete", "bad-value", "only a unit of scale 1 counts whole things one by "
                  "one (12 万户 is rounded to 万): leave discrete out")
        discrete = False
    t.finish()
    return Unit(uid, zh, en, scale, base, t.origin, discrete)


def _topic(t: _Table) -> Topic:
    tid = t.text("id", pattern=_ID_RE, form="a lower-case id such as 'trains'")
    zh, en = t.text("name_zh"), t.text("name_en")
    t.finish()
    return Topic(tid, zh, en, t.origin)


def _metric(t: _Table) -> Metric:
    mid = t.text("id", pattern=_METRIC_RE, form="a snake_case id such as 'trains_run'")
    zh, en, definition = t.text("name_zh"), t.text("name_en"), t.text("definition")
    kind = t.choice("kind", MetricKind)
    bases = t.strings("bases")
    if "bases" not in t.raw:
        t.problem("bases", "missing-field", "required field 'bases' is missing: list the unit "
                  "bases the metric may be stated in, such as [\"CNY\", \"USD\"]")
    elif not bases and t.ok:
        t.problem("bases", "empty-field", "bases must name at least one unit base")
    of = t.text("of", required=False, pattern=_METRIC_RE, form="a metric id")
    if kind is MetricKind.cumulative and of == "" and "of" not in t.raw:
        t.problem("of", "missing-field", "a cumulative metric names the flow it accumulates "
                  "in 'of', such as of = \"trains_run\"")
    elif kind is not None and kind is not MetricKind.cumulative and "of" in t.raw:
        t.problem("of", "bad-field", f"only a cumulative metric has 'of'; this one is a {kind.value}")
    t.finish()
    return Metric(mid, zh, en, definition, kind, bases, of or "", t.origin)


def _entity(t: _Table) -> Entity:
    eid = t.text("id", pattern=_ID_RE, form="a kebab-case id such as 'jiangjin-cbz'")
    zh, en, kind = t.text("name_zh"), t.text("name_en"), t.text("kind")
    aliases = t.strings("aliases")
    part_of = t.text("part_of", required=False, pattern=_ID_RE, form="an entity id")
    if part_of and part_of == eid:
        t.problem("part_of", "part-of-cycle", f"entity {eid!r} cannot be part of itself")
        part_of = None
    t.finish()
    return Entity(eid, zh, en, kind, aliases, t.origin, part_of or "")


def unsafe_source_file(name: str) -> str | None:
    """Why a source's `file` is not a relative path that stays inside the directory it
    is looked up in, or None when it is one."""
    if any(unicodedata.category(c) in ("Cc", "Zl", "Zp") for c in name):
        return "contains a control character"
    if "\\" in name:
        return "contains a backslash: separate folders with /"
    if PurePosixPath(name).is_absolute() or PureWindowsPath(name).drive:
        return "is an absolute path: give a path relative to the source texts' directory"
    parts = name.split("/")
    if ".." in parts:
        return "has a '..' component: it must stay inside the source texts' directory"
    if all(part.strip() in ("", ".") for part in parts):
        return "names no file"
    return None


def _source_file(t: _Table) -> str | None:
    value = t.get("file", True)
    if value is None:
        return None
    if not isinstance(value, str):
        t.problem("file", "type-error", f"file must be a string, not {_type_name(value)}")
        return None
    why = unsafe_source_file(value)
    if why is not None:
        t.problem("file", "bad-source-file", f"file {value!r} {why}")
        return None
    return value


def _source(t: _Table) -> Source:
    sid = t.text("id", pattern=_ID_RE, form="a kebab-case id")
    title_zh, title_en = t.text("title_zh"), t.text("title_en")
    pub_zh, pub_en = t.text("publication_zh", False), t.text("publication_en", False)
    file, authors = _source_file(t), t.strings("authors")
    date, note = t.date("date", required=False), t.text("note", False)
    heading, opening = t.text("heading", False), t.text("opening", False)
    for key, value in (("heading", heading), ("opening", opening)):
        if value is not None and key in t.raw and not value.strip():
            t.problem(key, "empty-field", f"{key} must not be empty: give the article's "
                      f"{'heading line' if key == 'heading' else 'first words'} or leave it out")
    t.finish()
    return Source(sid, title_zh, title_en, pub_zh, pub_en, file, authors, date, note, t.origin,
                  heading or "", opening or "")


def _period(t: _Table) -> Period | None:
    """The fact's period: from `period` or from `as_of`, exactly one of which is given.
    Each one given is checked in full (type, date) even when both are, so that one
    run reports every problem of both."""
    has_period, has_as_of = "period" in t.raw, "as_of" in t.raw
    if has_period == has_as_of:
        t.seen.update({"period", "as_of"})
        t.problem("period", "bad-period", "give exactly one of period and as_of")
    read = {}
    for key, parse in (("period", Period.parse), ("as_of", Period.as_of)):
        if key not in t.raw:
            continue
        text = t.text(key)
        if text is None:
            continue
        try:
            read[key] = parse(text)
        except DateError as exc:
            t.problem(key, "bad-date", str(exc))
    return next(iter(read.values())) if len(read) == 1 and has_period != has_as_of else None


def _change(t: _Table) -> Change | None:
    """The change table as far as it reads (a bad part is None); None when there is none."""
    raw = t.raw.get("change")
    t.seen.add("change")
    if raw is None:
        return None
    if not isinstance(raw, dict):
        t.problem("change", "type-error", "change must be a table such as "
                  "{ value = 2.3, unit = \"%\", basis = \"yoy\" }")
        return None
    value = t.number("change.value", value=raw["value"]) if "value" in raw else None
    if "value" not in raw:
        t.problem("change.value", "missing-field", "required field 'change.value' is missing")
    unit = raw.get("unit")
    if not isinstance(unit, str) or not unit:
        t.problem("change.unit", "missing-field", "change.unit must be a unit such as \"%\"")
        unit = None
    basis = t.choice("change.basis", Basis, Basis.yoy, value=raw.get("basis")) \
        if "basis" in raw else Basis.yoy
    bound = t.choice("change.bound", Bound, Bound.exact, value=raw.get("bound")) \
        if "bound" in raw else Bound.exact
    for key in raw:
        if key not in ("value", "unit", "basis", "bound"):
            t.problem(f"change.{key}", "unknown-field", f"unknown field 'change.{key}'")
    return Change(value, unit, basis, bound)


def _relation(t: _Table) -> Relation | None:
    """The relation table as far as it reads; None when there is none or it is bad."""
    raw = t.raw.get("relation")
    t.seen.add("relation")
    if raw is None:
        return None
    example = 'relation = { kind = "sum", of = ["fact-a", "fact-b"] }'
    if not isinstance(raw, dict):
        t.problem("relation", "type-error", f"relation must be a table such as {example}")
        return None
    kind = t.choice("relation.kind", RelationKind, value=raw.get("kind")) \
        if "kind" in raw else None
    if "kind" not in raw:
        t.problem("relation.kind", "missing-field", "required field 'relation.kind' is missing: "
                  f"one of {', '.join(k.value for k in RelationKind)}")
    of = raw.get("of")
    if not isinstance(of, list) or not of or not all(isinstance(v, str) for v in of):
        t.problem("relation.of", "type-error" if "of" in raw else "missing-field",
                  f"relation.of must list the fact ids it relates, as in {example}")
        of = None
    else:
        for v in of:
            if not _ID_RE.fullmatch(v):
                t.problem("relation.of", "bad-format", f"relation.of entry {v!r} is not a fact id")
        if len(set(of)) < len(of):
            t.problem("relation.of", "bad-value", "relation.of names a fact twice")
    for key in raw:
        if key not in ("kind", "of"):
            t.problem(f"relation.{key}", "unknown-field", f"unknown field 'relation.{key}'")
    if kind is not None and of is not None:
        fewest, most = RELATION_ARITY[kind]
        if len(of) < fewest or (most is not None and len(of) > most):
            count = str(fewest) if fewest == most else \
                f"{fewest} or {most}" if most else f"at least {fewest}"
            t.problem("relation.of", "bad-value", f"a {kind.value} relation names {count} "
                      f"fact(s), not {len(of)}")
    if kind is None or of is None:
        return None
    return Relation(kind, tuple(of))


def _fact(t: _Table) -> Fact:
    fid = t.text("id", pattern=_ID_RE, form="a kebab-case id such as 'jiangjin-trains-2022'")
    topic, entity = t.text("topic"), t.text("entity")
    metric = t.text("metric", pattern=_METRIC_RE, form="a snake_case id such as 'trains_run'")
    value, value_max = t.number("value"), t.number("value_max", required=False)
    unit = t.text("unit")
    bound = t.choice("bound", Bound, Bound.exact)
    status = t.choice("status", Status)
    period = _period(t)
    change = _change(t)
    label_zh, label_en = t.text("label_zh"), t.text("label_en")
    source, quote, note = t.text("source"), t.text("quote"), t.text("note", False)
    disagrees_with = t.strings("disagrees_with", pattern=_ID_RE, form="a fact id")
    relation = _relation(t)
    if relation is not None and fid in relation.of:
        t.problem("relation.of", "bad-value", "a fact cannot be related to itself")
    if value is not None and value_max is not None and value_max <= value:
        t.problem("value_max", "bad-value", f"value_max {value_max} must exceed value {value}")
    t.finish()
    return Fact(fid, topic, entity, metric, value, unit, status, period, label_zh, label_en,
                source, quote, bound, value_max, change, note, disagrees_with, t.origin,
                relation)


def _event(t: _Table) -> Event:
    eid = t.text("id", pattern=_ID_RE, form="a kebab-case id")
    date = t.date("date")
    title_zh, title_en = t.text("title_zh"), t.text("title_en")
    entity, source, quote = t.text("entity"), t.text("source"), t.text("quote")
    tags = t.strings("tags", pattern=_TAG_RE, form="a kebab-case tag such as 'first-train'")
    note = t.text("note", False)
    status = t.choice("status", EventStatus, EventStatus.actual)
    t.finish()
    return Event(eid, date, title_zh, title_en, entity, source, quote, tags, note, t.origin,
                 status)


def _ignore(t: _Table) -> Ignore:
    """A printed figure consciously not recorded: its source, the text as printed (checked
    against the source text like a quote) and why."""
    source, text, reason = t.text("source"), t.text("text"), t.text("reason")
    note = t.text("note", False)
    t.finish()
    return Ignore(source, text, reason, note or None, t.origin)


_BUILDERS: dict[str, Callable[[_Table], Any]] = {
    "unit": _unit, "topic": _topic, "metric": _metric, "entity": _entity,
    "source": _source, "fact": _fact, "event": _event, "ignore": _ignore,
}


# ---------------------------------------------------------------- reading files
def _long_number_line(text: str) -> int | None:
    """The line of the first integer longer than Python reads (4300 digits)."""
    limit = sys.get_int_max_str_digits() if hasattr(sys, "get_int_max_str_digits") else 4300
    for m in _DIGIT_RUN_RE.finditer(text):
        if len(m.group()) > limit and len(m.group().replace("_", "")) > limit:
            return text.count("\n", 0, m.start()) + 1
    return None


def parse_file(path: Path, problems: list[Problem],
               data: bytes | None = None) -> tuple[dict[str, Any], Layout] | None:
    """One file (its bytes, when already read) as UTF-8 TOML; a problem and None when it
    cannot be read or parsed."""
    name = display_path(path)
    if data is None:
        data = read_file(path, problems)
        if data is None:
            return None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        problems.append(Problem(name, line, "", "not-utf8",
                                f"not UTF-8 text (byte 0x{data[exc.start]:02x} at offset {exc.start})"))
        return None
    text = text.removeprefix("\ufeff")
    import tomli  # the parser (see pyproject.toml for why tomli and not tomllib)

    from corridor_cli.toml_layout import Layout

    try:
        doc = tomli.loads(text)
    except tomli.TOMLDecodeError as exc:
        m = _TOML_POS_RE.search(str(exc))
        if m:
            line = int(m.group(1))
        elif "end of document" in str(exc):  # a truncated file: the error is on its last line
            line = max(1, text.count("\n") + (0 if text.endswith("\n") else 1))
        else:
            line = None
        message = _TOML_POS_RE.sub("", str(exc)).strip()
        problems.append(Problem(name, line, "", "toml-syntax", f"invalid TOML: {message}"))
        return None
    except ValueError:  # not a TOMLDecodeError: an integer too long for int()
        problems.append(Problem(name, _long_number_line(text), "", "bad-number",
                                "invalid TOML: an integer with more digits than can be read"))
        return None
    except RecursionError:
        problems.append(Problem(name, None, "", "too-deep", "invalid TOML: nested too deeply to read"))
        return None
    return doc, Layout(text)


def read_records(path: Path, root: Path, problems: list[Problem],
                 data: bytes | None = None) -> list[tuple[Any, bool]]:
    """Every record of one file, built as far as it can be, each with whether all its
    fields are valid; problems for everything wrong with the file."""
    parsed = parse_file(path, problems, data)
    if parsed is None:
        return []
    doc, layout = parsed
    name, root_text = display_path(path), os.fspath(root)
    records: list[tuple[Any, bool]] = []
    for kind, tables in doc.items():
        if kind not in KINDS:
            problems.append(Problem(name, layout.first_line.get(kind), kind, "unknown-table",
                                    f"unknown table {kind!r}{closest(kind, KINDS)}; "
                                    f"expected [[{']], [['.join(KINDS)}]]"))
            continue
        if not isinstance(tables, list):
            problems.append(Problem(name, layout.first_line.get(kind), kind, "type-error",
                                    f"{kind} must be an array of tables: write [[{kind}]]"))
            continue
        for index, raw in enumerate(tables):
            place = layout.place(kind, index)
            if not isinstance(raw, dict):
                line = place.line if place is not None else layout.first_line.get(kind)
                problems.append(Problem(name, line, kind, "type-error",
                                        f"{kind} entries must be tables, not {_type_name(raw)}"))
                continue
            table = _Table(raw, kind, name, root_text, place, problems)
            records.append((_BUILDERS[kind](table), table.ok))
    return records
