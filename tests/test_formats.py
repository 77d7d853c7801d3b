"""Output formats: the same records in csv, tsv, json, jsonl and md; csv safety;
typed json; the byte order mark; atomic --output files."""

from __future__ import annotations

import json
import math
import os
import re
from pathlib import Path

import pytest

from conftest import (
    MINIMAL_VOCAB,
    assert_no_traceback,
    NONZERO,
    csv_header,
    parse_csv,
    parse_jsonl,
    run,
    run_proc,
    write_toml,
)
from corridor_cli.views import EVENT_FIELDS, FACT_FIELDS

BOM = b"\xef\xbb\xbf"
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

# The public names the product contract documents (PRODUCT.md); scripts depend on them.
DOCUMENTED_FACT_FIELDS = ("id", "topic", "entity", "metric", "value", "unit", "bound", "status",
                          "period_start", "period_end", "change", "label_zh", "label_en",
                          "source", "quote", "note")
DOCUMENTED_EVENT_FIELDS = ("id", "date", "title_zh", "title_en", "entity", "tags", "source",
                           "quote")


def out(args, **kwargs) -> str:
    return run(args, **kwargs).stdout


def split_md_row(line: str) -> list[str]:
    """Cells of a GFM table row; an escaped pipe (\\|) stays inside its cell."""
    line = line.strip()
    assert line.startswith("|") and line.endswith("|"), line
    return [c.strip().replace("\\|", "|") for c in re.split(r"(?<!\\)\|", line[1:-1])]


def parse_md_table(text: str) -> tuple[list[str], list[list[str]]]:
    """Header and rows of the one GFM table in text; fails unless it is well formed."""
    lines = [ln for ln in text.splitlines() if ln.strip()]
    assert len(lines) >= 2, text
    header = split_md_row(lines[0])
    separator = split_md_row(lines[1])
    assert len(separator) == len(header)
    assert all(re.fullmatch(r":?-{3,}:?", cell) for cell in separator), lines[1]
    rows = [split_md_row(ln) for ln in lines[2:]]
    for row in rows:
        assert len(row) == len(header), row
    return header, rows


def assert_cell_matches(value, cell: str, tsv: bool = False) -> None:
    """A delimited-text cell says the same as the typed json value."""
    if value is None:
        assert cell == ""
    elif isinstance(value, bool):
        assert cell in ("true", "false") and (cell == "true") == value
    elif isinstance(value, (int, float)):
        assert re.fullmatch(r"-?\d+(\.\d+)?", cell), f"not a plain number: {cell!r}"
        assert float(cell) == value
    else:
        text = ";".join(map(str, value)) if isinstance(value, list) else value
        if text.startswith(FORMULA_START):
            text = "'" + text
        if tsv:
            text = text.replace("\t", " ").replace("\r", " ").replace("\n", " ")
        assert cell == text


# ---------------------------------------------------------------- same records in every format
@pytest.fixture(scope="module")
def all_formats() -> dict[str, str]:
    args = ["facts", "--year", "2023"]
    return {fmt: run([*args, "--format", fmt]).stdout
            for fmt in ("csv", "tsv", "json", "jsonl", "md")}


def test_json_and_jsonl_are_the_same_records(all_formats):
    records = json.loads(all_formats["json"])
    assert records
    assert parse_jsonl(all_formats["jsonl"]) == records


@pytest.mark.parametrize("fmt", ["csv", "tsv"])
def test_delimited_formats_carry_the_same_records_as_json(all_formats, fmt):
    records = json.loads(all_formats["json"])
    delimiter = "\t" if fmt == "tsv" else ","
    assert csv_header(all_formats[fmt], delimiter) == list(records[0])
    rows = parse_csv(all_formats[fmt], delimiter)
    assert [r["id"] for r in rows] == [r["id"] for r in records]
    for row, record in zip(rows, records):
        assert set(row) == set(record)
        for key, value in record.items():
            assert_cell_matches(value, row[key], tsv=fmt == "tsv")


