#!/usr/bin/env python3
"""corridor's benchmark suite: whole-process wall times, as ratios to a floor measured in the same run.

    python benchmarks/run.py                    # full: 15 rounds, then 10,000 and 100,000 facts
    python benchmarks/run.py --quick            # smoke test: few rounds, 10,000 facts only
    python benchmarks/run.py --write            # also put the results in benchmarks/README.md
    python benchmarks/run.py --runs 21 --scale-runs 7 --scale 10000,100000

Every figure is a median over whole-process runs (a new process each time, stdout to
/dev/null), and a ratio to the median of the floor: a minimal Typer app (one command, two
options, no work) run by the same interpreter in the same virtual environment. Runs of the
things compared are interleaved round by round (in a shuffled order per round), so that
drift of the machine hits all of them alike. Peak memory is each child's own maximum
resident set size (os.wait4), so no wrapper process is timed.

corridor is run as the installed console script (`corridor`, what users run), found next
to this interpreter; the peer is `sqlite-utils` on `corridor export`'s SQLite file.
corridor's cache lives in $XDG_CACHE_HOME/corridor: every measurement here uses a cache
directory of its own under a temporary directory, never the user's.

Only the CLI and this directory's gen_facts.py are used, never corridor's internals.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))
import gen_facts  # noqa: E402  (this directory's generator)

from corridor_cli import GC_YOUNG  # noqa: E402  (the threshold corridor's entry sets)

BIN = Path(sys.executable).parent
MARK_START, MARK_END = "<!-- results:start -->", "<!-- results:end -->"
QUERY = ["facts", "trains", "--year", "2023", "--format", "csv"]
SQL = "select * from facts where topic = 'trains'"

FLOOR_APP = '''\
import typer

app = typer.Typer()


@app.command()
def main(a: int = typer.Option(0, "--a"), b: int = typer.Option(0, "--b")) -> None:
    """One command, two options, no work."""


if __name__ == "__main__":
    app()
'''

# The floor run as corridor's console entry (corridor_cli.main) runs: the collector's first
# threshold raised before typer is imported, the heap frozen on the way out, and the way out
# itself (atexit handlers, a flush, then os._exit, without the interpreter's teardown). Shown
# beside the floor, to show what those settings alone are worth; the ratios stay to the
# plain floor, the minimal Typer app of the issue.
FLOOR_TUNED_APP = (f"import atexit, gc, os, sys\n\ngc.set_threshold({GC_YOUNG}, *gc.get_threshold()[1:])\n"
                   "status = 0\ntry:\n"
                   + textwrap.indent(FLOOR_APP, "    ")
                   + "except SystemExit as exc:\n    status = exc.code or 0\n"
                   "finally:\n    gc.freeze()\n"
                   "atexit._run_exitfuncs()\nsys.stdout.flush()\nsys.stderr.flush()\nos._exit(status)\n")

TOMLLIB_ONE = '''\
import sys, tomllib
from pathlib import Path
for d in sys.argv[1:]:
    for p in sorted(Path(d).rglob("*.toml")):
        with open(p, "rb") as fh:
            tomllib.load(fh)
'''

# the parser corridor uses (tomli's compiled wheels; see pyproject.toml), for the record: the
# target is against tomllib, and this row shows how much of cold is parsing and how much is not
TOMLI_ONE = TOMLLIB_ONE.replace("tomllib", "tomli")

TOMLLIB_TWO = '''\
import sys, tomllib
from multiprocessing import Pool
from pathlib import Path

def parse(p):
    with open(p, "rb") as fh:
        return tomllib.load(fh)

if __name__ == "__main__":
    paths = sorted(p for d in sys.argv[1:] for p in Path(d).rglob("*.toml"))
    with Pool(2) as pool:
        docs = pool.map(parse, paths, chunksize=1)   # the parsed tables come back to this process
'''


# ---------------------------------------------------------------- running one process

@dataclass
class Sample:
    wall: float      # seconds
    rss_kib: int     # the child's peak resident set size


def run_once(argv: list[str], env: dict[str, str], cwd: Path | None = None) -> Sample:
    """Run argv to completion, stdout to /dev/null; its wall time and own peak RSS.
    A failing command stops the benchmark with its stderr."""
    start = time.perf_counter()
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env, cwd=cwd)
    # wait4 reaps the child and gives its own rusage; stderr is small for every command run
    # here (read after the exit, a child writing more than a pipe holds would block).
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    err = proc.stderr.read().decode("utf-8", "replace") if proc.stderr else ""
    if proc.stderr:
        proc.stderr.close()
    if proc.returncode != 0:
        sys.exit(f"run.py: {' '.join(argv)} exited {proc.returncode}:\n{err[-2000:]}")
    return Sample(wall, usage.ru_maxrss)


@dataclass
class Series:
    name: str
    samples: list[Sample] = field(default_factory=list)

    @property
    def median(self) -> float:
        return statistics.median(s.wall for s in self.samples)

    @property
    def best(self) -> float:
        return min(s.wall for s in self.samples)

    @property
    def peak_mib(self) -> float:
        return max(s.rss_kib for s in self.samples) / 1024


def paired(a: Series, b: Series) -> float:
    """Median over rounds of a's time / b's time in the same round."""
    return statistics.median(x.wall / y.wall for x, y in zip(a.samples, b.samples))


def rounds(items: dict[str, tuple[list[str], dict[str, str]]], runs: int, rng: random.Random,
           warmup: int = 1, label: str = "") -> dict[str, Series]:
    """Each command warmed up, then run `runs` times, round-robin in a shuffled order per round."""
    out = {name: Series(name) for name in items}
    for name, (argv, env) in items.items():
        for _ in range(warmup):
            run_once(argv, env)
    order = list(items)
    for r in range(runs):
        rng.shuffle(order)
        for name in order:
            argv, env = items[name]
            out[name].samples.append(run_once(argv, env))
        progress(f"{label}round {r + 1}/{runs}")
    return out


def progress(text: str) -> None:
    print(f"  … {text}", file=sys.stderr, flush=True)


# ---------------------------------------------------------------- environment

def base_env(cache_home: Path) -> dict[str, str]:
    env = dict(os.environ)
    for key in ("CORRIDOR_FACTS_PATH", "PAGER", "CORRIDOR_LANG"):
        env.pop(key, None)
    env.update(XDG_CACHE_HOME=str(cache_home), COLUMNS="120", LC_ALL="C.UTF-8", LANG="C.UTF-8")
    return env


def tool(name: str) -> str | None:
    path = BIN / name
    if path.exists():
        return str(path)
    return shutil.which(name)


def machine() -> dict[str, str]:
    cpu = platform.processor() or "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = ""
    try:
        kib = int(re.search(r"MemTotal:\s+(\d+)", Path("/proc/meminfo").read_text()).group(1))
        mem = f", {kib / 1024 / 1024:.1f} GiB RAM"
    except (OSError, AttributeError):
        pass

    def version(dist: str) -> str:
        try:
            return metadata.version(dist)
        except metadata.PackageNotFoundError:
            return "absent"

    osname = platform.platform()
    try:
        rel = dict(line.split("=", 1) for line in Path("/etc/os-release").read_text().splitlines()
                   if "=" in line)
        osname = f"{rel.get('PRETTY_NAME', '').strip(chr(34))}, Linux {platform.release()}"
    except OSError:
        pass
    return {
        "cpu": f"{cpu}, {os.cpu_count()} cores{mem}",
        "os": osname,
        "python": platform.python_version(),
        "versions": f"typer {version('typer')}, click {version('click')}, rich {version('rich')}, "
                    f"corridor-cli {version('corridor-cli')}, sqlite-utils {version('sqlite-utils')}",
    }


def compile_package() -> str:
    """Byte-compile the corridor_cli package in place, as `pip install .` does when it
    installs the wheel. An editable install (`pip install -e .`) leaves compiling to
    the first import, and under PYTHONDONTWRITEBYTECODE=1 (set on some machines) that
    never sticks: every run would compile every module again (about 45 ms here),
    which is not what a user's installed corridor does. Returns what was done."""
    import compileall
    import importlib.util
    spec = importlib.util.find_spec("corridor_cli")
    roots = list(spec.submodule_search_locations or []) if spec else []
    ok = all(compileall.compile_dir(root, quiet=1) for root in roots)
    return f"byte-compiled {', '.join(roots)}" if ok else "byte-compiling failed"


