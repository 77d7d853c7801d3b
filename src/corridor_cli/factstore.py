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
import sys
from contextlib import contextmanager
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any

from corridor_cli.cache import pickled, unpickle
from corridor_cli.records import Basis, Fact, Origin, RelationKind

# The fields whose lines a check across files may report (loader._field_line: a dotted
# key's own line, else its table's). Other fields' lines stay in the Fact's origin.
_LINE_KEYS = ("id", "topic", "metric", "entity", "unit", "source", "change", "change.unit",
              "change.basis", "disagrees_with", "relation", "relation.of", "period", "as_of")
_LINE_INDEX = {key: i for i, key in enumerate(_LINE_KEYS)}


def _lines(origin: Origin) -> bytes | tuple[tuple[str, int], ...]:
    """The lines of a fact's _LINE_KEYS, as small: one byte each, 1 + how far below the
    table's line (0: not written); the (key, line) pairs themselves if one is further."""
    start = origin.line
    if start is not None:
        offsets = bytearray(len(_LINE_KEYS))
        for key, line in origin.field_lines:
            at = _LINE_INDEX.get(key)
            if at is not None:
                if not 0 <= line - start < 255:
                    break
                offsets[at] = line - start + 1
        else:
            return bytes(offsets)
    written = dict(origin.field_lines)
    return tuple((k, written[k]) for k in _LINE_KEYS if k in written)


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


PartKey = tuple  # (topic, first year, last year) of the facts a blob holds; None: unknown


def part_key(f: Fact) -> PartKey:
    topic = f.topic if isinstance(f.topic, str) else None
    period = f.period
    if period is None:
        return (topic, None, None)
    # the years of first_day() and last_day(), without making the dates
    return (topic, (period.end if period.start is None else period.start).year, period.end.year)


class FileResult:
    """What loading one fact file gave: its problems, its records other than facts (each
    with whether all its fields are valid), its facts' refs (marshalled tuples) and its
    facts, pickled as lists of (seq, Fact) by PartKey (counts: how many in each).
    blobs is None for a result read from the cache, whose blobs are stored apart."""

    __slots__ = ("file", "root", "problems", "others", "refs", "counts", "blobs")

    def __init__(self, file: str, root: str, problems: list, others: list[tuple[Any, bool]],
                 refs: bytes, counts: dict[PartKey, int],
                 blobs: dict[PartKey, bytes] | None) -> None:
        self.file, self.root, self.problems, self.others = file, root, problems, others
        self.refs, self.counts, self.blobs = refs, counts, blobs

    def __getstate__(self) -> tuple:
        return (self.file, self.root, self.problems, self.others, self.refs, self.counts,
                self.blobs)

    def __setstate__(self, state: tuple) -> None:
        (self.file, self.root, self.problems, self.others, self.refs, self.counts,
         self.blobs) = state

    def without_blobs(self) -> FileResult:
        return FileResult(self.file, self.root, self.problems, self.others, self.refs,
                          self.counts, None)

    def fact_refs(self) -> list[FactRef]:
        file, root = self.file, self.root
        return [FactRef(t, file, root) for t in marshal.loads(self.refs)]


def file_result(file: str, root: str, problems: list,
                records: Iterable[tuple[Any, bool]]) -> FileResult:
    others: list[tuple[Any, bool]] = []
    refs: list[tuple] = []
    by_part: dict[PartKey, list[tuple[int, Fact]]] = {}
    for record, ok in records:
        if type(record) is Fact:
            seq = len(refs)
            refs.append(ref_tuple(record, ok, seq))
            by_part.setdefault(part_key(record), []).append((seq, record))
        else:
            others.append((record, ok))
    blobs = {k: pickled(facts) for k, facts in by_part.items()}
    return FileResult(file, root, problems, others, marshal.dumps(refs),
                      {k: len(facts) for k, facts in by_part.items()}, blobs)


