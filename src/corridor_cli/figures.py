"""Is a fact's figure printed in its quote? Whole numbers, digits of any width, Chinese
numerals read as numbers (一百, 三百零五, 一点五万), and only where they state a quantity;
the sign of a change must agree with the quote's words."""


from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator, Mapping, Sequence
from decimal import Decimal, InvalidOperation

from corridor_cli.problems import Problem
from corridor_cli.records import Fact, FactBase, Unit
from corridor_cli.sourcetexts import squeeze
from corridor_cli.views import number_text

# ---------------------------------------------------------------- vocabulary
_DIGITS = {"〇": 0, "零": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6,
           "七": 7, "八": 8, "九": 9}
_PLACES = {"十": 10, "百": 100, "千": 1000}  # within a section (below 万)
_BIG = {"万": 10 ** 4, "亿": 10 ** 8}  # a section's multiplier
_CHINESE_NUMERAL_CHARS = "〇零一二两三四五六七八九十百千万亿点半"  # what a Chinese numeral is made of
_MULTIPLIERS = "万亿千百"  # 1.2万吨: a multiplier between a figure and its unit
# A Chinese numeral: integer characters, then an optional decimal part (一点五, 一点五万), or
# 半 on its own; never part of a longer run (十三 holds no 三, 一半 no 半).
_RUN_CHARS = "〇零一二两三四五六七八九十百千万亿"
_CHINESE_RUN = re.compile(
    rf"(?<![{_RUN_CHARS}半])(?:[{_RUN_CHARS}]+(?:点[〇零一二三四五六七八九]+[万亿]*)?|半)"
    rf"(?![{_RUN_CHARS}半])")
# What may follow a number that is a quantity (三个, 十家, 半个小时) whatever the unit.
# 年 月 天 周 期 大 are not here: 二期, 两年, 十大 and 一月 count only where the unit starts so.
_MEASURE_WORDS = "个家列成倍项名位批条次种座所台辆只届轮类处片栋间户人"
_RANK_UNITS = ("位", "名")  # 第三 prints 3 only in these
# Units whose Chinese numeral follows a written-out prefix (百分之五十 is 50 %).
_FRACTION_PREFIX = {"%": "百分之", "百分之": "百分之", "‰": "千分之", "千分之": "千分之",
                    "‱": "万分之", "万分之": "万分之"}
_PREFIXES = tuple(dict.fromkeys(_FRACTION_PREFIX.values()))
_RANGE_MARKS = "-—–－～~至到"  # 10-15万, 10至15万: a range's second figure follows one
_RANGE_TAIL = re.compile(r"[0-9][0-9.,]*|[〇零一二两三四五六七八九十百千点]+")
_MINUS = "-−－"  # a printed minus sign
_PLUS = "+＋"
# Words that give a change its sign (the nearest one before the figure wins; at the same
# place the longer: 负增长 is negative).
_SIGN_WORDS = (
    *((w, -1) for w in ("下降", "减少", "回落", "下滑", "降低", "下跌", "降幅", "减", "负",
                        "负增长")),
    *((w, 1) for w in ("增长", "增加", "提高", "上升", "提升", "上涨", "增")),
)
_CLAUSE_BREAKS = "，,。；;、：:！!？?（(）)"

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


# ---------------------------------------------------------------- Chinese numerals
def chinese_number(text: str) -> Decimal | None:
    """The value of a Chinese numeral (三, 十五, 三百零五, 两千, 一万二千, 一万二 = 12000,
    一点五万, 半), or None if text is not one (十四五, 二〇二二, 三四, 百, 一半)."""
    if text == "半":
        return Decimal("0.5")
    if "点" in text:
        head, _, tail = text.partition("点")
        m = re.fullmatch(r"([〇零一二三四五六七八九]+)([万亿]*)", tail)
        whole = _chinese_integer(head) if head else None
        if m is None or whole is None:
            return None
        number = whole + Decimal("0." + "".join(str(_DIGITS[c]) for c in m.group(1)))
        for ch in m.group(2):
            number *= _BIG[ch]
        return number
    whole = _chinese_integer(text)
    return None if whole is None else Decimal(whole)


