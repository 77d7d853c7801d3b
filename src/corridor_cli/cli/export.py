"""corridor export: the whole fact base as sqlite, xlsx, json or csv."""

import os
from pathlib import Path
from typing import Annotated, Optional

import typer

from corridor_cli.cli.application import Exit, app
from corridor_cli.cli.common import (
    FactsDirOpt, _bad, _check_output, _choose, _load, _message, _write_output,
)
from corridor_cli.safetext import display_path

_FORMATS = ("sqlite", "xlsx", "json", "csv")


def _complete_export_format(incomplete: str) -> list[str]:
    return [f for f in _FORMATS if f.startswith(incomplete)]


ExportFormatOpt = Annotated[Optional[str], typer.Option(
    "--format", "-f", metavar="FORMAT", show_default=False,
    autocompletion=_complete_export_format,
    help="sqlite, xlsx, json or csv. An output ending in .db, .sqlite, .sqlite3 or .xlsx "
         "names its format itself.")]
ExportOutputOpt = Annotated[str, typer.Option(
    "--output", "-o", metavar="PATH", show_default=False,
    help="The file to write (sqlite, xlsx), or the directory to write one file per table "
         "into (json, csv; created if missing). Each file is replaced atomically.")]


@app.command()
def export(
    output: ExportOutputOpt,
    fmt: ExportFormatOpt = None,
    facts_dir: FactsDirOpt = None,
) -> None:
    """Write the whole fact base (bundled facts, --facts-dir and CORRIDOR_FACTS_PATH) as
    tables: facts, events, sources, entities, metrics, units, topics, and a link table
    per list field (event_tags, entity_aliases, …). sqlite also writes Datasette's
    metadata beside the database: corridor.db gets corridor.metadata.json.

    Examples:

      corridor export -o corridor.db

      datasette corridor.db -m corridor.metadata.json

      corridor export -o corridor.xlsx

      corridor export --format csv -o corridor-csv
    """
    from corridor_cli import export as exporting

    if not output.strip():
        raise _bad("--output", "an empty file name")
    if fmt is not None:
        kind = exporting.ExportFormat(_choose("--format", fmt, list(_FORMATS), "export format"))
    elif Path(output).suffix.lower() in exporting.SUFFIX_FORMATS:
        kind = exporting.SUFFIX_FORMATS[Path(output).suffix.lower()]
    else:
        raise _bad("--format", f"name the format of {display_path(output)!r}: one of "
                               f"{', '.join(_FORMATS)} (.db, .sqlite, .sqlite3 and .xlsx "
                               f"outputs name it themselves)")
    path = Path(output)
    if kind.is_directory and os.path.lexists(path) and not path.is_dir():
        raise _bad("--output", f"{display_path(output)} exists and is not a directory: "
                               f"{kind.value} writes one file per table into a directory")
    base = _load(facts_dir)
    if not kind.is_directory:
        _check_output(output, base)
    try:
        files = exporting.outputs(exporting.tables(base), kind, path)
    except exporting.ExportError as exc:
        _message(f"cannot export as {kind.value}: {exc}")
        raise typer.Exit(Exit.USAGE) from None
    for file, _ in files:
        _check_output(str(file), base)
    if kind.is_directory:
        try:
            path.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            _message(f"cannot create the directory {display_path(output)}: "
                     f"{exc.strerror or exc}")
            raise typer.Exit(Exit.OUTPUT) from None
    for file, data in files:
        _write_output(str(file), data)
    _message(_summary(kind, path, files, len(base.facts), len(base.events)))


def _summary(kind, path: Path, files: list[tuple[Path, bytes]], facts: int, events: int) -> str:
    import shlex

    what = f"{facts} facts and {events} events"
    if kind.value == "sqlite":
        db, metadata = (shlex.quote(display_path(str(f))) for f, _ in files)
        return (f"wrote {display_path(str(path))} ({what}) and its Datasette metadata; "
                f"browse it with: datasette {db} -m {metadata}")
    if kind.value == "xlsx":
        return f"wrote {display_path(str(path))} ({what}, a sheet per table)"
    return f"wrote {len(files)} {kind.value} files ({what}, a file per table) to " \
           f"{display_path(str(path))}"
