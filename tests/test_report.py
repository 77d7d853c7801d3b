"""corridor report and corridor chart, driven as a user drives them: the Markdown parsed with
markdown-it (CommonMark + GFM tables), the HTML parsed and opened in headless Chromium,
the SVG parsed as XML, the terminal output read through a real pty."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path

import pytest
from conftest import run, run_in_pty, run_proc, write_toml
from markdown_it import MarkdownIt

from corridor_cli.loader import fact_dirs, load
from corridor_cli.query import FactQuery, validate
from corridor_cli.report import bars, briefing
from corridor_cli.views import number_text

NUMBER = re.compile(r"\d+(?:\.\d+)?")


@pytest.fixture(scope="module")
def base():
    loaded, problems = load(fact_dirs([]))
    assert not problems
    return loaded


def _fact_base_numbers(base) -> set[str]:
    """Every number written anywhere in the fact base's text and figures."""
    texts: list[str] = []
    for f in base.facts:
        texts += [number_text(f.value), number_text(f.value_max), f.label_zh, f.label_en,
                  f.quote, str(f.period), f.period.first_day().isoformat(),
                  f.period.last_day().isoformat(), f.id]
        if f.change is not None:
            texts.append(number_text(f.change.value))
    for e in base.events:
        texts += [e.title_zh, e.title_en, e.quote, str(e.date), e.id]
    for s in base.sources.values():
        texts += [s.title_zh, s.title_en, s.publication_zh, s.publication_en, str(s.date), s.id]
    for x in (*base.entities.values(), *base.metrics.values(), *base.units.values()):
        texts += [x.id, x.name_zh, x.name_en]
    found = set()
    for text in texts:
        found.update(NUMBER.findall(text or ""))
    return found


# ---------------------------------------------------------------- Markdown
def _md_walk(text: str):
    """(tokens, tables) of a Markdown document: each table a list of rows of inline tokens."""
    md = MarkdownIt("commonmark").enable("table")
    tokens = md.parse(text)
    tables, current, row = [], None, None
    for tok in tokens:
        if tok.type == "table_open":
            current = []
        elif tok.type == "table_close":
            tables.append(current)
            current = None
        elif tok.type == "tr_open" and current is not None:
            row = []
        elif tok.type == "tr_close" and current is not None:
            current.append(row)
        elif tok.type == "inline" and current is not None and row is not None:
            row.append(tok)
    return tokens, tables


def _plain_numbers(inline) -> list[str]:
    """Numbers in an inline token that are neither in italics (derived) nor the text of a
    reference link ([1](#ref-1))."""
    found, em, ref = [], 0, False
    for child in inline.children or []:
        if child.type == "em_open":
            em += 1
        elif child.type == "em_close":
            em -= 1
        elif child.type == "link_open":
            ref = (child.attrs.get("href") or "").startswith("#ref-")
        elif child.type == "link_close":
            ref = False
        elif child.type in ("text", "code_inline") and not em and not ref:
            found += NUMBER.findall(child.content)
    return found


def _ref_links(inline) -> list[str]:
    return [c.attrs["href"] for c in inline.children or [] if c.type == "link_open"]


@pytest.fixture(scope="module")
def md_2022() -> str:
    return run(["report", "--year", "2022", "--format", "md", "--lang", "en"]).stdout


def test_md_report_parses_as_gfm_with_the_sections(md_2022):
    tokens, tables = _md_walk(md_2022)
    headings = [tokens[i + 1].content for i, t in enumerate(tokens) if t.type == "heading_open"
                and t.tag in ("h1", "h2")]
    assert headings[0].startswith("Briefing") and "2022" in headings[0]
    for wanted in ("Headline figures", "Series", "Targets and progress",
                   "Findings of the audit", "Timeline", "References"):
        assert wanted in headings, headings
    assert len(tables) >= 4
    for table in tables:  # GFM: every row has as many cells as the header
        assert len({len(r) for r in table}) == 1