def code_state() -> str:
    """A fingerprint of what is measured: the versions of the packages involved and the
    size and mtime of every file of the installed corridor_cli package (found without
    importing it), so that a change during the run (others at work in the same checkout
    or environment) is reported instead of silently mixed into the figures."""
    import hashlib
    import importlib.util
    parts = []
    for dist in ("typer", "click", "rich", "corridor-cli", "sqlite-utils"):
        try:
            parts.append(f"{dist}={metadata.version(dist)}")
        except metadata.PackageNotFoundError:
            parts.append(f"{dist}=absent")
    spec = importlib.util.find_spec("corridor_cli")
    roots = list(spec.submodule_search_locations or []) if spec else []
    for root in roots:
        for path in sorted(Path(root).rglob("*.py")):
            st = path.stat()
            parts.append(f"{path}:{st.st_size}:{st.st_mtime_ns}")
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:12] + " " + " ".join(parts[:5])


# ---------------------------------------------------------------- the suites

@dataclass
class Row:
    name: str
    series: Series
    ratio: float | None          # to the floor
    note: str = ""


def ms(seconds: float) -> str:
    return f"{seconds * 1000:,.0f}" if seconds >= 0.1 else f"{seconds * 1000:.1f}"


def commands_suite(runs: int, rng: random.Random, tmp: Path, corridor: str,
                   sqlite_utils: str | None) -> tuple[list[Row], list[tuple], Series]:
    floor_py = tmp / "floor.py"
    floor_py.write_text(FLOOR_APP)
    tuned_py = tmp / "floor_tuned.py"
    tuned_py.write_text(FLOOR_TUNED_APP)
    cache = tmp / "cache-commands"
    env = base_env(cache)
    py = sys.executable
    items: dict[str, tuple[list[str], dict[str, str]]] = {
        "floor: minimal Typer app (`python floor.py --a 1 --b 2`)": ([py, str(floor_py), "--a", "1", "--b", "2"], env),
        "`python -c pass` (interpreter alone)": ([py, "-c", "pass"], env),
        "`corridor --help`": ([corridor, "--help"], env),
        "`corridor facts trains --year 2023 --format csv`": ([corridor, *QUERY], env),
        "`corridor facts trains --year 2023 --format table`": ([corridor, *QUERY[:-1], "table"], env),
        "`corridor timeline --format csv`": ([corridor, "timeline", "--format", "csv"], env),
        "`corridor search 班列`": ([corridor, "search", "班列"], env),
        "`corridor report --format md`": ([corridor, "report", "--format", "md"], env),
        "`python -m corridor_cli facts trains --year 2023 --format csv`": ([py, "-m", "corridor_cli", *QUERY], env),
        f"the floor with corridor's gc and exit settings (threshold {GC_YOUNG:,} from the start, `gc.freeze()` and `os._exit` at exit)": ([py, str(tuned_py), "--a", "1", "--b", "2"], env),
    }
    peer = None
    if sqlite_utils:
        db = tmp / "bundled.db"
        run_once([corridor, "export", "-o", str(db)], env)
        peer = f"peer: `sqlite-utils corridor.db \"{SQL}\" --csv`"
        items[peer] = ([sqlite_utils, str(db), SQL, "--csv"], env)
    progress(f"commands: {len(items)} commands × {runs} rounds")
    res = rounds(items, runs, rng, warmup=2, label="commands ")
    names = list(items)
    floor = res[names[0]]
    rows = [Row(n, res[n], res[n].median / floor.median) for n in names]
    csv, table = res[names[3]], res[names[4]]
    targets = [
        ("`facts … --format csv` ≤ 1.2 × floor", csv.median / floor.median, "≤ 1.2",
         csv.median / floor.median <= 1.2),
        ("`facts … --format table` ≤ 1.5 × floor", table.median / floor.median, "≤ 1.5",
         table.median / floor.median <= 1.5),
    ]
    if peer:
        p = paired(csv, res[peer])
        targets.append(("`facts … --format csv` no slower than sqlite-utils (paired)", p, "≤ 1.0", p <= 1.0))
    else:
        targets.append(("`facts … --format csv` no slower than sqlite-utils (paired)", None,
                        "≤ 1.0", None))
    return rows, targets, floor


