"""Every figure printed in a Chinese text, with what a curator needs to record it.

``find_printed(text, units, today)`` returns, in text order, one ``Printed`` for each
printed figure (kind ``figure``), each printed date (kind ``date``) and each piece of
page furniture (kind ``furniture``, with a ``reason``). Pure: no I/O.

How the text is read
--------------------
* A normalised copy is matched, offsets always point into the original text:
  decimal digits of any width (１２３) read as ASCII, full-width ％ ＋ － ～ and Latin
  letters as ASCII, a full-width ． between digits as a decimal point, and traditional
  characters that matter (萬 億 兩 個 點 標 預 計 約 餘 長 達 較 爭 劃 淨 …) as
  simplified ones, one character for one. Whitespace is ignored (a line wrap may fall
  inside a figure: ``1500 万\\n吨``), except that whitespace between two ASCII letters or
  digits keeps them apart. The full-width comma ，is never a thousands separator.
* ``unit`` is given in simplified characters (the vocabulary's spelling), with its
  multiplier (``万辆``, ``亿元``, ``万户``, ``个百分点``, ``万`` alone, ``""`` when nothing
  follows); ``printed`` is always the original text.

What is a figure
----------------
* Arabic numbers: ``1234``, ``1,234.5`` (an ASCII comma before exactly three digits),
  ``１２３``; a number glued to ASCII letters is a code (``CN11``, ``5G``) unless the
  letters are a unit (``16GWh``, ``TEU``, ``km``).
* Chinese numerals (``figures.chinese_number``: 三, 一百, 一点五万, 半) only where they
  state a quantity: followed by a unit or measure word (三成, 两年, 两周年, 一百多家,
  半个小时, 四个), or after 第 as a rank, or after 百分之/千分之/万分之. Not figures:
  a run that is no number (十四五 and 十三五 are plan names, 三四), 一 on its own (一带一路,
  一体化, 统一, 一批, 一个个, 唯一, 进一步, 之一, 一是: the article, not a count; only 一倍
  counts), 两位数, N大 (五大中心, 二十大), phase names (二期, 一期; but 分两期 counts),
  N届 and N次全会/会议 (session numbers), 十分 (very), 上半年/下半年 (periods, no figure),
  N是/其N/之N/亮点N (enumerations).
* Names are not figures: a number right after an opening quotation mark or next to
  ``+`` (“1155”, “33618”, “100+N”, “4+1”, “0”到“1”, “两个覆盖”), N强 (500强, 50强),
  N号.
* Ordinals 第N are figures (``ordinal=True``) when they rank: followed by 位, 名, 个, 家
  or by nothing that names what is counted (居全区第一, 位列全市第三). 第N批/次/届/
  项/条/单/时间 are names or enumerations, not figures; 第N季度 is a date; 第N版/页 a
  page number and 第N期 (digits) an issue number (furniture).
* Ranges: 10-15, 10—15, 10~15, 10至15, 三到五, and 5%-8%: ``value`` and ``value_max``.
* Units: the longest of the vocabulary's units (``units``) and a built-in list of
  measure words and units that follows the number, after an optional 余/多 and a
  multiplier (万 亿 千 百). 千亿元 reads as 1000 亿元.

Dates (kind ``date``)
---------------------
2023年6月11日, 2023-06-11, 2023年6月, 2023年1—5月, 2023年第二季度, 2022年, 2022年度,
2023-2027年, 二〇二三年, 6月5日, 1—5月, 1月-6月, 3月, 一季度. A number of 1800–2099
before 年 is a year; any other number before 年 is a duration (两年, 3年 are figures).
``date`` holds the normalised value ("2023-06-11", "2023-06", "2023", a span
"2023-01..2023-05" or "2023..2027"); a date printed without a year takes it from a
今年/去年/明年/前年 just before it, else from ``today``; with neither, ``date`` is None
and ``period_text`` holds what is printed. 底/末 (5月底) keep the month in ``date``; the
as_of derived from them for figures is the last day. 上半年, 全年, 今年 print no number:
they are not dates of their own but set the period of the figures after them.

Page furniture (kind ``furniture``; excluded from coverage)
----------------------------------------------------------
``page number`` (a line that is only a number or "- 3 -", 第3版, 第 3 页, 3版, a number
ending a line with 责编/编辑/美编/校对), ``issue number`` (第1234期, 总第N期),
``price`` (定价/零售价/订阅价/售价 … 元, N Yuan), ``phone number`` (a number after
电话/传真/热线/Tel/Fax on its line, 023-12345678, 13912345678, 400-…),
``serial number`` (CN 50-0001, ISSN, a number after 刊号/出版物号/邮发代号/Serial/Code on
its line), ``byline date`` (a date followed by 星期X/周X, or after 发布时间/日期/来源 on
its line), ``dateline`` (a date followed by 电: 6月5日电), ``URL``, ``e-mail`` and
``time of day`` (10:30).

What is read around a figure
----------------------------
* ``clause``: the shortest clause holding the figure, verbatim: bounded by ，,；;。！？!?…
  and ：: (not between digits), by an enclosing bracket or quotation mark when the
  figure is inside one, by a heading line (#), by the end of a short or headline-like line
  (a line under a third of the text's median line length, a line of Latin letters
  without Chinese, or one no longer than 1.6 medians with phrase-separating spaces and
  no punctuation: mastheads, bylines, headlines), and by a space that
  separates two phrases within a line (亮点一 全年开行…). Line wraps inside a sentence are
  not breaks. A clause is at most 60 characters either side of its figure.
* The sentence: bounded by 。！？!?… and the same line breaks (not by ；).
* ``bound``: ``approx`` (约, 大约, 左右), ``lower`` (超, 超过, 逾, 突破, 余, 多 inside
  the figure, 以上), ``upper`` (近, 将近, 接近, 不到, 不足, 以下, 以内), else ``exact``.
  The word must touch the figure; 不到/不足/超过 may stand up to five characters before it
  (不到重庆市万分之五).
* ``status``: the status word nearest before the figure in its sentence: ``target`` for
  目标, 力争, 计划, 争取, 确保, and 将 in the figure's own clause; ``forecast`` for 预计,
  有望, 预测. A figure whose period lies in a later year than ``today`` is at least a
  target. 要 is not read (重要, 主要, 需要), nor 预期 (超预期); 将近 and 将来 are not 将.
* ``change``: a figure is a change when a change word stands before it in its clause
  (增长, 增加, 下降, 减少, 提高, 提升, 上升, 回落, 下滑, 降低, 增幅, 降幅, 增速, 净增,
  净减, 高出, 低于), not followed by 到/至 (提高到51.8% is a level) and not 新增 (a flow).
  ``ChangeInfo.value`` is negative for a fall (下降, 减少, 回落, 下滑, 降低, 降幅, 净减,
  低于); ``basis`` is ``yoy`` (同比, 较去年同期, 比上年, 较上年, 比去年 in the clause),
  ``annual_average`` (年均, 平均每年), ``vs_benchmark`` (高出, 低于, 高于), else
  ``over_period``; its bound is the figure's.
* ``change_of``: on a change, the index (in the returned list) of the figure it
  belongs to: the nearest earlier figure of the sentence, not itself a change, an
  ordinal or a comparison base (after 较/比), when only punctuation, change and basis
  words, earlier changes of the same figure, a bracketed remark and comparisons
  (较2021年11家) stand between them (网上零售额4161.1亿元、同比增长2.3%). Otherwise None
  (进出口总额年均增长40.5% names a subject of its own). The base figure does not point
  back: read ``change_of`` on the changes.
* ``period``/``as_of``: from the nearest date or period word before the figure in its
  sentence (dates followed by 起/以来 are starts, skipped; a change skips a comparison
  date after 较/比). 截至/截止 before it, or 底/末 after it, make it an ``as_of`` (底/末:
  the last day); 目前/截至目前/现在 are ``as_of`` today. 今年/全年/当年/本年, 去年,
  上半年/下半年 and year-less dates are resolved from ``today`` ("2023-06-30" or "2023");
  unresolved, period and as_of are None. ``period_text`` holds the printed words the
  period was read from whenever one was found (resolved or not), so a human can check
  it. 全年/当年 take the year of the last date earlier in the same paragraph (a
  paragraph that opens "2023年，…" is about 2023), else today's year.
"""

