"""Read TOML fact files into records, and report every problem they have.

The loader never raises on bad input: whatever the bytes, file names or
directory layout, it returns the records it could build and a list of
problems, each naming file, line and field. Every problem of every file comes
back at once: a record with a bad field is still built as far as it can be
(the bad field becomes None), its other fields and its references are still
checked, and its id still takes part in the duplicate-id check; only fully
valid records go into the FactBase. Knows nothing of the command line.

Each file is read into a factstore.FileResult (its problems, its other records, a small
ref per fact, its facts pickled by topic and years), on every core when there is much
to parse (forkmap); the checks across files run on the refs; the FactBase's facts are a
factstore.LazyFacts that unpickles facts only when asked for.

A string value that is a draft placeholder (records.is_placeholder: "TODO: entity …",
at any depth, in a list too) is reported first, as a problem of code "placeholder" on
its field's line, and that field is checked no further: an unfinished `corridor draft`
stub never loads.
"""

from __future__ import annotations

import datetime
import difflib
import json
import math
import os
import re
import sys
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import replace
from enum import Enum
from pathlib import Path, PurePosixPath, PureWindowsPath
from typing import TYPE_CHECKING, Any, TypeVar

from corridor_cli.fastclass import record
from corridor_cli.dates import DateError, PartialDate, Period
from corridor_cli.factfiles import (
    MAX_FACT_FILE_BYTES,
    ReadError,
    read_problem,
    read_regular,
    toml_files,
)
from corridor_cli.problems import Problem
from corridor_cli.safetext import display_path
from corridor_cli.cache import _MISS, Cache, content_digest, digest, hit
from corridor_cli.factstore import (
    Fetch, FactRef, FileResult, LazyFacts, Part, file_result, gc_paused,
)
if TYPE_CHECKING:  # tomllib and the layout scan are imported when a file is parsed:
    # a run served from the parse cache never needs them
    from corridor_cli.toml_layout import Layout, Place
from corridor_cli.records import (
    EventStatus,
    Basis,
    Bound,
    Change,
    Entity,
    Event,
    Fact,
    FactBase,
    Ignore,
    Metric,
    MetricKind,
    Origin,
    RELATION_ARITY,
    Relation,
    RelationKind,
    Source,
    Status,
    Topic,
    Unit,
    is_placeholder,
    normalise_name,
)

ENV_PATH = "CORRIDOR_FACTS_PATH"
KINDS = ("unit", "topic", "metric", "entity", "source", "fact", "event", "ignore")

_ID_RE = re.compile(r"[a-z0-9]+(?:[-_.][a-z0-9]+)*")
_METRIC_RE = re.compile(r"[a-z][a-z0-9]*(?:_[a-z0-9]+)*")
_TAG_RE = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
_TOML_POS_RE = re.compile(r"\(at line (\d+), column (\d+)\)")
_DIGIT_RUN_RE = re.compile(r"[0-9][0-9_]*")

E = TypeVar("E", bound=Enum)


def bundled_facts_dir() -> Path:
    """The fact base shipped with the package (or the checkout's facts/ in development)."""
    packaged = Path(__file__).resolve().parent / "facts"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parents[2] / "facts"


def fact_dirs(extra: Sequence[Path] = (), environ: Mapping[str, str] | None = None) -> list[Path]:
    """The bundled facts, then each CORRIDOR_FACTS_PATH entry, then each extra directory."""
    environ = os.environ if environ is None else environ
    from_env = [Path(p) for p in environ.get(ENV_PATH, "").split(os.pathsep) if p.strip()]
    dirs = [bundled_facts_dir(), *from_env, *extra]
    unique = {os.path.realpath(d): d for d in reversed(dirs)}  # each directory once, first place kept
    return [d for d in dirs if unique.get(os.path.realpath(d)) is d]


def closest(word: str, choices: Iterable[str]) -> str:
    """' (did you mean X?)' when a choice is close to word, else ''."""
    match = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f" (did you mean {match[0]!r}?)" if match else ""


# ---------------------------------------------------------------- one table's fields
class _Placeholder:
    """What a draft placeholder string reads as once reported: not a string, not missing."""

    def __repr__(self) -> str:
        return "<placeholder>"

    def __reduce__(self) -> str:
        return "_PLACEHOLDER"  # unpickled (from the cache) as the one instance


