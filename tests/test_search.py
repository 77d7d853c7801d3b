"""corridor search: the tokenizer, the BM25F ranking worked by hand on tiny fact bases,
the year filter, and the command on the bundled base in every output format.

Expected on the bundled base (the issue's "must show"):

* 榴莲 and durian: a record of the 2023-06-11 cold-chain durian train ranks first
  (榴莲: the fact of its 28 reefer containers; durian: the fact of its cargo value,
  whose English label says "(durian) train", then the event of its arrival).
* 西永 航空 and "Xiyong air cargo": the two Xiyong air cargo figures of
  ibd-2023-xiyong (share of the city's air cargo and mail throughput; the forward
  cargo station's clearance gain) rank first and second, above everything else.
"""

from __future__ import annotations

import json
import math
import subprocess
import sys

import pytest
from markdown_it import MarkdownIt

from conftest import parse_csv, parse_jsonl, run, run_proc
from corridor_cli.dates import PartialDate, Period
from corridor_cli.loader import load
from corridor_cli.query import QueryError
from corridor_cli.records import Entity, Event, Fact, FactBase, Status
from corridor_cli.search import (
    FIELD_WEIGHTS, K1, Hit, parse_query, search, stem, tokenize,
)
from corridor_cli.search_views import SEARCH_FIELDS, search_view

DURIAN_TRAIN = {
    "jiangjin-cold-chain-durian-train-containers-2023-06-11",
    "jiangjin-cold-chain-durian-train-cargo-value-2023-06-11",
    "jiangjin-first-cold-chain-durian-train-2023-06-11",
}
XIYONG_AIR_CARGO = {
    "xiyong-cbz-air-cargo-mail-share-of-city",
    "xiyong-air-forward-cargo-station-clearance-efficiency-gain",
}


# ---------------------------------------------------------------- tiny fact bases
def fact(id: str, *, label_en: str = "", label_zh: str = "", quote: str = "", note: str = "",
         entity: str = "", period: Period | None = None) -> Fact:
    return Fact(id=id, topic="t", entity=entity, metric="m", value=1, unit="u",
                status=Status.actual, period=period or Period.parse("2022"),
                label_zh=label_zh, label_en=label_en, source="s", quote=quote, note=note)


def event(id: str, *, title_en: str = "", title_zh: str = "", quote: str = "",
          date: str = "2022-05", entity: str = "") -> Event:
    return Event(id=id, date=PartialDate.parse(date), title_zh=title_zh, title_en=title_en,
                 entity=entity, source="s", quote=quote)


def idf(n: int, df: int) -> float:
    return math.log(1 + (n - df + 0.5) / (df + 0.5))


def saturate(tf: float) -> float:
    return tf / (K1 + tf)


def ids(hits) -> list[str]:
    return [h.record.id for h in hits]


def scores(hits) -> dict[str, float]:
    return {h.record.id: h.score for h in hits}


# ---------------------------------------------------------------- tokenizer
def test_cjk_runs_give_characters_and_character_pairs():
    assert tokenize("西永航空") == ["西", "永", "航", "空", "西永", "永航", "航空"]
    # punctuation, spaces, digits and Latin letters end a run: no pair across them
    assert tokenize("西永 航空") == ["西", "永", "西永", "航", "空", "航空"]
    assert tokenize("28个冷藏") == ["28", "个", "冷", "藏", "个冷", "冷藏"]


def test_latin_words_are_nfkc_case_folded_stemmed_and_paired():
    assert tokenize("ＤＵＲＩＡＮ Trains") == ["durian", "train", "durian train"]
    assert tokenize("Xiyong's cold-chain") == ["xiyong", "cold", "xiyong cold", "chain",
                                               "cold chain"]
    # a common word is a term, but pairs skip it; a number parts two words
    assert tokenize("containers of durians") == ["container", "of", "durian",
                                                 "container durian"]
    assert tokenize("air 2023 cargo") == ["air", "2023", "cargo"]


