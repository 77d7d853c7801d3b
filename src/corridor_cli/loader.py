"""Read TOML fact files into records, and report every problem they have.

The loader never raises on bad input: whatever the bytes, it returns the
records it could build and a list of problems, each naming file, line and
field. Knows nothing of the command line.
"""

from __future__ import annotations

import difflib
import math
import os
import re
import sys
from collections.abc import Callable, Iterable, Mapping, Sequence
from enum import Enum
from pathlib import Path
from typing import Any, TypeVar

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised only on Python 3.10
    import tomli as tomllib

from corridor_cli.dates import DateError, PartialDate, Period
from corridor_cli.problems import Problem
from corridor_cli.records import (
    Basis,
    Bound,
    Change,
    Entity,
    Event,
    Fact,
    FactBase,
    Origin,
    Source,
    Status,
    Topic,
    Unit,
)

ENV_PATH = "CORRIDOR_FACTS_PATH"
KINDS = ("unit", "topic", "entity", "source", "fact", "event")

_ID_RE = re.compile(r"[a-z0-9]+(?:[-_.][a-z0-9]+)*")
_METRIC_RE = re.compile(r"[a-z][a-z0-9]*(?:_[a-z0-9]+)*")
_TAG_RE = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
_TOML_POS_RE = re.compile(r"\(at line (\d+), column (\d+)\)")

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
    return [bundled_facts_dir(), *from_env, *extra]


def closest(word: str, choices: Iterable[str]) -> str:
    """' (did you mean X?)' when a choice is close to word, else ''."""
    match = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f" (did you mean {match[0]!r}?)" if match else ""


class _Lines:
    """Finds the line of a table or a field in TOML text, which tomllib does not report."""

    _HEADER = re.compile(r"\s*\[\[\s*([A-Za-z0-9_-]+)\s*\]\]")
    _ANY_HEADER = re.compile(r"\s*\[")

    def __init__(self, text: str) -> None:
        self.lines = text.splitlines()
        self.headers: dict[str, list[int]] = {}
        for number, line in enumerate(self.lines, start=1):
            m = self._HEADER.match(line)
            if m:
                self.headers.setdefault(m.group(1), []).append(number)

    def key_line(self, key: str, start: int = 1, end: int | None = None) -> int | None:
        pattern = re.compile(rf"\s*\"?{re.escape(key)}\"?\s*=")
        for number in range(start, (end or len(self.lines)) + 1):
            if number - 1 < len(self.lines) and pattern.match(self.lines[number - 1]):
                return number
        return None

    def block(self, kind: str, index: int) -> tuple[int | None, int | None]:
        """First and last line of the index-th [[kind]] table."""
        starts = self.headers.get(kind, [])
        if index >= len(starts):
            return self.key_line(kind), None
        start = starts[index]
        end = len(self.lines)
        for number in range(start + 1, len(self.lines) + 1):
            if self._ANY_HEADER.match(self.lines[number - 1]):
                end = number - 1
                break
        return start, end


class _Table:
    """Reads and checks the fields of one raw table, collecting problems."""

    def __init__(self, raw: dict[str, Any], kind: str, file: str, start: int | None,
                 end: int | None, lines: _Lines, problems: list[Problem]) -> None:
        self.raw, self.kind, self.file = raw, kind, file
        self.start, self.end, self.lines = start, end, lines
        self.problems = problems
        self.seen: set[str] = set()
        self.ok = True
        rid = raw.get("id")
        self.label = f"{kind} {rid!r}" if isinstance(rid, str) else kind

    @property
    def origin(self) -> Origin:
        fields = tuple((key, line) for key in self.raw
                       if (line := self.line_of(key)) is not None)
        return Origin(self.file, self.start, fields)

    def line_of(self, key: str) -> int | None:
        if self.start is None:
            return None
        return self.lines.key_line(key, self.start, self.end) or self.start

    def problem(self, key: str, code: str, message: str) -> None:
        self.ok = False
        self.problems.append(Problem(self.file, self.line_of(key.split(".")[0]), key, code,
                                     f"{self.label}: {message}"))

    def _get(self, key: str, required: bool) -> Any:
        self.seen.add(key)
        if key not in self.raw:
            if required:
                self.problem(key, "missing-field", f"required field {key!r} is missing")
            return None
        return self.raw[key]

    def text(self, key: str, required: bool = True, pattern: re.Pattern[str] | None = None,
             form: str = "") -> str | None:
        value = self._get(key, required)
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
            value = self._get(key, required)
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
            value = self._get(key, default is None)
            if value is None:
                return default
        names = [member.value for member in enum]
        if not isinstance(value, str) or value not in names:
            self.problem(key, "bad-choice",
                         f"{key} must be one of {', '.join(names)}, not {value!r}")
            return None
        return enum(value)

    def strings(self, key: str, pattern: re.Pattern[str] | None = None, form: str = "") -> tuple[str, ...]:
        value = self._get(key, False)
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


