"""Is a fact's figure printed in its quote? Whole numbers, digits of any width, Chinese
numerals only where they state a quantity."""


from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal, InvalidOperation

from corridor_cli.problems import Problem
from corridor_cli.records import Fact, FactBase, Unit
from corridor_cli.sourcetexts import squeeze
from corridor_cli.views import number_text

_CHINESE_NUMERALS = {1: "一", 2: "两二", 3: "三", 4: "四", 5: "五", 6: "六", 7: "七", 8: "八",
                     9: "九", 10: "十", 0.5: "半"}
_CHINESE_NUMERAL_CHARS = "〇零一二两三四五六七八九十百千万亿半"  # what a Chinese numeral is made of
_MULTIPLIERS = "万亿千百"  # 1.2万吨: a multiplier between a figure and its unit
# What may follow a Chinese numeral that is a quantity (三个, 两年, 半年); 万亿千百 are
# multipliers, which count only as the start of the unit (两万吨 is 2 万吨, not 2 吨).
_MEASURE_WORDS = "个家年列成倍项名位批条次种座所台辆只周月天届轮期类大处片栋间户人"
# A figure as printed (digits already ASCII): 1200, 1,200 (ASCII thousands separators
# before exactly three digits), 17.97.
_FIGURE = re.compile(r"[0-9]{1,3}(?:,[0-9]{3})+(?:\.[0-9]+)?(?![0-9])|[0-9]+(?:\.[0-9]+)?")
_LETTERS = re.compile(r"[A-Za-z]+")
_FULLWIDTH_STOP = "\uff0e"  # ．: a decimal point between full-width digits (１．５)


def _normalise_digits(quote: str) -> str:
    """The quote with whitespace removed, every decimal digit (category Nd: ３, ٣) as its
    ASCII digit, full-width Latin letters as ASCII ones, and a full-width full stop
    between two digits as a decimal point. Nothing else changes: ², ⑫ and the
    full-width comma ， stay what they are (NFKC would make 2, 12 and ,)."""
    chars = []
    for ch in squeeze(quote):
        if ch.isascii():
            chars.append(ch)
        elif unicodedata.category(ch) == "Nd":
            chars.append(str(unicodedata.decimal(ch)))
        elif "\uff21" <= ch <= "\uff3a" or "\uff41" <= ch <= "\uff5a":
            chars.append(chr(ord(ch) - 0xFEE0))
        else:
            chars.append(ch)
    for i in range(1, len(chars) - 1):
        if chars[i] == _FULLWIDTH_STOP and chars[i - 1] in "0123456789" \
                and chars[i + 1] in "0123456789":
            chars[i] = "."
    return "".join(chars)


def _printed_forms(value: int | float) -> list[str]:
    """The Chinese numerals that may print a small value (一 … 十, 两/二, 半); [] for others."""
    return list(_CHINESE_NUMERALS.get(value, ""))


def _multiplier_ok(after: str, unit: str) -> bool:
    """A figure followed by 万/亿/千/百 is that many more: fine only if the unit starts so."""
    return not after or after not in _MULTIPLIERS or unit.startswith(after)


def _letters_ok(letters: str, unit_names: Sequence[str]) -> bool:
    """A figure followed by ASCII letters (5G, 3D, 100km) prints a number in the unit only
    when the unit's id or English name starts with those letters (case aside)."""
    return not letters or any(name.casefold().startswith(letters.casefold())
                              for name in unit_names if name)


def _figures(quote: str, unit: str, unit_names: Sequence[str] = ()) -> set[Decimal]:
    """Every whole figure printed in a normalised quote that may stand for a number in unit
    (unit_names: the unit's id and English name, for a figure followed by letters)."""
    found = set()
    for m in _FIGURE.finditer(quote):
        start, end = m.span()
        if start >= 2 and quote[start - 1] == "." and quote[start - 2] in "0123456789":
            continue  # the tail of 1.2.3
        after = quote[end:end + 1]
        if after == "." and quote[end + 1:end + 2] in tuple("0123456789"):
            continue
        if not _multiplier_ok(after, unit):
            continue
        letters = _LETTERS.match(quote, end)
        if letters is not None and not _letters_ok(letters.group(), unit_names or (unit,)):
            continue  # 5G, 3D: a name, not a figure
        try:
            found.add(Decimal(m.group().replace(",", "")))
        except InvalidOperation:  # pragma: no cover - the pattern only matches numbers
            continue
    return found


def _in_chinese(value: int | float, quote: str, unit: str) -> bool:
    """Whether a small value is printed as a Chinese numeral that is a quantity of its own:
    not inside a longer numeral (三十, 十三, 两万 unless the unit is 万…), and directly
    followed by the unit's first character or a measure word, or preceded by 第 or by
    the whole unit (万分之五)."""
    for form in _printed_forms(value):
        at = quote.find(form)
        while at != -1:
            before = quote[at - 1] if at else ""
            after = quote[at + 1:at + 2]
            if _chinese_quantity(quote, at, before, after, unit):
                return True
            at = quote.find(form, at + 1)
    return False


