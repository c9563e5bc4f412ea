"""runtime/files.py: the prefetching that overlaps decoding with the model run."""

from __future__ import annotations

import threading

import pytest

from translate.runtime.files import prefetch


def test_prefetch_keeps_order_and_runs_ahead_on_another_thread():
    threads = []

    def items():
        for i in range(20):
            threads.append(threading.get_ident())
            yield i

    assert list(prefetch(items(), depth=2)) == list(range(20))
    assert set(threads) == {threads[0]} and threads[0] != threading.get_ident()


def test_prefetch_raises_the_producers_error_at_its_place():
    def items():
        yield 1
        raise ValueError("bad file")

    got = []
    with pytest.raises(ValueError, match="bad file"):
        for x in prefetch(items()):
            got.append(x)
    assert got == [1]


def test_prefetch_stops_its_producer_when_the_consumer_leaves_early():
    made = []

    def items():
        for i in range(1000):
            made.append(i)
            yield i

    for x in prefetch(items(), depth=1):
        if x == 3:
            break
    assert len(made) < 10