def _type_name(value: Any) -> str:
    return {str: "a string", int: "an integer", float: "a decimal", bool: "a boolean",
            list: "an array", dict: "a table"}.get(type(value), type(value).__name__)


def _unit(t: _Table) -> Unit | None:
    uid, zh, en = t.text("id"), t.text("name_zh"), t.text("name_en")
    scale, base = t.number("scale"), t.text("base")
    if scale is not None and scale <= 0:
        t.problem("scale", "bad-value", "scale must be positive")
    t.finish()
    return Unit(uid, zh, en, scale, base, t.origin) if t.ok else None


def _topic(t: _Table) -> Topic | None:
    tid = t.text("id", pattern=_ID_RE, form="a lower-case id such as 'trains'")
    zh, en = t.text("name_zh"), t.text("name_en")
    t.finish()
    return Topic(tid, zh, en, t.origin) if t.ok else None


def _entity(t: _Table) -> Entity | None:
    eid = t.text("id", pattern=_ID_RE, form="a kebab-case id such as 'jiangjin-cbz'")
    zh, en, kind = t.text("name_zh"), t.text("name_en"), t.text("kind")
    aliases = t.strings("aliases")
    t.finish()
    return Entity(eid, zh, en, kind, aliases, t.origin) if t.ok else None


def _source(t: _Table) -> Source | None:
    sid = t.text("id", pattern=_ID_RE, form="a kebab-case id")
    title_zh, title_en = t.text("title_zh"), t.text("title_en")
    pub_zh, pub_en = t.text("publication_zh", False), t.text("publication_en", False)
    file, authors = t.text("file"), t.strings("authors")
    date, note = t.date("date", required=False), t.text("note", False)
    t.finish()
    if not t.ok:
        return None
    return Source(sid, title_zh, title_en, pub_zh, pub_en, file, authors, date, note, t.origin)


def _period(t: _Table) -> Period | None:
    has_period, has_as_of = "period" in t.raw, "as_of" in t.raw
    if has_period == has_as_of:
        t.seen.update({"period", "as_of"})
        t.problem("period", "bad-period", "give exactly one of period and as_of")
        return None
    key = "period" if has_period else "as_of"
    text = t.text(key)
    if text is None:
        return None
    try:
        return Period.parse(text) if has_period else Period.as_of(text)
    except DateError as exc:
        t.problem(key, "bad-date", str(exc))
        return None


def _change(t: _Table) -> Change | None:
    raw = t.raw.get("change")
    t.seen.add("change")
    if raw is None:
        return None
    if not isinstance(raw, dict):
        t.problem("change", "type-error", "change must be a table such as "
                  "{ value = 2.3, unit = \"%\", basis = \"yoy\" }")
        return None
    value = t.number("change.value", value=raw.get("value", "")) if "value" in raw else None
    if "value" not in raw:
        t.problem("change.value", "missing-field", "required field 'change.value' is missing")
    unit = raw.get("unit")
    if not isinstance(unit, str) or not unit:
        t.problem("change.unit", "missing-field", "change.unit must be a unit such as \"%\"")
    basis = t.choice("change.basis", Basis, Basis.yoy, value=raw.get("basis")) \
        if "basis" in raw else Basis.yoy
    bound = t.choice("change.bound", Bound, Bound.exact, value=raw.get("bound")) \
        if "bound" in raw else Bound.exact
    for key in raw:
        if key not in ("value", "unit", "basis", "bound"):
            t.problem(f"change.{key}", "unknown-field", f"unknown field 'change.{key}'")
    if value is None or not isinstance(unit, str) or basis is None or bound is None:
        return None
    return Change(value, unit, basis, bound)