def test_md_is_a_gfm_table_with_one_row_per_record(all_formats):
    records = json.loads(all_formats["json"])
    header, rows = parse_md_table(all_formats["md"])
    assert len(rows) == len(records)
    id_column = header.index("id") if "id" in header else header.index("编号")
    assert [r[id_column] for r in rows] == [r["id"] for r in records]


def test_md_timeline_is_a_gfm_table():
    events = json.loads(out(["timeline", "--format", "json"]))
    header, rows = parse_md_table(out(["timeline", "--format", "md", "--lang", "en"]))
    assert len(rows) == len(events)
    assert [r[header.index("id")] for r in rows] == [e["id"] for e in events]


def test_tsv_has_one_line_per_record(all_formats):
    lines = all_formats["tsv"].splitlines()
    assert len(lines) == len(json.loads(all_formats["json"])) + 1
    width = len(lines[0].split("\t"))
    assert all(len(line.split("\t")) == width for line in lines)


def test_csv_records_end_in_crlf():
    # RFC 4180: each record ends in CRLF (CliRunner's .stdout folds newlines; read the bytes)
    data = run(["facts", "trains", "--format", "csv"]).stdout_bytes
    lines = data.split(b"\r\n")
    assert lines[-1] == b"" and len(lines) > 2
    assert all(b"\n" not in line for line in lines[:1])  # the header has no bare newline


def test_formats_agree_across_a_real_pipe():
    by_csv = parse_csv(run_proc(["facts", "trains", "--format", "csv"]).out)
    by_json = json.loads(run(["facts", "trains", "--format", "json"]).stdout)
    assert [r["id"] for r in by_csv] == [r["id"] for r in by_json]
    for row, record in zip(by_csv, by_json):
        assert float(row["value"]) == record["value"]


# ---------------------------------------------------------------- json: names and types
def test_fact_json_field_names(all_formats):
    records = json.loads(all_formats["json"])
    for record in records:
        assert list(record) == list(FACT_FIELDS)  # every record, all fields, stable order
        assert set(DOCUMENTED_FACT_FIELDS) <= set(record)


def test_fact_json_values_are_typed(bundled_facts):
    for f in bundled_facts:
        assert isinstance(f["value"], (int, float)) and not isinstance(f["value"], bool), f["id"]
        assert math.isfinite(f["value"])
        assert f["value_max"] is None or isinstance(f["value_max"], (int, float))
        assert f["change"] is None or isinstance(f["change"], (int, float))
        assert f["status"] in ("actual", "target", "forecast")
        assert f["bound"] in ("exact", "approx", "lower", "upper")
        for key in ("id", "topic", "entity", "metric", "unit", "label_zh", "label_en",
                    "source", "quote"):
            assert isinstance(f[key], str) and f[key], (f["id"], key)
        assert f["note"] is None or (isinstance(f["note"], str) and f["note"])
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", f["period_end"])
        if f["period_start"] is not None:
            assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", f["period_start"])
            assert f["period_start"] <= f["period_end"]
        else:
            assert f["period"].startswith("as of")  # only a stock has no start
    # absent values are null, not "" or 0
    assert any(f["change"] is None for f in bundled_facts)
    assert any(f["change"] is not None for f in bundled_facts)


def test_event_json_field_names_and_types(bundled_events):
    for e in bundled_events:
        assert list(e) == list(EVENT_FIELDS)
        assert set(DOCUMENTED_EVENT_FIELDS) <= set(e)
        assert isinstance(e["tags"], list) and all(isinstance(t, str) for t in e["tags"])
        assert re.fullmatch(r"\d{4}(-\d{2}(-\d{2})?)?", e["date"])
        assert e["note"] is None or e["note"]


def test_event_tags_in_csv():
    events = json.loads(out(["timeline", "--format", "json"]))
    rows = parse_csv(out(["timeline", "--format", "csv"]))
    for row, event in zip(rows, events):
        assert row["tags"].split(";") == event["tags"] if event["tags"] else row["tags"] == ""