def edit_one_file(path: Path, counter: int) -> None:
    """Change the value of the first fact in path (a new value each time) and rewrite the
    file in place: same path, new contents, new mtime."""
    text = path.read_text(encoding="utf-8")
    new, n = re.subn(r"(?m)^value = .*$", f"value = {1000000 + counter}", text, count=1)
    if n != 1:
        sys.exit(f"run.py: no 'value = ' line to edit in {path}")
    with path.open("w", encoding="utf-8") as fh:
        fh.write(new)


@dataclass
class Scale:
    n: int
    size_mb: float
    files: int
    cold: Series
    edit: Series
    warm: Series
    tomllib1: Series
    tomllib2: Series
    tomli1: Series
    peer: Series | None
    rows_out: int
    bundled: Series  # the same query on the bundled base alone, warm, in the same rounds


def scale_suite(n: int, runs: int, rng: random.Random, tmp: Path, corridor: str,
                sqlite_utils: str | None, files: int) -> Scale:
    facts = tmp / f"facts-{n}"
    progress(f"{n:,} facts: generating into {facts}")
    paths = gen_facts.generate(n, facts, files=files)
    size = sum(p.stat().st_size for p in paths) / 1e6
    py = sys.executable
    query = [corridor, *QUERY, "--facts-dir", str(facts)]
    cache = tmp / f"cache-{n}"
    env = base_env(cache)
    # how many rows the query returns (also checks that the generated files load: exit 0)
    out = subprocess.run(query, env=env, capture_output=True, check=True)
    rows_out = out.stdout.count(b"\n") - 1
    one, two, three = tmp / "tomllib_one.py", tmp / "tomllib_two.py", tmp / "tomli_one.py"
    one.write_text(TOMLLIB_ONE)
    two.write_text(TOMLLIB_TWO)
    three.write_text(TOMLI_ONE)
    # the same files corridor reads: the generated ones and the bundled base
    dirs = [str(facts), str(REPO / "facts")]
    peer_argv = None
    if sqlite_utils:
        db = tmp / f"facts-{n}.db"
        progress(f"{n:,} facts: corridor export -o {db.name}")
        run_once([corridor, "export", "--facts-dir", str(facts), "-o", str(db)], base_env(tmp / f"cache-{n}-export"))
        peer_argv = [sqlite_utils, str(db), SQL, "--csv"]
    edited = paths[len(paths) // 2]
    s = {k: Series(k) for k in ("cold", "edit", "warm", "tomllib1", "tomllib2", "tomli1", "peer",
                                      "bundled")}
    # the fixed cost growth is measured net of: the query on the bundled base alone, with a
    # warm cache of its own (the scale's cache is emptied every round)
    bundled_argv, bundled_env = [corridor, *QUERY], base_env(tmp / f"cache-{n}-bundled")
    run_once(bundled_argv, bundled_env)
    # warm-up of the interpreter and page cache (not timed)
    run_once([py, str(one), *dirs], env)
    for r in range(runs):
        # one round: the cache-using sequence cold → warm → edit, and the references, shuffled
        def corridor_sequence() -> None:
            shutil.rmtree(cache, ignore_errors=True)
            s["cold"].samples.append(run_once(query, env))
            s["warm"].samples.append(run_once(query, env))
            edit_one_file(edited, r + 1)
            s["edit"].samples.append(run_once(query, env))

        steps = [corridor_sequence,
                 lambda: s["tomllib1"].samples.append(run_once([py, str(one), *dirs], env)),
                 lambda: s["tomllib2"].samples.append(run_once([py, str(two), *dirs], env)),
                 lambda: s["tomli1"].samples.append(run_once([py, str(three), *dirs], env)),
                 lambda: s["bundled"].samples.append(run_once(bundled_argv, bundled_env))]
        if peer_argv:
            steps.append(lambda: s["peer"].samples.append(run_once(peer_argv, env)))
        rng.shuffle(steps)
        for step in steps:
            step()
        progress(f"{n:,} facts: round {r + 1}/{runs} (cold {s['cold'].samples[-1].wall:.2f} s, "
                 f"warm {s['warm'].samples[-1].wall:.2f} s, edit {s['edit'].samples[-1].wall:.2f} s)")
    shutil.rmtree(facts, ignore_errors=True)
    return Scale(n, size, len(paths), s["cold"], s["edit"], s["warm"], s["tomllib1"], s["tomllib2"],
                 s["tomli1"], s["peer"] if peer_argv else None, rows_out, s["bundled"])


# ---------------------------------------------------------------- report

def verdict(ok: bool | None) -> str:
    return "n/a" if ok is None else ("**met**" if ok else "**not met**")


def report(args, info, rows, cmd_targets, floor, scales: list[Scale], started: float) -> str:
    out = []
    out.append(f"Run on {time.strftime('%Y-%m-%d')} with `python benchmarks/run.py"
               f"{' ' + ' '.join(args.argv) if args.argv else ''}` "
               f"({args.runs} rounds for commands, {args.scale_runs} per scale; "
               f"{(time.perf_counter() - started) / 60:.1f} min in all).\n")
    out.append(f"- Machine: {info['cpu']}")
    out.append(f"- OS: {info['os']}")
    out.append(f"- Python {info['python']}; {info['versions']}")
    out.append(f"- Package: {info['compiled']} before measuring (what `pip install .` does)")
    if args.state_before != args.state_after:
        out.append(f"- **Warning: the code or packages measured changed during the run** "
                   f"(before: {args.state_before}; after: {args.state_after}); run again.")
    out.append("")
    out.append("### Commands (bundled fact base)\n")
    out.append(f"Floor median: **{ms(floor.median)} ms**. Ratio = median / floor median.\n")
    out.append("| command | median ms | min ms | × floor | peak MiB |")
    out.append("| --- | ---: | ---: | ---: | ---: |")
    for row in rows:
        out.append(f"| {row.name} | {ms(row.series.median)} | {ms(row.series.best)} | "
                   f"{row.ratio:.2f} | {row.series.peak_mib:.0f} |")
    out.append("")
    targets = list(cmd_targets)
    if scales:
        out.append("### At scale: `corridor facts trains --year 2023 --format csv --facts-dir DIR`\n")
        out.append("Cold: first run after the cache directory is emptied. Warm: the next run, nothing "
                   "changed. After one edit: one fact's value changed in one file, then one run. "
                   "tomllib: a process that only parses the same files (generated and bundled) "
                   "with tomllib; 2 procs: the same with a pool of 2 processes, the parsed tables "
                   "sent back to the parent. tomli: the same as tomllib alone with tomli, the "
                   "parser corridor uses (its compiled wheels; see pyproject.toml).\n")
        head = "| measurement | " + " | ".join(f"{s.n:,} facts" for s in scales) + " |"
        out.append(head)
        out.append("| --- |" + " ---: |" * len(scales))

        def line(label, cells):
            out.append(f"| {label} | " + " | ".join(cells) + " |")

        line("fact files (size)", [f"{s.files} files, {s.size_mb:.0f} MB" for s in scales])
        line("rows the query returns", [f"{s.rows_out:,}" for s in scales])
        for key, label in (("tomllib1", "tomllib alone, 1 process"), ("tomllib2", "tomllib, 2 processes"),
                           ("tomli1", "tomli alone, 1 process"),
                           ("cold", "corridor cold"), ("edit", "corridor after one edit"),
                           ("warm", "corridor warm"),
                           ("bundled", "the query on the bundled base alone, warm")):
            line(f"{label}: median (min) ms",
                 [f"{ms(getattr(s, key).median)} ({ms(getattr(s, key).best)})" for s in scales])
        if any(s.peer for s in scales):
            line("sqlite-utils on the export: median (min) ms",
                 [f"{ms(s.peer.median)} ({ms(s.peer.best)})" if s.peer else "–" for s in scales])
        line("× floor: cold / edit / warm",
             [f"{s.cold.median / floor.median:.1f} / {s.edit.median / floor.median:.1f} / "
              f"{s.warm.median / floor.median:.1f}" for s in scales])
        line("cold / tomllib alone (1 process)", [f"{s.cold.median / s.tomllib1.median:.2f}" for s in scales])
        line("cold / tomllib (2 processes)", [f"{s.cold.median / s.tomllib2.median:.2f}" for s in scales])
        line("cold / tomli alone (1 process)", [f"{s.cold.median / s.tomli1.median:.2f}" for s in scales])
        line("after one edit / cold", [f"{s.edit.median / s.cold.median:.2f}" for s in scales])
        line("warm / cold", [f"{s.warm.median / s.cold.median:.2f}" for s in scales])
        if any(s.peer for s in scales):
            line("warm / sqlite-utils (paired)", [f"{paired(s.warm, s.peer):.2f}" if s.peer else "–"
                                                  for s in scales])
        line("peak RSS MiB: cold / edit / warm",
             [f"{s.cold.peak_mib:.0f} / {s.edit.peak_mib:.0f} / {s.warm.peak_mib:.0f}" for s in scales])
        out.append("")
        big = max(scales, key=lambda s: s.n)
        tag = f"{big.n:,} facts"
        r = big.cold.median / big.tomllib1.median
        targets.append((f"{tag}: cold ≤ 1.15 × tomllib alone", r, "≤ 1.15", r <= 1.15))
        r = big.edit.median / big.cold.median
        targets.append((f"{tag}: after one edit ≤ 0.25 × cold", r, "≤ 0.25", r <= 0.25))
        r = big.warm.median / big.cold.median
        targets.append((f"{tag}: warm ≤ 0.15 × cold", r, "≤ 0.15", r <= 0.15))
        if big.peer:
            r = paired(big.warm, big.peer)
            targets.append((f"{tag}: warm no slower than sqlite-utils (paired)", r, "≤ 1.0", r <= 1.0))
        peak = max(big.cold.peak_mib, big.edit.peak_mib, big.warm.peak_mib)
        targets.append((f"{tag}: peak memory ≤ 300 MiB", peak, "≤ 300 MiB", peak <= 300))
        small = min(scales, key=lambda s: s.n)
        if small.n != big.n:
            k = big.n / small.n
            # net of the same query on the bundled base alone, measured in each scale's rounds
            base_big, base_small = big.bundled.median, small.bundled.median
            for key in ("cold", "warm"):
                a, b = getattr(big, key).median, getattr(small, key).median
                g = a / b
                net = (a - base_big) / (b - base_small) if b > base_small else float("nan")
                out.append(f"- Growth {small.n:,} → {big.n:,} facts ({k:g}× the facts), {key}: "
                           f"{g:.1f}× the time; {net:.1f}× net of the same query on the bundled "
                           f"base alone, run in the same rounds ({ms(base_small)} ms at "
                           f"{small.n:,}, {ms(base_big)} ms at {big.n:,}).")
                targets.append((f"growth {small.n:,} → {big.n:,}, {key}: at most linear (net ratio ≤ {k:g})",
                                net, f"≤ {k:g}", net <= k * 1.0))
            out.append("")
    out.append("### Targets\n")
    out.append("| target | measured | limit | verdict |")
    out.append("| --- | ---: | ---: | --- |")
    for name, value, limit, ok in targets:
        shown = "–" if value is None else (f"{value:.0f} MiB" if "MiB" in limit else f"{value:.2f}")
        out.append(f"| {name} | {shown} | {limit} | {verdict(ok)} |")
    return "\n".join(out) + "\n"


def write_readme(text: str) -> None:
    readme = HERE / "README.md"
    old = readme.read_text(encoding="utf-8") if readme.exists() else f"{MARK_START}\n{MARK_END}\n"
    if MARK_START not in old or MARK_END not in old:
        old += f"\n## Results\n\n{MARK_START}\n{MARK_END}\n"
    head, _, rest = old.partition(MARK_START)
    _, _, tail = rest.partition(MARK_END)
    readme.write_text(f"{head}{MARK_START}\n{text}{MARK_END}{tail}", encoding="utf-8")
    print(f"run.py: results written to {readme}", file=sys.stderr)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=None, help="rounds for the commands (default 15; quick 5)")
    parser.add_argument("--scale", default=None,
                        help="comma-separated fact counts (default 10000,100000; quick 10000; 0 or '' for none)")
    parser.add_argument("--scale-runs", type=int, default=None, help="rounds at each scale (default 5; quick 3)")
    parser.add_argument("--files", type=int, default=100, help="fact files at scale (default 100)")
    parser.add_argument("--quick", action="store_true", help="a smoke test: 5 rounds, 10,000 facts, 3 rounds")
    parser.add_argument("--write", action="store_true", help="put the results in benchmarks/README.md")
    parser.add_argument("--seed", type=int, default=1, help="seed of the run order")
    argv = sys.argv[1:]
    args = parser.parse_args(argv)
    args.argv = argv
    args.runs = args.runs or (5 if args.quick else 15)
    args.scale_runs = args.scale_runs or (3 if args.quick else 5)
    scale_text = args.scale if args.scale is not None else ("10000" if args.quick else "10000,100000")
    sizes = [int(x.replace("_", "")) for x in scale_text.split(",") if x.strip() and int(x.replace("_", ""))]

    corridor = tool("corridor")
    if not corridor:
        sys.exit("run.py: no `corridor` script next to this interpreter; pip install -e . first")
    sqlite_utils = tool("sqlite-utils")
    if not sqlite_utils:
        print("run.py: sqlite-utils is not installed, so the peer is skipped "
              "(pip install sqlite-utils into this environment to compare)", file=sys.stderr)
    started = time.perf_counter()
    rng = random.Random(args.seed)
    info = machine()
    info["compiled"] = compile_package()
    args.state_before = code_state()
    with tempfile.TemporaryDirectory(prefix="corridor-bench-") as name:
        tmp = Path(name)
        rows, targets, floor = commands_suite(args.runs, rng, tmp, corridor, sqlite_utils)
        scales = [scale_suite(n, args.scale_runs, rng, tmp, corridor, sqlite_utils, args.files)
                  for n in sizes]
    args.state_after = code_state()
    if args.state_before != args.state_after:
        print("run.py: warning: the code or packages measured changed during the run", file=sys.stderr)
    text = report(args, info, rows, targets, floor, scales, started)
    print(text)
    if args.write:
        write_readme(text)


if __name__ == "__main__":
    main()
