"""What each export format writes, as (path, bytes) pairs: the caller checks each path
and writes each file atomically.

sqlite  PATH, and the Datasette metadata beside it as <stem>.metadata.json
xlsx    PATH, a workbook with a sheet per table
json    PATH/<table>.json for every table, as `--format json` writes rows
csv     PATH/<table>.csv for every table, as `--format csv` writes rows
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from enum import Enum
from pathlib import Path

from corridor_cli.export.schema import Table
from corridor_cli.export.sqlite import datasette_metadata, sqlite_bytes
from corridor_cli.views import View


class ExportFormat(str, Enum):
    sqlite = "sqlite"
    xlsx = "xlsx"
    json = "json"
    csv = "csv"

    @property
    def is_directory(self) -> bool:
        """Written as a directory of files, one per table."""
        return self in (ExportFormat.json, ExportFormat.csv)


SUFFIX_FORMATS = {".db": ExportFormat.sqlite, ".sqlite": ExportFormat.sqlite,
                  ".sqlite3": ExportFormat.sqlite, ".xlsx": ExportFormat.xlsx}


def table_view(table: Table) -> View:
    """A table as a View, so the csv, json and xlsx renderers write it as they write
    any other rows."""
    return View(table.name, table.rows, table.column_names, title=table.name)


def metadata_path(path: Path) -> Path:
    """Where the Datasette metadata of the database at path goes: c.db → c.metadata.json."""
    return path.with_name(f"{path.stem or path.name}.metadata.json")


def outputs(tables: Sequence[Table], fmt: ExportFormat, path: Path) -> list[tuple[Path, bytes]]:
    """The files fmt writes for the tables at path, in the order to write them."""
    from corridor_cli.render import Format, render_bytes, render_workbook

    if fmt is ExportFormat.sqlite:
        metadata = datasette_metadata(tables, path.stem or path.name)
        return [(path, sqlite_bytes(tables)),
                (metadata_path(path),
                 (json.dumps(metadata, ensure_ascii=False, indent=2) + "\n").encode("utf-8"))]
    if fmt is ExportFormat.xlsx:
        return [(path, render_workbook([(t.name, table_view(t)) for t in tables]))]
    return [(path / f"{t.name}.{fmt.value}", render_bytes(table_view(t), Format(fmt.value)))
            for t in tables]
