"""The whole fact base as tables, for `corridor export`: pure, no command line.

schema.py   tables(base): every table with its columns (types, descriptions,
            nullability), primary key, foreign keys, indexes and rows, the rows
            built by the same functions as `corridor facts --format json` & co.
sqlite.py   sqlite_bytes(tables): one SQLite database, built in memory;
            datasette_metadata(tables, db_name): Datasette's metadata.json for it.
files.py    what each format writes: one SQLite file (plus its metadata), one
            workbook, or a directory of json or csv files, as (path, bytes) pairs.
"""

from corridor_cli.export.files import (
    SUFFIX_FORMATS, ExportFormat, metadata_path, outputs, table_view,
)
from corridor_cli.export.schema import Column, ExportError, ForeignKey, Table, tables
from corridor_cli.export.sqlite import datasette_metadata, sqlite_bytes

__all__ = ["Column", "ExportError", "ExportFormat", "ForeignKey", "SUFFIX_FORMATS", "Table",
           "datasette_metadata", "metadata_path", "outputs", "sqlite_bytes", "table_view",
           "tables"]
