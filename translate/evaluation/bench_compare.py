"""``--baseline eager``: the optimised path and the plain eager baseline, interleaved in one process.

Repetitions alternate baseline, ours, baseline, ours, ... so that load from other processes hits
both alike; the figures are both medians with min-max, the ratio baseline/ours per adjacent pair
(median and min-max; > 1 means ours is faster) and each path's peak resident memory, sampled
from ``/proc/self/statm`` while that path runs (``ru_maxrss`` where /proc is missing). Both
paths live in the same process, so each peak includes the other path's resident weights.
"""

from __future__ import annotations

import os
import statistics
import tempfile
import threading
import time
from pathlib import Path
from typing import Any, Callable

import numpy as np
import torch

from ..core.distributed import setup_run
from ..core.engine import Engine
from ..errors import ConfigError
from ..inference import open_translator
from ..inference.backend import TorchBackend
from ..inference.translator import is_onnx
from ..registry import TASKS
from ..runtime.files import expand_inputs, translate_files
from ..runtime.imagefiles import load_image
from ..runtime.processing import split_aligned
from ..tasks.launch import TrainArgs, build_config
from .bench_baseline import eager_forward, eager_predict_files, eager_trainer
from .bench_metrics import peak_rss_mib

BASELINES = ("eager",)
ALIGNED_SIDES = {"left": "A", "right": "B"}  # --split-aligned SIDE -> processing.split_aligned's half


def check_baseline(name: str | None, device: str = "cpu", amp: bool = False) -> None:
    """ConfigError for a ``--baseline`` value not in :data:`BASELINES`, or with options the CPU comparison lacks."""
    if name is not None and name not in BASELINES:
        raise ConfigError(f"--baseline {name!r}: expected {' or '.join(BASELINES)}")
    if device not in ("auto", "cpu") or amp:
        raise ConfigError("--baseline eager: the comparison runs fp32 on the CPU (drop --device/--amp; GPU: bench/gpu.sh)")


def _rss_mib() -> float:
    try:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20
    except OSError:
        return peak_rss_mib()


class PeakRSS:
    """Context: the highest resident set size (MiB) seen every ``interval`` s while the block runs."""

    def __init__(self, interval: float = 0.005) -> None:
        self.interval, self.peak = interval, 0.0
        self._stop = threading.Event()

    def _watch(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, _rss_mib())
            self._stop.wait(self.interval)

    def __enter__(self) -> "PeakRSS":
        self.peak = _rss_mib()
        self._stop.clear()
        self._thread = threading.Thread(target=self._watch, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, _rss_mib())


def _spread(xs: list[float]) -> dict[str, float]:
    return {"median": statistics.median(xs), "min": min(xs), "max": max(xs)}


def interleave(baseline: Callable[[], Any], ours: Callable[[], Any], reps: int, warmup: int = 1) -> dict[str, Any]:
    """Time ``baseline`` and ``ours`` alternately (``warmup`` untimed pairs first); summary of both and the ratio."""
    if reps < 1:
        raise ConfigError(f"--reps: must be >= 1, got {reps}")
    for _ in range(warmup):
        baseline()
        ours()
    times: dict[str, list[float]] = {"baseline": [], "ours": []}
    peaks = {"baseline": 0.0, "ours": 0.0}
    for _ in range(reps):
        for name, fn in (("baseline", baseline), ("ours", ours)):
            with PeakRSS() as mem:
                t0 = time.perf_counter()
                fn()
                times[name].append(time.perf_counter() - t0)
            peaks[name] = max(peaks[name], mem.peak)
    ratios = [b / o for b, o in zip(times["baseline"], times["ours"])]
    return {
        "reps": reps, "baseline_s": _spread(times["baseline"]), "ours_s": _spread(times["ours"]),
        "ratio": _spread(ratios), "baseline_peak_rss_mib": peaks["baseline"], "ours_peak_rss_mib": peaks["ours"],
        "threads": torch.get_num_threads(),
    }


def synthetic_batches(task: Any, size: int, batch: int, n: int) -> list[dict[str, torch.Tensor]]:
    """``n`` fixed random batches shaped like the task's data (both paths train on the same ones)."""
    items = [[task.synthetic_item(size) for _ in range(batch)] for _ in range(n)]
    return [torch.utils.data.default_collate(b) for b in items]


def build_pair(task: str, size: int, batch: int, overrides: list[str] | None = None, tmp: str = "") -> tuple[Engine, Any]:
    """(the engine on the task's nets, the eager reference step on copies of the same initial nets)."""
    args = TrainArgs(task=task, data="<synthetic>", size=size, batch=batch, steps=10**9, device="cpu",
                     overrides=["train.tensorboard=false", "train.progress=false", "data.num_workers=0", *(overrides or [])])
    cfg = build_config(args)
    env = setup_run(cfg)
    built = TASKS.build(task, cfg, env.device)
    base = eager_trainer(task, built.nets, cfg)  # copies before the engine touches anything
    eng = Engine(cfg, built, tmp or tempfile.mkdtemp(), env, dataset=[{}])
    return eng, base