from __future__ import annotations

import bisect
import calendar
import re
import statistics
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from corridor_cli.figures import _CHINESE_RUN, chinese_number
from corridor_cli.sourcetexts import PARAGRAPH_BREAK

FIGURE, DATE, FURNITURE = "figure", "date", "furniture"


@dataclass(frozen=True)
class ChangeInfo:
    """A figure that is a change: 同比增长116.49% → value 116.49, unit "%", basis "yoy"."""

    value: Decimal  # signed: negative for a fall
    unit: str
    basis: str  # yoy | annual_average | vs_benchmark | over_period
    bound: str = "exact"


@dataclass(frozen=True)
class Printed:
    """One printed figure, date or piece of page furniture (see the module docstring)."""

    start: int  # offsets in the text given
    end: int
    printed: str  # text[start:end]
    kind: str  # figure | date | furniture
    reason: str = ""  # furniture: why ("page number", "price" …)
    value: Decimal | None = None
    value_max: Decimal | None = None
    unit: str = ""
    bound: str = "exact"  # exact | approx | lower | upper
    status: str = "actual"  # actual | target | forecast
    change: ChangeInfo | None = None  # set when this figure is a change
    change_of: int | None = None  # a change: index of the figure it belongs to
    period: str | None = None
    as_of: str | None = None
    period_text: str | None = None  # the printed words the period was read from
    date: str | None = None  # a date: its normalised value
    ordinal: bool = False  # 第N
    clause_start: int = 0
    clause_end: int = 0
    clause: str = ""


# ---------------------------------------------------------------- normalising
_TRADITIONAL = dict(zip(
    "萬億兩個點標預計約餘長達較與爭劃噸輛項臺戶際漲減過將實現開發總額貿進單歲週時鐘畝據淨號頁價"
    "電話連續統體帶這為來種場營業區車貨運機條屆輪類處間棟隻級門產員幾於測層筆張強數專後當雙對"
    "記歷億釐頭頓幣億嗎們務億內銷區產線鐵貨櫃碼",
    "万亿两个点标预计约余长达较与争划吨辆项台户际涨减过将实现开发总额贸进单岁周时钟亩据净号页价"
    "电话连续统体带这为来种场营业区车货运机条届轮类处间栋只级门产员几于测层笔张强数专后当双对"
    "记历亿厘头顿币亿吗们务亿内销区产线铁货柜码"))
_FULLWIDTH_SAME = {"％": "%", "＋": "+", "－": "-", "～": "~", "／": "/"}


def _normalise_char(ch: str) -> str:
    if ch in _TRADITIONAL:
        return _TRADITIONAL[ch]
    if ch in _FULLWIDTH_SAME:
        return _FULLWIDTH_SAME[ch]
    if not ch.isascii() and unicodedata.category(ch) == "Nd":
        return str(unicodedata.decimal(ch))
    if "\uff21" <= ch <= "\uff3a" or "\uff41" <= ch <= "\uff5a":
        return chr(ord(ch) - 0xFEE0)
    return ch


def _is_cjk(ch: str) -> bool:
    return "\u3400" <= ch <= "\u9fff" or "\uf900" <= ch <= "\ufaff"


_SENTENCE_END = "。！？!?…"
_CLAUSE_PUNCT = "，,；;。！？!?…"
_COLONS = "：:"
_OPENERS = "“‘「『（(《【〈[\"'"
_CLOSERS = {"”": "“", "’": "‘", "」": "「", "』": "『", "）": "（", ")": "(", "》": "《",
            "】": "【", "〉": "〈", "]": "["}
_OPEN_QUOTES = "“‘「『\"'"