_PLACEHOLDER = _Placeholder()


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
        if is_placeholder(value):
            self.placeholders.add(key)
            self.ok = False
            self.problems.append(Problem(
                self.file, self.line_of(key), key, "placeholder",
                f"{self.label}: field {key!r} still holds the draft placeholder "
                f"{json.dumps(value.strip(), ensure_ascii=False)}: replace it before the "
                f"{self.kind} can load"))
            return _PLACEHOLDER
        if isinstance(value, dict):
            return {k: self._without_placeholders(v, f"{key}.{k}" if key else k)
                    for k, v in value.items()}
        if isinstance(value, list):
            return [self._without_placeholders(v, key) for v in value]
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


def read_file(path: Path, problems: list[Problem]) -> bytes | None:
    """The bytes of one fact file; a problem and None when it cannot be read (see
    factfiles.read_regular: never blocks, never more than MAX_FACT_FILE_BYTES)."""
    try:
        return read_regular(path, MAX_FACT_FILE_BYTES)
    except ReadError as exc:
        problems.append(read_problem(path, exc))
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
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - exercised only on Python 3.10
        import tomli as tomllib
    from corridor_cli.toml_layout import Layout

    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
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


# ---------------------------------------------------------------- across files
def _by_id(records: Iterable[Any], label: str, valid: dict[int, bool],
           problems: list[Problem]) -> dict[str, Any]:
    """The first record of each id, valid or not; a later one with the same id is a problem
    (and invalid). A record whose id did not read takes no part."""
    by_id: dict[str, Any] = {}
    for rec in records:
        if not isinstance(rec.id, str):
            continue
        first = by_id.get(rec.id)
        if first is not None:
            valid[id(rec)] = False
            problems.append(Problem(rec.origin.file, rec.origin.line_of("id"), "id",
                                    "duplicate-id",
                                    f"{label} id {rec.id!r} is already defined at {first.origin}"))
        else:
            by_id[rec.id] = rec
    return by_id


def _field_line(origin: Origin, key: str) -> int | None:
    lines = dict(origin.field_lines)
    return lines.get(key) or lines.get(key.split(".")[0]) or origin.line


def _check_refs(facts: Sequence[FactRef], events: Sequence[Event],
                vocab: Mapping[str, Mapping[str, Any]], valid: dict[int, bool],
                problems: list[Problem], ignores: Sequence[Ignore] = ()) -> None:
    """A problem for each reference, of any fact, event or ignore, that names nothing. A record
    is valid only if all it names is defined and valid; a reference to a record that is
    defined but invalid is not a problem of its own (that record's problem is)."""
    fact_ids = {f.id: f for f in facts if isinstance(f.id, str)}

    def check(record: FactRef | Event | Ignore, key: str, value: str | None, kind: str) -> None:
        if value is None:
            return
        table = fact_ids if kind == "fact" else vocab[kind]
        target = table.get(value)
        if target is None:
            valid[id(record)] = False
            rid = getattr(record, "id", None)  # an ignore has none
            label = rid if isinstance(rid, str) else type(record).__name__.lower()
            problems.append(Problem(record.origin.file, _field_line(record.origin, key),
                                    key, "unknown-ref",
                                    f"{label}: unknown {kind} {value!r}{closest(value, table)}"))
        elif kind != "fact" and not valid[id(target)]:
            valid[id(record)] = False

    sound: set[tuple] = set()  # what facts name that was found defined and valid before
    for f in facts:
        names = (f.topic, f.metric, f.entity, f.unit, f.source, f.change_unit)
        if names not in sound:  # many facts name the same: each set is checked once
            before = len(problems), valid[id(f)]
            valid[id(f)] = True
            check(f, "topic", f.topic, "topic")
            check(f, "metric", f.metric, "metric")
            check(f, "entity", f.entity, "entity")
            check(f, "unit", f.unit, "unit")
            check(f, "source", f.source, "source")
            check(f, "change.unit", f.change_unit, "unit")
            if len(problems) == before[0] and valid[id(f)]:
                sound.add(names)
            valid[id(f)] = valid[id(f)] and before[1]
        for other in f.disagrees_with:
            check(f, "disagrees_with", other, "fact")
        for other in f.relation_of:
            check(f, "relation.of", other, "fact")
    for e in events:
        check(e, "entity", e.entity, "entity")
        check(e, "source", e.source, "source")
    for i in ignores:
        check(i, "source", i.source, "source")
    # A fact that names an invalid one (disagrees_with, relation) is not valid either
    # (to a fixpoint).
    naming = [f for f in facts if f.disagrees_with or f.relation_of]
    changed = True
    while changed:
        changed = False
        for f in naming:
            named = (*f.disagrees_with, *f.relation_of)
            if valid[id(f)] and any(o in fact_ids and not valid[id(fact_ids[o])]
                                    for o in named):
                valid[id(f)], changed = False, True


