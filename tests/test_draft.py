"""corridor draft: a stub for every figure of a new text, right in value, unit, bound,
status and change, none for page furniture; an unfinished stub never passes check.

tests/data/draft-article.txt is an article written for this test in the style of the
bundled texts (it is not a real report): a masthead, byline, 22 figures (ranges, bounds,
targets, forecasts, year-on-year changes, a share with a change in 个百分点, Chinese
numerals, full-width digits, thousands separators), one dated happening, and page
furniture at the foot.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest

from conftest import assert_no_traceback, run, run_proc
from corridor_cli.curation.draft import draft, to_toml
from corridor_cli.loader import fact_dirs, load
from corridor_cli.records import is_placeholder

ARTICLE = Path(__file__).parent / "data" / "draft-article.txt"
SOURCE = "cqdaily-2024-03-08"
TODO = object()  # the field must be a placeholder

# figure by figure: value, value_max, unit, bound, status, period/as_of, change
# (value, unit, basis) or None; the quote must hold the printed figure.
EXPECTED = [
    ("612列", 612, None, "列", "exact", "actual", ("period", "2023"), (14.2, "%", "yoy")),
    ("152.6亿元", 152.6, None, "亿元", "exact", "actual", ("period", "2023"), (8.5, "%", "yoy")),
    ("约1200万吨", 1200, None, "万吨", "approx", "actual", ("period", "2023"), None),
    ("超过28万个", 28, None, "万个", "lower", "actual", ("period", "2023"), None),
    ("2356列", 2356, None, "列", "exact", "actual", ("as_of", "2023-12-31"), None),
    ("1,250家", 1250, None, "家", "exact", "actual", ("period", TODO), None),
    ("42家", 42, None, "家", "exact", "actual", ("period", "2023"), None),
    ("近20家", 20, None, "家", "upper", "actual", ("period", "2023"), None),
    ("不到1亿美元", 1, None, "亿美元", "upper", "actual", ("period", "2023"), None),
    ("98列", 98, None, "列", "exact", "actual", ("period", "2024-01..2024-02"),
     (25.6, "%", "yoy")),
    ("三成", 3, None, TODO, "exact", "actual", ("period", "2024-01..2024-02"), None),
    ("25天", 25, None, "天", "exact", "actual", ("period", TODO), None),
    ("18天", 18, None, "天", "exact", "actual", ("period", TODO), None),
    ("45分钟", 45, None, "分钟", "exact", "actual", ("period", TODO), (-12, "%", "yoy")),
    ("１６列", 16, None, "列", "exact", "actual", ("period", TODO), None),
    ("约3.6亿元", 3.6, None, "亿元", "approx", "actual", ("period", TODO), None),
    ("35.8%", 35.8, None, "%", "exact", "actual", ("period", TODO), (2.3, "个百分点", "yoy")),
    ("第三", 3, None, "位", "exact", "actual", ("period", TODO), None),
    ("1000列以上", 1000, None, "列", "lower", "target", ("period", "2024"), None),
    ("突破200亿元", 200, None, "亿元", "lower", "target", ("period", "2024"), None),
    ("3000余个", 3000, None, "个", "lower", "forecast", ("period", TODO), None),
    ("10-15亿元", 10, 15, "亿元", "exact", "forecast", ("period", TODO), None),
]
FURNITURE = ["2024年3月8日", "第5版", "023-67890123", "2.00元", "CN50-0001"]


def squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


@pytest.fixture(scope="module")
def drafted() -> dict:
    proc = run_proc(["draft", str(ARTICLE), "--source", SOURCE, "--date", "2024-03-08"])
    return {"toml": proc.out, "doc": tomllib.loads(proc.out), "err": proc.err}


def _field_ok(actual, wanted) -> bool:
    return is_placeholder(actual) if wanted is TODO else actual == wanted


def test_one_stub_per_figure_in_text_order(drafted):
    facts = drafted["doc"]["fact"]
    assert len(facts) == len(EXPECTED) == 22
    text = squeeze(ARTICLE.read_text(encoding="utf-8"))
    for stub, (printed, *_rest) in zip(facts, EXPECTED):
        assert squeeze(printed).lstrip("约超过近不到突破") in stub["quote"] or \
            printed.rstrip("以上") in stub["quote"], (printed, stub["quote"])
        assert squeeze(stub["quote"]) in text  # verbatim, whitespace aside


@pytest.mark.parametrize("index", range(len(EXPECTED)), ids=[e[0] for e in EXPECTED])
def test_each_stub_has_value_unit_bound_status_period_and_change_right(drafted, index):
    printed, value, value_max, unit, bound, status, (period_key, period), change = EXPECTED[index]
    stub = drafted["doc"]["fact"][index]
    assert stub["value"] == value and type(stub["value"]) is type(value)
    assert stub.get("value_max") == value_max
    assert _field_ok(stub["unit"], unit), stub["unit"]
    assert stub.get("bound", "exact") == bound
    assert stub["status"] == status
    assert _field_ok(stub.get(period_key), period), stub
    if change is None:
        assert "change" not in stub
    else:
        assert (stub["change"]["value"], stub["change"]["unit"], stub["change"]["basis"]) == change
    assert stub["source"] == SOURCE
    for human in ("id", "topic", "entity", "metric", "label_zh", "label_en"):
        assert is_placeholder(stub[human]), human


def test_a_change_is_kept_with_its_figure_not_drafted_alone(drafted):
    values = [stub["value"] for stub in drafted["doc"]["fact"]]
    for change in (14.2, 8.5, 25.6, 12, 2.3):
        assert change not in values


def test_suggestions_name_the_vocabulary(drafted):
    trains = drafted["doc"]["fact"][0]
    assert "trains_run" in trains["metric"] and "trains" in trains["topic"]
    assert "jiangjin-cbz" in trains["entity"]
    unit = drafted["doc"]["fact"][10]["unit"]  # 三成: 成 is not a unit of the vocabulary
    assert "成" in unit and "[[unit]]" in unit


def test_a_dated_happening_becomes_an_event_stub(drafted):
    events = drafted["doc"]["event"]
    assert len(events) == 1
    assert events[0]["date"] == "2024-03-05"
    assert events[0]["quote"].startswith("3月5日") and "发车" in events[0]["quote"]
    assert is_placeholder(events[0]["title_zh"]) and is_placeholder(events[0]["tags"][0])


def test_no_stub_for_page_furniture(drafted):
    quotes = " ".join(s["quote"] for s in drafted["doc"]["fact"] + drafted["doc"]["event"])
    for furniture in FURNITURE:
        assert furniture not in quotes
    for furniture in FURNITURE:  # named in the header as skipped
        assert furniture in drafted["toml"].split("[[")[0]
    assert "22 fact stubs and 1 event stub" in drafted["err"]


def test_an_unknown_source_gets_a_source_stub_first(drafted):
    assert drafted["toml"].index("[[source]]") < drafted["toml"].index("[[fact]]")
    source = drafted["doc"]["source"][0]
    assert source["id"] == SOURCE and source["date"] == "2024-03-08"
    assert source["file"] == "draft-article.txt"
    assert is_placeholder(source["title_en"])


def test_an_unfinished_stub_fails_check_naming_each_placeholder_and_its_line(tmp_path, drafted):
    path = tmp_path / "facts" / "draft.toml"
    path.parent.mkdir()
    path.write_text(drafted["toml"], encoding="utf-8")
    result = run(["check", "--facts-dir", str(path.parent)], expect=2)
    assert_no_traceback(result.stderr)
    lines = path.read_text(encoding="utf-8").splitlines()
    reported = re.findall(r"draft\.toml:(\d+): (\w+): .*draft placeholder \"(TODO[^\"]*)\"",
                          result.stderr)
    assert len(reported) >= 22 * 6
    for line, key, placeholder_text in reported:
        assert lines[int(line) - 1].startswith(f"{key} = ") or key == "tags"
        assert placeholder_text in lines[int(line) - 1]
    # every placeholder line of the file is reported
    todo_lines = {i + 1 for i, line in enumerate(lines) if '"TODO' in line}
    assert todo_lines == {int(line) for line, _k, _p in reported}


def test_a_finished_stub_passes_check(tmp_path, drafted):
    """Fill the human fields of one stub from the vocabulary: it loads and checks."""
    stub_text = to_toml(draft("2023年，江津综保区共开行西部陆海新通道班列612列，同比增长14.2%。\n",
                              "cqdaily-2020-07-06", load(fact_dirs([]))[0]))
    doc = tomllib.loads(stub_text)
    assert len(doc["fact"]) == 1 and "source" not in doc  # a known source: no source stub
    fact = doc["fact"][0]
    fact.update(id="test-jiangjin-cbz-trains-2023", topic="trains", entity="jiangjin-cbz",
                metric="trains_run", label_zh="江津综保区2023年开行班列", label_en="Trains, 2023")
    body = "\n".join(f"{k} = {_toml(v)}" for k, v in fact.items())
    directory = tmp_path / "finished"
    directory.mkdir()
    (directory / "f.toml").write_text(f"[[fact]]\n{body}\n", encoding="utf-8")
    result = run(["facts", "--facts-dir", str(directory), "--grep", "Trains, 2023",
                  "--format", "json"])
    assert '"value": 612' in result.stdout


def _toml(value) -> str:
    import json

    if isinstance(value, dict):
        return "{ " + ", ".join(f"{k} = {_toml(v)}" for k, v in value.items()) + " }"
    return json.dumps(value, ensure_ascii=False)


def test_figures_already_covered_are_not_drafted_again():
    """A bundled text drafted against its own source: everything is covered or ignored."""
    base = load(fact_dirs([]))[0]
    text = (Path(__file__).parents[1] / "facts" / "texts" / "003_a3a47e7fd0985b29.txt").read_text()
    result = draft(text, "jiangjin-tongcheng-2020", base, today="2020")
    assert result.facts == [] and result.events == []
    assert result.covered > 40


TRADITIONAL = "2023年，江津綜保區開行班列約612列，同比增長14.2%；預計2024年進出口總額突破200億元，占比提高2.3個百分點。"


def test_traditional_chinese_is_drafted_like_simplified():
    base = load(fact_dirs([]))[0]
    stubs = tomllib.loads(to_toml(draft(TRADITIONAL, "x-2024", base, today="2024")))["fact"]
    got = [(s["value"], s["unit"], s.get("bound", "exact"), s["status"], s.get("change"))
           for s in stubs]
    assert got[0] == (612, "列", "approx", "actual", {"value": 14.2, "unit": "%", "basis": "yoy"})
    assert got[1][:4] == (200, "亿元", "lower", "forecast")
    assert stubs[0]["quote"] in TRADITIONAL  # quoted as printed, traditional characters kept


def test_output_file_and_bad_input(tmp_path):
    out = tmp_path / "draft.toml"
    run(["draft", str(ARTICLE), "--source", SOURCE, "-o", str(out)])
    assert tomllib.loads(out.read_text(encoding="utf-8"))["fact"]
    bad = tmp_path / "latin1.txt"
    bad.write_bytes("江津".encode("gb18030"))
    result = run(["draft", str(bad), "--source", SOURCE], expect=2)
    assert "not UTF-8" in result.stderr and "latin1.txt" in result.stderr
    result = run(["draft", str(tmp_path / "missing.txt"), "--source", SOURCE], expect=2)
    assert "missing.txt" in result.stderr
    result = run(["draft", str(ARTICLE), "--source", SOURCE, "--date", "2024-13"], expect=2)
    assert "--date" in result.stderr
    assert_no_traceback(result.stderr)


def test_control_characters_from_the_text_are_escaped(tmp_path):
    text = tmp_path / "t.txt"
    text.write_text("2023年，江津\x1b[31m开行班列\u202e612列。\n", encoding="utf-8")
    proc = run_proc(["draft", str(text), "--source", SOURCE])
    assert "\x1b" not in proc.out and "\u202e" not in proc.out
    stub = tomllib.loads(proc.out)["fact"][0]
    assert stub["value"] == 612 and "\x1b[31m" in stub["quote"]  # the quote keeps its text
