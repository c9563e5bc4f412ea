"""Toy runs in fresh processes with pinned CPU kernels, so a seed gives the same figures on any x86-64 CPU.

The same seed, thread count and ``torch.use_deterministic_algorithms`` still give different
figures on different CPUs, because MKL and ATen pick their vector code path by CPU (AVX-512 on one
machine, AVX2 on another: other summation orders, other rounding; seen on this project's machines,
issue 15). Both choices are read from the environment when torch loads, so each run here goes to
a freshly spawned process whose environment pins them (``PINNED_ENV``): MKL's conditional
numerical reproducibility branch ``MKL_CBWR=AVX2`` and ``ATEN_CPU_CAPABILITY=avx2``, one thread.
Every x86-64 CPU with AVX2 (Intel since 2013, every AMD Zen) then runs the same instructions in
the same order. CPUs without AVX2 and non-x86 CPUs (ARM: no MKL) can still differ; variables the
user has set already are kept (``MKL_CBWR=COMPATIBLE ATEN_CPU_CAPABILITY=default`` is the slower
setting for those)::

    rows = run_toys([{"loss": "wgan-gp"}, {"loss": "hinge", "unrolled": 5}], workers=2)
"""

from __future__ import annotations

import concurrent.futures as cf
import multiprocessing
import os
from contextlib import contextmanager
from typing import Any, Iterator

PINNED_ENV = {"MKL_CBWR": "AVX2", "ATEN_CPU_CAPABILITY": "avx2", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}


@contextmanager
def pinned_environment() -> Iterator[dict[str, str]]:
    """``os.environ`` with ``PINNED_ENV`` filled in (the user's own values win) while processes are spawned."""
    added = {k: v for k, v in PINNED_ENV.items() if k not in os.environ}
    os.environ.update(added)
    try:
        yield {k: os.environ[k] for k in PINNED_ENV}
    finally:
        for k in added:
            os.environ.pop(k, None)


def _one(job: dict[str, Any]) -> dict[str, Any]:
    from .toy import run_toy

    out = run_toy(**job)
    out["cpu_env"] = {k: os.environ.get(k, "") for k in PINNED_ENV}
    return out


def run_toys(jobs: list[dict[str, Any]], workers: int = 1) -> list[dict[str, Any]]:
    """``run_toy(**job)`` for every job, each in a fresh spawned process with the pinned environment, in job order."""
    ctx = multiprocessing.get_context("spawn")
    with pinned_environment():
        with cf.ProcessPoolExecutor(max_workers=max(1, workers), mp_context=ctx, max_tasks_per_child=1) as pool:
            return list(pool.map(_one, jobs))