def _check_names(entities: Mapping[str, Entity], problems: list[Problem]) -> None:
    """Each id, name and alias must identify one entity only, compared as --entity
    compares them (records.normalise_name: spacing collapsed, case folded)."""
    owner: dict[str, Entity] = {}
    for entity in entities.values():
        named: dict[str, str] = {}  # normalised name → the field that holds it
        for key, names in (("id", [entity.id]), ("name_zh", [entity.name_zh]),
                           ("name_en", [entity.name_en]), ("aliases", entity.aliases)):
            for name in names:
                if isinstance(name, str) and normalise_name(name):
                    named.setdefault(normalise_name(name), key)
        for name, key in named.items():
            other = owner.setdefault(name, entity)
            if other is not entity:
                problems.append(Problem(entity.origin.file, _field_line(entity.origin, key), key,
                                        "ambiguous-name",
                                        f"entity {entity.id!r}: name {name!r} also names "
                                        f"entity {other.id!r} ({other.origin})"))


def _problem(record: Any, key: str, code: str, message: str, valid: dict[int, bool],
             problems: list[Problem]) -> None:
    valid[id(record)] = False
    problems.append(Problem(record.origin.file, _field_line(record.origin, key), key, code, message))


def _check_metrics(metrics: Mapping[str, Metric], units: Iterable[Unit],
                   valid: dict[int, bool], problems: list[Problem]) -> None:
    """Each metric's bases are bases some unit has; a cumulative metric's `of` is a flow."""
    known = sorted({u.base for u in units if isinstance(u.base, str)})
    for m in metrics.values():
        for base in m.bases:
            if base not in known:
                _problem(m, "bases", "unknown-base",
                         f"metric {m.id!r}: no unit has base {base!r}{closest(base, known)}",
                         valid, problems)
        if m.of:
            flow = metrics.get(m.of)
            if flow is None:
                _problem(m, "of", "unknown-ref",
                         f"metric {m.id!r}: unknown metric {m.of!r}{closest(m.of, metrics)}",
                         valid, problems)
            elif flow.kind is not None and flow.kind is not MetricKind.flow:
                _problem(m, "of", "bad-ref", f"metric {m.id!r}: 'of' must name a flow, and "
                         f"{m.of!r} is a {flow.kind.value}", valid, problems)


def _check_hierarchy(entities: Mapping[str, Entity], valid: dict[int, bool],
                     problems: list[Problem]) -> None:
    """part_of names a defined entity, and following it never comes back round."""
    for e in entities.values():
        if e.part_of and e.part_of not in entities:
            _problem(e, "part_of", "unknown-ref", f"entity {e.id!r}: unknown entity "
                     f"{e.part_of!r}{closest(e.part_of, entities)}", valid, problems)
    done: set[str] = set()  # entities known to lead to the top or to a cycle already reported
    for start in entities.values():
        chain: dict[str, None] = {}  # ordered, with constant-time membership
        current: Entity | None = start
        while current is not None and current.id not in done and current.id not in chain:
            chain[current.id] = None
            current = entities.get(current.part_of) if current.part_of else None
        if current is not None and current.id in chain:  # came round: a new cycle
            ids = list(chain)
            cycle = ids[ids.index(current.id):]
            loop = " → ".join([*cycle, cycle[0]])
            for eid in cycle:
                _problem(entities[eid], "part_of", "part-of-cycle",
                         f"entity {eid!r}: part_of goes round in a cycle: {loop}", valid, problems)
        done.update(chain)


