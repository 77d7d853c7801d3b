"""Where loaded facts live: one file's result in a form that is cheap to keep, cache and
check, and a sequence of facts that builds Fact records only when they are asked for.

A fact file's result (FileResult) holds its problems, its other records (vocabulary,
events, ignores: few), one FactRef tuple per fact (what the checks across files need:
its id, where it is, what it names, the form of its period) and the facts themselves,
pickled in one blob per topic. Loading compares and checks refs, never whole facts:
100,000 facts are checked without 100,000 Fact records in memory, and a query for one
topic unpickles that topic's blobs alone (LazyFacts.where).

Knows nothing of the command line or of the cache's files: a part's facts come from a
callable (an in-memory result, or a cache entry with a parse as fallback).
"""

from __future__ import annotations

import gc
import marshal
import pickle
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any

from corridor_cli.records import Basis, Fact, Origin, RelationKind

# The fields whose lines a check across files may report (loader._field_line: a dotted
# key's own line, else its table's). Other fields' lines stay in the Fact's origin.
_LINE_KEYS = ("id", "topic", "metric", "entity", "unit", "source", "change", "change.unit",
              "change.basis", "disagrees_with", "relation", "relation.of", "period", "as_of")


def _lines(origin: Origin) -> bytes | tuple[tuple[str, int], ...]:
    """The lines of a fact's _LINE_KEYS, as small: one byte each, 1 + how far below the
    table's line (0: not written); the (key, line) pairs themselves if one is further."""
    written = dict(origin.field_lines)
    pairs = tuple((k, written[k]) for k in _LINE_KEYS if k in written)
    start = origin.line
    if start is None or any(not 0 <= line - start < 255 for _, line in pairs):
        return pairs
    return bytes(written[k] - start + 1 if k in written else 0 for k in _LINE_KEYS)


def _basis_problem(f: Fact) -> str | None:
    """Why the fact's change basis does not fit its period, or None."""
    if f.change is None or f.change.basis is None or f.period is None:
        return None
    basis, period = f.change.basis, f.period
    if basis is Basis.yoy and not period.is_point and period.longer_than_a_year():
        return (f"a year-on-year change (yoy) needs a period of at most a year, "
                f"not {period}")
    if basis is Basis.annual_average and (period.is_point or not period.longer_than_a_year()):
        return (f"an annual_average change needs a span of more than one year, not {period}")
    if basis is Basis.over_period and period.is_point:
        return f"an over_period change needs a span, not a point in time ({period})"
    return None


def ref_tuple(f: Fact, ok: bool, seq: int) -> tuple:
    """A fact as the plain tuple FactRef is built from (marshal can store it)."""
    change, relation = f.change, f.relation
    names = tuple(sys.intern(v) if isinstance(v, str) else v  # shared, once loaded
                  for v in (f.topic, f.metric, f.entity, f.unit, f.source))
    return (seq, ok, f.id, f.origin.line, _lines(f.origin), *names,
            change.unit if change is not None else None,
            change.basis.value if change is not None and change.basis is not None else None,
            f.disagrees_with,
            relation.kind.value if relation is not None else None,
            relation.of if relation is not None else (),
            f.period.is_point if f.period is not None else None,
            _basis_problem(f))


class FactRef:
    """What the checks across files need of one fact: its id and place, what it names, and
    the form of its period (is_point; basis_problem: what its change basis gets wrong)."""

    __slots__ = ("seq", "ok", "id", "line", "lines", "topic", "metric", "entity", "unit",
                 "source", "change_unit", "change_basis", "disagrees_with", "relation_kind",
                 "relation_of", "is_point", "basis_problem", "file", "root")

    def __init__(self, t: tuple, file: str, root: str) -> None:
        (self.seq, self.ok, self.id, self.line, self.lines, self.topic, self.metric,
         self.entity, self.unit, self.source, self.change_unit, basis, self.disagrees_with,
         kind, self.relation_of, self.is_point, self.basis_problem) = t
        self.change_basis = Basis(basis) if basis is not None else None
        self.relation_kind = RelationKind(kind) if kind is not None else None
        self.file, self.root = file, root

    @property
    def origin(self) -> Origin:
        lines, start = self.lines, self.line
        if isinstance(lines, bytes):
            lines = tuple((k, start + d - 1) for k, d in zip(_LINE_KEYS, lines) if d)
        return Origin(self.file, start, lines, self.root)