# ---------------------------------------------------------------- csv: numbers and formulas
def test_csv_numbers_are_unformatted(bundled_facts):
    rows = parse_csv(out(["facts", "--format", "csv"]))
    assert len(rows) == len(bundled_facts)
    for row, fact in zip(rows, bundled_facts):
        assert row["id"] == fact["id"]
        assert re.fullmatch(r"-?\d+(\.\d+)?", row["value"]), row["value"]
        assert float(row["value"]) == fact["value"]
        if fact["change"] is not None:
            assert float(row["change"]) == fact["change"]


TRICKY_FACTS = """
[[fact]]
id = "formula-fact"
topic = "testing"
entity = "test-zone"
metric = "machines_installed"
value = -12
unit = "测试台"
status = "actual"
period = "2022"
change = { value = -3.5, unit = "%", basis = "yoy" }
label_zh = "=SUM(A1:A2)"
label_en = "+1 call me"
source = "test-source"
quote = "@SUM(1)"
note = "-2+3"

[[fact]]
id = "formula-fact-two"
topic = "testing"
entity = "test-zone"
metric = "machines_installed"
value = 0.00000015
value_max = 2.5e21
unit = "测试台"
status = "actual"
period = "2023"
label_zh = "\\tTAB"
label_en = "\\rCR"
source = "test-source"
quote = "plain, with \\"quotes\\" and a comma"
"""


@pytest.fixture
def tricky_dir(tmp_path) -> Path:
    d = tmp_path / "tricky"
    write_toml(d, "vocab.toml", MINIMAL_VOCAB)
    write_toml(d, "facts.toml", TRICKY_FACTS)
    return d


def test_csv_neutralises_formulas_but_not_numbers(tricky_dir):
    text = out(["facts", "testing", "--facts-dir", tricky_dir, "--format", "csv"])
    rows = {r["id"]: r for r in parse_csv(text)}
    first = rows["formula-fact"]
    assert first["label_zh"] == "'=SUM(A1:A2)"
    assert first["label_en"] == "'+1 call me"
    assert first["quote"] == "'@SUM(1)"
    assert first["note"] == "'-2+3"
    assert first["value"] == "-12"  # negative numbers are numbers, untouched
    assert first["change"] == "-3.5"
    second = rows["formula-fact-two"]
    assert second["label_zh"] == "'\tTAB"
    assert second["label_en"] == "'\rCR"
    assert second["quote"] == 'plain, with "quotes" and a comma'


def test_tsv_neutralises_formulas_and_keeps_rows_on_one_line(tricky_dir):
    text = out(["facts", "testing", "--facts-dir", tricky_dir, "--format", "tsv"])
    assert len(text.splitlines()) == 3
    rows = {r["id"]: r for r in parse_csv(text, "\t")}
    assert rows["formula-fact"]["label_zh"] == "'=SUM(A1:A2)"
    assert rows["formula-fact"]["change"] == "-3.5"
    assert rows["formula-fact-two"]["label_zh"].startswith("'")


def test_json_is_not_neutralised(tricky_dir):
    records = {r["id"]: r for r in json.loads(
        out(["facts", "testing", "--facts-dir", tricky_dir, "--format", "json"]))}
    first = records["formula-fact"]
    assert (first["label_zh"], first["value"], first["change"]) == ("=SUM(A1:A2)", -12, -3.5)
    assert records["formula-fact-two"]["label_zh"] == "\tTAB"


def test_tiny_and_huge_numbers_print_without_exponent(tricky_dir):
    rows = {r["id"]: r for r in parse_csv(
        out(["facts", "testing", "--facts-dir", tricky_dir, "--format", "csv"]))}
    row = rows["formula-fact-two"]
    for key, expected in (("value", 0.00000015), ("value_max", 2.5e21)):
        assert "e" not in row[key].lower(), row[key]
        assert re.fullmatch(r"\d+(\.\d+)?", row[key])
        assert float(row[key]) == expected


