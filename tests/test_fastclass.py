"""@record behaves as @dataclass(frozen=True) does, for every class the package declares with it.

Each behaviour is checked side by side: the same class body made once with
dataclasses.dataclass and once with fastclass.record must give the same results.
"""

from __future__ import annotations

import copy
import dataclasses
import pickle
from dataclasses import field

import pytest

from corridor_cli import dates, loader, output, problems, query, records, views
from corridor_cli.fastclass import record


def _pair(body: dict, *, order: bool = False, frozen: bool = True) -> tuple[type, type]:
    """The same class made by dataclass and by record."""
    def make(decorate):  # type: ignore[no-untyped-def]
        return decorate(type("Thing", (), dict(body)))
    return (make(dataclasses.dataclass(frozen=frozen, order=order)),
            make(record(frozen=frozen, order=order)))


BODY = {
    "__annotations__": {"a": "int", "b": "str", "c": "str", "hidden": "str", "items": "list"},
    "c": "x",
    "hidden": field(default="h", compare=False, repr=False),
    "items": field(default_factory=list, hash=False),
}


@pytest.mark.parametrize("args", [(1, "b"), (1, "b", "c"), (2, "b", "x", "other")])
def test_init_repr_eq_hash_match_dataclass(args: tuple) -> None:
    dc, rec = _pair(BODY)
    d, r = dc(*args), rec(*args)
    assert repr(d) == repr(r)
    assert dataclasses.asdict(d) == dataclasses.asdict(r)
    assert [f.name for f in dataclasses.fields(d)] == [f.name for f in dataclasses.fields(r)]
    assert (r == rec(*args)) and not (r != rec(*args))
    assert r != rec(99, "b")
    assert hash(r) == hash(rec(*args))
    # compare=False: a field that differs does not make two records unequal
    assert r == dataclasses.replace(r, hidden="different")
    assert (d == dataclasses.replace(d, hidden="different")) == (r == dataclasses.replace(r, hidden="different"))


def test_default_factory_gives_each_instance_its_own() -> None:
    _, rec = _pair(BODY)
    first, second = rec(1, "b"), rec(1, "b")
    assert first.items == [] and first.items is not second.items
    given = [1]
    assert rec(1, "b", items=given).items is given


def test_frozen_like_dataclass() -> None:
    dc, rec = _pair(BODY)
    r = rec(1, "b")
    with pytest.raises(dataclasses.FrozenInstanceError):
        r.a = 2
    with pytest.raises(dataclasses.FrozenInstanceError):
        del r.a
    with pytest.raises(dataclasses.FrozenInstanceError):
        r.new_attribute = 1
    assert r.a == 1


def test_not_equal_to_another_class_with_the_same_fields() -> None:
    dc, rec = _pair(BODY)
    _, other = _pair(BODY)
    assert rec(1, "b") != other(1, "b")
    assert rec(1, "b") != dc(1, "b")
    assert rec(1, "b") != (1, "b", "x", [])


@record
class Pickled:  # module level, so that pickle finds it
    a: int
    b: str
    c: str = "x"
    hidden: str = field(default="h", compare=False, repr=False)
    items: list = field(default_factory=list, hash=False)


def test_replace_pickle_copy() -> None:
    r = Pickled(1, "b", "c", "h", [1, 2])
    assert dataclasses.replace(r, a=5).a == 5 and dataclasses.replace(r, a=5).b == "b"
    assert pickle.loads(pickle.dumps(r)) == r
    assert copy.deepcopy(r) == r and copy.copy(r) == r
    assert dataclasses.is_dataclass(r)


def test_order_matches_dataclass() -> None:
    body = {"__annotations__": {"file": "str", "line": "int", "note": "str"},
            "note": field(default="", compare=False)}
    dc, rec = _pair(body, order=True)
    items = [("b", 1, "z"), ("a", 2, "y"), ("a", 1, "x"), ("a", 1, "w")]
    assert [tuple(dataclasses.astuple(x)) for x in sorted(dc(*i) for i in items)] == \
        [tuple(dataclasses.astuple(x)) for x in sorted(rec(*i) for i in items)]
    assert rec("a", 1) <= rec("a", 1) and rec("a", 1) < rec("a", 2) and rec("b", 0) > rec("a", 9)
    with pytest.raises(TypeError):
        rec("a", 1) < ("a", 1)  # noqa: B015  (comparing with another type is refused)


