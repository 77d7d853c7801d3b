"""A Briefing as a document: Markdown (GitHub-flavoured), HTML, or rich text for the terminal.

The documents come from Jinja2 templates in report/templates, never from strings
glued together in code. HTML is autoescaped; Markdown text goes through the same
escaping the md tables of every other command use. Text from the data is made
visible (control characters shown as escapes) before either. Jinja2, pygal and rich
are imported here, inside the functions, so only `corridor report` pays for them.
"""

from __future__ import annotations

import io
from pathlib import Path

from corridor_cli.render import md_cell
from corridor_cli.report.bars import Chart, legend
from corridor_cli.report.briefing import Briefing, Cell
from corridor_cli.safetext import visible

_TEMPLATES = Path(__file__).parent / "templates"


def _visible(value: object) -> object:
    """Every value a template prints, made visible: control and bidi characters from the
    data shown as escapes. What a filter already built (Markup: links, SVG) is left alone."""
    from markupsafe import Markup

    return value if isinstance(value, Markup) or not isinstance(value, str) else visible(value)


def _environment(autoescape: bool):
    import jinja2

    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(_TEMPLATES)), autoescape=autoescape,
        undefined=jinja2.StrictUndefined, keep_trailing_newline=True, trim_blocks=True,
        lstrip_blocks=True, finalize=_visible,
    )


def _md_code(text: str) -> str:
    """An id inside a code span: visible, and no backtick to end the span early."""
    return visible(text).replace("`", "'")


def markdown(b: Briefing, *, terminal: bool = False, width: int = 80) -> str:
    """GitHub-flavoured Markdown: each figure followed by links to its references
    ([1](#ref-1)), derived figures in italics, references with their anchors.
    For the terminal: plain [1] marks, derived figures also marked †, text charts."""
    from markupsafe import Markup

    from corridor_cli.report.text import text_chart

    anchors = not terminal

    def figure(cell: Cell) -> str:
        text = md_cell(cell.text)
        if cell.derived and text:
            text = f"*{text}* †" if terminal else f"*{text}*"
        if anchors:
            marks = " ".join(f"[\\[{n}\\]](#ref-{n})" for n in cell.refs)
        else:
            marks = " ".join(f"\\[{n}\\]" for n in cell.refs)
        return f"{text} {marks}".strip() if marks else text

    env = _environment(autoescape=False)
    env.filters.update(
        md=md_cell, code=_md_code, figure=figure,
        # a chart is lines of text already made visible: Markup keeps finalize off it
        text_chart=lambda chart: Markup(text_chart(chart, b.lang, max(width - 8, 40))),
    )
    return env.get_template("report.md.j2").render(b=b, anchors=anchors, terminal=terminal)


def html(b: Briefing) -> str:
    """One self-contained HTML file: inline CSS and SVG charts, no script, no web address."""
    from markupsafe import Markup, escape

    from corridor_cli.report.svg import svg

    def figure(cell: Cell) -> Markup:
        text = escape(visible(cell.text))
        if cell.derived and cell.text:
            text = Markup('<em class="derived">{}</em>').format(text)
        for n in cell.refs:
            text += Markup('<a class="ref" href="#ref-{0}">[{0}]</a>').format(n)
        return text

    def chart_svg(chart: Chart, index: int, section: str) -> Markup:
        return Markup(svg(chart, b.lang, f"chart-{section}-{index}", inline=True))

    env = _environment(autoescape=True)
    env.filters.update(
        figure=figure, svg=chart_svg, legend=lambda chart: legend(chart.bars, b.lang),
    )
    return env.get_template("report.html.j2").render(b=b)


def terminal(b: Briefing, *, width: int = 100, color: bool = False) -> str:
    """The same content for a terminal: the Markdown drawn by rich, charts as text bars."""
    from rich.console import Console
    from rich.markdown import Markdown

    out = io.StringIO()
    console = Console(file=out, width=width, color_system="standard" if color else None,
                      force_terminal=color, no_color=not color, highlight=False, emoji=False)
    console.print(Markdown(markdown(b, terminal=True, width=width),
                           hyperlinks=False))
    return out.getvalue()