def test_md_report_every_number_is_from_the_fact_base_or_marked_derived(md_2022, base):
    tokens, _ = _md_walk(md_2022)
    allowed = _fact_base_numbers(base)
    stray = []
    for tok in tokens:
        if tok.type == "inline":
            stray += [n for n in _plain_numbers(tok) if n not in allowed]
    assert not stray, f"numbers neither from the fact base nor marked derived: {stray}"
    # and the derived ones are there, in italics (year shares, audit results)
    assert "<em>" in MarkdownIt("commonmark").enable("table").render(md_2022)


def test_md_report_every_figure_links_to_a_reference_that_quotes_it(md_2022, base):
    tokens, tables = _md_walk(md_2022)
    html = MarkdownIt("commonmark").enable("table").render(md_2022)
    anchors = set(re.findall(r'<a id="(ref-\d+)"></a>', html))
    assert anchors
    # the references: number → source id and the ids of the records quoted
    refs = {}
    for m in re.finditer(r'<li><a id="ref-(\d+)"></a>.*?<code>([^<]+)</code>\)(.*?)</li>\s*</ul>',
                         html, re.S):
        refs[int(m.group(1))] = (m.group(2), re.findall(r"<code>([^<]+)</code>", m.group(3)))
    assert set(refs) == {int(a.split("-")[1]) for a in anchors}
    for number, (source, quoted) in refs.items():
        for record_id in quoted:
            record = base.find(record_id)
            assert record is not None and record.source == source, (number, record_id)
    by_id = {f.id: f for f in base.facts}
    headline = tables[0]
    header = [t.content for t in headline[0]]
    value_col = header.index("value")
    for row in headline[1:]:
        cell = row[value_col]
        links = _ref_links(cell)
        assert links and all(h[1:] in anchors for h in links), cell.content
        number = int(links[0].split("-")[1])
        source, quoted = refs[number]
        # the figure printed is the value of a fact quoted under that reference
        figure = _plain_numbers(cell)[0]
        assert any(number_text(by_id[i].value) == figure for i in quoted if i in by_id), \
            (figure, quoted)


def test_md_report_in_chinese_and_for_an_entity(base):
    text = run(["report", "--within", "珞璜", "--year", "2022", "--format", "md",
                "--lang", "zh"]).stdout
    tokens, tables = _md_walk(text)
    assert tokens[1].content.startswith("简报：珞璜临港产业城（含下属）")
    assert "资料来源" in text and tables
    # the headline figures and series are about Luohuang or a part of it, in 2022
    inside = base.within("luohuang-port-city")
    q = validate(base, FactQuery(within="luohuang-port-city", year=2022))
    content = briefing.briefing(base, q, "zh")
    headline = next(s for s in content.sections if s.key == "headlines")
    figures = [row[1].text for row in headline.blocks[0].table.rows]
    from corridor_cli.query import select_facts

    chosen = select_facts(base, q)
    assert chosen and all(f.entity in inside for f in chosen)
    latest = briefing._latest_actuals(base, chosen)
    assert len(figures) == len(latest) and all(f.status.value == "actual" for f in latest)
    for figure, fact in zip(figures, latest):
        assert figure.startswith(number_text(fact.value)) or number_text(fact.value) in figure


def test_report_md_is_the_default_in_a_pipe_and_from_the_suffix(tmp_path):
    piped = run_proc(["report", "--year", "2023"])
    assert piped.out.startswith("# Briefing") or piped.out.startswith("# 简报")
    out = tmp_path / "brief.html"
    run(["report", "--year", "2023", "-o", out])
    assert out.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    out_md = tmp_path / "brief.md"
    run(["report", "--year", "2023", "-o", out_md, "--lang", "en"])
    assert out_md.read_text(encoding="utf-8").startswith("# Briefing")


@pytest.mark.parametrize("args, fragment", [
    (["--format", "pdf"], "did you mean one of: html, md"),
    (["-o", "brief.pdf"], "cannot tell the format"),
    (["--within", "nowhere-at-all"], "--within"),
    (["--topic", "trainz"], "trains"),
])
def test_report_bad_options_exit_2(args, fragment, tmp_path):
    result = run(["report", *args], expect=2)
    assert fragment in result.stderr
    assert "Traceback" not in result.stderr


