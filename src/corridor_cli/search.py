"""Free-text search over facts and events, ranked by BM25F. Pure: no I/O, no printing.

Text in any mix of Chinese and English is NFKC-normalised and case-folded, then cut
into terms:

* a run of CJK characters (Chinese has no spaces) gives every character and every
  pair of adjacent characters: 西永航空 → 西 永 航 空 西永 永航 航空;
* a run of letters is a word, with a light plural stemming (durians → durian,
  countries → country, boxes → box; Xiyong's → xiyong), and two words in a row are
  also a pair (air cargo), common words skipped; a run of digits is a number.

A query's pairs are rarer than its characters or words, so a record holding the
words as written outranks one where the same characters or words lie scattered.

A four-digit number in the query (2022, or 2022年) is no search term: it keeps only
the facts whose period overlaps that year and the events dated in it (several years:
any of them). Common English words (the, of, …) in a query are ignored unless
nothing else is left.

Each record is a document of five fields (BM25F): label_zh and label_en (an event's
titles), the names and aliases of its entity, its quote and its note. The score of a
record is the sum over the distinct query terms t of

    idf(t) · tf(t) / (k1 + tf(t)),   tf(t) = Σ_f w_f · n_f(t) / (1 − b_f + b_f · len_f / avglen_f)
    idf(t) = ln(1 + (N − df(t) + 0.5) / (df(t) + 0.5))

with k1 = 1.2 and the field weights w_f and length normalisations b_f below (0.75,
but none for labels). N, df and the average field lengths are taken over the whole
fact base, so the year filter never changes a record's score.
"""

from __future__ import annotations

import datetime as dt
import functools
import math
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from corridor_cli.query import QueryError
from corridor_cli.records import Event, Fact, FactBase

K1 = 1.2
B = 0.75
SCORE_DIGITS = 4  # scores are shown, and ties ordered, at this many decimals
# How much a term counts in each field (w_f), and how much each field's length tempers
# it (b_f). A label or title says what the record is, the entity's names who it is
# about, the quote what the source printed; the note is commentary that often names
# other things, so it counts least. Labels and titles are one-line statements in a
# house style: a term is in one or not, and a longer label is more precise (a date, a
# route, a qualifier), not about more things, so their length is not held against
# them (b = 0); the other fields are normalised as usual (b = 0.75).
FIELD_WEIGHTS: dict[str, float] = {
    "label_zh": 2.0, "label_en": 2.0, "entity": 2.0, "quote": 2.0, "note": 0.5,
}
FIELD_B: dict[str, float] = {"label_zh": 0.0, "label_en": 0.0, "entity": B, "quote": B, "note": B}
FIELDS = tuple(FIELD_WEIGHTS)

STOP_WORDS = frozenset(
    "a an and are as at be by for from in into is it its of on or per than that the "
    "this to was were with".split())

_CJK = ("\u3005\u3007\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
        "\U00020000-\U0003134f")
_TOKEN = re.compile(rf"(?P<cjk>[{_CJK}]+)|(?P<digits>\d+)|(?P<word>(?:(?![{_CJK}])[^\W\d_])+)")
_POSSESSIVE = re.compile(r"['’]s\b")
_APOSTROPHE = re.compile(r"(?<=\w)['’](?=\w)")
_YEAR_RANGE = re.compile(r"(?<!\d)(\d{4})\s*年?\s*(?:\.\.|-|–|—|~|～|至|到)\s*(\d{4})(?!\d)")
_YEAR_SUFFIX = re.compile(r"(?<!\d)(\d{4})\s*年")  # 2022年江津: the 年 belongs to the year


def normalise(text: str) -> str:
    """NFKC and case-folded: ＤＵＲＩＡＮ and durian, ２０２２ and 2022 are the same."""
    return unicodedata.normalize("NFKC", text).casefold()


@functools.lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """A light English plural stemming: durians → durian, countries → country,
    boxes → box; bus, status, analysis and glass stay as they are."""
    if len(word) <= 3 or not word.isalpha():
        return word
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith(("sses", "shes", "ches", "xes")):
        return word[:-2]
    if word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def _raw_tokens(text: str) -> list[tuple[str, str]]:
    """(kind, token) for each run of CJK characters, digits or letters, in order."""
    text = _APOSTROPHE.sub("", _POSSESSIVE.sub("", normalise(text)))
    return [(m.lastgroup, m.group()) for m in _TOKEN.finditer(text)]


def _cjk_terms(run: str) -> list[str]:
    return [*run, *(run[i:i + 2] for i in range(len(run) - 1))]


def _ascii_digits(digits: str) -> str:
    return "".join(str(int(c)) for c in digits)


def _terms(tokens: list[tuple[str, str]], stop_words: frozenset[str] = STOP_WORDS) -> list[str]:
    """CJK characters and character pairs, stemmed words and pairs of adjacent words
    (common words skipped between them: containers of durians pairs container durian),
    numbers. A CJK run or a number between two words parts them."""
    terms: list[str] = []
    previous = ""  # the last word, while no CJK or number has come since
    for kind, token in tokens:
        if kind == "cjk":
            terms.extend(_cjk_terms(token))
            previous = ""
        elif kind == "digits":
            terms.append(_ascii_digits(token))
            previous = ""
        else:
            word = stem(token)
            terms.append(word)
            if token not in stop_words:
                if previous:
                    terms.append(f"{previous} {word}")
                previous = word
    return terms


def tokenize(text: str) -> list[str]:
    """The terms of a text, repeated as often as they occur: CJK characters and character
    pairs, stemmed words and word pairs, numbers."""
    return _terms(_raw_tokens(text))