@pytest.mark.parametrize("word, stemmed", [
    ("durians", "durian"), ("countries", "country"), ("boxes", "box"), ("trains", "train"),
    ("bus", "bus"), ("status", "status"), ("analysis", "analysis"), ("glass", "glass"),
    ("classes", "class"), ("durian", "durian"), ("gas", "gas"),
])
def test_light_plural_stemming(word, stemmed):
    assert stem(word) == stemmed


def test_query_years_are_filters_not_terms():
    q = parse_query("2022 江津 班列")
    assert q.years == (2022,)
    assert q.terms == ("江", "津", "江津", "班", "列", "班列")
    # 2022年 in running Chinese: the 年 goes with the year, so no 年 or 年江 term
    assert parse_query("2022年江津班列").years == (2022,)
    assert "年" not in parse_query("2022年江津班列").terms
    assert "年江" not in parse_query("2022年江津班列").terms
    assert parse_query("２０２２").years == (2022,)  # full-width digits too
    assert parse_query("2021 2023 train").years == (2021, 2023)
    assert parse_query("28 containers").terms == ("28", "container")  # not four digits


def test_query_drops_common_words_unless_nothing_else_is_left():
    assert parse_query("the durian train").terms == ("durian", "train", "durian train")
    assert parse_query("The").terms == ("the",)


@pytest.mark.parametrize("text", ["", "   ", "!!! ……", "—"])
def test_a_query_with_no_terms_and_no_year_is_an_error(text):
    with pytest.raises(QueryError) as exc:
        parse_query(text)
    assert exc.value.option == "TEXT"
    assert "榴莲" in str(exc.value)  # it says what a query looks like


def test_a_year_alone_is_a_query():
    assert parse_query("2022") == parse_query(" 2022年 ")
    assert parse_query("2022").terms == ()


# ---------------------------------------------------------------- BM25F worked by hand
TRAINS = FactBase(facts=(
    fact("a", label_en="durian train"),
    fact("b", label_en="coal train"),
    fact("c", label_en="coal ship"),
))
W_LABEL = FIELD_WEIGHTS["label_en"]


def test_a_term_in_one_record_weighs_more_than_a_term_in_many():
    # N = 3; durian is in 1 record, train in 2. A label is not length-normalised (b = 0),
    # so a term once in a label has tf = w_label = 2.
    durian = scores(search(TRAINS, "durian"))
    train = scores(search(TRAINS, "train"))
    assert durian == pytest.approx({"a": idf(3, 1) * saturate(W_LABEL)})
    assert durian["a"] == pytest.approx(0.61302, abs=1e-5)  # ln(8/3) · 2/3.2
    assert train == pytest.approx({"a": idf(3, 2) * saturate(W_LABEL),
                                   "b": idf(3, 2) * saturate(W_LABEL)})
    assert train["a"] == pytest.approx(0.29375, abs=1e-5)  # ln(1.6) · 2/3.2
    assert durian["a"] > train["a"]


def test_words_as_written_outrank_the_same_words_apart():
    hits = search(TRAINS, "durian train")
    # a: durian + train + the pair "durian train"; b: train only; c: nothing (left out)
    assert ids(hits) == ["a", "b"]
    assert hits[0].score == pytest.approx(
        (2 * idf(3, 1) + idf(3, 2)) * saturate(W_LABEL))
    assert hits[0].score == pytest.approx(1.51979, abs=1e-5)
    assert hits[1].score == pytest.approx(0.29375, abs=1e-5)