# ---------------------------------------------------------------- byte order mark
def test_bom_in_process():
    result = run(["facts", "trains", "--format", "csv", "--bom"])
    assert result.stdout_bytes.startswith(BOM)
    assert not result.stdout_bytes[3:].startswith(BOM)
    rows = parse_csv(result.stdout_bytes[3:].decode("utf-8"))
    plain = parse_csv(run(["facts", "trains", "--format", "csv"]).stdout)
    assert rows == plain


def test_bom_subprocess():
    proc = run_proc(["facts", "trains", "--format", "csv", "--bom"])
    assert proc.stdout.startswith(BOM)
    rows = parse_csv(proc.stdout[len(BOM):].decode("utf-8"))
    assert rows and csv_header(proc.stdout[len(BOM):].decode("utf-8")) == list(FACT_FIELDS)
    # with the BOM stripped by the utf-8-sig codec, Excel's way, the first column is still "id"
    assert list(parse_csv(proc.stdout.decode("utf-8-sig"))[0])[0] == "id"


def test_no_bom_by_default():
    assert not run(["facts", "trains", "--format", "csv"]).stdout_bytes.startswith(BOM)


def test_bom_with_tsv():
    assert run(["facts", "trains", "--format", "tsv", "--bom"]).stdout_bytes.startswith(BOM)


# ---------------------------------------------------------------- --output
def test_output_writes_the_file(tmp_path):
    target = tmp_path / "trains.csv"
    result = run(["facts", "trains", "--output", target])
    assert result.stdout == ""
    written = target.read_text(encoding="utf-8")
    assert parse_csv(written) == parse_csv(run(["facts", "trains", "--format", "csv"]).stdout)


def test_output_format_follows_the_suffix(tmp_path):
    target = tmp_path / "trains.json"
    run(["facts", "trains", "-o", target])
    assert json.loads(target.read_text(encoding="utf-8")) == \
        json.loads(run(["facts", "trains", "--format", "json"]).stdout)


def test_output_with_bom(tmp_path):
    target = tmp_path / "trains.csv"
    run(["facts", "trains", "--format", "csv", "--bom", "--output", target])
    assert target.read_bytes().startswith(BOM)


def test_output_replaces_an_existing_file(tmp_path):
    target = tmp_path / "out.csv"
    target.write_text("old content\n", encoding="utf-8")
    run(["facts", "trains", "--output", target])
    assert "old content" not in target.read_text(encoding="utf-8")
    assert [p.name for p in tmp_path.iterdir()] == ["out.csv"]  # no temporary file left


def test_output_into_a_missing_directory_fails_cleanly(tmp_path):
    target = tmp_path / "no" / "such" / "dir" / "out.csv"
    result = run(["facts", "trains", "--output", target], expect=NONZERO)
    assert str(target.parent) in result.stderr or "out.csv" in result.stderr
    assert_no_traceback(result.stderr)
    assert not target.exists()


def test_output_into_a_missing_directory_subprocess(tmp_path):
    target = tmp_path / "missing" / "out.csv"
    proc = run_proc(["facts", "--output", target], expect=NONZERO)
    assert proc.err.strip()
    assert_no_traceback(proc.err)
    assert not target.exists()


def _fail(*args, **kwargs):
    raise OSError(28, "No space left on device")


@pytest.mark.parametrize("step", ["os.replace", "os.fsync"])
def test_failed_write_leaves_the_old_file_intact(tmp_path, monkeypatch, step):
    target = tmp_path / "out.csv"
    target.write_bytes(b"old content\n")
    module, name = step.split(".")
    monkeypatch.setattr(os, name, _fail)
    result = run(["facts", "trains", "--output", target], expect=NONZERO)
    monkeypatch.undo()
    assert target.read_bytes() == b"old content\n"
    assert [p.name for p in tmp_path.iterdir()] == ["out.csv"]  # the temporary file is gone
    assert "No space left on device" in result.stderr
    assert_no_traceback(result.stderr)


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() == 0,
                    reason="permissions do not stop root from writing")
