"""Numbers as printed, with what the printing tells: the interval the true value lies in.

A figure printed as 148 lies in [147.5, 148.5]: half a unit of its last printed digit
either side. A count of whole things printed in full (536 列, on a unit marked
discrete) is that count exactly, and so is a target, which is a number someone set.
超 (lower) leaves the top open, 不到 (upper) the bottom. Arithmetic on figures works on
these intervals, so a result carries the precision its inputs justify, and the bound
of its inputs (a lower bound in, a lower or upper bound out, by which way the result
moves). Nothing here knows about facts' meaning: only numbers, intervals and bounds.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_UP, Context, Decimal, DivisionByZero, InvalidOperation

from corridor_cli.records import Bound, Fact, FactBase, Status, decimal_text, exact

CONTEXT = Context(prec=40)  # for the arithmetic: far more digits than any figure justifies
_ZERO = Decimal(0)


@dataclass(frozen=True)
class Figure:
    """A number and what is known of it: the nominal value, the interval of values the
    printing allows (low/high None where the bound leaves that side open) and the bound."""

    value: Decimal
    low: Decimal | None
    high: Decimal | None
    bound: Bound = Bound.exact
    discrete: bool = False  # a count of whole things: results round to whole numbers

    @property
    def half_width(self) -> Decimal:
        """Half the finite interval around the nominal value (0 for an exact count)."""
        lo = self.low if self.low is not None else self.value
        hi = self.high if self.high is not None else self.value
        return CONTEXT.divide(hi - lo, 2) if self.low is not None and self.high is not None \
            else max(abs(self.value - lo), abs(hi - self.value))

    def box(self) -> tuple[Decimal, Decimal]:
        """The finite interval of the printed precision, ignoring an open side."""
        h = half_unit(self.value) if self.low is None or self.high is None else None
        lo = self.low if self.low is not None else self.value - (h or _ZERO)
        hi = self.high if self.high is not None else self.value + (h or _ZERO)
        return lo, hi


def text(value: Decimal | int | float) -> str:
    """A number as a formula prints it: its digits, no exponent, no trailing zeros."""
    return decimal_text(exact(value))


def half_unit(value: Decimal) -> Decimal:
    """Half a unit of the last printed digit: 148 → 0.5, 17.97 → 0.005."""
    return Decimal(5).scaleb(value.as_tuple().exponent - 1)


def figure(value: Decimal, bound: Bound = Bound.exact, *, exact_value: bool = False,
           value_max: Decimal | None = None, discrete: bool = False) -> Figure:
    """A printed number as a Figure. exact_value: the number is known exactly (a count
    printed in full, a target), so only its bound widens it."""
    h = _ZERO if exact_value else half_unit(value if value_max is None else
                                            min(value, value_max, key=lambda v: v.as_tuple().exponent))
    low, high = value - h, (value_max if value_max is not None else value) + h
    nominal = value if value_max is None else CONTEXT.divide(value + value_max, 2)
    if bound is Bound.lower:
        high = None
    elif bound is Bound.upper:
        low = None
    return Figure(nominal, low, high, bound, discrete)


def of_fact(f: Fact, base: FactBase, *, in_base: bool = False) -> Figure:
    """A fact's figure, in its printed unit or (in_base) in its unit's base."""
    unit = base.units.get(f.unit)
    discrete = bool(unit and unit.discrete)
    whole = discrete and exact(f.value) == exact(f.value).to_integral_value()
    fig = figure(exact(f.value), f.bound, exact_value=whole or f.status is Status.target,
                 value_max=None if f.value_max is None else exact(f.value_max),
                 discrete=discrete)
    if in_base and unit is not None:
        scale = exact(unit.scale)
        fig = Figure(CONTEXT.multiply(fig.value, scale),
                     None if fig.low is None else CONTEXT.multiply(fig.low, scale),
                     None if fig.high is None else CONTEXT.multiply(fig.high, scale),
                     fig.bound, fig.discrete)
    return fig


def in_unit(f: Fact, base: FactBase, unit_id: str) -> Figure:
    """A fact's figure in another unit of the same base (万元 as 亿元)."""
    fig = of_fact(f, base, in_base=True)
    scale = exact(base.units[unit_id].scale)

    def conv(v: Decimal | None) -> Decimal | None:
        return None if v is None else CONTEXT.divide(v, scale)
    return Figure(conv(fig.value), conv(fig.low), conv(fig.high), fig.bound, fig.discrete)


def percent_change(f: Fact) -> Figure | None:
    """A fact's reported % change as a Figure (in %), or None when it has none."""
    c = f.change
    if c is None or c.unit != "%":
        return None
    return figure(exact(c.value), c.bound, exact_value=f.status is Status.target)


class Unbounded(ValueError):
    """Inputs bound in opposite directions: the result has no bound at all."""


