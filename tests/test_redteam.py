"""Regressions for breaks a red-team pass found after the first round of fixes: xlsx
cells, --output guards, empty and oddly cased option values, every invisible character."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import unicodedata

import pytest

from conftest import assert_no_traceback, parse_csv, run, run_proc, write_toml
from corridor_cli.safetext import visible

openpyxl = pytest.importorskip("openpyxl")
posix_only = pytest.mark.skipif(os.name != "posix", reason="symlinks and file modes")


RT_METRIC = """[[metric]]
id = "rt_metric"
name_zh = "测试"
name_en = "test"
definition = "A test measure, for a period or as of a date."
kind = "measure"
bases = ["train", "tonne", "percent", "count"]

"""


def user_fact(**overrides) -> str:
    """A user fact (after the definition of its metric, rt_metric)."""
    fields = {
        "id": "rt-fact", "topic": "trains", "entity": "jiangjin-trains", "metric": "rt_metric",
        "value": 44, "unit": "列", "status": "actual", "as_of": "2020-07-06",
        "label_zh": "测试", "label_en": "test", "source": "cqdaily-2020-07-06", "quote": "44列",
    }
    fields.update(overrides)
    lines = ["[[fact]]"] + [f"{k} = {json.dumps(v, ensure_ascii=False)}" for k, v in fields.items()]
    return RT_METRIC + "\n".join(lines) + "\n"


# ---------------------------------------------------------------- xlsx cells
@pytest.mark.parametrize("label", ["2023-02-30", "2024-01-01", "0001-01-01", "=1+1", "@SUM(A1)"])
def test_xlsx_text_that_looks_like_a_date_or_formula_stays_text(tmp_path, label):
    d = tmp_path / "facts"
    write_toml(d, "f.toml", user_fact(label_zh=label))
    out = tmp_path / "f.xlsx"
    result = run(["facts", "--facts-dir", d, "--metric", "rt_metric", "-o", out])
    assert_no_traceback(result.stderr)
    sheet = openpyxl.load_workbook(out).active
    header = [c.value for c in sheet[1]]
    row = dict(zip(header, (c.value for c in sheet[2])))
    assert row["label_zh"] == label and isinstance(row["label_zh"], str)
    assert row["value"] == 44


@pytest.mark.parametrize(("period", "date_cell"), [("2022", True), ("1899-12-31", False),
                                                   ("0001", False)])
def test_xlsx_period_dates_are_dates_only_where_excel_can_hold_them(tmp_path, period, date_cell):
    d = tmp_path / "facts"
    write_toml(d, "f.toml", user_fact(period=period, **{"as_of": None}).replace("as_of = null\n", ""))
    out = tmp_path / "f.xlsx"
    run(["facts", "--facts-dir", d, "--metric", "rt_metric", "-o", out])
    sheet = openpyxl.load_workbook(out).active
    header = [c.value for c in sheet[1]]
    row = dict(zip(header, (c.value for c in sheet[2])))
    expected_start = dt.date(int(period[:4]), *((1, 1) if len(period) == 4 else (12, 31)))
    if date_cell:
        assert isinstance(row["period_start"], dt.datetime)
        assert row["period_start"].date() == expected_start
    else:  # before 1900: the ISO text, not a wrong date or an error cell
        assert row["period_start"] == expected_start.isoformat()


def test_xlsx_text_longer_than_a_cell_is_cut_visibly(tmp_path):
    d = tmp_path / "facts"
    write_toml(d, "f.toml", user_fact(note="长" * 40000))
    out = tmp_path / "f.xlsx"
    run(["facts", "--facts-dir", d, "--metric", "rt_metric", "-o", out])
    sheet = openpyxl.load_workbook(out).active
    header = [c.value for c in sheet[1]]
    cell = sheet.cell(row=2, column=header.index("note") + 1)
    assert cell.value.endswith("…") and len(cell.value) == 32767
    assert "40000" in cell.comment.text


# ---------------------------------------------------------------- --output guards
@pytest.fixture
def guarded(tmp_path):
    d = tmp_path / "d"
    write_toml(d, "x.toml", user_fact())
    (d / "inner").mkdir()
    os.symlink("inner", d / "innerlink")
    (d / "texts").mkdir()
    (d / "texts" / "mine.txt").write_text("原文", encoding="utf-8")
    return tmp_path


@posix_only
@pytest.mark.parametrize("target", ["d/innerlink/new.toml", "d/inner/new.toml", "d/texts/mine.txt",
                                    "d/texts/new.txt", "x.csv/", "x.csv/.", "./d/../d/x.toml"])
def test_output_never_changes_what_corridor_reads(guarded, target):
    before = {p: p.read_bytes() for p in guarded.rglob("*") if p.is_file()}
    proc = run_proc(["facts", "--facts-dir", "d", "--format", "csv", "-o", target], expect=74,
                    cwd=guarded)
    assert "refusing to write" in proc.err
    after = {p: p.read_bytes() for p in guarded.rglob("*") if p.is_file()}
    assert after == before  # nothing created, nothing changed
    run_proc(["facts", "--facts-dir", "d", "--format", "csv", "-n", "1"], cwd=guarded)


@posix_only
def test_output_with_a_long_legal_name(tmp_path):
    name = "a" * 250 + ".csv"
    run_proc(["facts", "--format", "csv", "-o", name], cwd=tmp_path)
    assert parse_csv((tmp_path / name).read_text(encoding="utf-8"))
    assert [p.name for p in tmp_path.iterdir()] == [name]


@posix_only
@pytest.mark.parametrize("link", ["texts", "sub"])
def test_a_fact_dir_linking_outside_is_refused_and_nothing_is_written(tmp_path, link):
    """d/texts -> ../real (or any subdirectory link out of the fact directory): the loader
    names the link and stops, so no --output can reach through it, and /etc-like texts
    are never read."""
    d = tmp_path / "d"
    write_toml(d, "x.toml", user_fact())
    (tmp_path / "real").mkdir()
    (tmp_path / "real" / "r.txt").write_text("原文", encoding="utf-8")
    os.symlink("../real", d / link)
    proc = run_proc(["topics", "--facts-dir", "d", "-o", "real/r.txt", "--format", "csv"],
                    expect=2, cwd=tmp_path)
    assert "[symlinked-dir]" in proc.err
    assert (tmp_path / "real" / "r.txt").read_text(encoding="utf-8") == "原文"


# ---------------------------------------------------------------- option values
@pytest.mark.parametrize("args", [["-t", ""], ["-m", ""], ["-s", ""], ["--source", ""], [""],
                                  ["-c", ""], ["-e", ","], ["-e", ""], ["-e", "-"], ["-t", " , "]])
def test_an_empty_filter_is_refused_never_ignored(args):
    result = run(["facts", *args], expect=2)
    assert_no_traceback(result.stderr)
    assert result.stdout == ""


def test_comma_lists_with_repeats_and_trailing_commas():
    one = {r["id"] for r in json.loads(run(["facts", "-e", "jiangjin", "-f", "json"]).stdout)}
    for value in ("jiangjin,jiangjin", "jiangjin,", " jiangjin , jiangjin "):
        got = {r["id"] for r in json.loads(run(["facts", "-e", value, "-f", "json"]).stdout)}
        assert got == one


@pytest.mark.parametrize(("args", "field", "expected"), [
    (["-s", "ACTUAL"], "status", {"actual"}),
    (["TRAINS"], "topic", {"trains"}),
    (["-t", " Trade "], "topic", {"trade"}),
    (["--source", "CQDAILY-2020-07-06"], "source", {"cqdaily-2020-07-06"}),
])
def test_choices_ignore_case_and_spaces(args, field, expected):
    rows = json.loads(run(["facts", *args, "-f", "json"]).stdout)
    assert rows and {r[field] for r in rows} == expected


def test_sort_and_columns_ignore_case():
    rows = parse_csv(run(["facts", "--sort", "VALUE", "--desc", "-c", "ID,Value_Base"]).stdout)
    values = [float(r["value_base"]) for r in rows]
    assert values == sorted(values, reverse=True) and list(rows[0]) == ["id", "value_base"]


@pytest.mark.parametrize("fmt", ["json", "jsonl"])
def test_no_header_is_refused_where_there_is_no_header(fmt):
    result = run(["facts", "--no-header", "-f", fmt], expect=2)
    assert "--no-header" in result.stderr and result.stdout == ""


def test_show_ignores_spaces_around_the_id():
    (row,) = json.loads(run(["show", " jiangjin-trains-run-2022 ", "-f", "json"]).stdout)
    assert row["id"] == "jiangjin-trains-run-2022"


@posix_only
def test_non_utf8_argument_is_shown_as_bytes_not_surrogates():
    proc = run_proc([os.fsdecode(b"\xff\xfe")], expect=2, env={"LC_ALL": "C.UTF-8"})
    assert "\\xff" in proc.err and "udcff" not in proc.err
    assert_no_traceback(proc.err)


# ---------------------------------------------------------------- invisible characters
def test_every_control_and_format_character_is_escaped():
    unsafe = [chr(c) for c in range(0x110000)
              if unicodedata.category(chr(c)) in ("Cc", "Cf", "Cs", "Zl", "Zp")
              and chr(c) not in "\u200c\u200d"]
    assert len(unsafe) > 150
    for char in unsafe:
        shown = visible(f"a{char}b")
        assert char not in shown and shown.startswith("a\\") and shown.endswith("b"), hex(ord(char))
    assert visible("江津\u200d班列") == "江津\u200d班列"  # joiners shape text, control nothing


def test_in_chinese_text_every_character_is_escaped_or_kept_by_one_rule():
    """visible() skips the per-character walk for text str.isprintable accepts: in CJK text
    (not ASCII, so not the ASCII path) every code point is escaped exactly when it is a
    control, format, surrogate or separator character or on the fixed list (Hangul
    fillers and variation selectors are printable and still escaped), and kept otherwise."""
    from corridor_cli.safetext import _PRINTABLE_UNSAFE, _UNSAFE_CLASS

    listed = re.compile(_UNSAFE_CLASS)
    escaped = kept = 0
    for code in range(0x110000):
        char = chr(code)
        on_list = listed.match(char) is not None
        unsafe = char not in "\u200c\u200d" and (
            unicodedata.category(char) in ("Cc", "Cf", "Cs", "Zl", "Zp") or on_list)
        # printable text is checked against the short list alone: it must hold every
        # character of the fixed list that is printable
        assert (on_list and char.isprintable()) == (char in _PRINTABLE_UNSAFE), hex(code)
        shown = visible(f"江{char}津")
        if unsafe:
            assert char not in shown and shown.startswith("江\\"), hex(code)
            escaped += 1
        else:
            assert shown == f"江{char}津", hex(code)
            kept += 1
        if code < 0x80:  # and in ASCII text (the ASCII path)
            ascii_shown = visible(f"a{char}b")
            if unsafe:
                assert char not in ascii_shown and ascii_shown.startswith("a\\"), hex(code)
            else:
                assert ascii_shown == f"a{char}b", hex(code)
    assert visible("班列\u115f") == "班列\\u115f" and visible("班\ufe0f") == "班\\ufe0f"
    assert escaped > 2000 and kept > 1_000_000


def test_format_characters_in_a_label_never_reach_the_table(tmp_path):
    d = tmp_path / "facts"
    label = "数\u0600字\U00013430\u2066隔离\u2069"
    write_toml(d, "f.toml", user_fact(label_zh=label))
    for fmt in ("table", "md"):
        out = run(["facts", "--facts-dir", d, "--metric", "rt_metric", "-f", fmt, "--lang", "zh"],
                  env={"COLUMNS": "200"}).stdout
        for char in ("\u0600", "\U00013430", "\u2066", "\u2069"):
            assert char not in out
        assert "\\u0600" in out and "\\U00013430" in out


# ---------------------------------------------------------------- second red-team round
def test_an_invalid_source_still_has_its_quotes_checked(tmp_path):
    d = tmp_path / "facts"
    write_toml(d, "f.toml", """
        [[source]]
        id = "rt-src"
        title_zh = "测试"
        title_en = "Test"
        date = "2023-02-30"
        file = "t.txt"
        """ + user_fact(source="rt-src", quote="这句话不在原文里44列"))
    (d / "texts").mkdir()
    (d / "texts" / "t.txt").write_text("全年开行44列。", encoding="utf-8")
    result = run(["check", "--facts-dir", d, "--format", "json"], expect=2)
    codes = {p["code"] for p in json.loads(result.stdout)}
    assert {"bad-date", "quote-not-found"} <= codes


@pytest.mark.parametrize("limit", ["٠" * 16 + "1", "0" * 20 + "1", "01"])
def test_limit_in_any_digits_with_leading_zeros(limit):
    assert len(json.loads(run(["facts", "--limit", limit, "-f", "json"]).stdout)) == 1


@pytest.mark.parametrize("args", [["facts", "--from", ""], ["facts", "--to", " "],
                                  ["facts", "--grep", ""], ["timeline", "--grep", " "],
                                  ["timeline", "--from", ""], ["check", "--against", ""]])
def test_empty_dates_and_texts_are_refused(args):
    result = run(args, expect=2)
    assert "empty" in result.stderr and result.stdout == ""


@posix_only
def test_a_non_utf8_file_name_is_written_as_given(tmp_path):
    name = os.fsdecode(b"caf\xe9.csv")
    run_proc(["topics", "-f", "csv", "-o", name], cwd=tmp_path)
    assert os.listdir(os.fsencode(tmp_path)) == [b"caf\xe9.csv"]


def test_a_line_break_in_the_data_never_makes_a_new_message_line(tmp_path):
    d = tmp_path / "facts"
    write_toml(d, "e.toml", """
        [[entity]]
        id = "tie-a"
        name_zh = "甲"
        name_en = "Tie\\ncorridor: OK A"
        kind = "company"

        [[entity]]
        id = "tie-b"
        name_zh = "乙"
        name_en = "Tie\\ncorridor: OK B"
        kind = "company"
        """)
    result = run(["facts", "--facts-dir", d, "-e", "Tie"], expect=2)
    assert not any(line.startswith("corridor: OK") for line in result.stderr.splitlines())
    assert "Tie\\ncorridor: OK A" in result.stderr


@pytest.mark.parametrize("columns", ["5", "12"])
def test_values_survive_any_width(columns):
    text = run(["show", "jiangjin-trains-run-2022", "-f", "table", "--lang", "en"],
               env={"COLUMNS": columns}).stdout
    assert "536 trains" in text.replace("\n", "") and "label: Jiangjin" in text
    first = json.loads(run(["facts", "-n", "1", "-f", "json"]).stdout)[0]
    text = run(["facts", "-n", "1", "-f", "table", "--lang", "en"], env={"COLUMNS": columns}).stdout
    assert f"value: {first['value']}" in text and f"id: {first['id']}" in text


def test_check_refuses_a_file_only_format():
    result = run(["check", "--format", "xlsx"], expect=2)
    assert "json" in result.stderr and "--output" not in result.stderr


@pytest.mark.parametrize("value", ["zh_CN.UTF-8", "zh-TW", "en_US.utf8", "ZH"])
def test_corridor_lang_accepts_locale_names(value):
    rows = json.loads(run(["facts", "-n", "1", "-f", "json"], env={"CORRIDOR_LANG": value}).stdout)
    assert len(rows) == 1


@posix_only
@pytest.mark.parametrize("pager", ["false", "nonexistent-pager-xyz", "'", "/etc/passwd"])
def test_a_pager_that_cannot_run_never_loses_the_output(pager):
    from test_promises import run_in_pty

    status, out, err = run_in_pty(["facts", "--lang", "en", "-n", "30"],
                                  {"PAGER": pager, "LINES": "10", "TERM": "xterm", "NO_COLOR": "1"})
    assert status == 0, err
    assert_no_traceback(err)
    assert "jiangjin-gdp-2015" in out.replace("\r", "").replace("\n", "")


# ---------------------------------------------------------------- third red-team round
@pytest.mark.parametrize("given", ["JIANGJIN-TRAINS-RUN-2022", " Jiangjin-Trains-Run-2022 "])
def test_show_ids_ignore_case(given):
    for fmt in ("json", "table"):
        result = run(["show", given, "-f", fmt, "--lang", "en"], env={"COLUMNS": "120"})
        assert_no_traceback(result.stderr)
        assert "jiangjin-trains-run-2022" in result.stdout


def test_lang_option_takes_locale_names_like_corridor_lang():
    rows = run(["facts", "-n", "1", "-f", "md", "--lang", "zh_CN.UTF-8"]).stdout
    assert "编号" in rows


def test_a_fact_directory_given_twice_is_read_once(tmp_path):
    d = tmp_path / "facts"
    write_toml(d, "f.toml", user_fact())
    out = run(["check", "--facts-dir", d, "--facts-dir", d]).stdout
    assert "from 2 directories" in out


@posix_only
def test_a_text_linked_from_elsewhere_in_the_fact_dir_is_not_read(tmp_path):
    d = tmp_path / "facts"
    write_toml(d, "f.toml", """
        [[source]]
        id = "rt-src"
        title_zh = "测试"
        title_en = "Test"
        file = "l1"
        """ + user_fact(source="rt-src", quote="全年开行44列"))
    (d / "texts").mkdir()
    (d / "other").mkdir()
    (d / "other" / "secret.txt").write_text("全年开行44列", encoding="utf-8")
    os.symlink("../other/secret.txt", d / "texts" / "l1")
    result = run(["check", "--facts-dir", d, "--format", "json"], expect=1)
    assert "bad-source-file" in {p["code"] for p in json.loads(result.stdout)}


@pytest.mark.parametrize(("value", "unit", "quote"), [
    (40, "万吨", "货量40吨"), (5, "%", "增长5‰"), (3, "%", "增长3个百分点"), (5, "%", "占比5成"),
])
def test_a_figure_must_be_printed_in_its_unit(tmp_path, value, unit, quote):
    d = tmp_path / "facts"
    write_toml(d, "f.toml", user_fact(value=value, unit=unit, quote=quote))
    result = run(["check", "--facts-dir", d, "--format", "json"], expect=1)
    codes = [p["code"] for p in json.loads(result.stdout)]
    assert "figure-not-in-quote" in codes  # (the invented quote is not in the source either)
    printed = quote.replace(str(value), f"{value}{unit}", 1).replace(f"{value}{unit}吨", f"{value}{unit}")
    write_toml(d, "f.toml", user_fact(value=value, unit=unit, quote=printed))
    result = run(["check", "--facts-dir", d, "--format", "json"], expect=1)
    assert "figure-not-in-quote" not in [p["code"] for p in json.loads(result.stdout)], printed
