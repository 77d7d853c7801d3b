#!/usr/bin/env python3
"""Measure corridor's speed by hand: start-up, loading the fact base, and whole commands.

    python benchmarks/bench.py            # 20 runs each
    python benchmarks/bench.py --runs 50

Prints the median and best wall time of each measurement. Not run by the tests:
timings depend on the machine. Results are reported in README.md ("Speed").
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time


def timed(fn, runs: int) -> tuple[float, float]:
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples), min(samples)


def command(*args: str):
    cmd = [sys.executable, "-m", "corridor_cli", *args]
    return lambda: subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    runs = parser.parse_args().runs

    from corridor_cli.loader import fact_dirs, load
    from corridor_cli.query import FactQuery, select_facts

    base, _ = load(fact_dirs())
    rows = [
        ("python -c pass (interpreter floor)",
         lambda: subprocess.run([sys.executable, "-c", "pass"], check=True)),
        ("import corridor_cli.cli (no rich, no tabulate)",
         lambda: subprocess.run([sys.executable, "-c", "import corridor_cli.cli, sys; "
                                 "assert 'rich' not in sys.modules and 'tabulate' not in sys.modules"],
                                check=True)),
        ("load() the bundled fact base, in process", lambda: load(fact_dirs())),
        ("select_facts(year=2023), in process", lambda: select_facts(base, FactQuery(year=2023))),
        ("corridor --version", command("--version")),
        ("corridor facts --format csv", command("facts", "--format", "csv")),
        ("corridor facts --format table", command("facts", "--format", "table")),
        ("corridor timeline --format md", command("timeline", "--format", "md")),
        ("corridor check", command("check")),
    ]
    print(f"{'measurement':<50} {'median':>10} {'best':>10}   ({runs} runs, {len(base.facts)} facts, "
          f"{len(base.events)} events)")
    for name, fn in rows:
        median, best = timed(fn, runs)
        print(f"{name:<50} {median * 1000:>8.1f}ms {best * 1000:>8.1f}ms")


if __name__ == "__main__":
    main()
