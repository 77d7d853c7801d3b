"""corridor export: the whole fact base as an SQLite database (read back with the sqlite3
module, the sqlite3 CLI, DuckDB and Datasette), a workbook, or a directory of json or
csv files; user directories included; atomic, guarded output."""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

import pytest

from conftest import (
    MINIMAL_FACTS,
    USER_FACT_BUNDLED_VOCAB,
    assert_no_traceback,
    parse_csv,
    run,
    run_proc,
    write_toml,
)
from corridor_cli import export as exporting
from corridor_cli.loader import fact_dirs, load
from corridor_cli.records import Entity, FactBase
from corridor_cli.views import EVENT_FIELDS, FACT_FIELDS

CLEAN = {"CORRIDOR_FACTS_PATH": None}
MAIN_TABLES = ("topics", "units", "metrics", "entities", "sources", "facts", "events")
LINK_TABLES = ("fact_disagrees_with", "fact_relations", "event_tags", "entity_aliases",
               "entity_within", "source_authors", "metric_bases")
VOCAB_COMMANDS = {"topics": "topics", "units": "units", "metrics": "metrics",
                  "entities": "entities", "sources": "sources"}


def _json(args) -> list[dict]:
    return json.loads(run([*args, "--format", "json"], env=CLEAN).stdout)


