#!/usr/bin/env python3
"""Replaced by benchmarks/run.py; kept so that `python benchmarks/bench.py --runs 10` still works.

    python benchmarks/bench.py --runs 10     # = python benchmarks/run.py --runs 10 --scale ''

Runs run.py's command suite only (no generated fact bases), with the same arguments;
see benchmarks/README.md.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

if __name__ == "__main__":
    run = Path(__file__).resolve().with_name("run.py")
    args = sys.argv[1:]
    if not any(a == "--scale" or a.startswith("--scale=") for a in args):
        args += ["--scale", ""]
    print("bench.py: replaced by benchmarks/run.py; running "
          f"`python benchmarks/run.py {' '.join(args)}`", file=sys.stderr)
    os.execv(sys.executable, [sys.executable, str(run), *args])