def _check_meaning(facts: Sequence[FactRef], metrics: Mapping[str, Metric],
                   units: Mapping[str, Unit], valid: dict[int, bool],
                   problems: list[Problem]) -> None:
    """Each fact fits its metric: a unit whose base the metric allows, a period of the
    right form for its kind (a flow for a period, a level at a point in time), and a
    change whose basis fits the period."""
    fitting: set[tuple] = set()  # metric, unit and period form found to fit before
    for f in facts:
        label = f"fact {f.id!r}" if isinstance(f.id, str) else "fact"
        form = (f.metric, f.unit, f.is_point)
        if form not in fitting:  # many facts share a form: each is checked once
            found = len(problems)
            metric = metrics.get(f.metric) if isinstance(f.metric, str) else None
            unit = units.get(f.unit) if isinstance(f.unit, str) else None
            if metric is not None and unit is not None and metric.bases \
                    and unit.base not in metric.bases:
                _problem(f, "unit", "unit-not-allowed",
                         f"{label}: unit {f.unit!r} is in {unit.base}, which metric {metric.id!r} "
                         f"is not stated in (it allows {', '.join(metric.bases)})", valid, problems)
            if metric is not None and metric.kind is not None and f.is_point is not None:
                if metric.kind is MetricKind.flow and f.is_point:
                    _problem(f, "as_of", "flow-as-of",
                             f"{label}: metric {metric.id!r} is a flow (an amount in a period): "
                             f"give the period it covers, not as_of", valid, problems)
                elif metric.kind.point_in_time and not f.is_point:
                    _problem(f, "period", "level-for-span",
                             f"{label}: metric {metric.id!r} is a {metric.kind.value} (a stock "
                             f"at a point in time): give as_of, not a period", valid, problems)
            if len(problems) == found:
                fitting.add(form)
        if f.basis_problem:  # worked out with the fact's file (factstore.ref_tuple)
            _problem(f, "change.basis", "bad-basis", f"{label}: {f.basis_problem}", valid,
                     problems)


def _check_relations(facts: Sequence[FactRef], units: Mapping[str, Unit],
                     valid: dict[int, bool], problems: list[Problem]) -> None:
    """A relation's facts are stated in bases its arithmetic can relate: a sum, an increase
    and an average increase in the fact's own base; a share and a growth in percent; the
    one fact an increase names alone carries a % change to reach back by."""
    by_id = {f.id: f for f in facts if isinstance(f.id, str)}

    def base(f: FactRef) -> str | None:
        unit = units.get(f.unit) if isinstance(f.unit, str) else None
        return unit.base if unit is not None else None

    for f in facts:
        kind = f.relation_kind
        if kind is None or not f.relation_of or base(f) is None:
            continue
        named = [by_id.get(i) for i in f.relation_of]
        if any(o is None or base(o) is None for o in named):
            continue  # an unknown or broken fact is reported as itself
        label = f"fact {f.id!r}"
        bases = sorted({base(o) for o in named})
        why = None
        if kind in (RelationKind.share, RelationKind.growth) and base(f) != "percent":
            why = f"a {kind.value} is stated in %, not in {f.unit}"
        elif kind in (RelationKind.sum, RelationKind.increase,
                        RelationKind.average_increase) and bases != [base(f)]:
            why = (f"a {kind.value} relates figures in the fact's own base ({base(f)}), "
                   f"not {', '.join(bases)}")
        elif kind is RelationKind.growth and len(bases) > 1:
            why = f"a growth relates two figures in one base, not {' and '.join(bases)}"
        elif kind is RelationKind.increase and len(named) == 1 and not (
                named[0].change_unit == "%"
                and named[0].change_basis is Basis.yoy):
            why = (f"an increase from one fact reaches back by that fact's year-on-year % "
                   f"change, and {named[0].id!r} has none: name [earlier, later] instead")
        if why:
            _problem(f, "relation", "bad-relation", f"{label}: {why}", valid, problems)


@record
class Loaded:
    """What load_full found: the valid records, every problem, and every fact and event read."""

    base: FactBase  # only fully valid records whose references all resolve
    problems: list[Problem]
    all_facts: Sequence[Fact]  # every [[fact]] table read, valid or not (bad fields None)
    all_events: tuple[Event, ...] = ()  # every [[event]] table read, valid or not
    all_sources: tuple[Source, ...] = ()  # every [[source]] table read, valid or not
    all_ignores: tuple[Ignore, ...] = ()  # every [[ignore]] table read, valid or not


# A file this much (in bytes, all files to parse together) or more is parsed by a pool of
# processes, one per core: below it, starting them costs more than it saves.
PARALLEL_BYTES = 2_000_000

_JOB: tuple[list[tuple[Path, Path, bytes | None, str]], Cache | None] | None = None


def _entry_name(path: Path, root: Path) -> str:
    return "file-" + digest(os.path.realpath(path), os.fspath(root), display_path(path))


def _parse(path: Path, root: Path, data: bytes) -> FileResult:
    """One file's bytes as a FileResult (read_records, looked up here so that a test can
    count the parses)."""
    problems: list[Problem] = []
    records = read_records(path, root, problems, data)
    return file_result(display_path(path), os.fspath(root), problems, records)


