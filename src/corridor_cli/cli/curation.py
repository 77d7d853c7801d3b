"""corridor coverage and corridor draft: tools for curators."""

from pathlib import Path
from typing import Annotated, Optional

import typer

from corridor_cli.cli.application import Exit, _env, app
from corridor_cli.cli.common import (
    BomOpt, ColumnsOpt, FactsDirOpt, FormatOpt, LangOpt, NoHeaderOpt, NoPagerOpt, OutputOpt,
    _against_dirs, _bad, _check_output, _choose, _emit, _lang, _load, _message, _options, _write_output,
)
from corridor_cli.safetext import display_path, visible

_STATES = ["uncovered", "ignored", "covered", "all"]
MAX_TEXT_BYTES = 16 * 2**20  # a source text larger than this is not read


AgainstOpt = Annotated[Optional[list[str]], typer.Option(
    "--against", metavar="DIR", show_default=False,
    help="Also look for source texts in DIR (repeatable), after the texts/ directory of "
         "the fact directory that defines each source.")]


@app.command()
def coverage(
    sources: Annotated[Optional[list[str]], typer.Argument(
        metavar="[SOURCE]...", show_default=False,
        help="Source ids (see 'corridor sources'); default: every source.")] = None,
    items: Annotated[Optional[str], typer.Option(
        "--items", "-i", metavar="STATE", show_default=False,
        help="Instead of the summary, one row per printed figure or date: uncovered, "
             "ignored, covered or all.")] = None,
    against: AgainstOpt = None,
    facts_dir: FactsDirOpt = None,
    fmt: FormatOpt = None,
    output: OutputOpt = None,
    bom: BomOpt = False,
    lang: LangOpt = None,
    columns: ColumnsOpt = None,
    no_header: NoHeaderOpt = False,
    no_pager: NoPagerOpt = False,
) -> None:
    """Every figure printed in each source text, and the fact or event that covers it.

    Examples:

      corridor coverage

      corridor coverage luohuang-review-2022 --items uncovered

      corridor coverage --items all --format csv > figures.csv

    A printed figure is a number with its unit (612列, 152.6亿元, 10-15万辆, 14.2%,
    2.3个百分点, 三成, 第三), or a date. It is covered when a fact's or event's quote
    holds it at that place in the text, ignored when an [[ignore]] table's text does
    (with its reason), and uncovered otherwise. Page furniture (page and issue numbers,
    prices, phone and serial numbers, dates in bylines) is recognised and only counted.
    Prints a row per source: printed, covered, ignored, uncovered, furniture; each
    uncovered figure goes to stderr with its line and clause, as does each [[ignore]]
    that ignores nothing. Exit status: 0 when nothing is uncovered, no ignore is stale
    and every source's text was read; 1 otherwise; 2 on a bad argument.
    """
    from corridor_cli import coverage_views
    from corridor_cli.curation import coverage as covering

    env = _env()
    dirs = _against_dirs(against)
    base = _load(facts_dir)
    wanted = None
    if sources:
        from corridor_cli import query

        wanted = []
        for name in sources:
            if name not in base.sources:
                with _options():
                    query.check_choice("SOURCE", name, sorted(base.sources), "source")
            wanted.append(name)
    states = None
    if items is not None:
        state = _choose("--items", items, _STATES, "state")
        states = frozenset(_STATES[:3] if state == "all" else [state])
    results, stale = covering.coverage_report(base, dirs, wanted)
    failed = False
    for article, cov in results:
        if cov is None:
            _message(f"{article.source}: not checked: {article.why}")
            failed = True
            continue
        for item in cov.uncovered_items:
            failed = True
            p = item.printed
            if states is None:
                where = f"{display_path(article.path)}:{article.line_of(p.start)}"
                env.stderr.write(visible(f"{where}: {cov.source}: uncovered {p.kind} "
                                         f"{p.printed}: {p.clause}") + "\n")
    for s in stale:
        failed = True
        origin = s.ignore.origin
        env.stderr.write(visible(f"{display_path(origin.file)}:{origin.line_of('text')}: "
                                 f"ignore {s.ignore.text!r}: {s.why}") + "\n")
    view = (coverage_views.summary_view(results, _lang(lang)) if states is None
            else coverage_views.items_view(results, states, _lang(lang)))
    _emit(view, fmt, output, bom, "nothing to list", base=base, columns=columns,
          no_header=no_header, no_pager=no_pager)
    if failed:
        raise typer.Exit(Exit.CHECK_FAILED)


