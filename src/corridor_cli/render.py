"""Render a View in one of the output formats. The one place that branches on format.

csv, tsv, json, jsonl and xlsx use the machine rows; table (rich) and md
(tabulate) use the human rows. Text from the data reaches a person only through
``safetext.visible``: never as markup, never as terminal control. rich,
tabulate and XlsxWriter are imported only by the renderer that uses them, csv and json
likewise, and patterns are compiled on first use (re's own cache): start-up pays only
for the format in hand.
"""

from __future__ import annotations

import io
import re
from enum import Enum
from typing import Any, TextIO

from corridor_cli.records import exact
from corridor_cli.safetext import visible
from corridor_cli.views import View, number_text


class Format(str, Enum):
    table = "table"
    csv = "csv"
    tsv = "tsv"
    md = "md"
    json = "json"
    jsonl = "jsonl"
    xlsx = "xlsx"


# Formats that only make sense in a file.
FILE_ONLY = frozenset({Format.xlsx})

# Characters that make a spreadsheet run a text cell as a formula.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# Characters some readers take as the end of a line: TSV keeps each record on one line.
_TSV_BREAKS = "[\t\n\r\v\f\x1c-\x1e\x85\u2028\u2029]"


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
        text = re.sub(_TSV_BREAKS, " ", text)
    return text


def _delimited(view: View, out: TextIO, sep: str, header: bool) -> None:
    import csv

    if sep == ",":
        writer = csv.writer(out, lineterminator="\r\n")
    else:
        writer = csv.writer(out, delimiter="\t", quoting=csv.QUOTE_NONE, escapechar=None,
                            quotechar=None, lineterminator="\n")
    if header:
        writer.writerow(view.machine_fields)
    for row in view.machine:
        writer.writerow([_cell(row.get(k), sep) for k in view.machine_fields])


def _json(view: View, out: TextIO) -> None:
    import json

    rows = [{k: row.get(k) for k in view.machine_fields} for row in view.machine]
    json.dump(rows, out, ensure_ascii=False, indent=2)
    out.write("\n")


def _jsonl(view: View, out: TextIO) -> None:
    import json

    for row in view.machine:
        out.write(json.dumps({k: row.get(k) for k in view.machine_fields}, ensure_ascii=False))
        out.write("\n")


