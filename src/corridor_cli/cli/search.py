"""corridor search: facts and events ranked by relevance to free text."""

from typing import Annotated

import typer

from corridor_cli import query
from corridor_cli.cli.application import app
from corridor_cli.cli.common import (
    BomOpt, ColumnsOpt, FactsDirOpt, FormatOpt, LangOpt, LimitOpt, NoHeaderOpt, NoPagerOpt,
    OutputOpt, _emit, _lang, _load, _message, _options,
)


@app.command()
def search(
    text: Annotated[list[str], typer.Argument(
        metavar="TEXT", show_default=False,
        help="Words or characters, Chinese or English, quoted or not: 榴莲, durian train, "
             "西永 航空. A four-digit year (2022) keeps only the records of that year.")],
    limit: LimitOpt = None,
    facts_dir: FactsDirOpt = None,
    fmt: FormatOpt = None,
    output: OutputOpt = None,
    bom: BomOpt = False,
    lang: LangOpt = None,
    columns: ColumnsOpt = None,
    no_header: NoHeaderOpt = False,
    no_pager: NoPagerOpt = False,
) -> None:
    """Find facts and events by free text, best match first, with a relevance score.

    Examples:

      corridor search 榴莲

      corridor search durian train --limit 5

      corridor search 2022 江津 班列

      corridor search "Xiyong air cargo" --format json

    Labels, event titles, quotes, notes and the names and aliases of each record's
    entity are searched, in both languages. Chinese is matched by characters and
    character pairs, English by words (durians finds durian) and word pairs; the
    ranking is BM25F. A year in TEXT is a filter (a fact's period overlaps it, an
    event is dated in it), not a search term; a year alone lists that year's records.
    """
    from corridor_cli import search as searching
    from corridor_cli import search_views

    base = _load(facts_dir)
    wanted = " ".join(text)
    with _options():
        years = searching.parse_query(wanted).years
        hits = searching.search(base, wanted, limit=query.parse_limit(limit))
    if years:  # a four-digit number is read as a year: say so, in case it was a figure
        _message(f"only records of {', '.join(map(str, years))} (a four-digit number in the "
                 f"text is read as a year)")
    _emit(search_views.search_view(base, hits, _lang(lang), wanted), fmt, output, bom,
          f"no facts or events match {wanted.strip()!r}", base=base, columns=columns,
          no_header=no_header, no_pager=no_pager)