@app.command()
def draft(
    textfile: Annotated[str, typer.Argument(
        metavar="TEXTFILE", show_default=False,
        help="A new source text (UTF-8), simplified or traditional Chinese.")],
    source: Annotated[str, typer.Option(
        "--source", metavar="ID", show_default=False,
        help="The source id the stubs cite; when it is not in the fact base, a [[source]] "
             "stub comes first.")],
    date: Annotated[Optional[str], typer.Option(
        "--date", metavar="DATE", show_default=False,
        help="The text's publication date (2024, 2024-03 or 2024-03-08): resolves 今年, "
             "去年, 全年 and dates printed without a year.")] = None,
    output: Annotated[Optional[str], typer.Option(
        "--output", "-o", metavar="FILE", show_default=False,
        help="Write the stubs to FILE (atomically) instead of standard output.")] = None,
    facts_dir: FactsDirOpt = None,
) -> None:
    """Draft TOML stubs for every figure in a new text that no fact covers yet.

    Examples:

      corridor draft new-report.txt --source cqdaily-2024-03-08 --date 2024-03-08 -o draft.toml

      corridor draft texts/001.txt --source luohuang-review-2022 --date 2023

    Each [[fact]] stub is filled from the figure's clause: value (and value_max for a
    range), unit, bound (约, 超, 余, 以上, 突破, 近, 不到), status (目标, 力争, 计划,
    预计, 有望), its change (同比增长…, …个百分点) kept with it, the period where the
    sentence states it, and the quote, verbatim. What needs a human (id, topic, entity,
    metric, labels, a period the text leaves implicit) is a "TODO: …" placeholder with
    what the text suggests; `corridor check` rejects every placeholder, naming it and its
    line, so an unfinished stub never loads. A date no fact stub quotes becomes an
    [[event]] stub. Page furniture gets no stub. Figures the fact base already covers
    (for a known source) are left out. Write the stubs outside the fact directories
    and move them in when finished.
    """
    from corridor_cli.curation import draft as drafting
    from corridor_cli.dates import DateError, PartialDate
    from corridor_cli.factfiles import ReadError, read_regular

    base = _load(facts_dir)
    if not source.strip():
        raise _bad("--source", "an empty source id")
    if date is not None:
        try:
            PartialDate.parse(date)
        except DateError as exc:
            raise _bad("--date", f"{date!r}: {exc}") from None
    _check_output(output, base)
    try:
        data = read_regular(textfile, MAX_TEXT_BYTES)
        text = data.decode("utf-8").removeprefix("\ufeff")
    except ReadError as exc:
        raise _bad("TEXTFILE", f"{textfile}: {exc.message}") from None
    except OSError as exc:
        raise _bad("TEXTFILE", f"{textfile}: {exc.strerror or exc}") from None
    except UnicodeDecodeError as exc:
        raise _bad("TEXTFILE", f"{textfile}: not UTF-8 text (byte 0x{data[exc.start]:02x} "
                               f"at offset {exc.start})") from None
    result = drafting.draft(text, source.strip(), base, today=date,
                            file_name=Path(textfile).name)
    header = drafting.header(result, display_path(textfile), source.strip(), date)
    toml_text = drafting.to_toml(result, header)
    if output is not None:
        _write_output(output, toml_text.encode("utf-8"))
    else:
        env = _env()
        env.stdout.write(toml_text)
        env.stdout.flush()
    _message(drafting.summary(result, display_path(textfile)))
