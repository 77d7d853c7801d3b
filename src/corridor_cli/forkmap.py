"""Run a function over items on every core, with forked processes and pipes alone.

multiprocessing.Pool adds threads to the parent and may fork again while they run, and
a worker that dies leaves it waiting for ever. Here the parent stays single-threaded: it
forks its workers once, up front, each takes every n-th item and writes each result,
pickled and length-prefixed, to its own pipe, then leaves with os._exit. The parent reads
all pipes as results come (selectors), and computes itself whatever a worker did not
deliver (a worker that failed, was killed or could not be started): every item gets its
result, and an error in func is raised here as in a plain loop.

POSIX only (os.fork); the caller decides whether forking is worth it.
"""

from __future__ import annotations

import os
import pickle
import struct
import sys
from collections.abc import Callable, Iterator, Sequence
from typing import Any, TypeVar

T = TypeVar("T")

_LENGTH = struct.Struct("<Q")


def _child(func: Callable[[Any], Any], items: Sequence[Any], fd: int) -> None:
    status = 1
    try:
        with os.fdopen(fd, "wb", buffering=1 << 16) as out:
            for position, item in items:
                data = pickle.dumps((position, func(item)), protocol=pickle.HIGHEST_PROTOCOL)
                out.write(_LENGTH.pack(len(data)))
                out.write(data)
        status = 0
    except BaseException:  # the parent computes what is missing, and raises any error
        pass
    finally:
        os._exit(status)


def fork_map(func: Callable[[Any], T], items: Sequence[Any], workers: int) -> Iterator[tuple[Any, T]]:
    """(item, func(item)) for every item, in the order results arrive."""
    import selectors

    numbered = list(enumerate(items))
    done: set[int] = set()
    children: dict[int, tuple[int, bytearray]] = {}  # read end → (pid, what is unread)
    sys.stdout.flush()
    sys.stderr.flush()
    for k in range(min(workers, len(numbered))):
        try:
            read_end, write_end = os.pipe()
            pid = os.fork()
        except OSError:  # no more processes or descriptors: the rest is done here
            break
        if pid == 0:  # pragma: no cover - the child; measured through the parent
            os.close(read_end)
            for other in children:
                os.close(other)
            _child(func, numbered[k::workers], write_end)
        os.close(write_end)
        children[read_end] = (pid, bytearray())
    selector = selectors.DefaultSelector()
    try:
        for fd in children:
            selector.register(fd, selectors.EVENT_READ)
        open_fds = set(children)
        while open_fds:
            for key, _ in selector.select():
                fd = key.fd
                chunk = os.read(fd, 1 << 20)
                buffer = children[fd][1]
                if not chunk:
                    selector.unregister(fd)
                    open_fds.discard(fd)
                    continue
                buffer += chunk
                while len(buffer) >= _LENGTH.size:
                    (size,) = _LENGTH.unpack_from(buffer)
                    if len(buffer) < _LENGTH.size + size:
                        break
                    position, result = pickle.loads(buffer[_LENGTH.size:_LENGTH.size + size])
                    del buffer[:_LENGTH.size + size]
                    done.add(position)
                    yield items[position], result
    finally:
        selector.close()
        for fd, (pid, _) in children.items():
            os.close(fd)
            try:
                os.waitpid(pid, 0)
            except ChildProcessError:  # pragma: no cover - reaped elsewhere
                pass
    for position, item in numbered:  # what no worker delivered
        if position not in done:
            yield item, func(item)