def test_report_with_nothing_selected_says_so_and_still_parses():
    result = run(["report", "--from", "1990", "--to", "1991", "--format", "md"])
    assert "no facts or events match" in result.stderr
    _, tables = _md_walk(result.stdout)
    assert tables == []


def test_report_never_lets_data_act_as_markup(tmp_path):
    """A label with Markdown, HTML and a terminal escape: shown as text in every format."""
    write_toml(tmp_path / "facts", "hostile.toml", """
        [[fact]]
        id = "hostile-figure"
        topic = "trains"
        entity = "jiangjin-trains"
        metric = "trains_run"
        value = 7
        unit = "列"
        status = "actual"
        period = "2019"
        label_zh = "<script>alert(1)</script> *x* [y](http://evil.example) \\u001b[31m"
        label_en = "<script>alert(1)</script> *x* [y](http://evil.example) \\u001b[31m"
        source = "jiangjin-chengyu-2023"
        quote = "全年开行西部陆海新通道江津班列536列"
        """)
    md = run(["report", "--year", "2019", "--format", "md", "--lang", "en",
              "--facts-dir", tmp_path / "facts"]).stdout
    assert "\x1b" not in md
    rendered = MarkdownIt("commonmark").enable("table").render(md)
    assert "<script>" not in rendered and 'href="http' not in rendered
    html = run(["report", "--year", "2019", "--format", "html", "--lang", "en",
                "--facts-dir", tmp_path / "facts"]).stdout
    assert "<script>" not in html and "\x1b" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


