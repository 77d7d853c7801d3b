"""forkmap.fork_map: every item gets func's result, whatever becomes of the workers."""

from __future__ import annotations

import os
import signal

import pytest

from corridor_cli.forkmap import fork_map

PARENT = os.getpid()


def square_and_where(n: int) -> tuple[int, int]:
    return n * n, os.getpid()


def dies_in_a_worker_on_odd(n: int) -> tuple[int, int]:
    if os.getpid() != PARENT and n % 2:
        os.kill(os.getpid(), signal.SIGKILL)  # killed mid-way: no result, no clean exit
    return n * n, os.getpid()


def fails_on_seven(n: int) -> int:
    if n == 7:
        raise ValueError("seven")
    return n


@pytest.mark.parametrize("workers", [1, 2, 3])
def test_every_item_once_with_its_result_from_the_workers(workers):
    got = list(fork_map(square_and_where, range(20), workers))
    assert sorted(item for item, _ in got) == list(range(20))
    assert all(result[0] == item * item for item, result in got)
    assert PARENT not in {pid for _, (_, pid) in got}
    assert len({pid for _, (_, pid) in got}) == workers


def test_what_a_killed_worker_did_not_deliver_is_done_here():
    got = dict(fork_map(dies_in_a_worker_on_odd, range(10), 2))
    assert {n: r[0] for n, r in got.items()} == {n: n * n for n in range(10)}
    assert all(pid == PARENT for n, (_, pid) in got.items() if n % 2)


def test_an_error_in_func_is_raised_here():
    with pytest.raises(ValueError, match="seven"):
        list(fork_map(fails_on_seven, range(10), 2))


def test_large_results_pass_whole():
    got = dict(fork_map(lambda n: bytes([n]) * (3 << 20), range(4), 2))
    assert all(got[n] == bytes([n]) * (3 << 20) for n in range(4))