def test_a_longer_quote_weighs_a_term_less():
    # quote is length-normalised: b = 0.75. "train" is 1 term; "coal ship train" is 5
    # (coal, ship, train, coal ship, ship train); the average is 3.
    base = FactBase(facts=(fact("short", quote="train"), fact("long", quote="coal ship train")))
    got = scores(search(base, "train"))
    w = FIELD_WEIGHTS["quote"]
    assert got["short"] == pytest.approx(idf(2, 2) * saturate(w / (0.25 + 0.75 * 1 / 3)))
    assert got["long"] == pytest.approx(idf(2, 2) * saturate(w / (0.25 + 0.75 * 5 / 3)))
    assert got["short"] == pytest.approx(0.14025, abs=1e-5)  # ln(1.2) · 4/5.2
    assert got["long"] == pytest.approx(0.09596, abs=1e-5)  # ln(1.2) · (4/3)/(4/3 + 1.2)


def test_a_chinese_word_beats_its_characters_scattered():
    base = FactBase(facts=(
        fact("together", label_zh="航空货站"),
        fact("scattered", label_zh="航运空港"),  # 航 and 空, but never 航空
        fact("other", label_zh="铁路"),
    ))
    hits = search(base, "航空")
    assert ids(hits) == ["together", "scattered"]
    # both hold 航 and 空 once; only the first holds the pair, in 1 of 3 records
    assert hits[0].score - hits[1].score == pytest.approx(idf(3, 1) * saturate(W_LABEL))


def test_fields_weigh_label_above_note():
    base = FactBase(facts=(fact("in-label", label_en="durian"), fact("in-note", note="durian"),
                           fact("neither", label_en="coal")))
    assert ids(search(base, "durian")) == ["in-label", "in-note"]


def test_ties_are_broken_by_id_and_zero_scores_are_left_out():
    base = FactBase(facts=(fact("b", label_en="durian"), fact("a", label_en="durian"),
                           fact("c", label_en="coal")),
                    events=(event("a-event", title_en="durian"),))
    hits = search(base, "durian")
    assert ids(hits) == ["a", "a-event", "b"]
    assert len({h.score for h in hits}) == 1
    assert [h.kind for h in hits] == ["fact", "event", "fact"]
    assert search(base, "durian", limit=2) == hits[:2]
    assert search(base, "durian", limit=0) == []
    assert search(base, "ship") == []
    with pytest.raises(QueryError):
        search(base, "durian", limit=-1)


# ---------------------------------------------------------------- the year filter
YEARS = FactBase(
    facts=(
        fact("in-2021", label_en="train", period=Period.parse("2021")),
        fact("in-2022", label_en="train", period=Period.parse("2022-06")),
        fact("spans-2022", label_en="train", period=Period.parse("2021..2023")),
        fact("as-of-2022", label_en="train", period=Period.as_of("2022")),
        fact("in-2023", label_en="train", period=Period.parse("2023-01..2023-05")),
        fact("other-2022", label_en="ship", period=Period.parse("2022")),
    ),
    events=(event("event-2022", title_en="train", date="2022-05"),
            event("event-2023", title_en="train", date="2023")),
)


def test_a_year_keeps_facts_overlapping_it_and_events_dated_in_it():
    hits = search(YEARS, "train 2022")
    assert set(ids(hits)) == {"in-2022", "spans-2022", "as-of-2022", "event-2022"}
    # the year is no term: every one scores as it does without the year
    everything = scores(search(YEARS, "train"))
    assert all(h.score == everything[h.record.id] for h in hits)
    assert set(ids(search(YEARS, "2021年 train 2023"))) == \
        {"in-2021", "spans-2022", "in-2023", "event-2023"}


def test_a_year_alone_lists_that_years_records_by_id_with_score_zero():
    hits = search(YEARS, "2022")
    assert ids(hits) == ["as-of-2022", "event-2022", "in-2022", "other-2022", "spans-2022"]
    assert {h.score for h in hits} == {0}


# ---------------------------------------------------------------- every field is searched
def test_english_plurals_find_singulars_and_back():
    base = FactBase(facts=(fact("one", label_en="Thai durian"), fact("many", quote="durians"),
                           fact("no", label_en="coal")))
    assert set(ids(search(base, "durians"))) == {"one", "many"}
    assert set(ids(search(base, "DURIAN"))) == {"one", "many"}