@contextmanager
def gc_paused() -> Iterator[None]:
    """The cyclic garbage collector off while building (or unpickling) many small objects
    and freeing few: it would otherwise walk the growing heap again and again (about 15 %
    of a large cold load). Records hold no reference cycles."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


Fetch = Callable[[list[PartKey]], dict[PartKey, bytes]]


def _selects(topics: frozenset[str] | None, lo: int | None, hi: int | None,
             key: PartKey) -> bool:
    """Whether a blob may hold facts of those topics whose period meets years lo..hi."""
    topic, first, last = key
    if topics is not None and topic not in topics:
        return False
    if first is None:
        return True
    return (lo is None or last >= lo) and (hi is None or first <= hi)


class Part:
    """One file's facts in a LazyFacts: how many in each blob, the seqs to leave out
    (facts found invalid), and where the pickled blobs come from."""

    __slots__ = ("counts", "skip", "fetch")

    def __init__(self, counts: dict[PartKey, int], skip: frozenset[int], fetch: Fetch) -> None:
        self.counts, self.skip, self.fetch = counts, skip, fetch

    def facts(self, topics: frozenset[str] | None = None, lo: int | None = None,
              hi: int | None = None) -> list[Fact]:
        wanted = [k for k, n in self.counts.items() if n and _selects(topics, lo, hi, k)]
        if not wanted:
            return []
        blobs = self.fetch(wanted)
        found: list[tuple[int, Fact]] = []
        with gc_paused():
            for k in wanted:
                found.extend(unpickle(blobs[k]))
        if len(wanted) > 1:
            found.sort(key=lambda pair: pair[0])
        skip = self.skip
        return [f for seq, f in found if seq not in skip] if skip else [f for _, f in found]


class LazyFacts(Sequence):
    """The facts of a load, in file order, as a read-only sequence that unpickles them only
    when asked: where(topics, years) reads the blobs that may hold such facts alone;
    iterating, indexing or comparing reads every one (once)."""

    def __init__(self, parts: Sequence[Part], every: LazyFacts | None = None) -> None:
        """every: the same parts with no facts left out; given, reading all the facts
        here reads them there and leaves out the skipped ones, so that the valid facts
        and every fact read are one set of records in memory, not two."""
        self._parts = tuple(parts)
        self._all: tuple[Fact, ...] | None = None
        self._len = sum(sum(p.counts.values()) - len(p.skip) for p in self._parts)
        self._from = every

    def where(self, topics: Iterable[str] | None = None, lo: int | None = None,
              hi: int | None = None) -> tuple[Fact, ...]:
        """At least the facts of those topics (None: any) whose period meets years lo..hi
        (None: unbounded), in the order iterating gives; the caller filters them exactly."""
        wanted = None if topics is None else frozenset(topics)
        if self._all is not None:
            return tuple(f for f in self._all if _selects(wanted, lo, hi, part_key(f)))
        return tuple(f for p in self._parts for f in p.facts(wanted, lo, hi))

    def _every(self) -> tuple[Fact, ...]:
        if self._all is None:
            if self._from is not None:
                self._all = tuple(_without_skipped(self._parts, self._from._every()))
            else:
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


def _without_skipped(parts: Sequence[Part], every: Sequence[Fact]) -> Iterator[Fact]:
    """every (the facts of parts, none left out, in order) without each part's skipped
    seqs: a part's facts come in seq order, 0 to its count - 1 (file_result)."""
    start = 0
    for p in parts:
        count = sum(p.counts.values())
        skip = p.skip
        for seq, f in enumerate(every[start:start + count]):
            if seq not in skip:
                yield f
        start += count


def facts_where(facts: Sequence[Fact], topics: Iterable[str] | None, lo: int | None,
                hi: int | None) -> Sequence[Fact]:
    """At least the facts of those topics whose period meets years lo..hi: through the
    blobs' keys when facts is LazyFacts, else all of them."""
    if isinstance(facts, LazyFacts):
        return facts.where(topics, lo, hi)
    return facts
