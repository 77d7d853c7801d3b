"""The commands as a user types them: acceptance checks on the bundled facts,
bad option values, languages, show, the vocabularies and check."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest

from conftest import (
    MINIMAL_FACTS,
    assert_no_traceback,
    csv_header,
    find_one,
    parse_csv,
    run,
    run_proc,
    write_toml,
)
from corridor_cli.dates import PartialDate
from corridor_cli.views import FACT_FIELDS


def facts_json(*args, env=None) -> list[dict]:
    return json.loads(run(["facts", *args, "--format", "json"], env=env).stdout)


def ids_of(records) -> list[str]:
    return [r["id"] for r in records]


# ---------------------------------------------------------------- the acceptance checks
def _check_trains_2023(rows: list[dict[str, str]]) -> None:
    assert rows, "no facts for trains in 2023"
    run_407 = [r for r in rows if r["value"] and float(r["value"]) == 407 and r["unit"] == "列"]
    assert len(run_407) == 1, rows
    fact = run_407[0]
    assert fact["period"] == "2023-01..2023-05"
    assert (fact["period_start"], fact["period_end"]) == ("2023-01-01", "2023-05-31")
    assert float(fact["change"]) == 116.49
    assert fact["change_unit"] == "%"
    assert fact["status"] == "actual"
    assert fact["topic"] == "trains"

    target = [r for r in rows if r["value"] and float(r["value"]) == 1000
              and r["status"] == "target"]
    assert len(target) == 1, rows
    assert target[0]["period"] == "2023"
    assert target[0]["unit"] == "列"

    # every row is a trains fact whose period overlaps 2023
    for row in rows:
        assert row["topic"] == "trains"
        start = dt.date.fromisoformat(row["period_start"] or row["period_end"])
        end = dt.date.fromisoformat(row["period_end"])
        assert start <= dt.date(2023, 12, 31) and end >= dt.date(2023, 1, 1), row


def test_acceptance_trains_2023_csv_by_default_in_a_pipe():
    result = run(["facts", "trains", "--year", "2023"])
    assert csv_header(result.stdout) == list(FACT_FIELDS)
    _check_trains_2023(parse_csv(result.stdout))


def test_acceptance_trains_2023_subprocess():
    proc = run_proc(["facts", "trains", "--year", "2023"])  # a pipe: csv by default
    assert csv_header(proc.out) == list(FACT_FIELDS)
    _check_trains_2023(parse_csv(proc.out))
    assert_no_traceback(proc.err)


def test_year_includes_every_overlapping_fact(bundled_facts):
    """--year 2023 selects exactly the trains facts whose period overlaps 2023."""
    expected = {
        f["id"] for f in bundled_facts
        if f["topic"] == "trains"
        and dt.date.fromisoformat(f["period_end"]) >= dt.date(2023, 1, 1)
        and dt.date.fromisoformat(f["period_start"] or f["period_end"]) <= dt.date(2023, 12, 31)
    }
    assert set(ids_of(facts_json("trains", "--year", "2023"))) == expected


def test_acceptance_timeline_2018_2019(bundled_events):
    result = run(["timeline", "--from", "2018", "--to", "2019", "--format", "json"])
    events = json.loads(result.stdout)
    dates = [PartialDate.parse(e["date"]) for e in events]
    firsts = [d.first_day() for d in dates]
    assert firsts == sorted(firsts), [e["date"] for e in events]
    for d in dates:
        assert d.last_day() >= dt.date(2018, 1, 1) and d.first_day() <= dt.date(2019, 12, 31)
    by_date = {}
    for event in events:
        by_date.setdefault(event["date"], []).append(event)
    for wanted in ("2018-07", "2018-12", "2019-07", "2019-12"):
        assert wanted in by_date, f"no event dated {wanted}: {sorted(by_date)}"
    december = by_date["2018-12"]
    assert any("first-train" in e["tags"] for e in december), december
    assert any("ASEAN" in e["title_en"] and "分拨中心" in e["title_zh"] for e in december), december
    # and nothing in range is missing
    expected = {e["id"] for e in bundled_events
                if PartialDate.parse(e["date"]).last_day() >= dt.date(2018, 1, 1)
                and PartialDate.parse(e["date"]).first_day() <= dt.date(2019, 12, 31)}
    assert set(ids_of(events)) == expected


@pytest.mark.parametrize("how", ["江津综保区", "Jiangjin Comprehensive Bonded Zone",
                                 "jiangjin comprehensive bonded zone", "Jiangjin CBZ",
                                 "江津综合保税区"])
def test_entity_by_any_name_gives_the_same_ids(how, cbz_ids):
    assert ids_of(facts_json("--entity", how)) == cbz_ids


@pytest.fixture(scope="module")
def cbz_ids() -> list[str]:
    ids = ids_of(facts_json("--entity", "jiangjin-cbz"))
    assert ids, "no facts for jiangjin-cbz"
    return ids


def test_entity_filter_selects_only_that_entity(bundled_facts):
    chosen = facts_json("--entity", "江津综保区")
    assert {f["entity"] for f in chosen} == {"jiangjin-cbz"}
    assert len(chosen) == sum(f["entity"] == "jiangjin-cbz" for f in bundled_facts)


def test_format_xml_names_the_choices():
    result = run(["facts", "--format", "xml"], expect=2)
    assert result.stdout == ""
    assert "xml" in result.stderr
    assert "csv" in result.stderr and "json" in result.stderr
    assert_no_traceback(result.stderr)


def test_year_abc_asks_for_four_digits():
    result = run(["facts", "--year", "abc"], expect=2)
    assert result.stdout == ""
    assert "four digits" in result.stderr and "abc" in result.stderr


def test_bad_option_values_subprocess():
    proc = run_proc(["facts", "--format", "xml"], expect=2)
    assert "csv" in proc.err and "json" in proc.err and proc.out == ""
    assert_no_traceback(proc.err)
    proc = run_proc(["facts", "--year", "abc"], expect=2, script=True)
    assert "four digits" in proc.err and proc.out == ""
    assert_no_traceback(proc.err)


@pytest.mark.parametrize(("args", "suggestion"), [
    (["facts", "trians"], "'trains'"),
    (["facts", "--entity", "jiangjin-cbx"], "'jiangjin-cbz'"),
    (["timeline", "--entity", "jiangjin-cbx"], "'jiangjin-cbz'"),
    (["facts", "--source", "cqdaily-2020-07-07"], "'cqdaily-2020-07-06'"),
    (["facts", "--metric", "trains_ran"], "'trains_run'"),
    (["facts", "--sort", "valeu"], "'value'"),
])
def test_unknown_names_exit_2_with_a_suggestion(args, suggestion):
    result = run(args, expect=2)
    assert result.stdout == ""
    assert "did you mean" in result.stderr and suggestion in result.stderr, result.stderr
    assert_no_traceback(result.stderr)


@pytest.mark.parametrize("args", [
    ["facts", "--from", "2018-13"], ["facts", "--to", "July"], ["timeline", "--from", "2023-02-30"],
    ["facts", "--limit", "-1"], ["facts", "--status", "guess"], ["facts", "--lang", "fr"],
])
def test_other_bad_values_exit_2(args):
    result = run(args, expect=2)
    assert result.stdout == ""
    assert result.stderr.strip()
    assert_no_traceback(result.stderr)


def test_no_matching_records_csv_prints_the_header_only():
    result = run(["facts", "--grep", "no-such-text-anywhere-xyz"])
    assert csv_header(result.stdout) == list(FACT_FIELDS)
    assert parse_csv(result.stdout) == []
    assert result.stderr.strip()  # a note says nothing matched


def test_no_matching_records_json_prints_an_empty_array():
    result = run(["facts", "--grep", "no-such-text-anywhere-xyz", "--format", "json"])
    assert json.loads(result.stdout) == []
    assert result.stderr.strip()
    result = run(["facts", "--grep", "no-such-text-anywhere-xyz", "--format", "jsonl"])
    assert result.stdout.strip() == ""


def test_no_matching_events():
    result = run(["timeline", "--from", "1990", "--to", "1991", "--format", "json"])
    assert json.loads(result.stdout) == []
    assert result.stderr.strip()  # a note says nothing matched


# ---------------------------------------------------------------- filters through the CLI
def test_status_target():
    chosen = facts_json("--status", "target")
    assert chosen and {f["status"] for f in chosen} == {"target"}


def test_limit_and_sort_by_value_descending():
    chosen = facts_json("--sort", "value", "--desc", "--limit", "5")
    assert len(chosen) == 5
    values = [f["value_base"] for f in chosen]  # in base units: 1 亿元 above 9000 万元
    assert values == sorted(values, reverse=True)
    everything = facts_json()
    assert values[0] == max(f["value_base"] for f in everything)


def test_default_sort_is_by_period():
    chosen = facts_json()
    starts = [(f["period_start"] or f["period_end"]) for f in chosen]
    assert starts == sorted(starts)


def test_from_to():
    chosen = facts_json("--from", "2019-07", "--to", "2019-12")
    assert chosen
    for f in chosen:
        assert f["period_end"] >= "2019-07-01" and (f["period_start"] or f["period_end"]) <= "2019-12-31"


def test_grep_is_case_insensitive():
    lower = ids_of(facts_json("--grep", "durian"))
    assert lower and ids_of(facts_json("--grep", "DURIAN")) == lower


def test_metric_and_source(bundled_facts):
    chosen = facts_json("--metric", "trains_run")
    assert chosen and {f["metric"] for f in chosen} == {"trains_run"}
    source = bundled_facts[0]["source"]
    chosen = facts_json("--source", source)
    assert len(chosen) == sum(f["source"] == source for f in bundled_facts)


def test_user_facts_dir_is_queryable(fact_dir):
    chosen = facts_json("--facts-dir", fact_dir, "--entity", "测试区")
    assert ids_of(chosen) == ["test-zone-machines-2022"]
    assert chosen[0]["value"] == 42 and chosen[0]["change"] == 5.5
    events = json.loads(run(["timeline", "--facts-dir", fact_dir, "--entity", "TZ Park",
                             "--format", "json"]).stdout)
    assert ids_of(events) == ["test-zone-opened-2022-05"]


def test_facts_dir_is_repeatable(fact_dir, tmp_path):
    other = tmp_path / "more"
    write_toml(other, "more.toml", MINIMAL_FACTS.replace("test-zone-machines-2022", "test-more")
               .replace("test-zone-opened-2022-05", "test-more-event"))
    chosen = facts_json("testing", "--facts-dir", fact_dir, "--facts-dir", other)
    assert sorted(ids_of(chosen)) == ["test-more", "test-zone-machines-2022"]


# ---------------------------------------------------------------- languages
def _fact_407(bundled_facts) -> dict:
    return find_one(bundled_facts, metric="trains_run", value=407, unit="列")


def test_lang_changes_labels_in_md(bundled_facts):
    fact = _fact_407(bundled_facts)
    en = run(["facts", "trains", "--year", "2023", "--format", "md", "--lang", "en"]).stdout
    zh = run(["facts", "trains", "--year", "2023", "--format", "md", "--lang", "zh"]).stdout
    assert fact["label_en"] in en and fact["label_zh"] not in en
    assert fact["label_zh"] in zh and fact["label_en"] not in zh


def test_lang_changes_headers_in_table():
    en = run(["facts", "trains", "--year", "2023", "--format", "table", "--lang", "en"]).stdout
    zh = run(["facts", "trains", "--year", "2023", "--format", "table", "--lang", "zh"]).stdout
    assert "status" in en and "状态" not in en
    assert "状态" in zh


def test_lang_changes_entity_names_in_timeline():
    en = run(["timeline", "--entity", "jiangjin-cbz", "--format", "md", "--lang", "en"]).stdout
    zh = run(["timeline", "--entity", "jiangjin-cbz", "--format", "md", "--lang", "zh"]).stdout
    assert "Jiangjin Comprehensive Bonded Zone" in en and "江津综合保税区" not in en
    assert "江津综合保税区" in zh


def test_machine_formats_do_not_depend_on_lang():
    en = run(["facts", "trains", "--format", "json", "--lang", "en"]).stdout
    zh = run(["facts", "trains", "--format", "json", "--lang", "zh"]).stdout
    assert json.loads(en) == json.loads(zh)


def test_corridor_lang_env(bundled_facts):
    fact = _fact_407(bundled_facts)
    args = ["facts", "trains", "--year", "2023", "--format", "md"]
    assert fact["label_en"] in run(args, env={"CORRIDOR_LANG": "en"}).stdout
    assert fact["label_zh"] in run(args, env={"CORRIDOR_LANG": "zh"}).stdout
    # the option wins over the variable
    assert fact["label_zh"] in run([*args, "--lang", "zh"], env={"CORRIDOR_LANG": "en"}).stdout


def test_lang_follows_the_locale(bundled_facts):
    fact = _fact_407(bundled_facts)
    args = ["facts", "trains", "--year", "2023", "--format", "md"]
    zh_locale = {"LC_ALL": None, "LC_MESSAGES": None, "LANG": "zh_CN.UTF-8"}
    assert fact["label_zh"] in run(args, env=zh_locale).stdout
    en_locale = {"LC_ALL": None, "LC_MESSAGES": None, "LANG": "en_GB.UTF-8"}
    assert fact["label_en"] in run(args, env=en_locale).stdout


def test_corridor_lang_invalid_exits_2():
    result = run(["facts", "--format", "md"], expect=2, env={"CORRIDOR_LANG": "xx"})
    assert "xx" in result.stderr
    assert "zh" in result.stderr and "en" in result.stderr
    assert result.stdout == ""
    assert_no_traceback(result.stderr)


# ---------------------------------------------------------------- show
def _fact_with_publication() -> tuple[dict, dict]:
    """A bundled fact whose source names its publication (in both languages), and that source."""
    sources = json.loads(run(["sources", "--format", "json"]).stdout)
    published = [s for s in sources
                 if s["publication_zh"] and s["publication_en"] and s["facts"] > 0]
    assert published, "no bundled source names its publication"
    source = published[0]
    fact = facts_json("--source", source["id"])[0]
    return fact, source


def test_show_fact_has_full_provenance():
    fact, source = _fact_with_publication()
    (shown,) = json.loads(run(["show", fact["id"], "--format", "json"]).stdout)
    for key in FACT_FIELDS:  # the same record as `facts` prints ...
        assert shown[key] == fact[key], key
    assert shown["source_title_zh"] == source["title_zh"]  # ... with its source
    assert shown["source_title_en"] == source["title_en"]
    assert shown["source_publication_zh"] == source["publication_zh"]
    assert shown["source_file"] == source["file"]


def test_show_fact_for_people_shows_title_publication_and_quote():
    fact, source = _fact_with_publication()
    for lang, title, publication in (("zh", "title_zh", "publication_zh"),
                                     ("en", "title_en", "publication_en")):
        text = run(["show", fact["id"], "--format", "md", "--lang", lang]).stdout
        assert source[title].replace("|", "\\|") in text
        assert source[publication] in text
        assert fact["quote"].replace("|", "\\|") in text


def test_show_id_taken_from_the_407_fact(bundled_facts):
    fact = _fact_407(bundled_facts)
    (shown,) = json.loads(run(["show", fact["id"], "--format", "json"]).stdout)
    assert shown["quote"] == fact["quote"] and "407" in shown["quote"]
    assert shown["source_title_zh"]
    assert shown["value"] == 407


def test_show_event(bundled_events):
    event = bundled_events[0]
    (shown,) = json.loads(run(["show", event["id"], "--format", "json"]).stdout)
    assert shown["date"] == event["date"] and shown["quote"] == event["quote"]
    assert shown["source_title_zh"]


def test_show_unknown_id_suggests(bundled_facts):
    real = bundled_facts[0]["id"]
    result = run(["show", real + "x"], expect=2)
    assert "did you mean" in result.stderr and repr(real) in result.stderr
    assert result.stdout == ""
    assert_no_traceback(result.stderr)


def test_show_unknown_id_subprocess():
    proc = run_proc(["show", "no-such-fact-id"], expect=2)
    assert "no-such-fact-id" in proc.err
    assert_no_traceback(proc.err)


# ---------------------------------------------------------------- vocabularies with counts
@pytest.mark.parametrize(("command", "attribute"), [
    ("sources", "source"), ("entities", "entity"), ("topics", "topic"), ("units", "unit")])
def test_vocabularies_count_the_facts(command, attribute, bundled_facts):
    rows = json.loads(run([command, "--format", "json"]).stdout)
    assert rows
    assert len({r["id"] for r in rows}) == len(rows)
    for row in rows:
        assert isinstance(row["facts"], int) and not isinstance(row["facts"], bool)
        assert row["facts"] == sum(f[attribute] == row["id"] for f in bundled_facts), row["id"]
    # every fact is counted under one of them
    assert sum(r["facts"] for r in rows) == len(bundled_facts)


@pytest.mark.parametrize(("command", "attribute"), [("sources", "source"), ("entities", "entity")])
def test_vocabularies_count_the_events(command, attribute, bundled_events):
    rows = json.loads(run([command, "--format", "json"]).stdout)
    for row in rows:
        assert row["events"] == sum(e[attribute] == row["id"] for e in bundled_events)


def test_entities_list_names_and_aliases():
    rows = json.loads(run(["entities", "--format", "json"]).stdout)
    cbz = find_one(rows, id="jiangjin-cbz")
    assert cbz["name_zh"] == "江津综合保税区"
    assert "江津综保区" in cbz["aliases"]


def test_units_have_english_names_and_scales():
    rows = {r["id"]: r for r in json.loads(run(["units", "--format", "json"]).stdout)}
    assert rows["亿元"]["scale"] == 1e8 and rows["亿元"]["name_en"]
    assert rows["列"]["scale"] == 1


def test_vocabulary_counts_include_user_facts(fact_dir):
    rows = json.loads(run(["topics", "--facts-dir", fact_dir, "--format", "json"]).stdout)
    assert find_one(rows, id="testing")["facts"] == 1


# ---------------------------------------------------------------- check
def test_check_bundled_facts_is_clean():
    result = run(["check"])
    assert result.stderr == ""
    assert result.stdout.strip()


def test_check_valid_user_dir(fact_dir):
    run(["check", "--facts-dir", fact_dir])


def test_check_bad_dir_reports_all_problems(tmp_path):
    write_toml(tmp_path, "one.toml", MINIMAL_FACTS.replace("value = 42", "value = nan"))
    write_toml(tmp_path, "two.toml", "x = = 1\n")
    result = run(["check", "--facts-dir", tmp_path], expect=2)
    lines = result.stderr.splitlines()
    assert any("one.toml" in ln and "value" in ln for ln in lines), result.stderr
    assert any("two.toml:1" in ln for ln in lines), result.stderr
    assert_no_traceback(result.stderr)


def test_check_bad_dir_names_file_line_and_field(tmp_path):
    write_toml(tmp_path, "one.toml", MINIMAL_FACTS.replace('period = "2022"', 'period = "2023-02-30"'))
    result = run(["check", "--facts-dir", tmp_path], expect=2)
    assert re.search(r"one\.toml:\d+: period:", result.stderr), result.stderr


def test_check_missing_dir(tmp_path):
    result = run(["check", "--facts-dir", tmp_path / "nowhere"], expect=2)
    assert "nowhere" in result.stderr


# ---------------------------------------------------------------- report
# ---------------------------------------------------------------- version
def test_version_in_process():
    from corridor_cli import __version__

    result = run(["--version"])
    assert __version__ in result.stdout
    assert re.search(r"\d+\.\d+", result.stdout)


def test_no_arguments_shows_help():
    from typer.testing import CliRunner

    from corridor_cli.cli import app

    result = CliRunner().invoke(app, [])
    assert result.exit_code in (0, 2)  # click's status for no_args_is_help varies by version
    assert "facts" in result.output and "timeline" in result.output
    assert_no_traceback(result.output)