def _fact(t: _Table) -> Fact | None:
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
    if value is not None and value_max is not None and value_max <= value:
        t.problem("value_max", "bad-value", f"value_max {value_max} must exceed value {value}")
    t.finish()
    if not t.ok:
        return None
    return Fact(fid, topic, entity, metric, value, unit, status, period, label_zh, label_en,
                source, quote, bound, value_max, change, note, disagrees_with, t.origin)


def _event(t: _Table) -> Event | None:
    eid = t.text("id", pattern=_ID_RE, form="a kebab-case id")
    date = t.date("date")
    title_zh, title_en = t.text("title_zh"), t.text("title_en")
    entity, source, quote = t.text("entity"), t.text("source"), t.text("quote")
    tags = t.strings("tags", pattern=_TAG_RE, form="a kebab-case tag such as 'first-train'")
    note = t.text("note", False)
    t.finish()
    if not t.ok:
        return None
    return Event(eid, date, title_zh, title_en, entity, source, quote, tags, note, t.origin)


_BUILDERS: dict[str, Callable[[_Table], Any]] = {
    "unit": _unit, "topic": _topic, "entity": _entity,
    "source": _source, "fact": _fact, "event": _event,
}


def toml_files(dirs: Sequence[Path], problems: list[Problem]) -> list[Path]:
    """Every *.toml file under each directory, once each, in a stable order."""
    files: list[Path] = []
    seen: set[Path] = set()
    for directory in dirs:
        if not directory.is_dir():
            problems.append(Problem(str(directory), None, "", "missing-dir",
                                    "no such directory of fact files"))
            continue
        for path in sorted(directory.rglob("*.toml")):
            key = path.resolve()
            if key not in seen and path.is_file():
                seen.add(key)
                files.append(path)
    return files