def _chinese_integer(text: str) -> int | None:
    """A whole Chinese numeral, read by sections of 万 and 亿; None if malformed."""
    done = 0  # the sections closed by 万 or 亿
    section = 0  # the part below 万 read so far
    digit: int | None = None  # a digit waiting for its place
    last_place: int | None = None  # the last place seen (十百千, or 万亿)
    zero = False  # a 零 since the last place: the next digit is a units digit
    last_big: int | None = None
    if not text:
        return None
    for ch in text:
        if ch in _DIGITS:
            if digit is not None:
                return None  # 三四, 二〇二二: digits side by side
            if _DIGITS[ch] == 0:
                if last_place is None:
                    return None if len(text) > 1 else 0
                zero = True
                continue
            digit = _DIGITS[ch]
        elif ch in _PLACES:
            place = _PLACES[ch]
            if digit is None:
                if place != 10 or section or zero:
                    return None  # 百, 一百十
                digit = 1  # 十五
            small = last_place if last_place is not None and last_place < 10 ** 4 else None
            if small is not None and place >= small and section:
                return None  # 十百, 三百四百
            section += digit * place
            digit, last_place, zero = None, place, False
        elif ch in _BIG:
            big = _BIG[ch]
            if digit is not None:
                section += digit
                digit = None
            if big == 10 ** 4:
                if not section or last_big == 10 ** 4:
                    return None  # 万, 一万万
                done += section * big
            else:
                if not (section or done) or last_big == 10 ** 8:
                    return None
                done = (done + section) * big
            section, last_place, last_big, zero = 0, big, big, False
        else:
            return None
    if digit is not None:
        # 十二: a units digit; 一万二, 三千五: one place below the last (12000, 3500)
        section += digit * (1 if zero or last_place is None else max(last_place // 10, 1))
    return done + section


# ---------------------------------------------------------------- what follows a figure
def _skip_tail(text: str, at: int) -> int:
    """Past what may stand between a figure and its multiplier or unit: 余, 多, 左右 and
    a range's second figure (10余万, 10多万, 10-15万, 十至十五万)."""
    while at < len(text):
        if text.startswith("左右", at):
            at += 2
        elif text[at] in "余多":
            at += 1
        elif text[at] in _RANGE_MARKS and (m := _RANGE_TAIL.match(text, at + 1)):
            at = m.end()
        else:
            break
    return at


def _is_month(after: str, unit: str) -> bool:
    """一月, 6月: a numeral followed by 月 is a month, unless the unit is one of months."""
    return after.startswith("月") and not (unit.startswith("月") or unit == "个月")


def _letters_ok(letters: str, unit_names: Sequence[str]) -> bool:
    """A figure followed by ASCII letters (5G, 3D, 100km) prints a number in the unit only
    when the unit's id or English name starts with those letters (case aside)."""
    return not letters or any(name.casefold().startswith(letters.casefold())
                              for name in unit_names if name)


def _ordinal_ok(quote: str, start: int, unit: str) -> bool:
    """第三, 第3: an ordinal, which states a number only in a rank unit (位, 名)."""
    return not (start and quote[start - 1] == "第") or unit in _RANK_UNITS


# ---------------------------------------------------------------- the sign of a change
def _sign_before(quote: str, start: int) -> int:
    """-1 or 1 where the figure at quote[start] is marked as a fall or a rise (a minus or
    plus sign just before it, or the nearest sign word in its clause), 0 where unmarked."""
    if start and quote[start - 1] in _MINUS + _PLUS and not (
            start >= 2 and (quote[start - 2].isdigit()
                            or quote[start - 2] in _CHINESE_NUMERAL_CHARS + "%％‰")):
        return -1 if quote[start - 1] in _MINUS else 1  # -3.2%, not the range 10-15 or 5%-8%
    begin = start
    while begin and quote[begin - 1] not in _CLAUSE_BREAKS and not quote[begin - 1].isdigit() \
            and quote[begin - 1] != "%":
        begin -= 1
    window = quote[begin:start]
    best = (-1, 0, 0)  # (end, length, sign)
    for word, sign in _SIGN_WORDS:
        at = window.rfind(word)
        if at != -1:
            best = max(best, (at + len(word), len(word), sign))
    return best[2]


def _sign_ok(sign: int, value: int | float | None) -> bool:
    """Whether a figure marked with sign may print a change of value (unmarked: either)."""
    return value is None or sign == 0 or (sign < 0) == (value < 0)


# ---------------------------------------------------------------- figures in a quote
def _figures(quote: str, unit: str, unit_names: Sequence[str] = ()) -> Iterator[tuple[Decimal, int]]:
    """Every whole figure printed in digits in a normalised quote that may stand for a
    number in unit, with where it starts (unit_names: the unit's id and English name,
    for a figure followed by letters)."""
    for m in _FIGURE.finditer(quote):
        start, end = m.span()
        if start >= 2 and quote[start - 1] == "." and quote[start - 2] in "0123456789":
            continue  # the tail of 1.2.3
        if quote[end:end + 1] == "." and quote[end + 1:end + 2] in tuple("0123456789"):
            continue
        if not _ordinal_ok(quote, start, unit):
            continue  # 第3 is a rank
        after = quote[_skip_tail(quote, end):]
        if after[:1] and after[0] in _MULTIPLIERS and not unit.startswith(after[0]):
            continue  # 1.2万吨, 10余万列, 10-15万列: the multiplier belongs to the unit
        if unit[:1] and unit[0] in _MULTIPLIERS and not after.startswith(unit[0]):
            continue  # 40吨 is not 40 万吨: a unit that starts with 万 needs it printed
        if unit in ("%", "％") and not after.startswith(("%", "％")):
            continue  # 5‰, 3个百分点, 5成 are not 5 %
        if _is_month(after, unit):
            continue
        letters = _LETTERS.match(quote, end)
        if letters is not None and not _letters_ok(letters.group(), unit_names or (unit,)):
            continue  # 5G, 3D: a name, not a figure
        try:
            yield Decimal(m.group().replace(",", "")), start
        except InvalidOperation:  # pragma: no cover - the pattern only matches numbers
            continue


def _chinese_figures(quote: str, unit: str) -> Iterator[tuple[Decimal, int]]:
    """Every Chinese numeral in a normalised quote that is a quantity in unit, as its
    value in that unit (一点五万 is 1.5 in 万吨), with where it starts."""
    prefix = _FRACTION_PREFIX.get(unit)
    own = "" if prefix else unit[:1] if unit[:1] in _BIG else ""  # the unit's 万 or 亿
    for m in _CHINESE_RUN.finditer(quote):
        start, run_end = m.span()
        preceded = next((p for p in _PREFIXES if quote.endswith(p, 0, start)), None)
        if preceded is not None or prefix is not None:
            number = chinese_number(m.group())
            if number is None:
                continue
            if preceded is not None:
                if preceded == prefix:
                    yield number, start  # 百分之五十 in %
                continue  # 万分之五 is no 5 of any other unit
            if quote.startswith(unit, run_end):
                yield number, start  # 五十%
            continue
        if start and quote[start - 1] == "第":
            number = chinese_number(m.group())
            if number is not None and unit in _RANK_UNITS:
                yield number, start
            continue  # 第三: a rank, not a count
        for end in range(run_end, start, -1):
            piece = quote[start:end]
            number = chinese_number(piece)
            if number is None:
                continue
            rest = unit  # what should follow
            if own and own in piece:
                number /= _BIG[own]  # 一万二千 in 万: 1.2
                rest = unit[1:]
            elif piece[-1] in _BIG:
                continue  # 两万吨 is not 2 吨 nor 20000 吨: the 万 belongs to a unit
            if end != run_end and not (rest and quote.startswith(rest[0], end)):
                continue  # 一万 inside 一万二千 is no number of its own
            if _quantity_follows(quote[end:], rest, unit):
                yield number, start


def _quantity_follows(after: str, rest: str, unit: str) -> bool:
    """Whether a Chinese numeral followed by after states a quantity in unit, rest being
    the part of the unit still to come (吨 of 万吨 after 两万)."""
    after = after[_skip_tail(after, 0):]
    if after[:1] and after[0] in _MULTIPLIERS:
        if not rest.startswith(after[0]):
            return False  # 十余万列: 10万, not 10
        after, rest = after[1:], rest[1:]
        if after[:1] and after[0] in _CHINESE_NUMERAL_CHARS:
            return False  # 一 of 一万二千: part of a longer numeral
    if after.startswith("月"):
        return rest.startswith("月") or unit == "个月"  # 一月 is a month
    if not rest:
        return True  # 一万二千 in the unit 万
    return bool(after) and (after[0] in _MEASURE_WORDS or after.startswith(rest[0]))


def verify_figures(facts: Iterable[Fact] | FactBase,
                   units: Mapping[str, Unit] | None = None) -> list[Problem]:
    """A problem for each fact whose value, value_max or change is not printed in its quote.

    A quote must state the figure it backs: this catches a typo in a value and a
    quote that stops before the change it is meant to carry. Takes any facts (a
    FactBase: its facts, and its units unless units is given); a number that did
    not load (None) is skipped, as is a fact without a quote. units (by id) give
    each unit's English name, for the letters rule below. "The unit" is the fact's
    unit for value and value_max, change.unit for change.

    How a figure counts as printed:

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
      separator: 1,200 prints 1200 (and neither 1 nor 200); 第3，300家 prints 300.
      Figures compare as numbers: 1.50 prints 1.5.
    * A multiplier 万, 亿, 千 or 百 after a figure belongs to the unit: the figure
      counts only where the unit starts with it (1.2万吨 prints 1.2 万吨, not 1.2
      吨 nor 12000 吨). 余, 多, 左右 and a range's second figure (-15, —15, ～15,
      至15, 到15) are skipped to find it: 10余万列, 10多万列 and 10-15万列 print
      10 万列, not 10 列.
    * A figure directly followed by ASCII letters (5G, 3D, 100km) counts only
      where the unit's id or English name starts with those letters, case aside:
      100km² prints 100 km, but 5G基站 does not print 5 个.
    * A figure followed by 月 (after the skips above) is a month: 6月 and 一月
      print no 6 or 1 unless the unit starts with 月 or is 个月.
    * A figure directly after 第 is an ordinal: 第3 and 第三 print 3 only in a rank
      unit (位 or 名), never 3 家.
    * A Chinese numeral is read as a whole, by value: 十五 is 15, 一百 100, 三百零五
      305, 两千 2000, 一点五 1.5, 半 0.5, and the short forms 一万二 (12000) and
      三千五 (3500). Characters that make no numeral together (十四五, 二〇二二,
      三四) print nothing, and no part of a longer numeral is read on its own
      (三 is not in 三十 or 十三). A numeral counts where it is a quantity:
      - directly followed (after the skips above) by the unit's first character
        or by a measure word (个 家 列 成 倍 项 名 位 批 条 次 种 座 所 台 辆 只 届
        轮 类 处 片 栋 间 户 人). 年 月 天 周 期 大 are no measure words: 两年, 二期,
        十大 count only where the unit starts with 年, 期, 大. So 三列 prints 3,
        but 两江新区, 一带一路 and 三峡 print nothing;
      - a 万 or 亿 is the unit's, as for digits: 两万吨 and 一点五万吨 print 2 and
        1.5 万吨 but nothing in 吨; where the unit starts with 万 or 亿, a numeral
        holding it is read in that unit (一万二千 is 1.2 万);
      - after 百分之, 千分之 or 万分之 it is a fraction, printed only in the
        matching unit (% or 百分之; ‰ or 千分之; ‱ or 万分之): 百分之五十 prints
        50 %, 万分之五 prints 5 万分之. In those units a numeral counts only so, or
        directly followed by the unit (五十%).
    * The sign of a change must agree with the quote: a figure directly after a
      minus sign (-, −, －; not a range's 10-15 or 5%-8%) is negative, one
      directly after a plus sign (+, ＋) positive; otherwise the sign word
      nearest before it in its clause decides (negative: 下降 减少 回落 下滑 降低
      下跌 降幅 减 负 负增长; positive: 增长 增加 提高 上升 提升 上涨 增). So
      下降3.2% prints −3.2, not 3.2; 增长3.2% prints 3.2, not −3.2. A figure with
      neither prints the change whatever its sign. Value and value_max are
      compared without sign.
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
        numbers = [("value", "value", fact.value, fact.unit, False)]
        if fact.value_max is not None:
            numbers.append(("value_max", "value_max", fact.value_max, fact.unit, False))
        if fact.change is not None:
            numbers.append(("change", "change.value", fact.change.value, fact.change.unit, True))
        lines = dict(fact.origin.field_lines)
        for name, key, value, unit, signed in numbers:
            if value is None:
                continue
            wanted = Decimal(number_text(abs(value)))
            printed = ((number, start)
                       for found in (_figures(quote, unit or "", names(unit)),
                                     _chinese_figures(quote, unit or ""))
                       for number, start in found)
            if any(number == wanted and (not signed or _sign_ok(_sign_before(quote, start), value))
                   for number, start in printed):
                continue
            line = lines.get(key) or lines.get(key.split(".")[0]) or fact.origin.line
            findings.append(Problem(fact.origin.file, line, name, "figure-not-in-quote",
                                    f"{fact.id}: {name} {value} is not printed "
                                    f"in the quote {fact.quote!r}"))
    return findings