def test_entity_names_and_aliases_in_both_languages_are_searched():
    zone = Entity(id="zone", name_zh="测试园区", name_en="Test Zone", kind="area",
                  aliases=("TZ Park", "试验区"))
    base = FactBase(entities={"zone": zone},
                    facts=(fact("f", label_en="machines", entity="zone"),
                           fact("g", label_en="machines")),
                    events=(event("e", title_en="opening", entity="zone"),))
    for text in ("tz park", "试验区", "测试园区", "test zone"):
        assert ids(search(base, text)) == ["e", "f"], text


def test_a_quote_a_note_and_an_event_title_each_make_a_record_findable(standalone_fact_dir):
    base, problems = load([standalone_fact_dir])
    assert not problems
    assert ids(search(base, "同比增长")) == ["test-zone-machines-2022"]  # only its quote
    # 开园 is in the event's title and quote; 园 alone is in the entity name (测试园区)
    assert ids(search(base, "开园")) == ["test-zone-opened-2022-05", "test-zone-machines-2022"]
    # opens is only in the event's title; zone is in both records' entity name
    assert ids(search(base, "opens")) == ["test-zone-opened-2022-05"]
    assert ids(search(base, "Zone opens")) == ["test-zone-opened-2022-05",
                                               "test-zone-machines-2022"]
    assert set(ids(search(base, "TZ Park"))) == {"test-zone-machines-2022",
                                                 "test-zone-opened-2022-05"}  # alias
    noted = FactBase(facts=(fact("n", note="printed 约 (approximately)"), fact("m")))
    assert ids(search(noted, "approximately")) == ["n"]


def test_the_view_has_the_machine_fields_and_rounded_scores():
    base = FactBase(facts=(fact("f", label_en="durian", period=Period.as_of("2022")),),
                    events=(event("e", title_en="durian", title_zh="榴莲", date="2023-06-11"),))
    hits = [Hit(base.facts[0], 1.234567, "fact"), Hit(base.events[0], 0.5, "event")]
    view = search_view(base, hits, "en", "durian")
    assert tuple(view.machine_fields) == SEARCH_FIELDS
    first, second = view.machine
    assert (first["rank"], first["score"], first["kind"], first["date_or_period"]) == \
        (1, 1.2346, "fact", "as of 2022")
    assert (second["rank"], second["kind"], second["date_or_period"], second["label_zh"]) == \
        (2, "event", "2023-06-11", "榴莲")
    assert second["value"] is None and second["unit"] is None and second["bound"] is None
    assert view.human[1]["kind"] == "event"
    assert search_view(base, hits, "zh").human[1]["kind"] == "事件"


# ---------------------------------------------------------------- the command, bundled base
def _csv(args: list[str]) -> list[dict[str, str]]:
    return parse_csv(run(["search", *args, "--format", "csv"]).stdout)


def _json(args: list[str]) -> list[dict]:
    return json.loads(run(["search", *args, "--format", "json"]).stdout)


def _assert_ranked(rows, number=float) -> None:
    got = [number(r["score"]) for r in rows]
    assert got == sorted(got, reverse=True) and all(s > 0 for s in got)
    assert [int(r["rank"]) for r in rows] == list(range(1, len(rows) + 1))


@pytest.mark.parametrize("args", [["榴莲"], ["durian"], ["durian", "train"], ["durian train"]])
def test_the_durian_train_ranks_first(args):
    rows = _csv(args)
    _assert_ranked(rows)
    assert rows[0]["id"] in DURIAN_TRAIN
    assert rows[0]["date_or_period"] == "2023-06-11"
    data = _json(args)
    assert [r["id"] for r in data] == [r["id"] for r in rows]
    assert all(isinstance(r["score"], (int, float)) for r in data)
    _assert_ranked(data, number=lambda s: s)