def _first_call(fn: Callable[[], Any]) -> float:
    """Seconds of one call (a path's first: lazy initialisation, compilation), kept out of the interleaved figures."""
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def compare_train(task: str, size: int, batch: int, reps: int = 5, steps: int = 1, overrides: list[str] | None = None,
                  ) -> dict[str, Any]:
    """Interleaved training steps: the engine (with ``overrides``) vs the reference-style eager step (CPU).

    The first rep of each path is timed alone (``*_first_call_s``; with ``train.compile=true``, the
    compilation), then one untimed pair (recompiles on the second step), then the interleaved reps."""
    with tempfile.TemporaryDirectory() as tmp:
        eng, base = build_pair(task, size, batch, overrides, tmp)
        batches = synthetic_batches(eng.task, size, batch, 2)
        state = {"i": 0}

        def run_ours() -> None:
            for _ in range(steps):
                eng._train_step(batches[state["i"] % 2])
                eng.step += 1
                state["i"] += 1

        def run_base() -> None:
            for k in range(steps):
                base.step(batches[(state["i"] + k) % 2])

        first = {"baseline_first_call_s": _first_call(run_base), "ours_first_call_s": _first_call(run_ours)}
        res = interleave(run_base, run_ours, reps)
    return {"bench": "train", "baseline": "eager", "task": task, "size": size, "batch": batch, "steps_per_rep": steps,
            "overrides": list(overrides or []), **first, **res}


def _plain_backend(model: str) -> TorchBackend:
    """The model on torch as the reference runs it: CPU, eval mode, NCHW (no channels_last)."""
    if is_onnx(model):
        raise ConfigError(f"--baseline eager: {model} is an ONNX file; give the torch model (run folder, "
                          ".safetensors or .pth) and --backend onnx")
    return TorchBackend(model, device="cpu", channels_last=False)


def compare_predict(model: str, size: int, batch: int, reps: int = 5, backend: str = "torch", iters: int = 1,
                    compile: str | None = None) -> dict[str, Any]:
    """Interleaved generator inference on random [batch, 3, size, size]: plain ``net(x)`` eager vs ``translate``'s backend.

    ``compile``: our torch backend through ``torch.compile`` (``translate.inference.compiled``); the first
    call of each path is timed alone (``*_first_call_s``: with compile, the compilation)."""
    eager = _plain_backend(model)
    tr = open_translator(model, backend, device="cpu", compile=compile)
    m = max(1, tr.info.input_multiple)
    s = max(m, (size // m) * m)
    x = np.random.default_rng(0).uniform(-1, 1, (batch, 3, s, s)).astype(np.float32)
    t = torch.from_numpy(x)
    cond: dict[str, Any] = {"domain": 0} if tr.info.kind == "image+domain" else {}  # StarGAN: target domain 0, both paths
    extra = [torch.from_numpy(tr.feeds(x, dict(cond))["domain"])] if cond else []  # [batch, c_dim]

    def run_base() -> None:
        for _ in range(iters):
            eager_forward(eager.module, t, *extra)

    def run_ours() -> None:
        for _ in range(iters):
            tr.run_arrays(x, **cond)

    first = {"baseline_first_call_s": _first_call(lambda: eager_forward(eager.module, t, *extra)),
             "ours_first_call_s": _first_call(lambda: tr.run_arrays(x, **cond))}
    res = interleave(run_base, run_ours, reps)
    return {"bench": "predict", "baseline": "eager", "model": str(model), "arch": tr.info.arch, "backend": backend,
            "compile": compile, "size": s, "batch": batch, "iters_per_rep": iters, **first, **res}


def aligned_halves(folder: str | Path, side: str, out: str | Path) -> Path:
    """The ``side`` (left | right) half of every A|B image in ``folder`` written to ``out`` as JPEG (quality 95).

    ``silhouettes/train``'s 100 photo|outline pairs give 100 plain photos this way (the bench's
    100-photo folder)."""
    if side not in ALIGNED_SIDES:
        raise ConfigError(f"--split-aligned {side!r}: expected {' or '.join(ALIGNED_SIDES)}")
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    for f, stem in expand_inputs([folder]):
        half = split_aligned(load_image(f), ALIGNED_SIDES[side])  # bad files: the loader's one-line error
        dest = out / stem.with_suffix(".jpg")
        dest.parent.mkdir(parents=True, exist_ok=True)
        half.save(dest, quality=95)
    return out


def compare_predict_folder(model: str, folder: str, reps: int = 3, backend: str = "torch", batch: int = 8,
                           compile: str | None = None, split: str | None = None) -> dict[str, Any]:
    """Interleaved end-to-end ``translate predict`` on a folder vs a per-image load/run/save eager loop.

    ``split`` (left | right): the folder holds A|B pairs; that half of each is written to a temporary
    folder first (:func:`aligned_halves`), which both paths then translate. The first batch of each
    path is run once alone (``*_first_call_s``; with ``compile``, the compilation)."""
    eager = _plain_backend(model)
    tr = open_translator(model, backend, device="cpu", compile=compile)
    with tempfile.TemporaryDirectory() as tmp:
        if split is not None:
            folder = str(aligned_halves(folder, split, Path(tmp) / "halves"))
        files = [f for f, _ in expand_inputs([folder])]
        n = {"i": 0}
        mult = max(1, eager.info.input_multiple)
        first = {"baseline_first_call_s": _first_call(lambda: eager_predict_files(eager.module, files[:1], Path(tmp) / "warm_base",
                                                                                  mult)),
                 "ours_first_call_s": _first_call(lambda: translate_files(tr, files[:batch], Path(tmp) / "warm_ours",
                                                                          batch=batch))}

        def run_base() -> None:
            n["i"] += 1
            eager_predict_files(eager.module, files, Path(tmp) / f"base{n['i']}", mult)

        def run_ours() -> None:
            n["i"] += 1
            translate_files(tr, [folder], Path(tmp) / f"ours{n['i']}", batch=batch)

        res = interleave(run_base, run_ours, reps, warmup=0)
    return {"bench": "predict-folder", "baseline": "eager", "model": str(model), "arch": tr.info.arch, "backend": backend,
            "compile": compile, "split_aligned": split, "images": len(files), "batch": batch, **first, **res}
