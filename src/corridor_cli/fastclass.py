"""`@record`: a dataclass made for start-up, used for the classes every command imports.

`@record` means `@dataclass(frozen=True)`; `@record(order=True)` adds ordering and
`@record(frozen=False)` leaves instances assignable. The class is a real dataclass:
`dataclasses.fields`, `replace`, `asdict` and `is_dataclass` work on it, and its
instances behave as a dataclass's do: `__init__` with the fields' defaults and
default factories, then `__post_init__`; `==` and `hash` over the fields with
compare=True (hash=… where a field says so), only between instances of the same class;
a repr of the fields with repr=True; `FrozenInstanceError` on assignment or deletion.

Why not `@dataclass` itself: it compiles six methods per frozen class with `exec`
(about 0.8 ms a class on this project's machine), and `corridor facts` imports about
twenty such classes on every run. Here only `__init__` is compiled, one `exec` per
class, on its first call (most classes' instances come unpickled from the cache and
never call it); equality, hash, repr, ordering and the frozen guard are shared functions that
read the class's field names. Not supported (TypeError when asked): keyword-only
fields, InitVar, fields with init=False, and subclassing a record.
"""

from __future__ import annotations

import dataclasses
import operator
from operator import attrgetter
from typing import Any, Callable, TypeVar

T = TypeVar("T", bound=type)

_FACTORY = object()  # a parameter's default where the field has a default_factory


def record(cls: T | None = None, /, *, frozen: bool = True, order: bool = False) -> Any:
    """Make cls a dataclass (see the module's docstring). Usable bare or with options."""
    def wrap(cls: T) -> T:
        return _make(cls, frozen, order)
    return wrap if cls is None else wrap(cls)


def _make(cls: T, frozen: bool, order: bool) -> T:
    for base in cls.__mro__[1:]:
        if dataclasses.is_dataclass(base):
            raise TypeError(f"{cls.__name__}: a record cannot subclass the dataclass {base.__name__}")
    if not cls.__doc__:  # else dataclass() would make one with inspect.signature, slowly
        cls.__doc__ = f"{cls.__name__}({', '.join(cls.__dict__.get('__annotations__', {}))})"
    dataclasses.dataclass(cls, init=False, repr=False, eq=False, frozen=False)
    fields = dataclasses.fields(cls)
    defaulted = ""
    for f in fields:  # what __init__ could not take, refused now rather than at its first call
        if f.kw_only or not f.init:
            raise TypeError(f"{cls.__name__}.{f.name}: keyword-only and init=False fields "
                            f"are not supported by @record")
        if f.name in ("self", "__record_dict__") or f.name.startswith("__record_"):
            raise TypeError(f"{cls.__name__}: a field may not be called {f.name!r}")
        if f.default is not dataclasses.MISSING or f.default_factory is not dataclasses.MISSING:
            defaulted = f.name
        elif defaulted:
            raise TypeError(f"{cls.__name__}: non-default field {f.name!r} follows "
                            f"field {defaulted!r}, which has a default")
    if len(fields) != sum(1 for f in cls.__dataclass_fields__.values()  # type: ignore[attr-defined]
                          if f._field_type is not dataclasses._FIELD_CLASSVAR):  # type: ignore[attr-defined]
        raise TypeError(f"{cls.__name__}: InitVar fields are not supported by @record")
    cls.__init__ = _first_init(cls, fields)  # type: ignore[misc]
    compared = tuple(f.name for f in fields if f.compare)
    hashed = tuple(f.name for f in fields if (f.compare if f.hash is None else f.hash))
    # staticmethod: a function stored on the class would be bound to the instance
    cls.__record_key__ = staticmethod(_getter(compared))  # type: ignore[attr-defined]
    cls.__record_repr__ = tuple(f.name for f in fields if f.repr)  # type: ignore[attr-defined]
    cls.__repr__ = _repr  # type: ignore[assignment]
    cls.__eq__ = _eq  # type: ignore[assignment]
    if frozen:
        cls.__record_hash__ = staticmethod(_getter(hashed))  # type: ignore[attr-defined]
        cls.__hash__ = _hash  # type: ignore[assignment]
        cls.__setattr__ = _frozen_setattr  # type: ignore[assignment]
        cls.__delattr__ = _frozen_delattr  # type: ignore[assignment]
    else:
        cls.__hash__ = None  # type: ignore[assignment]  # as a mutable dataclass with eq
    if order:
        cls.__lt__ = _lt  # type: ignore[operator]
        cls.__le__ = _le  # type: ignore[operator]
        cls.__gt__ = _gt  # type: ignore[operator]
        cls.__ge__ = _ge  # type: ignore[operator]
    return cls


