"""corridor: facts and events of the New Western Land-Sea Corridor, as seen from Chongqing."""

__version__ = "0.1.0"

# The collector's first threshold during a run: a count of new objects that the imports
# and a query over the bundled facts stay under (Python's default is 700).
GC_YOUNG = 100_000


def main() -> None:
    """The console entry point (`corridor`, `python -m corridor_cli`): the command line of
    corridor_cli.cli, with the garbage collector set for a short-lived process, and a
    quick way out.

    Start-up (typer, click, rich, corridor's own modules, the fact base) makes some 20,000
    to 35,000 objects that live as long as the process; at Python's default threshold the
    cyclic collector walks them 30 to 50 times over before the answer is out, 6 to 10 ms
    a run on this project's machine, and finds no garbage. A larger first threshold lets
    a run over the bundled facts end without a collection, while a large load still
    collects every GC_YOUNG new objects (a bounded delay for any cycle). It is set here,
    before the first import of the command line, and put back on the way out.
    """
    import gc

    threshold = gc.get_threshold()
    gc.set_threshold(max(GC_YOUNG, threshold[0]), *threshold[1:])
    try:
        from corridor_cli.cli import main as run

        run()
        status: object = 0
    except SystemExit as exc:
        status = exc.code
    finally:
        # On its way out the interpreter runs the cyclic garbage collector over every
        # object still alive (typer's, click's, the fact base's): some 15 ms on this
        # project's machine, a sixth of a run. Frozen, they are left to the operating
        # system. Nothing is lost: output is written and flushed and files are closed by
        # now, and atexit handlers and weakref finalizers still run.
        gc.freeze()
        gc.set_threshold(*threshold)
    leave(status)


def leave(status: object) -> None:
    """End the process with status as sys.exit(status) would, without the interpreter's
    teardown: after the atexit handlers (weakref finalizers among them) and a flush of
    standard output and error, the process exits (os._exit) instead of deleting every
    module and object one by one, 4 to 9 ms a run here, for memory the system takes back
    anyway. corridor closes every file it opens and starts no thread, so nothing waits
    for that teardown.

    Anything out of the ordinary is left to the interpreter, as before: a status that is
    not a number (sys.exit prints it) and a flush that fails (a reader that left: Python
    reports it and exits 120)."""
    import sys

    if status is None:
        status = 0
    if not isinstance(status, int) or not -2**31 <= status < 2**31:
        raise SystemExit(status)
    import atexit

    atexit._run_exitfuncs()  # clears them: the interpreter would not run them twice
    try:
        for stream in (sys.stdout, sys.stderr):
            if stream is not None:
                stream.flush()
    except (OSError, ValueError):
        raise SystemExit(status) from None
    _exit(status)


def _exit(status: int) -> None:
    import os

    os._exit(status)  # the system keeps its low 8 bits, as for sys.exit