def _human_text(value: Any) -> str:
    """A human cell as safe, single-line text."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return number_text(value)
    return visible(value)


# ASCII punctuation that starts inline Markdown (emphasis, links, HTML, entities, code,
# strikethrough) or ends a table cell: backslash-escaped, so a cell shows what it holds.
# An underscore inside a word (title_en, trains_run) starts nothing in GFM: left as is.
_MD_ACTIVE = r"([\\`*\[\]<>|~&]|(?<![0-9A-Za-z])_|_(?![0-9A-Za-z]))"


def md_cell(value: Any) -> str:
    # visible() has already turned every line break into an escape, so a row stays one line.
    return re.sub(_MD_ACTIVE, r"\\\1", _human_text(value))


def _md(view: View, out: TextIO, header: bool) -> None:
    from tabulate import tabulate  # aligns wide (CJK) characters when wcwidth is installed

    keys = list(view.human_fields or view.machine_fields)
    rows = [[md_cell(row.get(k, "")) for k in keys] for row in view.human]
    text = tabulate(rows, headers=[md_cell(view.header(k)) for k in keys], tablefmt="github",
                    disable_numparse=True,
                    colalign=["right" if k in view.numeric else "left" for k in keys])
    if not header:  # rows only, to append to an existing table
        text = "\n".join(text.splitlines()[2:])
    if text:
        out.write(text + "\n")


_ROW_STYLES = {"target": "cyan", "forecast": "magenta", "planned": "cyan", "derived": "yellow",
               "fails": "bold red", "behind": "red"}
_MIN_FLEX = 16  # the narrowest a wrapping column may become


def _layout(view: View, longest: dict[str, int], width: int) -> list[str] | None:
    """The columns to show at this width (longest: each column's widest cell, header
    included): every column if they fit, else without the least useful ones
    (view.drop_order, first first); None when no grid fits."""
    keys = list(view.human_fields)
    droppable = [k for k in view.drop_order if k in keys]
    while True:
        flexible = [k for k in keys if longest[k] > 24]
        fixed = sum(longest[k] for k in keys if k not in flexible) + 3 * len(keys)
        if width - fixed >= _MIN_FLEX * max(1, len(flexible)):
            return keys
        if not droppable or len(keys) <= 2:
            return None
        keys.remove(droppable.pop(0))


def _console(out: TextIO, color: bool, width: int | None):
    import os

    from rich.console import Console

    # The width is decided by the caller (from a COLUMNS it has checked); rich must not
    # read COLUMNS or LINES itself, whatever they hold.
    environ = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES")}
    return Console(file=out, no_color=not color, color_system="auto" if color else None,
                   width=width or 80, highlight=False, emoji=False, markup=False,
                   soft_wrap=False, force_terminal=color or None, legacy_windows=False,
                   _environ=environ)


def _stacked(view: View, cells: list[dict[str, str]], console) -> None:
    """One 'field: value' entry per cell, a blank line between records; long values wrap
    at word boundaries under their own column, so any width works."""
    from rich.table import Table
    from rich.text import Text

    from rich.cells import cell_len

    keys = list(view.human_fields)
    if view.stacked and view.title:
        console.print(Text(visible(view.title)))
    labels = {k: visible(view.header(k)) + ":" for k in keys}
    if console.width - max((cell_len(v) for v in labels.values()), default=0) - 1 < 12:
        # too narrow even to wrap under a label: whole lines, let the terminal fold them
        console.file.write("\n\n".join("\n".join(f"{labels[k]} {row[k]}".rstrip() for k in keys)
                                        for row in cells) + ("\n" if cells else ""))
        return
    for i, row in enumerate(cells):
        if i:
            console.print()
        grid = Table.grid(padding=(0, 1))
        grid.add_column(no_wrap=True)
        grid.add_column(overflow="fold")
        for k in keys:
            grid.add_row(Text(labels[k]), Text(row[k]))
        console.print(grid)


_FIT_WIDTHS = True  # False: rich measures every cell itself (a test compares the two)


def _fix_widths(table, content: list[int], width: int) -> None:
    """Give each column of table the width rich would give it, computed from the longest
    cell of each (content: header included), so that rich does not measure every cell
    again, twice when the table is collapsed to fit (about a third of rendering time).

    What rich does for this table (no expand, padding 1 on each side, edges): a column is
    as wide as its longest cell plus padding, at most the room there is; when the total
    is wider than the room, the wrapping columns are narrowed (Table._collapse_widths).
    Anything else (no such method in this rich, a total that still does not fit) leaves
    the widths to rich. tests/test_formats.py checks the output is the same either way."""
    from rich.table import Table

    collapse = getattr(Table, "_collapse_widths", None)
    pad = 2  # Table's default padding (0, 1) with pad_edge: one space each side
    room = width - table._extra_width
    if (collapse is None or room < 1 or table.padding != (0, 1, 0, 1) or not table.pad_edge
            or table.collapse_padding or table.expand or table.width or table.min_width):
        return
    widths = [min(c + pad, room) for c in content]
    if sum(widths) > room:
        widths = collapse(widths, [not column.no_wrap for column in table.columns], room)
        if sum(widths) > room or min(widths) <= pad:
            return
    for column, w in zip(table.columns, widths):
        column.width = w - pad


def _table(view: View, out: TextIO, color: bool, width: int | None, header: bool) -> None:
    from rich import box
    from rich.table import Table
    from rich.text import Text

    buffer = io.StringIO()
    console = _console(buffer, color, width)
    keys = list(view.human_fields)
    cells = [{k: _human_text(row.get(k, "")) for k in keys} for row in view.human]
    shown = None
    if not view.stacked:
        from rich.cells import cell_len

        headers = {k: visible(view.header(k)) for k in keys}
        longest = {k: max([cell_len(headers[k])] + [cell_len(row[k]) for row in cells])
                   for k in keys}
        shown = _layout(view, longest, console.width)
    if shown is None:
        _stacked(view, cells, console)
    else:
        caption = view.caption
        hidden = [view.header(k) for k in keys if k not in shown]
        if hidden:  # say what the width left out, and how to get it back
            caption += f" ({', '.join(hidden)} hidden at this width: widen the terminal or use --columns)"
        table = Table(title=Text(visible(view.title)) if view.title else None, box=box.SIMPLE_HEAD,
                      header_style="bold" if color else None, title_style=None,
                      show_header=header, caption=Text(visible(caption)) if caption else None,
                      caption_style=None)
        for k in shown:
            justify = "right" if k in view.numeric else "left"
            if longest[k] > 24:
                table.add_column(Text(headers[k]), overflow="fold", ratio=1, justify=justify)
            else:
                table.add_column(Text(headers[k]), no_wrap=True, min_width=longest[k],
                                 justify=justify)
        emphasis = list(view.emphasis) + [""] * len(cells)
        for row, mark in zip(cells, emphasis):
            table.add_row(*(Text(row[k]) for k in shown),
                          style=_ROW_STYLES.get(mark) if color else None)
        if header and cells and _FIT_WIDTHS:
            _fix_widths(table, [longest[k] for k in shown], console.width)
        console.print(table)
    text = buffer.getvalue()
    if not color:  # a pipe or NO_COLOR: no padding at the ends of lines
        text = "\n".join(line.rstrip() for line in text.split("\n"))
    out.write(text)


# Machine fields that hold a full ISO date (YYYY-MM-DD) or nothing: written as date cells.
_DATE_FIELDS = frozenset({"period_start", "period_end"})
_XLSX_TEXT_MAX = 32767  # Excel's limit for one cell


def _xlsx_exact(value: int | float) -> bool:
    """Whether a spreadsheet cell holds the number exactly: an integer below 2^53, or a
    float of at most 15 significant digits (XlsxWriter and Excel keep 15) within Excel's
    range (about 1e-307 to 9.99e307)."""
    if isinstance(value, int):
        return abs(value) < 2 ** 53
    if value == 0:
        return True
    digits = exact(value).normalize().as_tuple().digits
    return len(digits) <= 15 and 1e-307 < abs(value) < 9.99e307


def _xlsx_date(text: str):
    """A date cell's value, or None when the text is no date Excel can hold (before 1900)."""
    import datetime as dt

    try:
        day = dt.date.fromisoformat(text)
    except ValueError:
        return None
    return dt.datetime(day.year, day.month, day.day) if day.year >= 1900 else None