def _first_init(cls: type, fields: tuple[dataclasses.Field[Any], ...]) -> Callable[..., None]:
    """An __init__ that compiles cls's own on the first call, puts it in its place and
    runs it: a class whose instances only ever come from the cache (unpickled, never
    initialised) never pays for compiling one."""
    def __init__(self: Any, *args: Any, **kwargs: Any) -> None:
        init = cls.__dict__["__init__"]
        if init is __init__:  # not compiled yet
            init = _init(cls, fields)
            cls.__init__ = init  # type: ignore[misc]
        init(self, *args, **kwargs)

    __init__.__qualname__ = f"{cls.__qualname__}.__init__"
    __init__.__module__ = cls.__module__
    return __init__


def _init(cls: type, fields: tuple[dataclasses.Field[Any], ...]) -> Callable[..., None]:
    """cls's __init__, compiled once: each field stored straight into the instance's
    __dict__ (past a frozen __setattr__, as a frozen dataclass's __init__ does)."""
    namespace: dict[str, Any] = {"__record_factory__": _FACTORY}
    params, body = [], []
    for f in fields:
        if f.default is not dataclasses.MISSING:
            namespace[f"__record_default_{f.name}__"] = f.default
            params.append(f"{f.name}=__record_default_{f.name}__")
        elif f.default_factory is not dataclasses.MISSING:
            namespace[f"__record_make_{f.name}__"] = f.default_factory
            params.append(f"{f.name}=__record_factory__")
            body.append(f"    if {f.name} is __record_factory__: {f.name} = __record_make_{f.name}__()")
        else:
            params.append(f.name)
    body.append("    __record_dict__ = self.__dict__")
    body.extend(f"    __record_dict__[{f.name!r}] = {f.name}" for f in fields)
    if hasattr(cls, "__post_init__"):
        body.append("    self.__post_init__()")
    source = f"def __init__(self, {', '.join(params)}):\n" + "\n".join(body) + "\n"
    exec(compile(source, f"<record {cls.__module__}.{cls.__qualname__}>", "exec"), namespace)
    init = namespace["__init__"]
    init.__qualname__ = f"{cls.__qualname__}.__init__"
    init.__module__ = cls.__module__
    return init  # type: ignore[no-any-return]


def _getter(names: tuple[str, ...]) -> Callable[[Any], tuple[Any, ...]]:
    """A function giving the values of these attributes as a tuple (always a tuple)."""
    if not names:
        return lambda obj: ()
    if len(names) == 1:
        name = names[0]
        return lambda obj: (getattr(obj, name),)
    return attrgetter(*names)  # type: ignore[return-value]


def _repr(self: Any) -> str:
    cls = type(self)
    inner = ", ".join(f"{name}={getattr(self, name)!r}" for name in cls.__record_repr__)
    return f"{cls.__qualname__}({inner})"


def _eq(self: Any, other: Any) -> Any:
    if other.__class__ is self.__class__:
        key = self.__record_key__
        return key(self) == key(other)
    return NotImplemented


def _hash(self: Any) -> int:
    return hash(self.__record_hash__(self))


def _ordering(compare: Callable[[Any, Any], bool]) -> Callable[[Any, Any], Any]:
    """An ordering method comparing two records of the same class by their compared fields."""
    def method(self: Any, other: Any) -> Any:
        if other.__class__ is self.__class__:
            return compare(self.__record_key__(self), self.__record_key__(other))
        return NotImplemented
    return method


_lt, _le, _gt, _ge = (_ordering(op) for op in (operator.lt, operator.le, operator.gt, operator.ge))


def _frozen_setattr(self: Any, name: str, value: Any) -> None:
    raise dataclasses.FrozenInstanceError(f"cannot assign to field {name!r}")


def _frozen_delattr(self: Any, name: str) -> None:
    raise dataclasses.FrozenInstanceError(f"cannot delete field {name!r}")