class _View:
    """The text normalised (same length) and squeezed (whitespace out), with maps."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.n = "".join(_normalise_char(ch) for ch in text)
        n = list(self.n)
        for i in range(1, len(n) - 1):  # １．５
            if n[i] == "\uff0e" and n[i - 1].isdigit() and n[i + 1].isdigit():
                n[i] = "."
        self.n = "".join(n)
        chars: list[str] = []
        pos: list[int] = []
        line_breaks: set[int] = set()  # s index after a line break that ends a clause
        phrase_breaks: set[int] = set()
        newline_ok = self._line_break_ends()
        i, length = 0, len(self.n)
        while i < length:
            ch = self.n[i]
            if not ch.isspace():
                chars.append(ch)
                pos.append(i)
                i += 1
                continue
            j = i
            while j < length and self.n[j].isspace():
                j += 1
            before = self.n[i - 1] if i else ""
            after = self.n[j] if j < length else ""
            run = self.n[i:j]
            if before and after and before.isascii() and after.isascii() \
                    and before.isalnum() and after.isalnum():
                chars.append(" ")
                pos.append(i)
            if "\n" in run:
                if any(k in newline_ok for k in range(i, j)):
                    line_breaks.add(len(chars))
            elif before and after and _is_cjk(before) and _is_cjk(after) \
                    and not (i >= 2 and self.n[i - 2].isspace()) \
                    and not (j + 1 < length and self.n[j + 1].isspace()):
                phrase_breaks.add(len(chars))  # 亮点一 全年…, not 强 化 集 散
            i = j
        self.s = "".join(chars)
        self.pos = pos
        self.breaks = line_breaks | phrase_breaks
        self.line_breaks = line_breaks

    def _line_break_ends(self) -> set[int]:
        """Offsets of the newlines that end a clause (see the module docstring)."""
        lines = self.n.split("\n")
        lengths = [len("".join(line.split())) for line in lines if line.strip()]
        median = statistics.median(lengths) if lengths else 0
        ends: set[int] = set()
        offset = 0
        for k, line in enumerate(lines):
            offset_nl = offset + len(line)
            if offset_nl < len(self.n):
                stripped = line.strip()
                nxt = next((x.strip() for x in lines[k + 1:] if x.strip()), "")
                squeezed = "".join(stripped.split())
                latin_only = bool(re.search(r"[A-Za-z]", stripped)) \
                    and not any(_is_cjk(c) for c in stripped)
                headline = bool(re.search(r"[^\s]\s+[^\s]", stripped)) \
                    and len(squeezed) <= median * 1.6 \
                    and not any(p in stripped for p in _CLAUSE_PUNCT + _COLONS) \
                    and any(_is_cjk(c) for c in stripped)
                if stripped and (stripped.startswith("#") or nxt.startswith("#")
                                 or len(squeezed) < median / 3 or headline or latin_only
                        or stripped[-1:] in _SENTENCE_END):
                    ends.add(offset_nl)
            offset = offset_nl + 1
        return ends

    # offsets
    def orig(self, i: int, j: int) -> tuple[int, int]:
        """Original [start, end) of squeezed [i, j)."""
        return self.pos[i], self.pos[j - 1] + 1

    def squeezed(self, start: int, end: int) -> tuple[int, int]:
        """Squeezed [i, j) of original [start, end)."""
        return bisect.bisect_left(self.pos, start), bisect.bisect_left(self.pos, end)


# ---------------------------------------------------------------- units
_BUILTIN_UNITS = (
    "个百分点", "百分点", "个集装箱", "个标箱", "标箱", "TEU", "集装箱", "个小时", "小时", "个月",
    "分钟", "秒", "天", "周年", "年", "周", "季", "亿美元", "万美元", "美元", "亿元", "万元", "元",
    "欧元", "港元", "万吨", "吨", "公斤", "千克", "斤", "万亩", "亩", "平方公里", "平方米", "公顷",
    "公里", "千米", "米", "千瓦时", "千瓦", "兆瓦", "吉瓦时", "GWh", "MWh", "kWh", "GW", "MW",
    "kW", "km", "kg", "批次", "人次", "架次", "车次", "航次", "个", "家", "列", "项", "种", "户",
    "名", "位", "人", "次", "批", "条", "座", "所", "台", "辆", "只", "届", "轮", "类", "处", "间",
    "栋", "件", "套", "张", "份", "单", "票", "趟", "班", "层", "倍", "成", "国", "分", "期", "笔",
    "艘", "架", "头", "岁", "度", "%", "‰",
)
_MULTIPLIER_RE = re.compile(r"万亿|[万亿千百]")
_PREFIX_UNITS = {"百分之": "%", "千分之": "‰", "万分之": "万分之"}
_LATIN_UNIT = re.compile(r"[A-Za-z]+")
# what may follow a unit and stops it being a unit: 分别, 成为, 年来 is fine
_NOT_AFTER = {"分": "别之布为成析享工配", "成": "为功立本果效交员都长熟型", "度": "过",
              "期": "间待望盼", "周": "边围转", "次": "要", "批": "准复", "单": "位独一",
              "台": "湾阶", "所": "以有属谓在", "头": "部条", "条": "件例款", "名": "称单义",
              "处": "理置于在", "件": "事"}


class _Units:
    def __init__(self, units: Sequence[str]) -> None:
        names = {u for u in (*_BUILTIN_UNITS, *units)
                 if u and not u.endswith("之") and u != "百分比"}
        self.cjk = sorted((u for u in names if not u.isascii() or u in ("%",)),
                          key=len, reverse=True)
        self.latin = {u for u in names if u.isascii() and u.isalpha()}

    def match(self, s: str, k: int) -> tuple[str, int]:
        """The longest unit at s[k] and how many characters it takes (("", 0) if none);
        a Latin unit may follow a space (16 GWh)."""
        best = ""
        for u in self.cjk:
            if len(u) > len(best) and s.startswith(u, k):
                nxt = s[k + len(u):k + len(u) + 1]
                if nxt and nxt in _NOT_AFTER.get(u, ""):
                    continue
                best = u
        if best:
            return best, len(best)
        at = k + 1 if s[k:k + 1] == " " else k
        m = _LATIN_UNIT.match(s, at)
        if m and m.group() in self.latin:
            return m.group(), m.end() - k
        return "", 0


# ---------------------------------------------------------------- tokens
@dataclass
class _Tok:
    i: int  # squeezed offsets
    j: int
    kind: str
    reason: str = ""
    value: Decimal | None = None
    value_max: Decimal | None = None
    unit: str = ""
    bound: str = "exact"
    ordinal: bool = False
    date: str | None = None
    edge: str = ""  # 底/末 … of a date
    span: bool = False  # a date that is a span


# ---------------------------------------------------------------- furniture (line by line)
_FURN_PATTERNS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"https?://[^\s，。；、）)]+|www\.[^\s，。；、）)]+"), "URL"),
    (re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+"), "e-mail"),
    (re.compile(r"\bCN\s*\d{2}\s*-\s*\d{4}(?:/[A-Z0-9]+)?"), "serial number"),
    (re.compile(r"ISSN\s*\d{4}\s*-\s*\d{3}[\dXx]"), "serial number"),
    (re.compile(r"(?<![\d.])(?:\(?0\d{2,3}\)?[-\s]?\d{7,8}|1[3-9]\d{9}|400-?\d{3}-?\d{4})(?![\d])"),
     "phone number"),
    (re.compile(r"总?第\s*\d+\s*期"), "issue number"),
    (re.compile(r"第\s*(?:\d+|[一二三四五六七八九十]+)\s*[版页]"), "page number"),
    (re.compile(r"(?<![\d.])(?:[A-Z]\s*)?\d{1,3}\s*版(?![权本面式])"), "page number"),
    (re.compile(r"(?<![\d.:])(?:[01]?\d|2[0-3])[:：][0-5]\d(?:[:：][0-5]\d)?(?![\d])"), "time of day"),
    (re.compile(r"\d+(?:\.\d+)?\s*(?:Yuan|yuan|RMB)\b"), "price"),
]
_LABELS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"电话|传真|热线|Tel|TEL|Fax|FAX|手机|Phone"), "phone number"),
    (re.compile(r"刊号|出版物号|邮发代号|Serial Number|Code|ISSN|ISBN"), "serial number"),
    (re.compile(r"定价|零售价|订阅价|订价|Price"), "price"),
]
_LABELLED_NUMBER = re.compile(r"[A-Z]{0,2}\d[\d\-.—/]*(?:\s*元)?")
_UNIT_STARTS = "年月日号个家列项种户名位人次批条座所台辆只倍成万亿千百元吨亩天周期层%‰.,"
_EDITOR_LINE = re.compile(r"责编|责任编辑|编辑|美编|校对|版式|组版|审校")
_PAGE_LINE = re.compile(r"\s*[-—–]?\s*(\d{1,3})\s*[-—–]?\s*")
_BYLINE_LABEL = re.compile(r"(?:发布时间|发布日期|发表时间|更新时间|出版日期|日期|时间|来源|Published|Date)"
                           r"[^，。；,;]{0,16}?[:：]?\s*$")


def _furniture(view: _View) -> list[tuple[int, int, str]]:
    """Furniture spans in original offsets, found line by line."""
    found: list[tuple[int, int, str]] = []
    n = view.n
    offset = 0
    lines = n.split("\n")
    for k, line in enumerate(lines):
        for pattern, reason in _FURN_PATTERNS:
            for m in pattern.finditer(line):
                found.append((offset + m.start(), offset + m.end(), reason))
        for pattern, reason in _LABELS:
            for lm in pattern.finditer(line):
                # the numbers that follow the label closely (电话: 010-…, 定价 2.00元)
                at = lm.end()
                while True:
                    m = _LABELLED_NUMBER.search(line, at)
                    if m is None or m.start() - at > 6 or re.search(r"[，。；,;]", line[at:m.start()]):
                        break
                    found.append((offset + m.start(), offset + m.end(), reason))
                    at = m.end()
        pm = _PAGE_LINE.fullmatch(line)
        if pm and line.strip():
            following = "".join("".join(lines[k + 1:k + 3]).split())[:1]
            if not following or following not in _UNIT_STARTS:  # not 13\n个项目
                found.append((offset + pm.start(1), offset + pm.end(1), "page number"))
        if _EDITOR_LINE.search(line):
            for m in re.finditer(r"(?<![\d.])\d{1,3}(?=\s*$)|^\s*\d{1,3}(?![\d.])", line):
                a = offset + m.start() + len(m.group()) - len(m.group().lstrip())
                found.append((a, offset + m.end(), "page number"))
        offset += len(line) + 1
    # keep the longest where they overlap
    found.sort(key=lambda f: (f[0], -(f[1] - f[0])))
    kept: list[tuple[int, int, str]] = []
    for f in found:
        if kept and f[0] < kept[-1][1]:
            continue
        kept.append(f)
    return kept


# ---------------------------------------------------------------- dates
_YY = r"(?:1[89]|20)\d{2}"
_RM = r"(?:——|[-—–~至到])"
_EDGE = r"(?P<edge>底|末|初|上旬|中旬|下旬)?"
_CN_DIGIT = {"〇": 0, "零": 0, "一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7,
             "八": 8, "九": 9}
_DATE_PATTERNS = [
    re.compile(rf"(?<!\d)(?P<y>{_YY})年?{_RM}(?P<y2>{_YY})年"),
    re.compile(rf"(?<!\d)(?P<y>{_YY})年(?P<m>\d{{1,2}})月(?P<d>\d{{1,2}})[日号]"),
    re.compile(rf"(?<![\d.])(?P<y>{_YY})(?P<sep>[-/.])(?P<m>\d{{1,2}})(?P=sep)(?P<d>\d{{1,2}})(?![\d.])"),
    re.compile(rf"(?<!\d)(?P<y>{_YY})年(?P<m>\d{{1,2}})月?{_RM}(?P<m2>\d{{1,2}})月{_EDGE}"),
    re.compile(rf"(?<!\d)(?P<y>{_YY})年第?(?P<q>[1-4一二三四])季度"),
    re.compile(rf"(?<!\d)(?P<y>{_YY})年(?P<m>\d{{1,2}})月{_EDGE}"),
    re.compile(rf"(?<!\d)(?P<y>{_YY})年(?P<edge>度|底|末|初)?"),
    re.compile(r"(?P<yc>[〇零一二三四五六七八九]{4})年(?P<m>\d{1,2})月(?:(?P<d>\d{1,2})[日号])?"),
    re.compile(r"(?P<yc>[〇零一二三四五六七八九]{4})年(?P<mc>十[一二]|[一二三四五六七八九十])月"),
    re.compile(r"(?P<yc>[〇零一二三四五六七八九]{4})年"),
    re.compile(r"(?<![\d.])(?P<m>\d{1,2})月(?P<d>\d{1,2})[日号]"),
    re.compile(rf"(?<![\d.])(?P<m>\d{{1,2}})月?{_RM}(?P<m2>\d{{1,2}})月{_EDGE}"),
    re.compile(rf"(?<![\d.])(?P<m>\d{{1,2}})月{_EDGE}"),
    re.compile(rf"(?<![〇零一二两三四五六七八九十百千万亿个第])(?P<mc>十[一二]|[一二三四五六七八九十])月(?!份额){_EDGE}"),
    re.compile(r"第?(?P<q>[1-4一二三四])季度"),
]
_RELATIVE_YEAR = {"今年": 0, "本年": 0, "当年": 0, "去年": -1, "上年": -1, "前年": -2, "明年": 1}
_QUARTER = {"1": 1, "2": 2, "3": 3, "4": 4, "一": 1, "二": 2, "三": 3, "四": 4}


def _today_parts(today: str | None) -> tuple[int | None, int | None, int | None]:
    if not today:
        return None, None, None
    m = re.fullmatch(r"\s*(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?\s*", today)
    if not m:
        raise ValueError(f"today must be YYYY, YYYY-MM or YYYY-MM-DD, not {today!r}")
    return tuple(int(g) if g else None for g in m.groups())  # type: ignore[return-value]


def _relative_before(s: str, i: int) -> tuple[str, int] | None:
    for word, delta in _RELATIVE_YEAR.items():
        if i >= len(word) and s.startswith(word, i - len(word)):
            return word, delta
    return None


def _dates(view: _View, occupied: list[bool], year: int | None) -> list[_Tok]:
    s = view.s
    matches = []
    for rank, pattern in enumerate(_DATE_PATTERNS):
        for m in pattern.finditer(s):
            matches.append((m.start(), -(m.end() - m.start()), rank, m))
    matches.sort(key=lambda x: x[:3])
    toks: list[_Tok] = []
    last_end = -1
    for start, _neg, _rank, m in matches:
        if start < last_end or any(occupied[start:m.end()]):
            continue
        tok = _date_token(s, m, year)
        if tok is None:
            continue
        toks.append(tok)
        last_end = m.end()
    return toks


def _date_token(s: str, m: re.Match[str], today_year: int | None) -> _Tok | None:
    g = m.groupdict()
    edge = g.get("edge") or ""
    if edge == "度":
        edge = ""
    y = int(g["y"]) if g.get("y") else None
    if g.get("yc"):
        y = int("".join(str(_CN_DIGIT[c]) for c in g["yc"]))
    if y is None:
        rel = _relative_before(s, m.start())
        if rel is not None and today_year is not None:
            y = today_year + rel[1]
        elif rel is None and today_year is not None:
            y = today_year
    month = int(g["m"]) if g.get("m") else None
    if g.get("mc"):
        month = int(chinese_number(g["mc"]) or 0)
    month2 = int(g["m2"]) if g.get("m2") else None
    day = int(g["d"]) if g.get("d") else None
    quarter = _QUARTER[g["q"]] if g.get("q") else None
    for mo in (month, month2):
        if mo is not None and not 1 <= mo <= 12:
            return None
    if month2 is not None and month is not None and month2 <= month:
        return None
    if day is not None:
        limit = calendar.monthrange(y or 2000, month or 1)[1]
        if not 1 <= day <= limit:
            return None
    tok = _Tok(m.start(), m.end(), DATE, edge=edge)
    if g.get("y2"):
        if int(g["y2"]) <= y:  # type: ignore[operator]
            return None
        tok.date, tok.span = f"{y}..{g['y2']}", True
    elif y is None:
        tok.date = None
        tok.span = month2 is not None or quarter is not None
    elif quarter is not None:
        tok.date, tok.span = f"{y}-{3 * quarter - 2:02d}..{y}-{3 * quarter:02d}", True
    elif month2 is not None:
        tok.date, tok.span = f"{y}-{month:02d}..{y}-{month2:02d}", True
    elif day is not None:
        tok.date = f"{y}-{month:02d}-{day:02d}"
    elif month is not None:
        tok.date = f"{y}-{month:02d}"
    else:
        tok.date = f"{y}"
    return tok


# ---------------------------------------------------------------- numbers
_ARABIC = re.compile(r"(?:[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?:\.[0-9]+)?(?![0-9])")
_RANGE_MARKS = "-—–~至到"
_TAIL_LOWER = "余多"
_STOP_AFTER_ORDINAL = ("批", "次", "届", "项", "条", "单", "时间", "章", "节", "轮", "部分",
                       "阶段", "方面", "季度", "期", "步", "号", "大")
_ORDINAL_UNITS = ("位", "名", "个", "家")


def _arabic_at(s: str, k: int) -> tuple[Decimal, int] | None:
    m = _ARABIC.match(s, k)
    if m is None or (k and (s[k - 1].isdigit() or s[k - 1] == ".")):
        return None
    if s[m.end():m.end() + 1] == "." and s[m.end() + 1:m.end() + 2].isdigit():
        return None
    try:
        return Decimal(m.group().replace(",", "")), m.end()
    except InvalidOperation:  # pragma: no cover
        return None


def _chinese_at(s: str, k: int) -> tuple[Decimal, int, str] | None:
    """A Chinese numeral at s[k]: (value, end, multiplier), a trailing 万/亿 given as the
    multiplier (两万 → 2, "万"; 一点五万 → 1.5, "万"; 千亿 → 1000, "亿")."""
    m = _CHINESE_RUN.match(s, k)
    if m is None:
        return None
    run = m.group()
    for tail in ("万亿", "亿", "万"):
        if run.endswith(tail) and len(run) > len(tail):
            head = chinese_number(run[:-len(tail)])
            if head is not None:
                return head, m.end(), tail
            special = {"百": 100, "千": 1000, "万": 10000}.get(run[:-len(tail)])
            if special is not None:
                return Decimal(special), m.end(), tail
    value = chinese_number(run)
    return None if value is None else (value, m.end(), "")


def _skip_tail(s: str, k: int, tok: _Tok) -> int:
    while k < len(s) and s[k] in _TAIL_LOWER:
        tok.bound = "lower"
        k += 1
    return k


def _numbers(view: _View, occupied: list[bool], units: _Units) -> list[_Tok]:
    s = view.s
    toks: list[_Tok] = []
    candidates: list[tuple[int, bool]] = []
    for m in _ARABIC.finditer(s):
        candidates.append((m.start(), False))
    for m in _CHINESE_RUN.finditer(s):
        candidates.append((m.start(), True))
    candidates.sort()
    taken_until = -1
    for k, chinese in candidates:
        if k < taken_until or occupied[k]:
            continue
        tok = _number_token(s, k, chinese, units)
        if tok is None or any(occupied[tok.i:tok.j]):
            continue
        toks.append(tok)
        taken_until = tok.j
    return toks


def _after_prefix(s: str, k: int) -> tuple[str, int]:
    """(unit, start) when a fraction prefix (百分之, 万分之) stands just before s[k]."""
    for prefix, unit in _PREFIX_UNITS.items():
        if k >= len(prefix) and s.startswith(prefix, k - len(prefix)):
            return unit, k - len(prefix)
    return "", k


def _number_token(s: str, k: int, chinese: bool, units: _Units) -> _Tok | None:
    prefix_unit, start = _after_prefix(s, k)
    if chinese:
        parsed = _chinese_at(s, k)
        if parsed is None:
            return None
        value, end, multiplier = parsed
        if prefix_unit and multiplier:
            return None
    else:
        if k and s[k - 1].isascii() and s[k - 1].isalpha():
            return None  # CN11, A3, PM2.5: a code
        parsed_a = _arabic_at(s, k)
        if parsed_a is None:
            return None
        value, end = parsed_a
        multiplier = ""
    run_text = s[k:end]
    before = s[start - 1] if start else "\x00"
    if before in _OPEN_QUOTES or before == "+" or s[end:end + 1] == "+":
        return None  # names: “1155”, “两个覆盖”, 100+N, 4+1
    tok = _Tok(start, end, FIGURE, value=value)
    if before == "第" and not prefix_unit:
        rest = s[end:]
        if multiplier or any(rest.startswith(w) for w in _STOP_AFTER_ORDINAL):
            return None  # 第四批, 第七次, 第一时间, 第二项
        unit = next((u for u in _ORDINAL_UNITS if rest.startswith(u)), "")
        tok.i, tok.ordinal, tok.unit, tok.j = start - 1, True, unit, end + len(unit)
        return tok
    if prefix_unit:
        tok.unit, tok.j = prefix_unit, end
        return tok
    if chinese:
        if run_text == "一" and not s.startswith("倍", end):
            return None  # 一带一路, 一批, 一个个, 统一, 之一 …
        if run_text == "半" and before in "上下":
            return None  # 上半年
        if len(run_text) == 1 and s.startswith("是", end):
            return None  # 一是, 二是
        if before in "其之几数若" or s.endswith(("亮点", "步骤"), 0, start):
            return None
        if s.startswith(("大", "位数", "届", "分"), end):
            return None  # 五大, 两位数, 十五届, 十分
        if s.startswith("期", end) and run_text != "两" and before not in "分共":
            return None  # 二期: a phase name
    elif s.startswith(("强", "号"), end):
        return None  # 500强, 3号
    j = end
    # a range of bare numbers: 10-15万辆, 三到五年
    if j < len(s) and s[j] in _RANGE_MARKS:
        mark_end = j + (2 if s.startswith("——", j) else 1)
        second = _chinese_at(s, mark_end) if chinese else _arabic_at(s, mark_end)
        if second is not None and (second[2] if chinese else "") and multiplier:
            second = None
        if second is not None and second[0] > value:
            tok.value_max = second[0]
            j = second[1]
            if chinese and second[2]:
                multiplier = second[2]
    j = _skip_tail(s, j, tok)
    unit, used = units.match(s, j)
    if not unit and not multiplier:
        mm = _MULTIPLIER_RE.match(s, j)
        if mm:
            multiplier = mm.group()
            j = _skip_tail(s, mm.end(), tok)
            unit, used = units.match(s, j)
    if chinese and not unit:
        return None  # a Chinese numeral states a quantity only with its unit (十万火急)
    if chinese and unit == "次" and s.startswith(("全会", "会议", "全体会议", "代表大会"), j + used):
        return None  # 四次全会
    if not chinese and not unit and j < len(s) and s[j].isascii() and s[j].isalpha():
        return None  # 5G, 3D
    tok.unit = multiplier + unit
    j += used
    # 5%-8%: a range with the unit on both
    if unit and tok.value_max is None and j < len(s) and s[j] in "-—–~":
        second = (_chinese_at if chinese else _arabic_at)(s, j + 1)
        if second is not None and second[0] > value \
                and s.startswith(multiplier + unit, second[1]):
            tok.value_max = second[0]
            j = second[1] + len(multiplier + unit)
    tok.j = j
    return tok


# ---------------------------------------------------------------- around a figure
_BOUND_BEFORE = (("大约", "approx"), ("约", "approx"), ("将近", "upper"), ("接近", "upper"),
                 ("近", "upper"), ("不到", "upper"), ("不足", "upper"), ("超过", "lower"),
                 ("超", "lower"), ("逾", "lower"), ("突破", "lower"))
_BOUND_GAP_WORDS = ("不到", "不足", "超过")
_BOUND_AFTER = (("以上", "lower"), ("以下", "upper"), ("以内", "upper"), ("左右", "approx"))
_TARGET_WORDS = ("目标", "力争", "计划", "争取", "确保")
_FORECAST_WORDS = ("预计", "有望", "预测")  # not 预期: 超预期 is no forecast
_CHANGE_WORDS = (("同比增长", 1), ("同比下降", -1), ("同比增加", 1), ("同比减少", -1),
                 ("增长", 1), ("增加", 1), ("下降", -1), ("减少", -1), ("提高", 1), ("提升", 1),
                 ("上升", 1), ("回落", -1), ("下滑", -1), ("降低", -1), ("增幅", 1), ("降幅", -1),
                 ("增速", 1), ("净增", 1), ("净减", -1), ("高出", 1), ("高于", 1), ("低于", -1))
_YOY_WORDS = ("同比", "较去年同期", "较上年同期", "比上年", "比去年", "较上年", "较去年", "上年同期",
              "去年同期")
_AVERAGE_WORDS = ("年均", "平均每年", "年平均")
_BENCHMARK_WORDS = ("高出", "低于", "高于")
_GAP_FILLER = re.compile(
    r"(?:[，,、；;\s]|同比|较去年同期|较上年同期|比上年|比去年|较上年|较去年|年均|平均每年|增长|增加|"
    r"下降|减少|提高|提升|上升|回落|下滑|降低|增幅|降幅|增速|净增|净减|高出|高于|低于|达到|达|为|了|"
    r"约|近|超过|超|全国|全市|全省|预计|分别|C|(?:较|比)D?F?)*")
_PERIOD_WORDS = re.compile(r"截至目前|截止目前|截至今年|截止今年|上半年|下半年|今年以来|今年|去年|"
                           r"明年|前年|本年|当年|全年|目前|现在")


class _Reader:
    """Clauses, sentences and context of tokens in the squeezed text."""

    def __init__(self, view: _View) -> None:
        self.view = view
        self.s = view.s

    def _is_break(self, k: int) -> bool:
        """Whether s[k] is clause punctuation."""
        s = self.s
        ch = s[k]
        if ch in _CLAUSE_PUNCT:  # an ASCII comma between digits separates thousands
            return not (ch == "," and 0 < k < len(s) - 1 and s[k - 1].isdigit()
                        and s[k + 1].isdigit())
        if ch in _COLONS:
            return not (0 < k < len(s) - 1 and s[k - 1].isdigit() and s[k + 1].isdigit())
        return False

    def clause(self, i: int, j: int, limit: int = 60) -> tuple[int, int]:
        """The squeezed [a, b) of the clause around s[i:j]."""
        s, breaks = self.s, self.view.breaks
        depth = 0
        a = i
        while a > 0 and i - a < limit and a not in breaks and not self._is_break(a - 1):
            ch = s[a - 1]
            if ch in _CLOSERS:
                depth += 1
            elif ch in _OPENERS and ch not in "\"'":
                if depth == 0:
                    break  # the figure is inside brackets or quotation marks
                depth -= 1
            a -= 1
        depth = 0
        b = j
        while b < len(s) and b - j < limit and b not in breaks and not self._is_break(b):
            ch = s[b]
            if ch in _OPENERS and ch not in "\"'":
                depth += 1
            elif ch in _CLOSERS:
                if depth == 0:
                    break
                depth -= 1
            b += 1
        return a, b

    def sentence_start(self, i: int) -> int:
        s = self.s
        a = i
        while a > 0:
            if a in self.view.line_breaks:
                break
            if s[a - 1] in _SENTENCE_END:
                break
            a -= 1
        return a


def _orig_clause(view: _View, a: int, b: int) -> tuple[int, int, str]:
    if b <= a:
        return 0, 0, ""
    start, end = view.orig(a, b)
    return start, end, view.text[start:end]


def _bound(s: str, tok: _Tok, clause_start: int) -> str:
    if tok.bound != "exact":
        return tok.bound
    i = tok.i
    for word, bound in _BOUND_BEFORE:
        if i >= len(word) and s.startswith(word, i - len(word)):
            if word == "近" and i >= 2 and s[i - 2] in "最附将接":
                continue  # 最近3年
            return bound
    for word in _BOUND_GAP_WORDS:
        at = s.rfind(word, max(clause_start, i - len(word) - 5), i)
        if at >= 0 and not re.search(r"[0-9〇零一二两三四五六七八九十]", s[at + len(word):i]):
            return dict(_BOUND_BEFORE)[word]
    for word, bound in _BOUND_AFTER:
        if s.startswith(word, tok.j):
            return bound
    return "exact"


def _status(s: str, i: int, sentence_start: int, clause_start: int) -> str:
    best = (-1, "actual")
    window = s[sentence_start:i]
    for words, status in ((_TARGET_WORDS, "target"), (_FORECAST_WORDS, "forecast")):
        for w in words:
            at = window.rfind(w)
            if at >= 0:
                best = max(best, (at + len(w), status))
    at = s.rfind("将", clause_start, i)
    if at >= 0 and s[at + 1:at + 2] in ("近", "来"):
        at = -1
    if at >= 0 and at - sentence_start + 1 > best[0]:
        best = (at - sentence_start + 1, "target")
    return best[1]


def _change(s: str, tok: _Tok, clause_start: int, bound: str) -> ChangeInfo | None:
    if tok.kind != FIGURE or tok.ordinal:
        return None
    window = s[clause_start:tok.i]
    best = None  # (end, length, word, sign)
    for word, sign in _CHANGE_WORDS:
        at = window.rfind(word)
        if at < 0:
            continue
        if word in ("增长", "增加", "增速", "增幅") and at and window[at - 1] == "新":
            continue
        cand = (at + len(word), len(word), word, sign)
        if best is None or cand[:2] > best[:2]:
            best = cand
    if best is None:
        return None
    end, _length, word, sign = best
    between = window[end:]
    if re.search(r"[0-9]", between) or between.startswith(("到", "至")) or re.search(r"到|至", between):
        return None
    if word == "增速" and "居" in between:
        return None
    basis = "over_period"
    if any(w in window for w in _YOY_WORDS):
        basis = "yoy"
    if any(w in window for w in _AVERAGE_WORDS):
        basis = "annual_average"
    if word in _BENCHMARK_WORDS:
        basis = "vs_benchmark"
    value = tok.value if tok.value is not None else Decimal(0)
    return ChangeInfo(-value if sign < 0 else value, tok.unit, basis, bound)


def _resolve_relative(word: str, year: int | None, today: tuple) -> tuple[str | None, str | None]:
    """(period, as_of) for a period word."""
    if year is None:
        return None, None
    if word in ("目前", "截至目前", "截止目前", "现在"):
        ty, tm, td = today
        stamp = f"{ty}" + (f"-{tm:02d}" if tm else "") + (f"-{td:02d}" if tm and td else "")
        return None, stamp
    if word == "上半年":
        return f"{year}-01..{year}-06", None
    if word == "下半年":
        return f"{year}-07..{year}-12", None
    if word == "今年以来":
        ty, tm, _td = today
        return (f"{year}-01..{year}-{tm:02d}" if tm else None), None
    return f"{year}", None


def _paragraph_year(view: _View, toks: list[_Tok], i: int) -> int | None:
    """The year of the last dated token before squeezed position i in the same paragraph
    (全年 in a paragraph that began "2023年，…" is 2023, whatever today is)."""
    for tok in reversed([t for t in toks if t.j <= i and t.kind == DATE and t.date]):
        between = view.text[view.pos[tok.j - 1]:view.pos[i]]
        if PARAGRAPH_BREAK.search(between):
            return None
        return int(tok.date[:4])
    return None


def _last_day(date: str, edge: str) -> str:
    parts = date.split("-")
    if len(parts) == 1:
        return f"{parts[0]}-12-31" if edge in ("底", "末") else date
    if len(parts) == 2 and edge in ("底", "末"):
        y, m = int(parts[0]), int(parts[1])
        return f"{y:04d}-{m:02d}-{calendar.monthrange(y, m)[1]:02d}"
    return date


def find_printed(text: str, units: Sequence[str] = (), today: str | None = None) -> list[Printed]:
    """Every printed figure, date and piece of page furniture in text, in text order.

    units: the printed unit strings of the vocabulary (ids and name_zh); a built-in
    list of measure words and units is always added. today: "2023", "2023-06" or
    "2023-06-30", to resolve 今年, 全年, 去年 and dates printed without a year."""
    view = _View(text)
    s = view.s
    ty, tm, td = _today_parts(today)
    unit_matcher = _Units(units)
    occupied = [False] * len(s)
    toks: list[_Tok] = []
    for start, end, reason in _furniture(view):
        i, j = view.squeezed(start, end)
        if j <= i or any(occupied[i:j]):
            continue
        toks.append(_Tok(i, j, FURNITURE, reason=reason))
        occupied[i:j] = [True] * (j - i)
    for tok in _dates(view, occupied, ty):
        after = s[tok.j:tok.j + 3]
        if re.match(r"星期[一二三四五六日天]|周[一二三四五六日天]", after):
            tok.kind, tok.reason = FURNITURE, "byline date"
        elif after.startswith("电") and not after.startswith(("电商", "电子", "电力", "电池", "电动")):
            tok.kind, tok.reason = FURNITURE, "dateline"
        else:
            o_start = view.pos[tok.i]
            line_begin = view.n.rfind("\n", 0, o_start) + 1
            if _BYLINE_LABEL.search(view.n[line_begin:o_start]):
                tok.kind, tok.reason = FURNITURE, "byline date"
        toks.append(tok)
        occupied[tok.i:tok.j] = [True] * (tok.j - tok.i)
    for tok in _numbers(view, occupied, unit_matcher):
        toks.append(tok)
        occupied[tok.i:tok.j] = [True] * (tok.j - tok.i)
    toks.sort(key=lambda t: t.i)
    return _annotate(view, toks, (ty, tm, td))


def _annotate(view: _View, toks: list[_Tok], today: tuple) -> list[Printed]:
    s = view.s
    reader = _Reader(view)
    ty = today[0]
    sentence_starts = [reader.sentence_start(t.i) for t in toks]
    # period words (no number of their own)
    period_words = [(m.start(), m.end(), m.group()) for m in _PERIOD_WORDS.finditer(s)]
    results: list[dict] = []
    for n_tok, tok in enumerate(toks):
        a, b = reader.clause(tok.i, tok.j)
        start, end = view.orig(tok.i, tok.j)
        c_start, c_end, clause = _orig_clause(view, a, b)
        row = {"start": start, "end": end, "printed": view.text[start:end], "kind": tok.kind,
               "reason": tok.reason, "clause_start": c_start, "clause_end": c_end,
               "clause": clause, "ordinal": tok.ordinal}
        results.append(row)
        if tok.kind == FURNITURE:
            continue
        sent = sentence_starts[n_tok]
        row["status"] = _status(s, tok.i, sent, a)
        if tok.kind == DATE:
            row["date"] = tok.date
            if tok.date is None:
                row["period_text"] = view.text[start:end]
            continue
        bound = _bound(s, tok, a)
        change = _change(s, tok, a, bound)
        row.update(value=tok.value, value_max=tok.value_max, unit=tok.unit, bound=bound,
                   change=change)
        # the period: the nearest date or period word before, in the sentence
        best = None  # (position, ...)
        for k in range(n_tok - 1, -1, -1):
            other = toks[k]
            if other.i < sent:
                break
            if other.kind != DATE:
                continue
            if s.startswith(("起", "以来"), other.j):
                continue
            if change is not None and re.search(r"(?:较|比|相比)$", s[max(sent, other.i - 3):other.i]):
                continue
            best = (other.i, other)
            break
        word_best = None
        for (wa, wb, word) in period_words:
            if sent <= wa and wb <= tok.i:
                if any(t.kind == DATE and t.i <= wa < t.j for t in toks):
                    continue
                if s[wa - 1:wa] in ("较", "比", "同") or s.startswith("同期", wb):
                    continue  # 较去年同期: a comparison, not the period
                word_best = (wa, wb, word)
        period = as_of = period_text = None
        if word_best is not None and (best is None or word_best[0] > best[0]):
            wa, wb, word = word_best
            rel = _relative_before(s, wa) if word in ("上半年", "下半年") else None
            if rel is not None:  # 去年上半年
                wa = wa - len(rel[0])
            shift = _RELATIVE_YEAR.get(word, 0) + (rel[1] if rel else 0)
            year = None if ty is None else ty + shift
            if word in ("全年", "当年"):  # the year the paragraph is about, if it names one
                year = _paragraph_year(view, toks, wa) or year
            period, as_of = _resolve_relative(word, year, today)
            if word in ("截至今年", "截止今年"):
                period, as_of = None, period  # 截至今年: as of some time this year
            period_text = view.text[view.pos[wa]:view.pos[wb - 1] + 1]
        elif best is not None:
            other = best[1]
            _o_start, o_end = view.orig(other.i, other.j)
            rel = _relative_before(s, other.i)
            text_from = other.i - (len(rel[0]) if rel else 0)
            pre = s[max(sent, text_from - 2):text_from]
            is_as_of = pre.endswith(("截至", "截止")) or other.edge in ("底", "末")
            period_text = view.text[view.pos[text_from]:o_end]
            if pre.endswith(("截至", "截止")):
                period_text = view.text[view.pos[text_from - 2]:o_end]
            if other.date is not None:
                if is_as_of and not other.span:
                    as_of = _last_day(other.date, other.edge)
                elif is_as_of:
                    as_of = other.date.split("..")[-1]
                else:
                    period = other.date
        row.update(period=period, as_of=as_of, period_text=period_text)
        stamp = period or as_of
        if stamp and ty is not None and row["status"] == "actual" \
                and int(stamp.split("..")[0][:4]) > ty:
            row["status"] = "target"
    # link changes to their figures
    for k, row in enumerate(results):
        if row.get("change") is not None:
            row["change_of"] = _change_base(view, toks, results, k, sentence_starts[k])
    return [Printed(**row) for row in results]


def _change_base(view: _View, toks: list[_Tok], results: list[dict], k: int,
                 sent: int) -> int | None:
    """The index of the figure the change toks[k] belongs to (see the module docstring)."""
    s = view.s
    tok = toks[k]
    cursor = tok.i
    for m in range(k - 1, -1, -1):
        other = toks[m]
        if other.i < sent:
            return None
        if other.kind == FURNITURE:
            continue
        if other.kind == DATE:
            continue
        gap_start = other.j
        gap = _mask_gap(s, toks, gap_start, cursor)
        if results[m].get("change") is not None:
            if _GAP_FILLER.fullmatch(gap):
                cursor = other.i
                continue
            return None
        if other.ordinal or re.search(r"(?:较|比)(?:\d{4}年)?$", s[max(sent, other.i - 8):other.i]):
            continue
        if _GAP_FILLER.fullmatch(_mask_gap(s, toks, gap_start, cursor)):
            return m
        return None
    return None


def _mask_gap(s: str, toks: list[_Tok], a: int, b: int) -> str:
    """s[a:b] with dates as D, figures as F, a bracketed remark as C, bounds dropped."""
    out = []
    k = a
    spans = {t.i: t for t in toks if a <= t.i < b}
    while k < b:
        if k in spans:
            t = spans[k]
            out.append("D" if t.kind == DATE else "F")
            k = t.j
            continue
        if s[k] in "（(":
            close = s.find("）" if s[k] == "（" else ")", k)
            if 0 <= close < b:
                out.append("C")
                k = close + 1
                continue
        out.append(s[k])
        k += 1
    gap = "".join(out)
    for word, _bound in _BOUND_AFTER:
        gap = gap.removeprefix(word)
    return gap
