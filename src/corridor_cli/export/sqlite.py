"""Tables as one SQLite database (built in memory, returned as bytes) and the Datasette
metadata that describes it.

Declared types are the plain ones every reader maps (sqlite3, Datasette, DuckDB's
sqlite scanner): TEXT, INTEGER and NUMERIC, where NUMERIC holds each number as an
INTEGER or a REAL, whichever keeps it exactly. A number neither can hold exactly
(more digits than a double keeps, an integer past 64 bits that is no double either)
is refused rather than rounded: SQLite would round it even if it were given as text.
"""

from __future__ import annotations

import json
import sqlite3
import sys
from collections.abc import Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from corridor_cli.export.schema import NUMERIC, Column, ExportError, Table
from corridor_cli.records import exact

_INT64 = range(-2 ** 63, 2 ** 63)


def _name(identifier: str) -> str:
    """An identifier quoted for SQL: `of`, `date` and `value` are all safe to use."""
    return '"' + identifier.replace('"', '""') + '"'


def _number(value: Any) -> int | float:
    """The INTEGER or REAL that holds value exactly; ExportError if neither can."""
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, float):
        return value  # a double already: REAL holds it as it is
    if isinstance(value, str):  # views.machine_number's exact digits
        try:
            value = Decimal(value)
        except InvalidOperation:
            raise ExportError(f"{value!r} is not a number") from None
        if value == value.to_integral_value():
            value = int(value)
        else:
            as_float = float(value)
            if exact(as_float) == value:
                return as_float
            raise _too_precise(value)
    if isinstance(value, int):
        if value in _INT64:
            return value
        try:
            as_float = float(value)
        except OverflowError:
            raise _too_precise(value) from None
        if int(as_float) == value:  # 2500000000000000000000 is a double exactly
            return as_float
        raise _too_precise(value)
    raise ExportError(f"{value!r} is not a number")


def _too_precise(value: int | Decimal) -> ExportError:
    return ExportError(f"{value} has more digits than an SQLite number holds exactly (a 64-bit "
                       f"integer or a double); the json, csv and xlsx exports keep every digit")


def _cell(column: Column, value: Any) -> Any:
    if value is None:
        return None
    if column.is_list or isinstance(value, (list, tuple)):
        return json.dumps(list(value), ensure_ascii=False)
    if column.type == NUMERIC or isinstance(value, bool):
        return _number(value)
    return value


def _comment(text: str) -> str:
    """An SQL comment to the end of the line: the schema (.schema in sqlite3) explains itself."""
    return " -- " + " ".join(text.split())


def _create(table: Table) -> list[str]:
    lines = [f"  {_name(c.name)} {c.type}{'' if c.nullable else ' NOT NULL'},"
             f"{_comment(c.description)}" for c in table.columns]
    constraints = [f"  PRIMARY KEY ({', '.join(map(_name, table.primary_key))})"]
    for fk in table.foreign_keys:
        constraints.append(f"  FOREIGN KEY ({', '.join(map(_name, fk.columns))}) REFERENCES "
                           f"{_name(fk.table)} ({', '.join(map(_name, fk.references))})")
    statements = [f"CREATE TABLE {_name(table.name)} ({_comment(table.description)}\n"
                  + "\n".join(lines) + "\n" + ",\n".join(constraints) + "\n)"]
    for columns in table.indexes:
        index = f"idx_{table.name}_{'_'.join(columns)}"
        statements.append(f"CREATE INDEX {_name(index)} ON {_name(table.name)} "
                          f"({', '.join(map(_name, columns))})")
    return statements


def schema_sql(tables: Sequence[Table]) -> list[str]:
    """The CREATE TABLE and CREATE INDEX statements, referenced tables first."""
    return [statement for table in tables for statement in _create(table)]


def _insert(conn: sqlite3.Connection, table: Table) -> None:
    placeholders = ", ".join("?" for _ in table.columns)
    sql = f"INSERT INTO {_name(table.name)} VALUES ({placeholders})"
    rows = []
    for row in table.rows:
        try:
            rows.append([_cell(c, row.get(c.name)) for c in table.columns])
        except ExportError as exc:
            key = ", ".join(str(row.get(c)) for c in table.primary_key)
            raise ExportError(f"{table.name} {key}: {exc}") from None
    conn.executemany(sql, rows)


def _serialize(conn: sqlite3.Connection) -> bytes:
    if sys.version_info >= (3, 11):
        return conn.serialize()
    return _backup_bytes(conn)  # pragma: no cover - Python 3.10


def _backup_bytes(conn: sqlite3.Connection) -> bytes:
    """The database's bytes without Connection.serialize (Python 3.10): a backup into a
    temporary file, read back."""
    import os
    import tempfile

    with tempfile.TemporaryDirectory() as directory:
        path = os.path.join(directory, "export.db")
        target = sqlite3.connect(path)
        try:
            conn.backup(target)
        finally:
            target.close()
        with open(path, "rb") as handle:
            return handle.read()


def sqlite_bytes(tables: Sequence[Table]) -> bytes:
    """The tables as the bytes of one SQLite database file: declared types, primary
    keys, foreign keys (checked: PRAGMA foreign_key_check finds nothing) and indexes."""
    conn = sqlite3.connect(":memory:")
    try:
        for statement in schema_sql(tables):
            conn.execute(statement)
        for table in tables:
            _insert(conn, table)
        conn.commit()
        broken = conn.execute("PRAGMA foreign_key_check").fetchone()
        if broken is not None:  # tables() checks references: this is a last guard
            raise ExportError(f"{broken[0]} row {broken[1]}: a reference to {broken[2]} "
                              f"names nothing")
        return _serialize(conn)
    finally:
        conn.close()


def datasette_metadata(tables: Sequence[Table], db_name: str) -> dict[str, Any]:
    """Datasette's metadata for the database (`datasette DB -m METADATA.json`): a
    description of every table and column, each table's label column, default order
    and facets. No column gets Datasette's "units" key: a fact's value is in its own
    row's unit (亿元, 列, %), which the descriptions say."""
    described = {}
    for table in tables:
        entry: dict[str, Any] = {
            "description": table.description,
            "columns": {c.name: c.description for c in table.columns},
        }
        if table.label_column:
            entry["label_column"] = table.label_column
        if table.sort:
            entry["sort"] = table.sort
        if table.facets:
            entry["facets"] = [{"array": name} if table.column(name).is_list else name
                               for name in table.facets]
        described[table.name] = entry
    return {
        "title": "New Western Land-Sea Corridor facts (西部陆海新通道)",
        "description": "Facts and events of the New Western Land-Sea Corridor as seen from "
                       "Chongqing, each with its unit, period, status and a verbatim source "
                       "quote; exported by `corridor export`. A fact's value is in its row's "
                       "unit; value_base is the same figure in base_unit.",
        "databases": {db_name: {
            "description": "The whole fact base: facts, events and their vocabularies "
                           "(topics, units, metrics, entities, sources), plus one link table "
                           "per list field.",
            "tables": described,
        }},
    }