def parse_file(path: Path, problems: list[Problem]) -> tuple[dict[str, Any], _Lines] | None:
    """Read one file as UTF-8 TOML; a problem and None when it cannot be read."""
    name = str(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        problems.append(Problem(name, None, "", "unreadable", f"cannot read file: {exc.strerror}"))
        return None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        problems.append(Problem(name, line, "", "not-utf8",
                                f"not UTF-8 text (byte 0x{data[exc.start]:02x} at offset {exc.start})"))
        return None
    text = text.removeprefix("\ufeff")
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
    except RecursionError:
        problems.append(Problem(name, None, "", "too-deep", "invalid TOML: nested too deeply to read"))
        return None
    return doc, _Lines(text)


def read_records(path: Path, problems: list[Problem]) -> dict[str, list[Any]]:
    """The records of one file, by kind; problems for everything wrong with it."""
    records: dict[str, list[Any]] = {kind: [] for kind in KINDS}
    parsed = parse_file(path, problems)
    if parsed is None:
        return records
    doc, lines = parsed
    name = str(path)
    for kind, tables in doc.items():
        if kind not in KINDS:
            problems.append(Problem(name, lines.key_line(kind) or (lines.headers.get(kind) or [None])[0],
                                    kind, "unknown-table",
                                    f"unknown table {kind!r}{closest(kind, KINDS)}; "
                                    f"expected [[{']], [['.join(KINDS)}]]"))
            continue
        if not isinstance(tables, list):
            problems.append(Problem(name, lines.key_line(kind), kind, "type-error",
                                    f"{kind} must be an array of tables: write [[{kind}]]"))
            continue
        for index, raw in enumerate(tables):
            start, end = lines.block(kind, index)
            if not isinstance(raw, dict):
                problems.append(Problem(name, start, kind, "type-error",
                                        f"{kind} entries must be tables, not {_type_name(raw)}"))
                continue
            record = _BUILDERS[kind](_Table(raw, kind, name, start, end, lines, problems))
            if record is not None:
                records[kind].append(record)
    return records


def _unique(records: Iterable[Any], kind: str, problems: list[Problem]) -> dict[str, Any]:
    by_id: dict[str, Any] = {}
    for record in records:
        first = by_id.get(record.id)
        if first is not None:
            problems.append(Problem(record.origin.file, record.origin.line_of("id"), "id",
                                    "duplicate-id",
                                    f"{kind} id {record.id!r} is already defined at {first.origin}"))
        else:
            by_id[record.id] = record
    return by_id


def _check_refs(base: FactBase, problems: list[Problem]) -> tuple[list[Fact], list[Event]]:
    """Keep the facts and events whose references resolve; a problem for each that does not."""

    def bad(record: Fact | Event, key: str, value: str, vocab: Mapping[str, Any], what: str) -> bool:
        if value in vocab:
            return False
        problems.append(Problem(record.origin.file, record.origin.line_of(key.split(".")[0]),
                                key, "unknown-ref",
                                f"{record.id}: unknown {what} {value!r}{closest(value, vocab)}"))
        return True

    fact_ids = {f.id: f for f in base.facts}
    facts = []
    for f in base.facts:
        checks = [bad(f, "topic", f.topic, base.topics, "topic"),
                  bad(f, "entity", f.entity, base.entities, "entity"),
                  bad(f, "unit", f.unit, base.units, "unit"),
                  bad(f, "source", f.source, base.sources, "source")]
        if f.change is not None:
            checks.append(bad(f, "change.unit", f.change.unit, base.units, "unit"))
        for other in f.disagrees_with:
            checks.append(bad(f, "disagrees_with", other, fact_ids, "fact"))
        if not any(checks):
            facts.append(f)
    events = [e for e in base.events
              if not any([bad(e, "entity", e.entity, base.entities, "entity"),
                          bad(e, "source", e.source, base.sources, "source")])]
    return facts, events


def _check_names(entities: Mapping[str, Entity], problems: list[Problem]) -> None:
    """Each id, name and alias must identify one entity only."""
    owner: dict[str, Entity] = {}
    for entity in entities.values():
        for name in {n.casefold() for n in entity.names()}:
            other = owner.setdefault(name, entity)
            if other is not entity:
                problems.append(Problem(entity.origin.file, entity.origin.line, "aliases",
                                        "ambiguous-name",
                                        f"entity {entity.id!r}: name {name!r} also names "
                                        f"entity {other.id!r} ({other.origin})"))


def load(dirs: Sequence[Path]) -> tuple[FactBase, list[Problem]]:
    """Load every fact file under dirs. Returns the valid records and all problems found."""
    problems: list[Problem] = []
    collected: dict[str, list[Any]] = {kind: [] for kind in KINDS}
    for path in toml_files(dirs, problems):
        for kind, records in read_records(path, problems).items():
            collected[kind].extend(records)
    units = _unique(collected["unit"], "unit", problems)
    topics = _unique(collected["topic"], "topic", problems)
    entities = _unique(collected["entity"], "entity", problems)
    sources = _unique(collected["source"], "source", problems)
    # Facts and events share one namespace: `corridor show ID` finds either.
    records = _unique([*collected["fact"], *collected["event"]], "fact/event", problems)
    _check_names(entities, problems)
    draft = FactBase(units, topics, entities, sources,
                     tuple(r for r in records.values() if isinstance(r, Fact)),
                     tuple(r for r in records.values() if isinstance(r, Event)))
    facts, events = _check_refs(draft, problems)
    base = FactBase(units, topics, entities, sources, tuple(facts), tuple(events))
    return base, problems