@pytest.fixture(scope="module")
def bundled_db(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("export") / "c.db"
    result = run(["export", "--format", "sqlite", "-o", path], env=CLEAN)
    assert "datasette" in result.stderr and "c.metadata.json" in result.stderr
    assert result.stdout == ""
    return path


@pytest.fixture(scope="module")
def bundled_base() -> FactBase:
    base, problems = load(fact_dirs([], {}))
    assert not problems
    return base


def _connect(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    conn.row_factory = sqlite3.Row
    return conn


def _rows(path: Path, table: str) -> list[dict]:
    with _connect(path) as conn:
        rows = [dict(r) for r in conn.execute(f'SELECT * FROM "{table}" ORDER BY rowid')]
    conn.close()
    return rows


LIST_COLUMNS = {t.name: {c.name for c in t.columns if c.is_list}
                for t in exporting.tables(FactBase())}


def _decoded(table: str, row: dict) -> dict:
    """A row with its list columns (JSON text in SQLite) read back as lists."""
    return {k: json.loads(v) if k in LIST_COLUMNS[table] else v for k, v in row.items()}


def _same(a, b) -> bool:
    """Equal, numbers exactly: an int stays an int; a float may come back as an int where
    it is whole (SQLite's NUMERIC keeps 100000000.0 as the INTEGER 100000000)."""
    if isinstance(b, bool) or isinstance(a, bool):
        return type(a) is type(b) and a == b
    if isinstance(b, int):
        return type(a) is int and a == b
    if isinstance(b, float):
        return isinstance(a, (int, float)) and a == b and (type(a) is float or b.is_integer())
    return a == b


# ---------------------------------------------------------------- sqlite: contents
def test_sqlite_counts_equal_the_loaded_base(bundled_db, bundled_base, bundled_facts,
                                             bundled_events):
    with _connect(bundled_db) as conn:
        def count(table):
            return conn.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0]

        assert count("facts") == len(bundled_base.facts) == len(bundled_facts)
        assert count("events") == len(bundled_base.events) == len(bundled_events)
        for name, records in (("topics", bundled_base.topics), ("units", bundled_base.units),
                              ("metrics", bundled_base.metrics),
                              ("entities", bundled_base.entities),
                              ("sources", bundled_base.sources)):
            assert count(name) == len(records)
        assert count("event_tags") == sum(len(e.tags) for e in bundled_base.events)
        assert count("entity_aliases") == sum(len(e.aliases)
                                              for e in bundled_base.entities.values())
        assert count("fact_relations") == sum(len(f.relation.of) for f in bundled_base.facts
                                              if f.relation)
    conn.close()


def test_sqlite_facts_equal_the_json_output_field_by_field(bundled_db, bundled_facts):
    rows = [_decoded("facts", r) for r in _rows(bundled_db, "facts")]
    assert [r["id"] for r in rows] == [f["id"] for f in bundled_facts]  # same order too
    for row, fact in zip(rows, bundled_facts):
        assert list(row) == list(fact) == list(FACT_FIELDS)
        for key in FACT_FIELDS:
            assert _same(row[key], fact[key]), (fact["id"], key, row[key], fact[key])


def test_sqlite_events_and_vocabularies_equal_the_json_output(bundled_db, bundled_events):
    rows = [_decoded("events", r) for r in _rows(bundled_db, "events")]
    assert rows == bundled_events
    assert list(rows[0]) == list(EVENT_FIELDS)
    for table, command in VOCAB_COMMANDS.items():
        printed = _json([command])
        exported = [_decoded(table, r) for r in _rows(bundled_db, table)]
        assert len(exported) == len(printed)
        for row, record in zip(exported, printed):
            for key, value in record.items():  # the export may add fields (units.discrete)
                assert _same(row[key], value), (table, record["id"], key)


def test_sqlite_numbers_are_integer_or_real_per_value(bundled_db, bundled_facts):
    with _connect(bundled_db) as conn:
        kinds = dict(conn.execute("SELECT id, typeof(value) FROM facts"))
    conn.close()
    for fact in bundled_facts:
        whole = isinstance(fact["value"], int) or fact["value"].is_integer()
        assert kinds[fact["id"]] == ("integer" if whole else "real")
    assert {"integer", "real"} <= set(kinds.values())


# ---------------------------------------------------------------- sqlite: integrity, schema
def test_sqlite_keys_hold(bundled_db):
    conn = sqlite3.connect(bundled_db)
    try:
        conn.execute("PRAGMA foreign_keys = ON")
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        # the keys are real constraints: a fact naming no entity is refused
        with pytest.raises(sqlite3.IntegrityError):
            conn.execute("UPDATE facts SET entity = 'no-such-entity' WHERE rowid = 1")
    finally:
        conn.rollback()
        conn.close()


def test_sqlite_declares_types_keys_and_indexes(bundled_db):
    with _connect(bundled_db) as conn:
        names = [r[0] for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY rowid")]
        assert names == [*MAIN_TABLES, *LINK_TABLES]

        def info(table):
            return {r["name"]: r for r in conn.execute(f'PRAGMA table_info("{table}")')}

        facts = info("facts")
        assert [facts[k]["type"] for k in ("id", "value", "value_base", "period_start")] == \
            ["TEXT", "NUMERIC", "NUMERIC", "TEXT"]
        assert facts["id"]["pk"] == 1 and facts["value"]["notnull"] == 1
        assert facts["value_max"]["notnull"] == 0
        assert info("sources")["facts"]["type"] == "INTEGER"
        assert info("units")["discrete"]["type"] == "INTEGER"
        assert {k: v["pk"] for k, v in info("event_tags").items()} == \
            {"event": 1, "position": 2, "tag": 0}
        for table in names:
            assert any(r["pk"] for r in info(table).values()), table

        def references(table):
            return {(r["from"], r["table"], r["to"])
                    for r in conn.execute(f'PRAGMA foreign_key_list("{table}")')}

        assert references("facts") == {
            ("topic", "topics", "id"), ("entity", "entities", "id"),
            ("metric", "metrics", "id"), ("unit", "units", "id"),
            ("change_unit", "units", "id"), ("source", "sources", "id")}
        assert references("events") == {("entity", "entities", "id"),
                                         ("source", "sources", "id")}
        assert references("entities") == {("part_of", "entities", "id")}
        assert references("metrics") == {("of", "metrics", "id")}
        assert references("fact_disagrees_with") == {("fact", "facts", "id"),
                                                     ("other_fact", "facts", "id")}

        def indexed(table):
            found = set()
            for index in conn.execute(f'PRAGMA index_list("{table}")'):
                cols = [r["name"] for r in conn.execute(f'PRAGMA index_info("{index["name"]}")')]
                found.add(tuple(cols))
            return found

        assert {("topic",), ("entity",), ("metric",), ("status",), ("source",),
                ("period_start", "period_end"), ("id",)} <= indexed("facts")
        assert {("date",), ("entity",), ("status",)} <= indexed("events")
        assert ("tag",) in indexed("event_tags")
        # the schema explains itself in the sqlite3 shell (.schema facts)
        sql = conn.execute("SELECT sql FROM sqlite_master WHERE name = 'facts'").fetchone()[0]
        assert "-- One row per fact" in sql and "-- The figure exactly as" in sql
        # the indexes are used for the filters users write
        plan = " ".join(r[3] for r in conn.execute(
            "EXPLAIN QUERY PLAN SELECT * FROM facts WHERE metric = 'trains_run'"))
        assert "idx_facts_metric" in plan
    conn.close()


def test_the_main_tables_have_the_fields_of_the_json_output():
    by_name = {t.name: t for t in exporting.tables(FactBase())}
    assert by_name["facts"].column_names == FACT_FIELDS
    assert by_name["events"].column_names == EVENT_FIELDS
    from corridor_cli import views

    for table, make in (("topics", views.topics_view), ("units", views.units_view),
                        ("metrics", views.metrics_view), ("entities", views.entities_view),
                        ("sources", views.sources_view)):
        fields = tuple(make(FactBase(), "en").machine_fields)
        extra = ("discrete",) if table == "units" else ()
        assert by_name[table].column_names == fields + extra
    for t in by_name.values():
        assert t.description
        assert all(c.description and c.type in ("TEXT", "INTEGER", "REAL", "NUMERIC")
                   for c in t.columns), t.name


# ---------------------------------------------------------------- sqlite: other readers
def test_sqlite_subprocess_and_the_sqlite3_cli(tmp_path, bundled_facts):
    path = tmp_path / "corridor.sqlite3"  # the suffix names the format
    proc = run_proc(["export", "-o", path])
    assert proc.stdout == b""
    assert "corridor.metadata.json" in proc.err
    assert (tmp_path / "corridor.metadata.json").is_file()
    with _connect(path) as conn:
        assert conn.execute("SELECT count(*) FROM facts").fetchone()[0] == len(bundled_facts)
    conn.close()
    cli = shutil.which("sqlite3")
    if cli is None:
        pytest.skip("no sqlite3 command-line shell installed")
    out = subprocess.run([cli, str(path), "SELECT count(*) FROM facts;",
                          "PRAGMA foreign_key_check;", "PRAGMA integrity_check;"],
                         capture_output=True, text=True, check=True).stdout.split()
    assert out == [str(len(bundled_facts)), "ok"]


def test_duckdb_reads_the_database(bundled_db, bundled_facts):
    duckdb = pytest.importorskip("duckdb")
    extensions = pytest.importorskip("duckdb_extensions")
    extensions.import_extension("sqlite_scanner")
    con = duckdb.connect()
    con.load_extension("sqlite_scanner")
    con.execute(f"ATTACH '{bundled_db}' AS c (TYPE sqlite, READ_ONLY)")
    for table in (*MAIN_TABLES, *LINK_TABLES):
        assert con.execute(f"SELECT count(*) FROM c.{table}").fetchone()[0] == \
            len(_rows(bundled_db, table)), table
    wanted = [f for f in bundled_facts if f["base_unit"] == "CNY" and f["status"] == "actual"]
    total, n = con.execute("SELECT sum(value_base), count(*) FROM c.facts "
                           "WHERE base_unit = 'CNY' AND status = 'actual'").fetchone()
    assert n == len(wanted) > 0
    assert total == pytest.approx(sum(f["value_base"] for f in wanted))
    scanned = con.execute(f"SELECT count(*) FROM sqlite_scan('{bundled_db}', 'facts') "
                          "WHERE period_start >= '2023-01-01'").fetchone()[0]
    assert scanned == sum(1 for f in bundled_facts if f["period_start"] >= "2023-01-01")
    joined = con.execute("SELECT count(*) FROM c.facts f JOIN c.units u ON f.unit = u.id "
                         "WHERE f.base_unit = u.base").fetchone()[0]
    assert joined == len(bundled_facts)
    con.close()


def test_datasette_shows_the_descriptions(bundled_db):
    pytest.importorskip("datasette")
    from datasette.app import Datasette

    metadata_file = bundled_db.with_name("c.metadata.json")
    metadata = json.loads(metadata_file.read_text(encoding="utf-8"))

    async def browse():
        ds = Datasette(files=[str(bundled_db)], metadata=metadata)
        await ds.invoke_startup()
        rows = await ds.client.get("/c/facts.json?_shape=array&_size=max")
        page = await ds.client.get("/c/facts")
        units = await ds.client.get("/c/units")
        return rows, page, units

    rows, page, units = asyncio.run(browse())
    assert rows.status_code == 200
    assert len(rows.json()) == len(_rows(bundled_db, "facts"))
    assert page.status_code == 200 and units.status_code == 200
    assert "One row per fact" in page.text  # the table's description
    assert 'data-column-description="What it measures' in page.text  # a column's
    assert "facts.value is in the row" in units.text


def test_datasette_metadata_describes_every_table_and_column(bundled_db):
    metadata = json.loads(bundled_db.with_name("c.metadata.json").read_text(encoding="utf-8"))
    tables = metadata["databases"]["c"]["tables"]
    assert list(tables) == [*MAIN_TABLES, *LINK_TABLES]
    with _connect(bundled_db) as conn:
        for name, entry in tables.items():
            columns = [r["name"] for r in conn.execute(f'PRAGMA table_info("{name}")')]
            assert list(entry["columns"]) == columns and all(entry["columns"].values())
            assert entry["description"]
            assert "units" not in entry  # facts have a unit per row, not per column
    conn.close()
    assert "unit" in tables["facts"]["columns"]["value"]
    assert {"array": "tags"} in tables["events"]["facets"]


# ---------------------------------------------------------------- xlsx, json, csv
def test_xlsx_has_a_sheet_per_table(tmp_path, bundled_db):
    openpyxl = pytest.importorskip("openpyxl")
    path = tmp_path / "c.xlsx"
    run(["export", "-o", path], env=CLEAN)
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == [*MAIN_TABLES, *LINK_TABLES]
    for sheet in book.worksheets:
        rows = list(sheet.iter_rows(values_only=True))
        exported = _rows(bundled_db, sheet.title)
        assert len(rows) - 1 == len(exported), sheet.title
        assert list(rows[0]) == (list(exported[0]) if exported else list(rows[0]))
        assert sheet.freeze_panes == "A2"
    facts = book["facts"]
    header = [c.value for c in facts[1]]
    first = _rows(bundled_db, "facts")[0]
    cells = {h: c.value for h, c in zip(header, facts[2])}
    assert cells["id"] == first["id"] and cells["value"] == first["value"]
    assert cells["period_start"].date().isoformat() == first["period_start"]  # a date cell


@pytest.mark.parametrize("fmt", ["json", "csv"])
def test_a_directory_of_one_file_per_table(tmp_path, bundled_db, fmt):
    target = tmp_path / "out" / "corridor"  # created, parents too
    result = run(["export", "--format", fmt, "-o", target], env=CLEAN)
    assert f"14 {fmt} files" in result.stderr
    assert sorted(p.name for p in target.iterdir()) == \
        sorted(f"{t}.{fmt}" for t in (*MAIN_TABLES, *LINK_TABLES))
    for table in (*MAIN_TABLES, *LINK_TABLES):
        text = (target / f"{table}.{fmt}").read_text(encoding="utf-8")
        exported = _rows(bundled_db, table)
        rows = json.loads(text) if fmt == "json" else parse_csv(text)
        assert len(rows) == len(exported), table
        if exported:
            assert list(rows[0]) == list(exported[0])
    # the same dialect as the commands that print these records
    facts_file = (target / f"facts.{fmt}").read_text(encoding="utf-8")
    printed = run(["facts", "--format", fmt], env=CLEAN).stdout
    assert facts_file == printed
    assert (target / f"events.{fmt}").read_text(encoding="utf-8") == \
        run(["timeline", "--format", fmt], env=CLEAN).stdout


# ---------------------------------------------------------------- user directories
def test_user_directories_are_included(tmp_path, fact_dir, bundled_facts):
    user = tmp_path / "user"
    write_toml(user, "mine.toml", USER_FACT_BUNDLED_VOCAB)
    path = tmp_path / "c.db"
    run(["export", "-o", path, "--facts-dir", fact_dir],
        env={"CORRIDOR_FACTS_PATH": str(user)})
    ids = {r["id"] for r in _rows(path, "facts")}
    assert len(ids) == len(bundled_facts) + 2
    assert {"test-zone-machines-2022", "user-jiangjin-cbz-test-metric-2022"} <= ids
    assert "test-zone" in {r["id"] for r in _rows(path, "entities")}
    assert {"event": "test-zone-opened-2022-05", "position": 1, "tag": "opening"} in \
        _rows(path, "event_tags")
    assert {"source": "test-source", "position": 1, "author": "张三"} in \
        _rows(path, "source_authors")
    fact = next(r for r in _rows(path, "facts") if r["id"] == "test-zone-machines-2022")
    assert (fact["value"], fact["unit"], fact["change"]) == (42, "测试台", 5.5)
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
    conn.close()


def test_lists_become_link_tables(tmp_path, fact_dir):
    write_toml(fact_dir, "more.toml", """
        [[fact]]
        id = "test-zone-machines-2022-other"
        topic = "testing"
        entity = "test-zone"
        metric = "machines_installed"
        value = 41
        unit = "测试台"
        status = "actual"
        period = "2022"
        label_zh = "另一来源"
        label_en = "Another count"
        source = "test-source"
        quote = "全年安装42台"
        disagrees_with = ["test-zone-machines-2022"]

        [[entity]]
        id = "test-zone-hall"
        name_zh = "测试园区一号馆"
        name_en = "Test Zone Hall 1"
        kind = "building"
        part_of = "test-zone"
        """)
    path = tmp_path / "c.db"
    run(["export", "-o", path, "--facts-dir", fact_dir], env=CLEAN)
    assert _rows(path, "fact_disagrees_with") == [
        {"fact": "test-zone-machines-2022-other", "position": 1,
         "other_fact": "test-zone-machines-2022"}]
    assert {"entity": "test-zone-hall", "depth": 1, "ancestor": "test-zone"} in \
        _rows(path, "entity_within")
    hall = next(r for r in _rows(path, "entities") if r["id"] == "test-zone-hall")
    assert (hall["part_of"], json.loads(hall["within"])) == ("test-zone", ["test-zone"])
    conn = sqlite3.connect(path)
    within = conn.execute("SELECT count(*) FROM facts WHERE entity = 'test-zone' OR entity IN "
                          "(SELECT entity FROM entity_within WHERE ancestor = 'test-zone')")
    assert within.fetchone()[0] == 2
    conn.close()


# ---------------------------------------------------------------- exact numbers
def test_numbers_are_never_rounded(tmp_path, fact_dir):
    write_toml(fact_dir, "big.toml", MINIMAL_FACTS.replace("test-zone-machines-2022",
                                                           "big-2022")
               .replace("test-zone-opened-2022-05", "big-opened")
               .replace("value = 42", "value = 2500000000000000000000")
               .replace("value = 5.5", "value = 0.1234567890123456"))
    path = tmp_path / "c.db"
    run(["export", "-o", path, "--facts-dir", fact_dir], env=CLEAN)
    row = next(r for r in _rows(path, "facts") if r["id"] == "big-2022")
    assert row["value"] == 2500000000000000000000 and row["change"] == 0.1234567890123456
    # more digits than any SQLite number holds: refused, never rounded
    write_toml(fact_dir, "big.toml", MINIMAL_FACTS.replace("test-zone-machines-2022", "big-2022")
               .replace("test-zone-opened-2022-05", "big-opened")
               .replace("value = 42", "value = 123456789012345678901234567"))
    before = path.read_bytes()
    result = run(["export", "-o", path, "--facts-dir", fact_dir], env=CLEAN, expect=2)
    assert "facts big-2022" in result.stderr and "123456789012345678901234567" in result.stderr
    assert_no_traceback(result.stderr)
    assert path.read_bytes() == before
    out = tmp_path / "json"
    run(["export", "-f", "json", "-o", out, "--facts-dir", fact_dir], env=CLEAN)
    facts = json.loads((out / "facts.json").read_text(encoding="utf-8"))
    assert next(f for f in facts if f["id"] == "big-2022")["value"] == \
        123456789012345678901234567


# ---------------------------------------------------------------- atomic output
def test_an_existing_file_is_replaced(tmp_path):
    path = tmp_path / "c.db"
    path.write_bytes(b"old contents")
    run(["export", "-o", path], env=CLEAN)
    assert path.read_bytes().startswith(b"SQLite format 3\x00")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["c.db", "c.metadata.json"]


@pytest.mark.parametrize("fmt,name", [("sqlite", "c.db"), ("xlsx", "c.xlsx"),
                                      ("csv", "dir/topics.csv")])
def test_a_failing_write_leaves_the_old_file_and_no_temporary(tmp_path, monkeypatch, fmt, name):
    old = tmp_path / name
    old.parent.mkdir(exist_ok=True)
    old.write_bytes(b"old contents")
    output = tmp_path / ("dir" if fmt == "csv" else name)

    def disk_full(fd):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", disk_full)
    result = run(["export", "--format", fmt, "-o", output], env=CLEAN, expect=74)
    assert "No space left on device" in result.stderr
    assert_no_traceback(result.stderr)
    assert old.read_bytes() == b"old contents"
    leftovers = [p.name for p in tmp_path.rglob("*") if p.name.endswith(".tmp")]
    assert leftovers == []


# ---------------------------------------------------------------- refused outputs
def test_refuses_to_write_over_a_fact_file(tmp_path, fact_dir):
    fact_file = fact_dir / "facts.toml"
    before = fact_file.read_bytes()
    result = run(["export", "-f", "sqlite", "-o", fact_file, "--facts-dir", fact_dir],
                 env=CLEAN, expect=74)
    assert "fact file" in result.stderr
    assert_no_traceback(result.stderr)
    assert fact_file.read_bytes() == before
    # nor a new .toml where the loader would read it next time
    result = run(["export", "-f", "sqlite", "-o", fact_dir / "new.toml", "--facts-dir",
                  fact_dir], env=CLEAN, expect=74)
    assert not (fact_dir / "new.toml").exists()


def test_refuses_a_directory_for_sqlite_and_a_symlink(tmp_path):
    (tmp_path / "d.db").mkdir()
    result = run(["export", "-o", tmp_path / "d.db"], env=CLEAN, expect=74)
    assert "directory" in result.stderr
    assert_no_traceback(result.stderr)
    target = tmp_path / "target.db"
    target.write_bytes(b"keep")
    (tmp_path / "link.db").symlink_to(target)
    result = run(["export", "-o", tmp_path / "link.db"], env=CLEAN, expect=74)
    assert "symbolic link" in result.stderr
    assert target.read_bytes() == b"keep"


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_refuses_an_existing_file_for_a_directory_format(tmp_path, fmt):
    path = tmp_path / "corridor"
    path.write_bytes(b"keep")
    result = run(["export", "--format", fmt, "-o", path], env=CLEAN, expect=2)
    assert "not a directory" in result.stderr
    assert_no_traceback(result.stderr)
    assert path.read_bytes() == b"keep"


@pytest.mark.parametrize("args,message", [
    (["-o", "corridor.out"], "sqlite, xlsx, json, csv"),  # no format, no telling suffix
    (["-o", "c.db", "--format", "parquet"], "sqlite"),
    (["--format", "sqlite"], "--output"),
    (["-o", " ", "--format", "sqlite"], "empty"),
])
def test_usage_errors_exit_2(tmp_path, monkeypatch, args, message):
    monkeypatch.chdir(tmp_path)
    result = run(["export", *args], env=CLEAN, expect=2)
    assert message in result.stderr
    assert_no_traceback(result.stderr)
    assert list(tmp_path.iterdir()) == []


def test_format_names_ignore_case_and_the_suffix_is_enough(tmp_path):
    run(["export", "-f", "SQLite", "-o", tmp_path / "a.out"], env=CLEAN)
    assert (tmp_path / "a.out").read_bytes().startswith(b"SQLite format 3")
    assert (tmp_path / "a.metadata.json").is_file()
    run(["export", "-o", tmp_path / "b.sqlite"], env=CLEAN)
    assert (tmp_path / "b.metadata.json").is_file()


# ---------------------------------------------------------------- the library
def test_tables_refuse_a_reference_that_names_nothing():
    base = FactBase(entities={"a": Entity("a", "甲", "A", "district", part_of="nowhere")})
    with pytest.raises(exporting.ExportError, match="part_of 'nowhere' names no entities"):
        exporting.tables(base)


def test_python_3_10_gets_the_same_database_through_a_backup(tmp_path, bundled_base):
    from corridor_cli.export import sqlite as writer

    tables = exporting.tables(bundled_base)
    conn = sqlite3.connect(":memory:")
    conn.executescript(";\n".join(writer.schema_sql(tables)))
    conn.execute("INSERT INTO topics VALUES ('t', '题', 'T', 0)")
    conn.commit()
    path = tmp_path / "backup.db"
    path.write_bytes(writer._backup_bytes(conn))
    conn.close()
    assert _rows(path, "topics") == [{"id": "t", "name_zh": "题", "name_en": "T", "facts": 0}]


def test_metadata_goes_beside_the_database():
    assert exporting.metadata_path(Path("out/c.db")) == Path("out/c.metadata.json")
    assert exporting.metadata_path(Path("corridor")) == Path("corridor.metadata.json")