def test_the_durian_train_leads_each_query_as_stated():
    assert _json(["榴莲"])[0]["id"] == "jiangjin-cold-chain-durian-train-containers-2023-06-11"
    durian = [r["id"] for r in _json(["durian"])]
    assert durian[:2] == ["jiangjin-cold-chain-durian-train-cargo-value-2023-06-11",
                          "jiangjin-first-cold-chain-durian-train-2023-06-11"]
    # "durian train" as written: all three records of that train first
    assert {r["id"] for r in _json(["durian train"])[:3]} == DURIAN_TRAIN


@pytest.mark.parametrize("args", [["西永", "航空"], ["西永 航空"], ["Xiyong air cargo"],
                                  ["xiyong", "AIR", "Cargo"]])
def test_the_xiyong_air_cargo_figures_rank_above_everything_else(args):
    rows = _json(args)
    _assert_ranked(rows, number=lambda s: s)
    assert {r["id"] for r in rows[:2]} == XIYONG_AIR_CARGO
    assert all(r["kind"] == "fact" and r["source"] == "ibd-2023-xiyong" for r in rows[:2])
    assert rows[2]["score"] < rows[1]["score"]  # strictly above the rest
    csv_rows = _csv(args)
    assert [r["id"] for r in csv_rows] == [r["id"] for r in rows]
    assert [float(r["score"]) for r in csv_rows] == [r["score"] for r in rows]


def test_a_year_in_the_text_filters_by_period(bundled_facts, bundled_events):
    rows = _json(["2022 江津 班列"])
    in_2022 = {f["id"] for f in bundled_facts
               if f["period_start"] <= "2022-12-31" and f["period_end"] >= "2022-01-01"} | \
              {e["id"] for e in bundled_events if e["date"].startswith("2022")}
    assert rows and {r["id"] for r in rows} <= in_2022
    # the same words without the year find records of other years too
    assert {r["id"] for r in _json(["江津 班列"])} - in_2022
    assert rows[0]["id"] == "jiangjin-trains-run-2022"
    assert _json(["2022年江津班列"])[0]["id"] == "jiangjin-trains-run-2022"
    # the year is no term: scores are the same with and without it
    without = {r["id"]: r["score"] for r in _json(["江津 班列"])}
    assert all(r["score"] == without[r["id"]] for r in rows)


def test_a_year_alone_lists_every_record_of_the_year(bundled_facts, bundled_events):
    rows = _json(["2022"])
    assert rows and all(r["score"] == 0 for r in rows)
    assert [r["id"] for r in rows] == sorted(r["id"] for r in rows)
    assert "jiangjin-trains-run-2022" in {r["id"] for r in rows}


@pytest.mark.parametrize("text", ["", "   ", "!?", "——"])
def test_a_query_without_terms_exits_2_with_a_message(text):
    result = run(["search", text], expect=2)
    assert "TEXT" in result.stderr and "for example" in result.stderr
    assert result.stdout == ""


def test_no_search_text_at_all_is_a_usage_error():
    run(["search"], expect=2)


@pytest.mark.parametrize("limit", ["-1", "x", ""])
def test_a_bad_limit_exits_2(limit):
    run(["search", "durian", "--limit", limit], expect=2)


def test_limit():
    assert [r["id"] for r in _json(["durian", "-n", "2"])] == \
        [r["id"] for r in _json(["durian"])][:2]


def test_no_match_prints_the_header_only_and_a_note():
    result = run(["search", "qqxyzzy", "--format", "csv"])
    assert result.stdout.strip() == ",".join(SEARCH_FIELDS)
    assert "no facts or events match 'qqxyzzy'" in result.stderr
    assert run(["search", "qqxyzzy", "--format", "json"]).stdout.strip() == "[]"