def test_unwritable_directory_leaves_the_old_file_intact(tmp_path):
    locked = tmp_path / "locked"
    locked.mkdir()
    target = locked / "out.csv"
    target.write_bytes(b"old content\n")
    locked.chmod(0o555)
    try:
        proc = run_proc(["facts", "--output", target], expect=NONZERO)
    finally:
        locked.chmod(0o755)
    assert target.read_bytes() == b"old content\n"
    assert_no_traceback(proc.err)


def test_output_on_a_directory_is_refused(tmp_path):
    # like a symlink, device or FIFO: not a regular file to replace, so exit 74
    result = run(["facts", "--output", tmp_path], expect=74)
    assert_no_traceback(result.stderr)
    assert tmp_path.is_dir()


def test_empty_result_to_an_output_file_replaces_it(tmp_path):
    target = tmp_path / "r.txt"
    target.write_text("a previous result\n", encoding="utf-8")
    result = run(["facts", "--grep", "no-such-text-anywhere-xyz", "--output", target])
    assert result.stderr.strip()  # a note says nothing matched
    assert "a previous result" not in target.read_text(encoding="utf-8")


def test_empty_result_to_a_csv_output_file_has_the_header(tmp_path):
    target = tmp_path / "r.csv"
    target.write_text("a previous result\n", encoding="utf-8")
    run(["facts", "--grep", "no-such-text-anywhere-xyz", "--output", target])
    text = target.read_text(encoding="utf-8")
    assert csv_header(text) == list(FACT_FIELDS) and parse_csv(text) == []


def test_small_numbers_keep_every_digit_in_csv(tmp_path):
    d = tmp_path / "tiny"
    write_toml(d, "vocab.toml", MINIMAL_VOCAB)
    write_toml(d, "facts.toml", TRICKY_FACTS.replace("value = 0.00000015", "value = 1.234567e-05"))
    rows = {r["id"]: r for r in parse_csv(
        out(["facts", "testing", "--facts-dir", d, "--format", "csv"]))}
    assert float(rows["formula-fact-two"]["value"]) == 1.234567e-05


# ---------------------------------------------------------------- table widths

def _bundled_views():
    from corridor_cli import views
    from corridor_cli.loader import bundled_facts_dir, load

    base, problems = load([bundled_facts_dir()])
    assert not problems
    for lang in ("en", "zh"):
        yield f"facts-{lang}", views.facts_view(base, list(base.facts)[::6], lang)
        yield f"trains-{lang}", views.facts_view(
            base, [f for f in base.facts if f.topic == "trains"], lang)
        yield f"events-{lang}", views.events_view(base, list(base.events)[::4], lang)
        yield f"sources-{lang}", views.sources_view(base, lang)
        yield f"units-{lang}", views.units_view(base, lang)


def test_table_widths_computed_ahead_are_the_ones_rich_computes(monkeypatch):
    """render._fix_widths gives rich each column's width from the longest cell, so that
    rich does not measure every cell: the table printed must be exactly the one rich
    prints when it measures (English and Chinese, every width from too narrow to wide,
    with and without header and colour), and the shortcut must be taken."""
    from corridor_cli import render
    from corridor_cli.render import Format

    taken = []
    fix = render._fix_widths

    def spy(table, content, width):
        fix(table, content, width)
        collapsed = sum(content) + 2 * len(content) > width - table._extra_width
        taken.append((collapsed, all(c.width is not None for c in table.columns)))

    monkeypatch.setattr(render, "_fix_widths", spy)
    compared = 0
    for name, view in _bundled_views():
        for width in (24, 50, 80, 120, 240):
            for header in (True, False):
                for color in (False, True):
                    options = dict(width=width, header=header, color=color)
                    monkeypatch.setattr(render, "_FIT_WIDTHS", True)
                    fast = render.render_text(view, Format.table, **options)
                    monkeypatch.setattr(render, "_FIT_WIDTHS", False)
                    measured = render.render_text(view, Format.table, **options)
                    assert fast == measured, (name, options)
                    compared += 1
    assert compared == 10 * 5 * 4
    # the shortcut was taken, at widths that collapse the table and at ones that do not
    assert taken.count((True, True)) >= 20 and taken.count((False, True)) >= 10, taken