def _sheet_name(name: str) -> str:
    """A name Excel accepts for a sheet: no []:*?/\\, at most 31 characters."""
    return "".join(c for c in name if c not in "[]:*?/\\")[:31] or "data"


def render_workbook(sheets: list[tuple[str, View]], *, header: bool = True) -> bytes:
    """The bytes of one workbook with a sheet per (name, view), in order (names must stay
    distinct once cut to Excel's 31 characters): typed cells, a frozen header row,
    sensible widths.

    XlsxWriter: pure Python, write-only and fast, typed cells and freeze panes in a few
    calls; imported only here. The date fields become date cells (from 1900 on, as Excel
    counts), every other text stays text, whatever it looks like; numbers stay numbers;
    text is never a formula. A text longer than a cell holds is cut with a visible mark
    and a note on the cell.
    """
    import xlsxwriter

    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_formulas": False,
                                        "strings_to_urls": False, "strings_to_numbers": False})
    bold = book.add_format({"bold": True})
    date_format = book.add_format({"num_format": "yyyy-mm-dd"})
    for name, view in sheets:
        _xlsx_sheet(book.add_worksheet(_sheet_name(name)), view, header, bold, date_format)
    book.close()
    return buffer.getvalue()


def _xlsx_sheet(sheet, view: View, header: bool, bold, date_format) -> None:
    from rich.cells import cell_len

    fields = list(view.machine_fields)
    widths = [len(f) for f in fields]
    first = 0
    if header:
        for col, name in enumerate(fields):
            sheet.write_string(0, col, name, bold)
        sheet.freeze_panes(1, 0)
        first = 1
    for r, row in enumerate(view.machine, start=first):
        for col, key in enumerate(fields):
            value = row.get(key)
            if value is None:
                continue
            if isinstance(value, bool):
                sheet.write_boolean(r, col, value)
                shown = "FALSE"
            elif isinstance(value, (int, float)):
                if not _xlsx_exact(value):  # a cell would round it: keep every digit as text
                    sheet.write_string(r, col, number_text(value))
                else:
                    sheet.write_number(r, col, value)
                shown = number_text(value)
            else:
                text = "; ".join(map(str, value)) if isinstance(value, list) else str(value)
                when = _xlsx_date(text) if key in _DATE_FIELDS else None
                if when is not None:
                    sheet.write_datetime(r, col, when, date_format)
                elif len(text) > _XLSX_TEXT_MAX:
                    sheet.write_string(r, col, text[: _XLSX_TEXT_MAX - 1] + "…")
                    sheet.write_comment(r, col, f"cut from {len(text)} characters: the csv and "
                                                f"json formats carry the whole text")
                else:
                    sheet.write_string(r, col, text)
                shown = text
            widths[col] = max(widths[col], min(60, cell_len(shown[:200])))
    for col, w in enumerate(widths):
        sheet.set_column(col, col, w + 2)
    if view.machine and header:
        sheet.autofilter(0, 0, len(view.machine), len(fields) - 1)


def _xlsx(view: View, header: bool) -> bytes:
    """A workbook with one sheet, named after the view."""
    return render_workbook([(view.title or view.kind or "data", view)], header=header)


def render(view: View, fmt: Format, out: TextIO, *, color: bool = False,
           width: int | None = None, header: bool = True) -> None:
    """Write view to out in the text format fmt."""
    if fmt is Format.csv:
        _delimited(view, out, ",", header)
    elif fmt is Format.tsv:
        _delimited(view, out, "\t", header)
    elif fmt is Format.json:
        _json(view, out)
    elif fmt is Format.jsonl:
        _jsonl(view, out)
    elif fmt is Format.md:
        _md(view, out, header)
    elif fmt is Format.table:
        _table(view, out, color, width, header)
    else:
        raise ValueError(f"{fmt.value} is written to a file, not as text")


def render_text(view: View, fmt: Format, **options: Any) -> str:
    buffer = io.StringIO()
    render(view, fmt, buffer, **options)
    return buffer.getvalue()


def render_bytes(view: View, fmt: Format, *, bom: bool = False, header: bool = True,
                 **options: Any) -> bytes:
    """The bytes of a file in format fmt: UTF-8 text (with a BOM if asked), or a workbook."""
    if fmt is Format.xlsx:
        return _xlsx(view, header)
    return (("\ufeff" if bom else "") + render_text(view, fmt, header=header, **options)).encode("utf-8")