def _work(index: int) -> tuple[int, FileResult]:
    """Parse file number index of the job and store the result in the cache (in a worker
    process, or in this one)."""
    contents, cache = _JOB  # type: ignore[misc]
    path, root, data, key = contents[index]
    result = _parse(path, root, data)  # type: ignore[arg-type]
    if cache is not None:
        _store(cache, path, root, key, result)
    return index, result


def _store(cache: Cache, path: Path, root: Path, key: str, result: FileResult) -> None:
    """A file's result in two entries: its facts' blobs, each read alone, and the rest."""
    name = _entry_name(path, root)
    cache.put_parts(name, key, result.blobs or {})
    cache.put(name, key, result.without_blobs())


def _alone() -> bool:
    """Whether this process runs no other thread: forking one that does risks a child
    stuck on a lock another thread held."""
    threading = sys.modules.get("threading")
    return threading is None or threading.active_count() == 1


def _cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):  # pragma: no cover - not Linux
        return os.cpu_count() or 1


def _parse_all(todo: list[int], contents: list[tuple[Path, Path, bytes | None, str]],
               cache: Cache | None) -> Iterator[tuple[int, FileResult]]:
    """_work for each index in todo: in forked processes, one per core, when there is
    enough to parse and the platform forks (forkmap); else here, one after the other."""
    global _JOB
    _JOB = (contents, cache)
    try:
        size = sum(len(contents[i][2] or b"") for i in todo)
        workers = min(_cores(), len(todo))
        if workers > 1 and size >= PARALLEL_BYTES and _alone() and sys.platform.startswith("linux"):
            from corridor_cli.forkmap import fork_map

            for _, done in fork_map(_work, todo, workers):
                yield done
            return
        for index in todo:
            yield _work(index)
    finally:
        _JOB = None


def _from_memory(result: FileResult) -> Fetch:
    blobs = result.blobs or {}
    return lambda keys: blobs


def _from_cache(cache: Cache, path: Path, root: Path, data: bytes, key: str) -> Fetch:
    """A file's fact blobs from its cache entry, or parsed again from the bytes this load
    read when the entry is gone or unreadable."""
    def fetch(keys: list) -> dict:
        name = _entry_name(path, root)
        stored = cache.get_parts(name, key, keys)
        if hit(stored):
            return stored
        result = _parse(path, root, data)
        _store(cache, path, root, key, result)
        return result.blobs or {}
    return fetch


def load_full(dirs: Sequence[Path], cache: Cache | None = None) -> Loaded:
    """Load every fact file under dirs: the valid records, all problems at once, and
    every fact and event read (for checks that should see invalid ones too).

    With a cache, a file whose bytes were loaded before is not parsed again, and when
    every file is as it was (the same bytes, names and directories), the result of the
    checks across files is taken as it was stored. Facts come as factstore.LazyFacts:
    a fact is unpickled only when asked for (a query for one topic reads that topic's)."""
    with gc_paused():
        return _load_full(dirs, cache)