def evaluate(fn: Callable[..., Decimal], inputs: Sequence[Figure], *,
             discrete: bool = False) -> Figure | None:
    """fn (monotone in each argument over the inputs' intervals) applied to figures: the
    nominal result, its interval from the corners of the inputs' intervals, and the
    bound that one-sided inputs give it. None when fn is undefined there (a division by
    zero) or the inputs' bounds point opposite ways through fn."""
    try:
        nominal = fn(*(i.value for i in inputs))
        corners = [fn(*c) for c in itertools.product(*(i.box() for i in inputs))]
        opens_up = opens_down = False
        for n, i in enumerate(inputs):
            if i.bound not in (Bound.lower, Bound.upper):
                continue
            far = i.value * 4 + 1 if i.bound is Bound.lower else i.value / 4
            probe = fn(*(far if k == n else j.value for k, j in enumerate(inputs)))
            if probe > nominal:
                opens_up = True
            elif probe < nominal:
                opens_down = True
    except (ZeroDivisionError, DivisionByZero, InvalidOperation):
        return None
    if opens_up and opens_down:
        return None
    low, high = min(corners), max(corners)
    bound = Bound.lower if opens_up else Bound.upper if opens_down else \
        Bound.approx if any(i.bound is not Bound.exact for i in inputs) else Bound.exact
    return Figure(nominal, None if opens_down else low, None if opens_up else high,
                  bound, discrete)


def add(figures: Sequence[Figure]) -> Figure | None:
    """The sum of figures: intervals add; lower bounds give a lower bound, upper an upper;
    both together no bound (None)."""
    ups = any(f.high is None for f in figures)
    downs = any(f.low is None for f in figures)
    if ups and downs:
        return None
    value = sum((f.value for f in figures), _ZERO)
    boxes = [f.box() for f in figures]
    low = sum((b[0] for b in boxes), _ZERO)
    high = sum((b[1] for b in boxes), _ZERO)
    bound = Bound.lower if ups else Bound.upper if downs else \
        Bound.approx if any(f.bound is Bound.approx for f in figures) else Bound.exact
    return Figure(value, None if downs else low, None if ups else high, bound,
                  all(f.discrete for f in figures))


def rounded(f: Figure) -> Decimal:
    """The nominal value to the precision its interval justifies: to the place of the
    leading digit of its half-width (125.456 ± 0.43 → 125.5), a count to whole things at
    least; an exact result with a long expansion to four significant digits (41.67)."""
    lo, hi = f.box()
    h = CONTEXT.divide(hi - lo, 2)
    if h > 0:
        place = max(h.adjusted(), f.value.adjusted() - 14)  # never past 15 significant digits
        if f.discrete:
            place = max(place, 0)
        return f.value.quantize(Decimal(1).scaleb(place), rounding=ROUND_HALF_UP,
                                context=CONTEXT)
    value = f.value.normalize(CONTEXT)
    if f.discrete and value == value.to_integral_value():
        return value.quantize(Decimal(1))
    if value.as_tuple().exponent < -6:
        place = min(value.adjusted() - 3, 0)
        return value.quantize(Decimal(1).scaleb(place), rounding=ROUND_HALF_UP, context=CONTEXT)
    return value if value.as_tuple().exponent < 0 else value.quantize(Decimal(1))


def rounded_interval(f: Figure) -> tuple[Decimal | None, Decimal | None]:
    """The interval, rounded outward one digit finer than the rounded value: it still
    holds every value the inputs allow (125.02..125.89 for 125.5)."""
    place = rounded(f).as_tuple().exponent - 1
    unit = Decimal(1).scaleb(place)
    low = None if f.low is None else f.low.quantize(unit, rounding=ROUND_FLOOR, context=CONTEXT)
    high = None if f.high is None else f.high.quantize(unit, rounding=ROUND_CEILING,
                                                       context=CONTEXT)
    return low, high


def overlap(a: Figure, b: Figure) -> bool:
    """Whether the two figures' intervals share a value (they agree)."""
    return (a.high is None or b.low is None or b.low <= a.high) and \
        (b.high is None or a.low is None or a.low <= b.high)


def gap(a: Figure, b: Figure) -> Decimal:
    """How far apart the two intervals are: 0 when they agree."""
    if b.low is not None and a.high is not None and b.low > a.high:
        return b.low - a.high
    if a.low is not None and b.high is not None and a.low > b.high:
        return a.low - b.high
    return _ZERO


def percent(part: Decimal, whole: Decimal) -> Decimal:
    return CONTEXT.divide(CONTEXT.multiply(part, 100), whole)


def factor(g: Decimal) -> Decimal:
    """1 + g %."""
    return CONTEXT.add(1, CONTEXT.divide(g, 100))