class FileResult:
    """What loading one fact file gave: its problems, its records other than facts (each
    with whether all its fields are valid), its facts' refs (marshalled tuples) and its
    facts, pickled as lists of (seq, Fact) by topic (counts: how many of each)."""

    __slots__ = ("file", "root", "problems", "others", "refs", "counts", "blobs")

    def __init__(self, file: str, root: str, problems: list, others: list[tuple[Any, bool]],
                 refs: bytes, counts: dict[str | None, int],
                 blobs: dict[str | None, bytes]) -> None:
        self.file, self.root, self.problems, self.others = file, root, problems, others
        self.refs, self.counts, self.blobs = refs, counts, blobs

    def __getstate__(self) -> tuple:
        return (self.file, self.root, self.problems, self.others, self.refs, self.counts,
                self.blobs)

    def __setstate__(self, state: tuple) -> None:
        (self.file, self.root, self.problems, self.others, self.refs, self.counts,
         self.blobs) = state

    def fact_refs(self) -> list[FactRef]:
        file, root = self.file, self.root
        return [FactRef(t, file, root) for t in marshal.loads(self.refs)]


def file_result(file: str, root: str, problems: list,
                records: Iterable[tuple[Any, bool]]) -> FileResult:
    others: list[tuple[Any, bool]] = []
    refs: list[tuple] = []
    by_topic: dict[str | None, list[tuple[int, Fact]]] = {}
    for record, ok in records:
        if type(record) is Fact:
            seq = len(refs)
            refs.append(ref_tuple(record, ok, seq))
            topic = record.topic if isinstance(record.topic, str) else None
            by_topic.setdefault(topic, []).append((seq, record))
        else:
            others.append((record, ok))
    blobs = {t: pickle.dumps(facts, protocol=pickle.HIGHEST_PROTOCOL)
             for t, facts in by_topic.items()}
    return FileResult(file, root, problems, others, marshal.dumps(refs),
                      {t: len(facts) for t, facts in by_topic.items()}, blobs)


class Part:
    """One file's facts in a LazyFacts: how many of each topic, the seqs to leave out
    (facts found invalid), and where the pickled blobs come from."""

    __slots__ = ("counts", "skip", "fetch")

    def __init__(self, counts: dict[str | None, int], skip: frozenset[int],
                 fetch: Callable[[], dict[str | None, bytes]]) -> None:
        self.counts, self.skip, self.fetch = counts, skip, fetch

    def facts(self, topics: Iterable[str | None] | None = None) -> list[Fact]:
        wanted = [t for t in (self.counts if topics is None else topics) if self.counts.get(t)]
        if not wanted:
            return []
        blobs = self.fetch()
        enabled = gc.isenabled()
        gc.disable()  # many small objects, no cycles: see loader.load_full
        try:
            found: list[tuple[int, Fact]] = []
            for topic in wanted:
                found.extend(pickle.loads(blobs[topic]))
        finally:
            if enabled:
                gc.enable()
        if len(wanted) > 1:
            found.sort(key=lambda pair: pair[0])
        skip = self.skip
        return [f for seq, f in found if seq not in skip] if skip else [f for _, f in found]


class LazyFacts(Sequence):
    """The facts of a load, in file order, as a read-only sequence that unpickles them only
    when asked: where(topics) reads those topics' blobs alone; iterating, indexing or
    comparing reads every one (once)."""

    def __init__(self, parts: Sequence[Part]) -> None:
        self._parts = tuple(parts)
        self._all: tuple[Fact, ...] | None = None
        self._len = sum(sum(p.counts.values()) - len(p.skip) for p in self._parts)

    def where(self, topics: Iterable[str]) -> tuple[Fact, ...]:
        """The facts whose topic is one of topics, in the order iterating gives."""
        if self._all is not None:
            wanted = set(topics)
            return tuple(f for f in self._all if f.topic in wanted)
        topics = tuple(dict.fromkeys(topics))
        return tuple(f for p in self._parts for f in p.facts(topics))

    def _every(self) -> tuple[Fact, ...]:
        if self._all is None:
            self._all = tuple(f for p in self._parts for f in p.facts())
        return self._all

    def __len__(self) -> int:
        return self._len

    def __iter__(self) -> Iterator[Fact]:
        return iter(self._every())

    def __getitem__(self, index):  # type: ignore[override]
        return self._every()[index]

    def __contains__(self, value: object) -> bool:
        return value in self._every()

    def __eq__(self, other: object) -> bool:
        if isinstance(other, (LazyFacts, tuple)):
            return self._every() == tuple(other)
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"LazyFacts({len(self)} facts)"

    def __reduce__(self) -> tuple:
        return (tuple, (self._every(),))  # pickled (or copied) as the tuple it stands for


def facts_with_topics(facts: Sequence[Fact], topics: Iterable[str]) -> Sequence[Fact]:
    """The facts whose topic is one of topics: through the index when facts is LazyFacts."""
    if isinstance(facts, LazyFacts):
        return facts.where(topics)
    wanted = set(topics)
    return tuple(f for f in facts if f.topic in wanted)