# ---------------------------------------------------------------- HTML
class _Collect(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


@pytest.fixture(scope="module")
def html_jiangjin(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("report") / "jiangjin.html"
    run(["report", "--within", "jiangjin", "--format", "html", "--output", out, "--lang", "en"])
    return out


def test_html_report_is_self_contained(html_jiangjin):
    text = html_jiangjin.read_text(encoding="utf-8")
    assert "http" not in text  # no web address at all: not a link, not a namespace
    parser = _Collect()
    parser.feed(text)
    tags = [t for t, _ in parser.tags]
    assert "script" not in tags and "link" not in tags and "img" not in tags
    assert tags.count("svg") >= 2 and "style" in tags
    assert '@page { size: A4' in text and "@media print" in text
    assert parser.tags[0] == ("html", {"lang": "en"})
    # every reference link points at a reference that exists
    ids = {a.get("id") for _, a in parser.tags if a.get("id")}
    hrefs = [a["href"] for t, a in parser.tags if t == "a" and "href" in a]
    assert hrefs and all(h.startswith("#ref-") and h[1:] in ids for h in hrefs)


def test_html_report_is_the_same_bytes_twice(tmp_path):
    a, b = tmp_path / "a.html", tmp_path / "b.html"
    run(["report", "--within", "jiangjin", "-o", a])
    run(["report", "--within", "jiangjin", "-o", b])
    assert a.read_bytes() == b.read_bytes()


def _chromium() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        found = shutil.which(name)
        if found:
            return found
    return None


def test_html_report_renders_in_headless_chromium(html_jiangjin, tmp_path):
    browser = _chromium()
    if browser is None:
        pytest.skip("headless Chromium is not installed (Debian: apt-get install chromium); "
                    "the HTML is still checked by the other tests")
    image = pytest.importorskip("PIL.Image")
    shot = tmp_path / "report.png"
    proc = subprocess.run(
        [browser, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
         "--no-first-run", f"--user-data-dir={tmp_path / 'profile'}",
         f"--screenshot={shot}", "--window-size=1100,1800", html_jiangjin.as_uri()],
        capture_output=True, timeout=120)
    assert proc.returncode == 0 and shot.exists(), proc.stderr.decode("utf-8", "replace")[-2000:]
    picture = image.open(shot).convert("RGB")
    assert picture.size == (1100, 1800)
    colours = picture.getcolors(maxcolors=1 << 20)
    count = {rgb: n for n, rgb in colours}
    # the full-period bars of the SVG charts are solid #2c6fad: thousands of pixels of it
    # (the legend's swatches are a few hundred), so the charts were drawn
    assert count.get((0x2C, 0x6F, 0xAD), 0) > 3000
    # and there is text on a white page
    assert count.get((255, 255, 255), 0) > picture.size[0] * picture.size[1] // 3


# ---------------------------------------------------------------- chart
def test_chart_in_a_pipe_names_partial_and_target_bars():
    out = run_proc(["chart", "trains_run", "--within", "jiangjin", "--lang", "en"]).out
    lines = out.splitlines()
    assert lines[0].startswith("trains run")
    full = next(x for x in lines if x.startswith("2022 "))
    partial = next(x for x in lines if x.startswith("2023-01..2023-05 (partial)"))
    target = next(x for x in lines if x.startswith("2023 (target)"))
    assert "█" in full and full.rstrip().endswith("536 trains")
    assert "▒" in partial and "█" not in partial and partial.rstrip().endswith("407 trains")
    assert "░" in target and target.rstrip().endswith("1000 trains")
    # bar lengths are proportional: 536 : 1000
    assert abs(full.count("█") / target.count("░") - 536 / 1000) < 0.05
    assert "actual, part of a year" in lines[-1] and "target" in lines[-1]
    assert "\x1b" not in out


def test_chart_svg_is_valid_distinct_and_repeatable(tmp_path):
    a, b = tmp_path / "a.svg", tmp_path / "b.svg"
    run(["chart", "trains_run", "--within", "jiangjin", "--format", "svg", "-o", a])
    run(["chart", "trains_run", "--within", "jiangjin", "-o", b])  # format from the suffix
    assert a.read_bytes() == b.read_bytes()
    root = ET.fromstring(a.read_text(encoding="utf-8"))
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    ns = {"s": "http://www.w3.org/2000/svg"}
    assert not root.findall(".//s:script", ns)
    styles = [g.get("style") or "" for g in root.iter("{http://www.w3.org/2000/svg}g")
              if g.get("class") == "bar"]
    assert len(styles) == 3
    assert any("url(#chart-1-partial)" in s for s in styles)  # the partial bar is hatched
    assert any("stroke-dasharray:6 3" in s and "fill-opacity:0" in s for s in styles)  # target
    texts = "".join(root.itertext())
    assert "2023-01..2023-05 (partial)" in texts and "(target)" in texts
    assert "536" in texts and "407" in texts and "1000" in texts


def test_chart_bars_convert_units_and_name_what_they_cannot_draw(base):
    rows_q = validate(base, FactQuery())
    from corridor_cli.analysis.series import metric_series

    drawn = bars.chart(base, "trade_value", metric_series(base, rows_q, "trade_value"), "en")
    # the 150 亿美元 target has no exchange rate to 亿元: named, not drawn, not converted
    assert "jiangjin-trade-value-target-2021-2025" in drawn.note
    assert all(b.id != "jiangjin-trade-value-target-2021-2025" for b in drawn.bars)
    assert drawn.bars and all(b.text.endswith("100 million yuan") for b in drawn.bars)


@pytest.mark.parametrize("args, status, fragment", [
    (["chart", "no_such_metric"], 2, "METRIC"),
    (["chart", "trains_run", "--format", "png"], 2, "svg, table"),
    (["chart", "trains_run", "-o", "x.png"], 2, "cannot tell the format"),
    (["chart", "trains_run", "--from", "2024", "--to", "2018"], 2, ""),
])
def test_chart_bad_options(args, status, fragment):
    result = run(args, expect=status)
    assert fragment in result.stderr and "Traceback" not in result.stderr


def test_chart_with_nothing_to_draw_says_so():
    result = run(["chart", "trains_run", "--year", "2016"])
    assert "no figures of trains_run match" in result.stderr


# ---------------------------------------------------------------- the terminal
posix_only = pytest.mark.skipif(os.name != "posix", reason="needs ptys")


def _pty(args: list[str], env: dict[str, str | None], columns: int = 120) -> str:
    status, text, err = run_in_pty(args, env, columns)
    assert status == 0, err
    return text


@posix_only
def test_report_on_a_terminal_is_rich_text_with_text_charts():
    text = _pty(["report", "--within", "jiangjin", "--year", "2023", "--lang", "en"],
                {"PAGER": "cat", "NO_COLOR": "1"})
    assert "\x1b[" not in text  # NO_COLOR: no escapes at all
    assert not text.lstrip().startswith("#")  # drawn, not Markdown source
    assert "Briefing: Jiangjin District and its parts · 2023" in text
    assert "▒" in text and "(partial)" in text and "░" in text  # the text charts
    lines = [x.strip() for x in text.splitlines()]
    assert any(x.startswith("2023-01..2023-05 (partial) │▒") for x in lines)  # one bar a line
    assert "\\n" not in text and not any(x.startswith("|") for x in lines)  # drawn tables
    assert "References" in text and "[1]" in text


@posix_only
def test_chart_on_a_terminal_is_coloured_unless_no_color():
    coloured = _pty(["chart", "trains_run", "--within", "jiangjin"], {"PAGER": "cat"})
    assert "\x1b[" in coloured and "█" in coloured
    plain = _pty(["chart", "trains_run", "--within", "jiangjin"],
                 {"PAGER": "cat", "NO_COLOR": "1"})
    assert "\x1b[" not in plain and "█" in plain


# ---------------------------------------------------------------- regressions (red team)
_RT_VOCAB = """
[[topic]]
id = "rt-topic"
name_zh = "红队"
name_en = "Red team"

[[metric]]
id = "rt_money"
name_zh = "红队金额"
name_en = "red team money"
definition = "Money."
kind = "flow"
bases = ["CNY", "USD"]

[[metric]]
id = "rt_change"
name_zh = "红队变化"
name_en = "red team change"
definition = "A change that may be negative."
kind = "measure"
bases = ["percent", "CNY"]

[[entity]]
id = "rt-zone"
name_zh = "红队园区"
name_en = "RT Zone \\u001b[31mRED\\u001b[0m \\u202eevil"
kind = "industrial-area"

[[source]]
id = "rt-src"
title_zh = "红队报告"
title_en = "RT report \\u202e\\u2066"
publication_zh = "红队日报"
publication_en = "RT Daily"
authors = ["甲"]
date = "2022-12"
file = "a.txt"
"""


def _rt_fact(fid, metric, value, unit, period, quote, status="actual", extra=""):
    return f"""
[[fact]]
id = "{fid}"
topic = "rt-topic"
entity = "rt-zone"
metric = "{metric}"
value = {value}
unit = "{unit}"
status = "{status}"
period = "{period}"
label_zh = "{fid}"
label_en = "{fid}"
source = "rt-src"
quote = "{quote}"
{extra}"""


@pytest.fixture
def rt_dir(tmp_path) -> Path:
    facts = (
        _rt_fact("rt-q1", "rt_money", 25000, "万元", "2022-01..2022-03", "一季度不到25000万元",
                 extra='bound = "upper"')
        + _rt_fact("rt-target", "rt_money", 10, "亿元", "2022", "2022年目标10亿元",
                   status="target")
        + _rt_fact("rt-2019", "rt_money", 9000, "万元", "2019", "2019年9000万元")
        + _rt_fact("rt-2020", "rt_money", 5, "亿元", "2020", "2020年5亿元")
        + _rt_fact("rt-huge", "rt_money", "1e300", "亿元", "2021", "2021年1e300亿元")
        + _rt_fact("rt-neg-2019", "rt_change", -40, "%", "2019", "下降40%")
        + _rt_fact("rt-pos-2020", "rt_change", 10, "%", "2020", "增长10%")
    )
    directory = tmp_path / "rt"
    write_toml(directory, "vocab.toml", _RT_VOCAB)
    write_toml(directory, "facts.toml", facts)
    return directory


def test_a_target_actual_converted_to_the_target_unit_is_marked_derived(rt_dir):
    """<25000 万元 shown as <2.5 亿元 beside a 10 亿元 target: corridor converted it, so it
    is in italics; the figure as printed is in the source, the converted one is not."""
    md = run(["report", "--facts-dir", rt_dir, "--entity", "rt-zone", "--year", "2022",
              "--format", "md", "--lang", "en"]).stdout
    _, tables = _md_walk(md)
    targets = next(t for t in tables if [c.content for c in t[0]][:2] == ["target", "goal"])
    header = [c.content for c in targets[0]]
    row = targets[1]
    actual = row[header.index("actual")]
    assert "2.5" in actual.content and _plain_numbers(actual) == []  # italic: derived
    assert _ref_links(actual)  # and still cites the fact it comes from
    gap = row[header.index("gap")].content
    assert "+<" not in gap and "100 million yuan" in gap  # an honest sign, and a unit


def test_no_actual_is_not_a_figure_and_has_no_reference(tmp_path):
    write_toml(tmp_path / "d", "vocab.toml", _RT_VOCAB)
    write_toml(tmp_path / "d", "facts.toml", _rt_fact(
        "rt-target", "rt_money", 10, "亿元", "2022", "2022年目标10亿元", status="target"))
    md = run(["report", "--facts-dir", tmp_path / "d", "--entity", "rt-zone", "--format", "md",
              "--lang", "zh"]).stdout
    _, tables = _md_walk(md)
    targets = next(t for t in tables if [c.content for c in t[0]][:2] == ["目标", "目标值"])
    header = [c.content for c in targets[0]]
    actual = targets[1][header.index("实际")]
    assert actual.content == "无实际数" and not _ref_links(actual)
    assert targets[1][header.index("差距")].content == "期内无实际数"  # the note in Chinese


def test_html_shows_control_and_bidi_characters_as_escapes(rt_dir):
    html = run(["report", "--facts-dir", rt_dir, "--entity", "rt-zone", "--format", "html",
                "--lang", "en"]).stdout
    for char in ("\x1b", "\u202e", "\u2066", "\x07"):
        assert char not in html
    assert "RT Zone \\x1b[31mRED" in html  # shown, not acted on


def test_figures_too_large_to_draw_are_named_not_a_traceback(rt_dir, tmp_path):
    svg_out = tmp_path / "m.svg"
    result = run(["chart", "rt_money", "--facts-dir", rt_dir, "-o", svg_out, "--lang", "en"])
    assert "Traceback" not in result.stderr
    root = ET.fromstring(svg_out.read_text(encoding="utf-8"))
    assert "rt-huge" in "".join(root.itertext())  # named under the chart (the note)
    text = run(["chart", "rt_money", "--facts-dir", rt_dir, "--lang", "en"]).stdout
    assert "not drawn (too large to draw): rt-huge" in text
    html = run(["report", "--facts-dir", rt_dir, "--format", "html", "--entity", "rt-zone"])
    assert "<svg" in html.stdout


def test_negative_figures_grow_left_of_the_axis(rt_dir):
    lines = run(["chart", "rt_change", "--facts-dir", rt_dir, "--lang", "en"]).stdout.splitlines()
    neg = next(x for x in lines if x.startswith("2019"))
    pos = next(x for x in lines if x.startswith("2020"))
    assert neg.index("█") < neg.index("│") and neg.rstrip().endswith("-40 percent")
    assert pos.index("│") < pos.index("█")
    assert neg.index("│") == pos.index("│")  # one axis
    assert abs(neg.count("█") / pos.count("█") - 4) < 0.5  # one scale: 40 against 10


def test_svg_axis_labels_keep_the_period_and_the_kind_whole():
    svg_text = run(["chart", "trade_value", "--format", "svg", "--lang", "en"]).stdout
    root = ET.fromstring(svg_text)
    texts = [t.text or "" for t in root.iter("{http://www.w3.org/2000/svg}text")]
    assert any(t.startswith("2020-01..2020-06 · ") and t.endswith("(partial)") for t in texts)
    zh = ET.fromstring(run(["chart", "trains_run", "--within", "jiangjin", "--format", "svg",
                            "--lang", "zh"]).stdout)
    texts = [t.text or "" for t in zh.iter("{http://www.w3.org/2000/svg}text")]
    assert "2023-01..2023-05 (部分)" in texts and "2023 (目标)" in texts


@posix_only
def test_derived_figures_are_marked_without_colour_on_a_terminal():
    text = _pty(["report", "--within", "jiangjin", "--topic", "trains", "--lang", "en"],
                {"PAGER": "cat", "NO_COLOR": "1"})
    assert "Figures marked † are derived" in text
    assert "5/12 partial †" in text