def _load_full(dirs: Sequence[Path], cache: Cache | None) -> Loaded:
    problems: list[Problem] = []
    files: list[Path] = []
    watched: list[Path] = []
    contents: list[tuple[Path, Path, bytes | None, str]] = []  # with the bytes' digest
    for path, root in toml_files(dirs, problems, watched):
        files.append(Path(os.path.realpath(path)))
        data = read_file(path, problems)
        contents.append((path, root, data,
                         content_digest(data) if cache is not None and data is not None else ""))
    whole_name = whole_key = ""
    if cache is not None:
        whole_name = "base-" + digest(*(os.fspath(d) for d in dirs))
        whole_key = digest(repr(problems), *(os.fspath(w) for w in watched), *(
            part for (path, root, data, key), real in zip(contents, files)
            for part in (os.fspath(real), os.fspath(path), os.fspath(root),
                         key if data is not None else "unreadable")))
        stored = cache.get(whole_name, whole_key)
        if hit(stored) and _is_checked(stored, len(contents)):
            return _checked(stored, contents, cache)
    results: list[FileResult | None] = [None] * len(contents)
    todo = []
    for index, (path, root, data, key) in enumerate(contents):
        if data is None:
            continue
        stored = cache.get(_entry_name(path, root), key) if cache is not None else _MISS
        if hit(stored) and isinstance(stored, FileResult):
            results[index] = stored
        else:
            todo.append(index)
    for index, result in _parse_all(todo, contents, cache):
        results[index] = result
        path, root, _, key = contents[index]
        contents[index] = (path, root, None, key)  # its result holds its blobs (memory)

    valid: dict[int, bool] = {}  # by id() of the record
    collected: dict[str, list[Any]] = {kind: [] for kind in KINDS}
    refs: list[list[FactRef]] = []  # each file's facts' refs
    for result in results:
        file_refs = []
        if result is not None:
            problems.extend(result.problems)
            for record, ok in result.others:
                collected[type(record).__name__.lower()].append(record)
                valid[id(record)] = ok
            file_refs = result.fact_refs()
            for ref in file_refs:
                valid[id(ref)] = ref.ok
        refs.append(file_refs)
    every_ref = [ref for file_refs in refs for ref in file_refs]
    vocab = {kind: _by_id(collected[kind], kind, valid, problems)
             for kind in ("unit", "topic", "metric", "entity", "source")}
    _check_metrics(vocab["metric"], vocab["unit"].values(), valid, problems)
    _check_hierarchy(vocab["entity"], valid, problems)
    # Facts and events share one namespace: `corridor show ID` finds either.
    _by_id([*every_ref, *collected["event"]], "fact/event", valid, problems)
    _check_names(vocab["entity"], problems)
    _check_refs(every_ref, collected["event"], vocab, valid, problems, collected["ignore"])
    _check_meaning(every_ref, vocab["metric"], vocab["unit"], valid, problems)
    _check_relations(every_ref, vocab["unit"], valid, problems)

    def ok(kind: str) -> dict[str, Any]:
        return {rid: r for rid, r in vocab[kind].items() if valid[id(r)]}

    base = FactBase(ok("unit"), ok("topic"), ok("metric"), ok("entity"), ok("source"),
                    (), tuple(e for e in collected["event"] if valid[id(e)]),
                    files=tuple(files), dirs=tuple(Path(d) for d in dirs),
                    watched_dirs=tuple(watched),
                    ignores=tuple(i for i in collected["ignore"] if valid[id(i)]))
    index = [(i, result.counts, frozenset(r.seq for r in refs[i] if not valid[id(r)]))
             for i, result in enumerate(results) if result is not None]
    checked = (base, problems, tuple(collected["event"]), tuple(collected["source"]),
               tuple(collected["ignore"]), index)
    if cache is not None:
        cache.put(whole_name, whole_key, checked)
    fetchers = {}
    for i, result in enumerate(results):
        if result is not None:
            path, root, data, key = contents[i]
            fetchers[i] = _from_memory(result) if result.blobs is not None else \
                _from_cache(cache, path, root, data, key)  # type: ignore[arg-type]
    return _loaded(checked, fetchers)


def _loaded(checked: tuple, fetchers: Mapping[int, Fetch]) -> Loaded:
    base, problems, events, sources, ignores, index = checked
    valid = LazyFacts([Part(counts, skip, fetchers[i]) for i, counts, skip in index])
    every = LazyFacts([Part(counts, frozenset(), fetchers[i]) for i, counts, _ in index]) \
        if any(skip for _, _, skip in index) else valid
    return Loaded(replace(base, facts=valid), problems, every, events, sources, ignores)


def _is_checked(stored: Any, files: int) -> bool:
    """Whether a stored value has the shape _load_full stores (else it is a miss: written
    by something else under the same name)."""
    return (isinstance(stored, tuple) and len(stored) == 6 and isinstance(stored[0], FactBase)
            and isinstance(stored[5], list) and all(
                isinstance(i, int) and 0 <= i < files and isinstance(counts, dict)
                and all(isinstance(k, tuple) and len(k) == 3 for k in counts)
                for i, counts, _ in stored[5]))


def _checked(checked: tuple, contents: list[tuple[Path, Path, bytes | None, str]],
             cache: Cache) -> Loaded:
    """A stored result of the checks, its facts read from each file's cache entry."""
    fetchers = {}
    for i, _, _ in checked[5]:
        path, root, data, key = contents[i]
        fetchers[i] = _from_cache(cache, path, root, data, key)  # type: ignore[arg-type]
    return _loaded(checked, fetchers)


def load(dirs: Sequence[Path], cache: Cache | None = None) -> tuple[FactBase, list[Problem]]:
    """Load every fact file under dirs. Returns the valid records and all problems found."""
    loaded = load_full(dirs, cache)
    return loaded.base, loaded.problems
