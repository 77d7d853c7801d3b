"""Provenance: does every quote appear verbatim (whitespace aside) in its source text?"""

from __future__ import annotations

import re
from pathlib import Path

from corridor_cli.problems import Problem
from corridor_cli.records import FactBase

_SPACE = re.compile(r"\s+")


def squeeze(text: str) -> str:
    """Text with all whitespace removed: line breaks and spacing differ between copies."""
    return _SPACE.sub("", text)


def verify_quotes(base: FactBase, directory: Path) -> list[Problem]:
    """A problem for each fact or event whose quote is not in its source's text file."""
    texts: dict[str, str | None] = {}
    findings: list[Problem] = []
    for source in base.sources.values():
        path = Path(directory) / source.file
        try:
            texts[source.id] = squeeze(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError) as exc:
            texts[source.id] = None
            reason = exc.strerror if isinstance(exc, OSError) else "not UTF-8 text"
            findings.append(Problem(source.origin.file, source.origin.line, "file",
                                    "source-unreadable",
                                    f"source {source.id!r}: cannot read {path}: {reason}"))
    for record in (*base.facts, *base.events):
        text = texts.get(record.source)
        if text is not None and squeeze(record.quote) not in text:
            findings.append(Problem(record.origin.file, record.origin.line, "quote",
                                    "quote-not-found",
                                    f"{record.id}: quote not found in {record.source} "
                                    f"({base.sources[record.source].file}): {record.quote!r}"))
    return findings
