"""Read TOML fact files into records, and report every problem they have.

The loader never raises on bad input: whatever the bytes, file names or
directory layout, it returns the records it could build and a list of
problems, each naming file, line and field. Every problem of every file comes
back at once: a record with a bad field is still built as far as it can be
(the bad field becomes None), its other fields and its references are still
checked, and its id still takes part in the duplicate-id check; only fully
valid records go into the FactBase. Knows nothing of the command line.

Each file is read by parsing.read_records (imported only when a file must be parsed)
into a factstore.FileResult (its problems, its other records, a small ref per fact, its
facts pickled by topic and years), on every core when there is much to parse (forkmap);
the checks across files run on the refs; the FactBase's facts are a
factstore.LazyFacts that unpickles facts only when asked for.

A string value that is a draft placeholder (records.is_placeholder: "TODO: entity …",
at any depth, in a list too) is reported first, as a problem of code "placeholder" on
its field's line, and that field is checked no further: an unfinished `corridor draft`
stub never loads.
"""

from __future__ import annotations

import os
import sys
from itertools import islice
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from corridor_cli.cache import _MISS, Cache, content_digest, digest, hit
from corridor_cli.factfiles import read_file, toml_files
from corridor_cli.factstore import (
    Fetch, FactRef, FileResult, LazyFacts, Part, file_result, gc_paused,
)
from corridor_cli.fastclass import record
from corridor_cli.problems import Problem, closest
from corridor_cli.records import (
    KINDS,
    Basis,
    Entity,
    Event,
    Fact,
    FactBase,
    Ignore,
    Metric,
    MetricKind,
    Origin,
    RelationKind,
    Source,
    Unit,
    normalise_name,
)
from corridor_cli.safetext import display_path

ENV_PATH = "CORRIDOR_FACTS_PATH"


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
    from corridor_cli import parsing  # only a file being parsed needs it

    problems: list[Problem] = []
    records = parsing.read_records(path, root, problems, data)
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
    arrived: dict[int, list[FactRef]] = {}
    for index, result in _parse_all(todo, contents, cache):
        results[index] = result
        path, root, _, key = contents[index]
        contents[index] = (path, root, None, key)  # its result holds its blobs (memory)
        arrived[index] = result.fact_refs()  # here while workers still parse, not after

    valid: dict[int, bool] = {}  # by id() of the record
    collected: dict[str, list[Any]] = {kind: [] for kind in KINDS}
    refs: list[list[FactRef]] = []  # each file's facts' refs
    for i, result in enumerate(results):
        file_refs = []
        if result is not None:
            problems.extend(result.problems)
            for record, ok in result.others:
                collected[type(record).__name__.lower()].append(record)
                valid[id(record)] = ok
            file_refs = arrived.pop(i) if i in arrived else result.fact_refs()
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
    if any(skip for _, _, skip in index):
        every = LazyFacts([Part(counts, frozenset(), fetchers[i]) for i, counts, _ in index])
        valid = LazyFacts([Part(counts, skip, fetchers[i]) for i, counts, skip in index], every)
    else:
        every = valid = LazyFacts([Part(counts, skip, fetchers[i]) for i, counts, skip in index])
    return Loaded(replace(base, facts=valid), problems, every, events, sources, ignores)


def _is_checked(stored: Any, files: int) -> bool:
    """Whether a stored value has the shape _load_full stores (else it is a miss: written
    by something else under the same name)."""
    return (isinstance(stored, tuple) and len(stored) == 6 and isinstance(stored[0], FactBase)
            and isinstance(stored[5], list) and all(
                isinstance(i, int) and 0 <= i < files and isinstance(counts, dict)
                and all(isinstance(k, tuple) and len(k) == 3 for k in islice(counts, 1))
                for i, counts, _ in stored[5]))  # a key per file: 25,000 at 100,000 facts


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