def test_mutable_record_is_unhashable_and_assignable() -> None:
    dc, rec = _pair(BODY, frozen=False)
    r = rec(1, "b")
    r.a = 3
    assert r.a == 3 and r == rec(3, "b")
    with pytest.raises(TypeError):
        hash(r)
    assert dc.__hash__ is None and rec.__hash__ is None


def test_post_init_runs() -> None:
    seen = []
    body = {"__annotations__": {"a": "int"},
            "__post_init__": lambda self: seen.append(self.a)}
    _, rec = _pair(body)
    rec(7)
    assert seen == [7]


@pytest.mark.parametrize("body, why", [
    ({"__annotations__": {"a": "int", "b": "int"}, "a": 1}, "follows"),
    ({"__annotations__": {"a": "int"}, "a": field(default=1, init=False)}, "init=False"),
    ({"__annotations__": {"a": "int"}, "a": field(default=1, kw_only=True)}, "keyword-only"),
    ({"__annotations__": {"self": "int"}}, "may not be called"),
])
def test_what_is_not_supported_is_refused(body: dict, why: str) -> None:
    with pytest.raises(TypeError, match=why):
        record(type("Bad", (), body))


def test_a_record_cannot_subclass_a_dataclass() -> None:
    base = dataclasses.dataclass(type("Base", (), {"__annotations__": {"a": "int"}}))
    with pytest.raises(TypeError, match="subclass"):
        record(type("Sub", (base,), {"__annotations__": {"b": "int"}}))


# Every class of the package made with @record: still dataclasses, frozen where they were.
RECORD_CLASSES = [
    records.Origin, records.Unit, records.Topic, records.Metric, records.Entity, records.Source,
    records.Relation, records.Change, records.Fact, records.Event, records.Ignore,
    records.FactBase, dates.PartialDate, dates.Period, query.FactQuery, query.Scope,
    views.View, problems.Problem, loader.Loaded,
]


@pytest.mark.parametrize("cls", RECORD_CLASSES, ids=lambda c: c.__name__)
def test_package_records_are_frozen_dataclasses(cls: type) -> None:
    assert dataclasses.is_dataclass(cls)
    assert cls.__setattr__ is not object.__setattr__  # the frozen guard
    assert cls.__hash__ is not None and cls.__eq__ is not object.__eq__


def test_environment_is_a_mutable_record() -> None:
    env = output.Environment()
    env.stdout_isatty = True
    assert env.stdout_isatty is True and dataclasses.is_dataclass(env)


def test_fact_equality_ignores_origin_as_before() -> None:
    base, problems_found = loader.load([loader.bundled_facts_dir()], None)
    assert not problems_found
    fact = base.facts[0]
    moved = dataclasses.replace(fact, origin=records.Origin("elsewhere.toml", 99))
    assert moved == fact and hash(moved) == hash(fact)
    assert dataclasses.replace(fact, value=fact.value + 1) != fact
    with pytest.raises(dataclasses.FrozenInstanceError):
        fact.value = 0  # type: ignore[misc]


def test_init_is_compiled_on_the_first_call_and_behaves_the_same_after() -> None:
    _, rec = _pair(BODY)
    first_init = rec.__dict__["__init__"]
    first = rec(1, "b", items=[1])
    assert rec.__dict__["__init__"] is not first_init  # compiled and put in its place
    assert rec(1, "b", items=[1]) == first and repr(rec(1, "b", items=[1])) == repr(first)
    unpickled = pickle.loads(pickle.dumps(Pickled(1, "b")))  # never initialised: no compile
    assert unpickled == Pickled(1, "b")
