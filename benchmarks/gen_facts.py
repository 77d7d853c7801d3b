#!/usr/bin/env python3
"""Write N synthetic but valid facts, in the project's own schema, across about 100 files.

    python benchmarks/gen_facts.py 10000 /tmp/facts10k
    python benchmarks/gen_facts.py 100000 /tmp/facts100k --files 100 --seed 1

Each generated fact is a variant of one of the bundled facts (read from the repository's
facts/*.toml with tomllib): the same topic, entity, metric, unit, status, bound and
period form (period or as_of, year / month / day / span), so every combination is one
the vocabulary allows (the unit's base is one of the metric's bases, a flow has a
period, a level or cumulative an as_of, a change's basis fits its period). What varies:
the id (unique, `gen-NNNNNN-…`), the value (scaled, integers stay integers), the dates
(years shifted, months and days re-drawn), and the labels (numbered). Relations and
disagrees_with, which name other facts, are left out; a short note is kept on one fact
in ten.

Every fact cites one source defined here (`gen-synthetic`, in the first file), whose
text `texts/gen.txt` holds every quote used, so `corridor check --facts-dir OUTDIR`
can verify the quotes too. The bundled vocabulary (units, topics, metrics, entities)
is not repeated: `--facts-dir` adds to the bundled base, which is always loaded.

Deterministic: the same N, --files and --seed write byte-identical files. Each file
is written atomically (temporary name, then rename).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import sys
from pathlib import Path

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib  # type: ignore[no-redef]

REPO = Path(__file__).resolve().parents[1]
SOURCE_ID = "gen-synthetic"
TEXT_FILE = "gen.txt"
_DATE_RE = re.compile(r"(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?")
# Every fact key the generator copies from its template, in the order written.
_KEYS = ("id", "topic", "entity", "metric", "value", "value_max", "unit", "bound", "status",
         "period", "as_of", "change", "label_zh", "label_en", "source", "quote", "note")


def templates(facts_dir: Path) -> list[dict]:
    """Every [[fact]] of the bundled files, sorted by id (a stable order)."""
    found = []
    for path in sorted(facts_dir.rglob("*.toml")):
        with path.open("rb") as fh:
            found.extend(tomllib.load(fh).get("fact", []))
    if not found:
        sys.exit(f"gen_facts: no [[fact]] found under {facts_dir}")
    return sorted(found, key=lambda f: f["id"])


def shift_dates(text: str, years: int, rng: random.Random) -> str:
    """text (a period or as_of) with every date's year moved by `years`. A single month or
    day is re-drawn (same precision); in a span only the years move, so its length and
    shape (within a year, more than a year) stay those of the template."""
    span = ".." in text

    def one(m: re.Match[str]) -> str:
        year = int(m.group(1)) + years
        month, day = m.group(2), m.group(3)
        if month is None:
            return f"{year:04d}"
        if not span:
            month = f"{rng.randint(1, 12):02d}"
        if day is None:
            return f"{year:04d}-{month}"
        day = f"{rng.randint(1, 28):02d}" if not span else f"{min(int(day), 28):02d}"
        return f"{year:04d}-{month}-{day}"

    return _DATE_RE.sub(one, text)


def scaled(value: int | float, factor: float) -> int | float:
    """value times factor, printed like the template: an integer stays a whole number (at
    least 1), a decimal keeps its number of decimals."""
    if isinstance(value, int):
        return max(1, round(value * factor))
    decimals = len(repr(value).partition(".")[2]) if "e" not in repr(value) else 3
    out = round(value * factor, max(decimals, 1))
    return out if out > 0 else value


def toml_value(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)  # a TOML basic string
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{k} = {toml_value(v)}" for k, v in value.items()) + " }"
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    raise TypeError(f"cannot write {value!r}")


def make_fact(n: int, tpl: dict, rng: random.Random) -> dict:
    years = rng.randint(-8, 6)  # template years 2015..2027 → roughly 2007..2033
    factor = rng.uniform(0.5, 1.6)
    fact = {
        "id": f"gen-{n:06d}-{tpl['id']}"[:90].rstrip("-_."),
        "topic": tpl["topic"], "entity": tpl["entity"], "metric": tpl["metric"],
        "value": scaled(tpl["value"], factor), "unit": tpl["unit"],
        "status": tpl["status"],
        "label_zh": f"{tpl['label_zh']}（合成 {n}）",
        "label_en": f"{tpl['label_en']} (synthetic {n})",
        "source": SOURCE_ID, "quote": tpl["quote"],
    }
    if "value_max" in tpl:
        fact["value_max"] = scaled(tpl["value_max"], factor)
        if not fact["value_max"] > fact["value"]:
            del fact["value_max"]
    if "bound" in tpl:
        fact["bound"] = tpl["bound"]
    for key in ("period", "as_of"):
        if key in tpl:
            fact[key] = shift_dates(tpl[key], years, rng)
    if "change" in tpl:
        change = dict(tpl["change"])
        change["value"] = scaled(change["value"], rng.uniform(0.5, 1.6))
        fact["change"] = change
    if n % 10 == 0:
        fact["note"] = f"Synthetic fact {n} for benchmarks, varied from {tpl['id']}."
    return {key: fact[key] for key in _KEYS if key in fact}


def write_atomic(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def fact_block(fact: dict) -> str:
    return "[[fact]]\n" + "".join(f"{k} = {toml_value(v)}\n" for k, v in fact.items()) + "\n"


def generate(count: int, outdir: Path, files: int = 100, seed: int = 20230611,
             facts_dir: Path = REPO / "facts") -> list[Path]:
    """Write count facts into `files` files under outdir (created); returns the paths."""
    rng = random.Random(seed)
    tpls = templates(facts_dir)
    files = max(1, min(files, count)) if count else 1
    outdir.mkdir(parents=True, exist_ok=True)
    (outdir / "texts").mkdir(exist_ok=True)
    quotes = sorted({t["quote"] for t in tpls})
    write_atomic(outdir / "texts" / TEXT_FILE,
                 "# Synthetic source for corridor benchmarks\n\n" + "\n".join(quotes) + "\n")
    source = {
        "id": SOURCE_ID, "title_zh": "基准测试合成事实", "title_en": "Synthetic facts for benchmarks",
        "publication_zh": "", "publication_en": "", "authors": [], "date": "2024",
        "file": TEXT_FILE,
        "note": "Written by benchmarks/gen_facts.py: variants of the bundled facts, not real figures.",
    }
    paths = []
    per_file, extra = divmod(count, files)
    n = 0
    for i in range(files):
        k = per_file + (1 if i < extra else 0)
        parts = [f"# Synthetic facts {n + 1}..{n + k} written by benchmarks/gen_facts.py "
                 f"(seed {seed}); not real figures.\n\n"]
        if i == 0:
            parts.append("[[source]]\n" + "".join(f"{k2} = {toml_value(v)}\n"
                                                  for k2, v in source.items()) + "\n")
        for _ in range(k):
            n += 1
            parts.append(fact_block(make_fact(n, tpls[rng.randrange(len(tpls))], rng)))
        path = outdir / f"gen-{i:03d}.toml"
        write_atomic(path, "".join(parts))
        paths.append(path)
    return paths


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("count", type=int, help="number of facts to write")
    parser.add_argument("outdir", type=Path, help="directory to write into (created)")
    parser.add_argument("--files", type=int, default=100, help="number of .toml files (default 100)")
    parser.add_argument("--seed", type=int, default=20230611)
    parser.add_argument("--templates", type=Path, default=REPO / "facts",
                        help="fact directory whose [[fact]] tables are the templates "
                             "(default: the repository's facts/)")
    args = parser.parse_args(argv)
    paths = generate(args.count, args.outdir, args.files, args.seed, args.templates)
    size = sum(p.stat().st_size for p in paths)
    print(f"wrote {args.count} facts in {len(paths)} files ({size / 1e6:.1f} MB) to {args.outdir}",
          file=sys.stderr)


if __name__ == "__main__":
    main()
