"""Render a View in one of the output formats. The one place that branches on format.

csv, tsv, json and jsonl use the machine rows; table (rich) and md (tabulate)
use the human rows. rich and tabulate are imported only when used.
"""

from __future__ import annotations

import csv
import io
import json
from enum import Enum
from typing import Any, TextIO

from corridor_cli.views import View, number_text


class Format(str, Enum):
    table = "table"
    csv = "csv"
    tsv = "tsv"
    md = "md"
    json = "json"
    jsonl = "jsonl"


# Characters that make a spreadsheet run a text cell as a formula.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: Any, sep: str) -> Any:
    """A spreadsheet-safe cell: numbers untouched, formula-looking text neutralised."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return number_text(value)
    if isinstance(value, list):
        value = ";".join(map(str, value))
    text = str(value)
    if text.startswith(_FORMULA_START):
        text = "'" + text
    if sep == "\t":  # TSV has no quoting: keep every record on one line, in its columns
        text = text.replace("\t", " ").replace("\r", " ").replace("\n", " ")
    return text


def _delimited(view: View, out: TextIO, sep: str) -> None:
    if sep == ",":
        writer = csv.writer(out, lineterminator="\r\n")
    else:
        writer = csv.writer(out, delimiter="\t", quoting=csv.QUOTE_NONE, escapechar=None,
                            quotechar=None, lineterminator="\n")
    writer.writerow(view.machine_fields)
    for row in view.machine:
        writer.writerow([_cell(row.get(k), sep) for k in view.machine_fields])


def _json(view: View, out: TextIO) -> None:
    rows = [{k: row.get(k) for k in view.machine_fields} for row in view.machine]
    json.dump(rows, out, ensure_ascii=False, indent=2)
    out.write("\n")


def _jsonl(view: View, out: TextIO) -> None:
    for row in view.machine:
        out.write(json.dumps({k: row.get(k) for k in view.machine_fields}, ensure_ascii=False))
        out.write("\n")


def _md_cell(value: Any) -> str:
    return str(value).replace("|", "\\|").replace("\n", " ")


def _md(view: View, out: TextIO) -> None:
    from tabulate import tabulate

    headers = list(view.human_fields or view.machine_fields)
    rows = [[_md_cell(v) for v in row.values()] for row in view.human]
    out.write(tabulate(rows, headers=[_md_cell(h) for h in headers], tablefmt="github",
                       disable_numparse=True))
    out.write("\n")


def _stacked(view: View, out: TextIO) -> None:
    """One 'field: value' line per cell, a blank line between records: fits any width."""
    for i, row in enumerate(view.human):
        if i:
            out.write("\n")
        for key, value in row.items():
            out.write(f"{key}: {number_text(value) if isinstance(value, (int, float)) else value}\n")


def _table(view: View, out: TextIO, color: bool, width: int | None) -> None:
    from rich import box
    from rich.cells import cell_len
    from rich.console import Console
    from rich.table import Table

    console = Console(file=out, no_color=not color, color_system="auto" if color else None,
                      width=width, highlight=False, emoji=False, soft_wrap=False,
                      force_terminal=color or None)
    headers = list(view.human_fields or view.machine_fields)
    cells = [[number_text(v) if isinstance(v, (int, float)) else str(v) for v in row.values()]
             for row in view.human]
    longest = [max((cell_len(row[i]) for row in cells), default=0) for i in range(len(headers))]
    longest = [max(n, cell_len(h)) for n, h in zip(longest, headers)]
    # Short columns (values, units, dates, statuses) keep their natural width on one
    # line; long text (ids, labels, titles) shares what is left and wraps. When too
    # little is left, a grid would crush or drop columns: stack the records instead.
    flexible = [n > 24 for n in longest]
    fixed = sum(n for n, flex in zip(longest, flexible) if not flex) + 3 * len(headers)
    if console.width - fixed < 16 * max(1, sum(flexible)):
        _stacked(view, out)
        return
    table = Table(title=view.title or None, box=box.SIMPLE_HEAD,
                  header_style="bold" if color else None, title_style=None)
    for header, flex, n in zip(headers, flexible, longest):
        if flex:
            table.add_column(header, overflow="fold", ratio=1)
        else:
            table.add_column(header, no_wrap=True, min_width=n)
    for row in cells:
        table.add_row(*row)
    console.print(table)


def render(view: View, fmt: Format, out: TextIO, *, color: bool = False,
           width: int | None = None) -> None:
    """Write view to out in format fmt."""
    if fmt is Format.csv:
        _delimited(view, out, ",")
    elif fmt is Format.tsv:
        _delimited(view, out, "\t")
    elif fmt is Format.json:
        _json(view, out)
    elif fmt is Format.jsonl:
        _jsonl(view, out)
    elif fmt is Format.md:
        _md(view, out)
    else:
        _table(view, out, color, width)


def render_text(view: View, fmt: Format, **options: Any) -> str:
    buffer = io.StringIO()
    render(view, fmt, buffer, **options)
    return buffer.getvalue()