FORMATS = ("csv", "tsv", "md", "json", "jsonl", "table")


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_text_format(fmt):
    expected = _json(["durian"])
    out = run(["search", "durian", "--format", fmt, "--lang", "en"]).stdout
    if fmt == "csv":
        rows = parse_csv(out)
        assert list(rows[0]) == list(SEARCH_FIELDS)
        assert [r["id"] for r in rows] == [r["id"] for r in expected]
    elif fmt == "tsv":
        rows = parse_csv(out, "\t")
        assert list(rows[0]) == list(SEARCH_FIELDS)
        assert [float(r["score"]) for r in rows] == [r["score"] for r in expected]
    elif fmt == "jsonl":
        assert parse_jsonl(out) == expected
    elif fmt == "json":
        assert json.loads(out) == expected
    elif fmt == "md":
        tokens = MarkdownIt("commonmark").enable("table").parse(out)
        cells = [t.content for t in tokens if t.type == "inline"]
        n = len(cells) // (len(expected) + 1)
        header, body = cells[:n], [cells[i:i + n] for i in range(n, len(cells), n)]
        assert header[:2] == ["rank", "score"] and header[-1] == "id"
        assert [row[-1] for row in body] == [r["id"] for r in expected]
        assert [float(row[1]) for row in body] == [r["score"] for r in expected]
    else:
        assert "score" in out and expected[0]["id"][:20] in out


def test_xlsx(tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    path = tmp_path / "search.xlsx"
    run(["search", "西永 航空", "--output", path])
    expected = _json(["西永 航空"])
    sheet = openpyxl.load_workbook(path).active
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0]) == list(SEARCH_FIELDS)
    assert [r[SEARCH_FIELDS.index("id")] for r in rows[1:]] == [r["id"] for r in expected]
    got = [r[SEARCH_FIELDS.index("score")] for r in rows[1:]]
    assert all(isinstance(s, (int, float)) for s in got)
    assert got == [r["score"] for r in expected]


def test_columns_lang_and_no_header():
    out = run(["search", "durian", "-c", "id,score", "--format", "csv", "--no-header"]).stdout
    first = parse_csv("id,score\n" + out)[0]
    assert first["id"] in DURIAN_TRAIN and float(first["score"]) > 0
    zh = run(["search", "durian", "--format", "md", "--lang", "zh"]).stdout
    assert "相关度" in zh and "事实" in zh
    run(["search", "durian", "-c", "nope"], expect=2)


def test_a_real_process_through_a_pipe_defaults_to_csv():
    proc = run_proc(["search", "榴莲", "--limit", "3"])
    rows = parse_csv(proc.out)
    assert len(rows) == 3 and rows[0]["id"] in DURIAN_TRAIN
    _assert_ranked(rows)
    assert proc.err == ""
    empty = run_proc(["search", "qqxyzzy"])
    assert empty.out.strip() == ",".join(SEARCH_FIELDS) and "no facts or events" in empty.err
    run_proc(["search", "  "], expect=2)


def test_start_up_does_not_import_the_search_modules():
    code = ("import sys, corridor_cli.cli; "
            "print(any(m in sys.modules for m in "
            "('corridor_cli.search', 'corridor_cli.search_views')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout
    assert out.strip() == "False"


# ---------------------------------------------------------------- regressions (red team)
@pytest.mark.parametrize("text", ["江津 班列 2021-2023", "江津 班列 2021..2023", "江津 班列 2021至2023",
                                  "江津 班列 2023-2021"])
def test_a_year_range_keeps_every_year_between(text):
    result = run(["search", *text.split(), "--format", "csv"])
    ids = [r["id"] for r in parse_csv(result.stdout)]
    assert "jiangjin-trains-run-2022" in ids  # 2022 lies between 2021 and 2023
    assert "only records of 2021, 2022, 2023" in result.stderr


def test_a_four_digit_number_read_as_a_year_is_said_on_stderr():
    result = run(["search", "2000", "万吨"])
    assert "only records of 2000" in result.stderr and "read as a year" in result.stderr


def test_equal_printed_scores_are_in_id_order():
    rows = parse_csv(run(["search", "foreign", "trade", "--format", "csv"]).stdout)
    keys = [(-float(r["score"]), r["id"]) for r in rows]
    assert keys == sorted(keys)