@dataclass(frozen=True)
class SearchQuery:
    """A query as parsed: the distinct terms to rank by and the years to keep."""

    terms: tuple[str, ...]
    years: tuple[int, ...]


def _is_year(kind: str, token: str) -> bool:
    return kind == "digits" and len(token) == 4 and int(_ascii_digits(token)) > 0


def parse_query(text: str) -> SearchQuery:
    """Terms and years of a query; QueryError when it holds neither."""
    text = normalise(text)
    spans = set()
    for m in _YEAR_RANGE.finditer(text):  # 2021-2023, 2021..2023, 2021至2023: every year
        first, last = sorted((int(m.group(1)), int(m.group(2))))
        spans.update(range(first, last + 1))
    tokens = _raw_tokens(_YEAR_SUFFIX.sub(r"\1 ", _YEAR_RANGE.sub(r" \1 \2 ", text)))
    years = sorted(spans | {int(_ascii_digits(t)) for k, t in tokens if _is_year(k, t)})
    terms = _terms([(k, t) for k, t in tokens if not _is_year(k, t)])
    if any(t not in STOP_WORDS for t in terms):  # only common words: search for them
        terms = [t for t in terms if t not in STOP_WORDS]
    if not terms and not years:
        shown = text.strip()
        shown = shown if len(shown) <= 40 else shown[:40] + "…"
        what = f"{shown!r} has" if shown else "an empty query has"
        raise QueryError("TEXT", f"{what} no words, characters or year to search for; "
                                 f"for example 榴莲, 'durian train' or '2022 江津 班列'")
    return SearchQuery(tuple(dict.fromkeys(terms)), tuple(years))


@dataclass(frozen=True)
class Hit:
    """A record found, with its relevance score (0 when the query was only a year)."""

    record: Fact | Event
    score: float
    kind: str  # "fact" or "event"


def record_fields(base: FactBase, record: Fact | Event) -> dict[str, str]:
    """The text of each searched field of a record."""
    entity = base.entities.get(record.entity)
    names = " ".join((entity.name_zh, entity.name_en, *entity.aliases)) if entity \
        else record.entity
    if isinstance(record, Fact):
        zh, en = record.label_zh, record.label_en
    else:
        zh, en = record.title_zh, record.title_en
    return {"label_zh": zh, "label_en": en, "entity": names, "quote": record.quote,
            "note": record.note}


@dataclass(frozen=True)
class _Doc:
    record: Fact | Event
    kind: str
    counts: tuple[Counter[str], ...]  # term frequencies, one Counter per field in FIELDS
    lengths: tuple[int, ...]


@dataclass(frozen=True)
class Index:
    """Term statistics of a whole fact base."""

    docs: tuple[_Doc, ...]
    df: Counter[str]
    avg_lengths: tuple[float, ...]

    @classmethod
    def build(cls, base: FactBase) -> Index:
        docs = []
        df: Counter[str] = Counter()
        records: Iterable[tuple[str, Fact | Event]] = (
            *(("fact", f) for f in base.facts), *(("event", e) for e in base.events))
        seen: dict[str, Counter[str]] = {}  # texts repeat: every record of an entity names it
        for kind, record in records:
            texts = record_fields(base, record)
            counts = []
            for f in FIELDS:
                text = texts[f]
                if text not in seen:
                    seen[text] = Counter(tokenize(text))
                counts.append(seen[text])
            docs.append(_Doc(record, kind, tuple(counts), tuple(c.total() for c in counts)))
            df.update(set().union(*counts))
        n = len(docs) or 1
        avg = tuple(sum(d.lengths[i] for d in docs) / n for i in range(len(FIELDS)))
        return cls(tuple(docs), df, avg)

    def idf(self, term: str) -> float:
        n, df = len(self.docs), self.df[term]
        return math.log(1 + (n - df + 0.5) / (df + 0.5))

    def score(self, doc: _Doc, terms: Sequence[str]) -> float:
        total = 0.0
        for term in terms:
            tf = 0.0
            for i, field in enumerate(FIELDS):
                count = doc.counts[i][term]
                if count:
                    b = FIELD_B[field]
                    norm = 1 - b + b * doc.lengths[i] / self.avg_lengths[i]
                    tf += FIELD_WEIGHTS[field] * count / norm
            if tf:
                total += self.idf(term) * tf / (K1 + tf)
        return total


def in_years(record: Fact | Event, years: Sequence[int]) -> bool:
    """A fact whose period overlaps any of the years, an event dated in one of them."""
    if not years:
        return True
    if isinstance(record, Fact):
        return any(record.period.overlaps(dt.date(y, 1, 1), dt.date(y, 12, 31)) for y in years)
    return record.date.year in years


def search(base: FactBase, text: str, *, limit: int | None = None) -> list[Hit]:
    """The facts and events that match text, best first (score descending, then id).

    Records that match no term are left out; a query of only a year gives every record
    of that year with score 0, by id. QueryError for a query with nothing to search
    for, or a negative limit."""
    if limit is not None and limit < 0:
        raise QueryError("--limit", "--limit must be 0 or more")
    q = parse_query(text)
    index = Index.build(base)
    hits = []
    for doc in index.docs:
        if not in_years(doc.record, q.years):
            continue
        score = index.score(doc, q.terms)
        if score > 0 or not q.terms:
            hits.append(Hit(doc.record, score, doc.kind))
    # ties as printed (4 decimals) are ordered by id, as the README says
    hits.sort(key=lambda h: (-round(h.score, SCORE_DIGITS), h.record.id, h.kind))
    return hits if limit is None else hits[:limit]
