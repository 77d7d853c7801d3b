"""A chart as text for the terminal: one labelled bar per figure.

Each kind of bar has its own glyph (solid for a full-period actual, shaded for part of
a year, light for a target, forecast or plan, dotted for a derived figure), its own
colour where colour is on, and its kind written after the label, so the difference
survives a pipe, NO_COLOR and a terminal without the glyphs. rich measures the width
of Chinese labels and colours the bars; text from the data passes through
safetext.visible, never as markup or terminal control.
"""

from __future__ import annotations

import io
from decimal import Decimal

from corridor_cli.report.bars import Chart, axis_label, legend
from corridor_cli.safetext import visible

GLYPH = {"actual": "█", "partial": "▒", "target": "░", "forecast": "░", "planned": "░",
         "derived": "┅"}
COLOR = {"actual": "blue", "partial": "cyan", "target": "magenta", "forecast": "magenta",
         "planned": "magenta", "derived": "yellow"}
_MIN_BAR = 10


def text_chart(chart: Chart, lang: str, width: int = 80, color: bool = False) -> str:
    from rich.cells import cell_len
    from rich.console import Console
    from rich.text import Text

    out = io.StringIO()
    width = max(width, 20)
    console = Console(file=out, width=width, color_system="standard" if color else None,
                      force_terminal=color, no_color=not color, highlight=False,
                      soft_wrap=True, emoji=False, markup=False)
    unit = f" ({visible(chart.unit)})" if chart.unit else ""
    console.print(Text(visible(chart.title) + unit, style="bold"))
    labels = [visible(axis_label(b, lang)) for b in chart.bars]
    texts = [visible(b.text) for b in chart.bars]
    label_w = max([cell_len(x) for x in labels] + [1])
    text_w = max([cell_len(x) for x in texts] + [1])
    room = max(width - label_w - text_w - 4, _MIN_BAR)
    if label_w + room + text_w + 4 > width:  # a narrow terminal: labels on a line of their own
        label_w, room = 0, max(width - text_w - 3, _MIN_BAR)
    # Negative figures grow to the left of the axis, positive ones to the right, on one scale.
    top = max((b.value for b in chart.bars if b.value > 0), default=Decimal(0))
    bottom = max((-b.value for b in chart.bars if b.value < 0), default=Decimal(0))
    scale = top + bottom
    left = round(float(bottom / scale) * room) if scale else 0
    for bar, label, text in zip(chart.bars, labels, texts):
        cells = 0
        if scale and bar.value:
            cells = max(1, round(float(abs(bar.value) / scale) * room))
        line = Text()
        if label_w:
            line.append(label + " " * (label_w - cell_len(label)) + " ")
        else:
            console.print(Text(label))
        glyphs = GLYPH[bar.kind] * cells
        if bar.value < 0:
            line.append(" " * (left - cells))
            line.append(glyphs, style=COLOR[bar.kind])
            line.append("│")
        else:
            line.append(" " * left + "│")
            line.append(glyphs, style=COLOR[bar.kind])
        line.append(" " + text)
        console.print(line)
    if chart.bars:
        key = Text()
        for kind, words in legend(chart.bars, lang):
            key.append("  " if key.plain else "")
            key.append(GLYPH[kind] * 2, style=COLOR[kind])
            key.append(" " + words)
        console.print(key)
    if chart.note:
        console.print(Text(visible(chart.note)))
    return out.getvalue()
