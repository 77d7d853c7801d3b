"""The bundled base at full coverage (issue 11): every figure and date printed in the
bundled source texts is covered by a fact's or event's quote, or consciously ignored by
an [[ignore]] with a reason; no ignore is stale. Uses the library directly (a CLI test
is separate)."""

from __future__ import annotations

import pytest

from corridor_cli.curation.coverage import (
    article_texts,
    coverage,
    ignores_unused,
    unit_strings,
)
from corridor_cli.loader import fact_dirs, load

BUNDLED_SOURCES = (
    "cqdaily-2020-07-06",
    "luohuang-review-2022",
    "jiangjin-chengyu-2023",
    "jiangjin-tongcheng-2020",
    "ibd-2023-xiyong",
    "ibd-2023-sichuan-ecommerce",
)

# A reason must say why, not just "restates" or "n/a".
MIN_REASON_WORDS = 5


@pytest.fixture(scope="module")
def bundled():
    base, problems = load(fact_dirs([]))
    assert not problems, problems
    texts = article_texts(base)
    units = unit_strings(base)
    return base, texts, units


@pytest.fixture(scope="module")
def by_source(bundled):
    base, texts, units = bundled
    return {sc.source: sc for sc in coverage(base, texts, units)}


def test_every_bundled_source_has_its_text(bundled):
    _, texts, _ = bundled
    missing = [source for source in BUNDLED_SOURCES if source not in texts]
    assert not missing, f"no article text found for {missing}"


@pytest.mark.parametrize("source", BUNDLED_SOURCES)
def test_source_fully_covered(by_source, source):
    sc = by_source[source]
    assert sc.printed > 0, f"{source}: no printed figure found at all"
    lines = [f"  {item.printed.kind} {item.printed.printed!r} | "
             f"{' '.join(item.clause.split())}" for item in sc.uncovered_items]
    assert sc.uncovered == 0, (
        f"{source}: {sc.uncovered} printed figure(s)/date(s) neither covered by a quote "
        f"nor ignored with a reason:\n" + "\n".join(lines))
    assert sc.covered + sc.ignored == sc.printed
    assert sc.percent_done == 100.0


def test_no_stale_ignores(bundled):
    base, texts, units = bundled
    stale = ignores_unused(base, texts, units)
    assert not stale, "stale [[ignore]] records:\n" + "\n".join(
        f"  {s.ignore.source}: {s.ignore.text!r}: {s.why}" for s in stale)


def test_every_ignore_has_a_real_reason(bundled):
    base, _, _ = bundled
    assert base.ignores, "the bundled base should hold [[ignore]] records"
    thin = [ignore for ignore in base.ignores
            if len((ignore.reason or "").split()) < MIN_REASON_WORDS]
    assert not thin, "ignores whose reason is too short to say why:\n" + "\n".join(
        f"  {i.source}: {i.text!r}: {i.reason!r}" for i in thin)


def test_ignores_name_bundled_sources(bundled):
    base, _, _ = bundled
    unknown = [i for i in base.ignores if i.source not in BUNDLED_SOURCES]
    assert not unknown, unknown
