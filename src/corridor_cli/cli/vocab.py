"""Commands that list a vocabulary: sources, entities, metrics, topics, units."""

from corridor_cli import views
from corridor_cli.cli.application import app
from corridor_cli.cli.common import (
    BomOpt, ColumnsOpt, FactsDirOpt, FormatOpt, LangOpt, NoHeaderOpt, NoPagerOpt, OutputOpt,
    _emit, _lang, _load,
)


def _vocabulary_command(name: str, make_view, doc: str) -> None:
    """Register a command that lists one vocabulary (sources, entities, topics, units)."""

    def command(facts_dir: FactsDirOpt = None, fmt: FormatOpt = None, output: OutputOpt = None,
                bom: BomOpt = False, lang: LangOpt = None, columns: ColumnsOpt = None,
                no_header: NoHeaderOpt = False, no_pager: NoPagerOpt = False) -> None:
        base = _load(facts_dir)
        _emit(make_view(base, _lang(lang)), fmt, output, bom, base=base, columns=columns,
              no_header=no_header, no_pager=no_pager)

    command.__doc__ = doc
    app.command(name)(command)


_vocabulary_command("sources", views.sources_view, """List the source documents, with how many facts and events each yielded.

    Example:

      corridor sources --format md
    """)
_vocabulary_command("entities", views.entities_view, """List the entity glossary: names, kind, what each is part of, aliases, and counts.

    Example:

      corridor entities --format json
    """)
_vocabulary_command("metrics", views.metrics_view, """List the metrics: kind, definition, the units' bases allowed, and how many facts each has.

    The kind says what arithmetic is legitimate: a flow adds across disjoint periods,
    a level across entities at one date, and a rate, share, rank or measure never.

    Example:

      corridor metrics --columns id,kind,facts,definition
    """)
_vocabulary_command("topics", views.topics_view, """List the topics with how many facts each has.

    Example:

      corridor topics --lang en
    """)
_vocabulary_command("units", views.units_view, """List the units with English names, scales and how many facts use each.

    Example:

      corridor units --format csv
    """)