def _chinese_quantity(quote: str, at: int, before: str, after: str, unit: str) -> bool:
    """Whether the one-character numeral at quote[at] is a quantity (see _in_chinese)."""
    if before and before in _CHINESE_NUMERAL_CHARS:
        return False  # 十三, 一半
    if after and after in _MULTIPLIERS:
        return unit.startswith(after)  # 两万吨: 2 万吨, but 20000 吨
    if after and after in _CHINESE_NUMERAL_CHARS:
        return False  # 三十
    if before == "第" or (after and (after in _MEASURE_WORDS or after == unit[:1])):
        return True
    return bool(unit) and quote.endswith(unit, 0, at)  # 万分之五: the unit before its numeral


def verify_figures(facts: Iterable[Fact] | FactBase,
                   units: Mapping[str, Unit] | None = None) -> list[Problem]:
    """A problem for each fact whose value, value_max or change is not printed in its quote.

    A quote must state the figure it backs: this catches a typo in a value and a
    quote that stops before the change it is meant to carry. Takes any facts (a
    FactBase: its facts, and its units unless units is given); a number that did
    not load (None) is skipped, as is a fact without a quote. units (by id) give
    each unit's English name, for the letters rule below.

    How a figure counts as printed (signs aside: a change of -3.2 is printed 3.2):

    * The quote is read with whitespace removed and only its decimal digits
      normalised: any digit of Unicode category Nd (full-width １２００) reads as
      its ASCII digit, a full-width full stop between digits (１．５) as a decimal
      point and full-width Latin letters as ASCII ones. Nothing else is
      normalised (no NFKC): ² is not 2, ⑫ is not 12, and the full-width comma ，
      is a clause comma, never a thousands separator.
    * A figure is a whole number in the quote: a run of digits, with an optional
      decimal part, not preceded by a digit or by a digit and a decimal point and
      not followed by a digit or by a decimal point and a digit. 120 is not printed
      in 1200列, 2 not in 2022年 or 12, 1.5 not in 11.5 or 1.55. Only an ASCII
      comma between digits and followed by exactly three digits is a thousands
      separator: 1,200 prints 1200 (and neither 1 nor 200); 第3，300家 prints 3 and
      300. Figures compare as numbers: 1.50 prints 1.5.
    * A figure followed by a multiplier 万, 亿, 千 or 百 counts only where the
      unit (the fact's unit for value and value_max, change.unit for change)
      starts with that multiplier: 1.2万吨 prints 1.2 万吨, not 1.2 吨.
    * A figure directly followed by ASCII letters (5G, 3D, 100km) counts only
      where the unit's id or English name starts with those letters, case aside:
      100km² prints 100 km, but 5G基站 does not print 5 个.
    * 1 … 10 and 0.5 may also be printed as a Chinese numeral (一 … 十, 两/二, 半)
      that is a quantity: not inside a longer Chinese numeral (三 prints nothing in
      三十 or 十三), and directly followed by the unit's first character or by a
      measure word (个 家 年 列 成 倍 项 名 位 批 条 次 种 座 所 台 辆 只 周 月 天 届
      轮 期 类 大 处 片 栋 间 户 人), or preceded by 第. A following multiplier
      亿, 万, 千 or 百 counts only where the unit starts with it (两万吨 prints
      2 万吨, not 2 吨). A numeral directly preceded by the whole unit also
      counts (万分之五 prints 5 in the unit 万分之). So 三列 and 第三 print 3,
      but 两江新区, 一带一路 and 三峡 print nothing.
    """
    if isinstance(facts, FactBase):
        units = facts.units if units is None else units
        facts = facts.facts
    units = units or {}

    def names(unit: str | None) -> tuple[str, ...]:
        known = units.get(unit) if unit is not None else None
        name_en = getattr(known, "name_en", None)
        return (unit or "", name_en if isinstance(name_en, str) else "")

    findings: list[Problem] = []
    for fact in facts:
        if fact.quote is None:
            continue
        quote = _normalise_digits(fact.quote)
        numbers = [("value", "value", fact.value, fact.unit)]
        if fact.value_max is not None:
            numbers.append(("value_max", "value_max", fact.value_max, fact.unit))
        if fact.change is not None:
            numbers.append(("change", "change.value", fact.change.value, fact.change.unit))
        lines = dict(fact.origin.field_lines)
        for name, key, value, unit in numbers:
            if value is None:
                continue
            size = abs(value)
            if Decimal(number_text(size)) in _figures(quote, unit or "", names(unit)) \
                    or _in_chinese(size, quote, unit or ""):
                continue
            line = lines.get(key) or lines.get(key.split(".")[0]) or fact.origin.line
            findings.append(Problem(fact.origin.file, line, name, "figure-not-in-quote",
                                    f"{fact.id}: {name} {value} is not printed "
                                    f"in the quote {fact.quote!r}"))
    return findings
