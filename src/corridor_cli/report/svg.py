"""A chart as SVG, drawn by pygal.

pygal was chosen for its output: labelled axes, printed values and per-bar styles in
clean, scalable SVG with its CSS inside, and for its cost: pure Python, about 70 ms
to import, against several hundred for matplotlib (leather imports in 45 ms but
cannot style a single bar or print values on bars). It is imported only here, only
when a chart is drawn.

What pygal writes is made quiet and repeatable: no script, no comments (they carry
the date and web addresses), and the random chart id replaced by one given by the
caller, so the same facts give the same bytes. For inlining in HTML the namespace
declarations are dropped too (the HTML parser knows SVG), so a report holds no web
address at all.
"""

from __future__ import annotations

import math
import re
import unicodedata
from corridor_cli.report.bars import Chart, axis_label
from corridor_cli.safetext import visible

# Colours readable in print and by people with red-green colour blindness.
_BLUE, _LIGHT, _PURPLE, _GOLD = "#2c6fad", "#8fb9dd", "#7b3f98", "#b8860b"
_FONTS = ('"Noto Sans CJK SC", "Source Han Sans SC", "WenQuanYi Zen Hei", "PingFang SC", '
          '"Microsoft YaHei", "Helvetica Neue", Arial, sans-serif')


def _style(kind: str, hatch: str) -> str:
    if kind == "actual":
        return f"fill:{_BLUE};stroke:{_BLUE};fill-opacity:1"
    if kind == "partial":
        return f"fill:url(#{hatch});stroke:{_BLUE};stroke-width:1.5;fill-opacity:1"
    if kind == "derived":
        return f"fill:#f3e3b5;stroke:{_GOLD};stroke-width:1.5;stroke-dasharray:2 2;fill-opacity:1"
    # target, forecast, planned: an outline, never a filled bar
    return f"fill:#ffffff;fill-opacity:0;stroke:{_PURPLE};stroke-width:2;stroke-dasharray:6 3"


def svg(chart: Chart, lang: str, chart_id: str = "chart-1", *, inline: bool = False,
        width: int = 760, height: int = 360) -> str:
    """The chart as an SVG document (or, with inline, an <svg> element for HTML)."""
    import pygal
    from pygal.style import Style

    hatch = f"{chart_id}-partial"
    style = Style(
        background="#ffffff", plot_background="#ffffff", foreground="#222222",
        foreground_strong="#111111", foreground_subtle="#9a9a9a", colors=(_BLUE,),
        font_family=_FONTS, title_font_size=16, label_font_size=12,
        major_label_font_size=12, value_font_size=11, tooltip_font_size=12,
        opacity="1", opacity_hover="0.8",
        # quiet solid guides, so a dashed outline always means a target
        guide_stroke_color="#e4e6ea", guide_stroke_dasharray="0",
        major_guide_stroke_color="#d0d3d9", major_guide_stroke_dasharray="0",
    )
    # Long labels (a period and an entity) would squeeze the plot: the entity's name is
    # cut, never the period or the kind; the table under the chart and each bar's
    # tooltip carry the name whole. pygal cuts by characters, and a Chinese character
    # is as wide as two Latin ones, so corridor cuts itself and pygal does not.
    wide = lang == "zh" or any(unicodedata.east_asian_width(c) in "WF"
                               for b in chart.bars for c in b.entity)
    room = max(10, int(width / 7.5 / max(len(chart.bars), 1))) // (2 if wide else 1)
    labels = [visible(axis_label(b, lang)) for b in chart.bars]
    rotate = 0
    if any(len(x) > room for x in labels):
        rotate = 25
        labels = [visible(axis_label(b, lang, 8 if wide else 16)) for b in chart.bars]
    title = visible(chart.title + (f" ({chart.unit})" if chart.unit else ""))
    if chart.note and not inline:  # a file on its own says what it could not draw
        title += "\n" + visible(chart.note)
    bar_chart = pygal.Bar(
        style=style, width=width, height=height, title=title, js=[],
        disable_xml_declaration=True, show_legend=False,
        print_values=len(chart.bars) <= 16,  # more would print over each other
        no_data_text="无数据" if lang == "zh" else "No data",
        print_values_position="top", x_label_rotation=rotate, truncate_label=-1,
        margin_bottom=10, include_x_axis=True, show_y_guides=True,
        defs=[f'<pattern id="{hatch}" width="6" height="6" patternUnits="userSpaceOnUse" '
              f'patternTransform="rotate(45)"><rect width="6" height="6" fill="#ffffff"/>'
              f'<rect width="3" height="6" fill="{_LIGHT}"/></pattern>'],
    )
    bar_chart.x_labels = labels
    if len(labels) > 24:  # label every few bars only, so labels never print over each other
        bar_chart.config.x_labels_major_every = math.ceil(len(labels) / 20)
        bar_chart.config.show_minor_x_labels = False
    bar_chart.add(visible(chart.title), [
        {"value": float(b.value), "style": _style(b.kind, hatch),
         "formatter": (lambda _v, text=visible(b.text): text), "label": label}
        for b, label in zip(chart.bars, labels)
    ])
    text = bar_chart.render(is_unicode=True)
    text = text.replace(f"chart-{bar_chart.uuid}", chart_id).replace(bar_chart.uuid, chart_id)
    text = re.sub(r"<script\b.*?</script>", "", text, flags=re.S)
    text = re.sub(r"<!--.*?-->", "", text, flags=re.S)
    if inline:
        text = re.sub(r'\s+xmlns(:\w+)?="[^"]*"', "", text)
    return text
