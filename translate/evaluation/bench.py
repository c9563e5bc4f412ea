"""``translate bench``: throughput, memory and achieved FLOP/s of training steps and inference.

Figures come from timed runs after warm-up (median step time); FLOPs are counted once with
``torch.utils.flop_counter.FlopCounterMode`` (multiply-adds count as 2 FLOPs).
"""

from __future__ import annotations

import resource
import statistics
import tempfile
import time
from typing import Any, Callable

import numpy as np
import torch
from torch.utils.data import Dataset
from torch.utils.flop_counter import FlopCounterMode

from ..core.distributed import setup_run
from ..core.engine import Engine
from ..inference import open_translator
from ..nets.layers import count_params
from ..registry import TASKS
from ..runtime.latent import latent_batch
from ..tasks.launch import TrainArgs, build_config


class SyntheticDataset(Dataset):
    """Random items shaped like a task's real data (for benchmarks)."""
    def __init__(self, task: Any, size: int, length: int = 1 << 20) -> None:
        self.task, self.size, self.length = task, size, length

    def __len__(self) -> int:
        return self.length

    def __getitem__(self, key: Any) -> dict[str, Any]:
        return self.task.synthetic_item(self.size)


def _peak_memory(device: torch.device) -> dict[str, float]:
    if device.type == "cuda":
        return {"peak_gpu_memory_mib": torch.cuda.max_memory_allocated(device) / 2**20}
    return {"peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def _sync(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize(device)


def _time(fn: Callable[[], Any], device: torch.device, warmup: int, iters: int) -> list[float]:
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(iters):
        _sync(device)
        t0 = time.perf_counter()
        fn()
        _sync(device)
        times.append(time.perf_counter() - t0)
    return times


def _flops(fn: Callable[[], Any]) -> float:
    """FLOPs of one call; NaN when the counter cannot trace it (double backward of gradient penalties)."""
    try:
        with FlopCounterMode(display=False) as counter:
            fn()
    except RuntimeError:  # torch: "A leaf node was passed to _will_engine_execute_node ... autograd.grad()"
        return float("nan")
    return float(counter.get_total_flops())


def bench_train(task: str, size: int, batch: int, steps: int = 10, warmup: int = 2, device: str = "auto",
                amp: bool = False, overrides: list[str] | None = None) -> dict[str, Any]:
    """Time full engine steps (forward, D and G updates) on synthetic data."""
    args = TrainArgs(task=task, data="<synthetic>", size=size, batch=batch, steps=10**9, amp=amp, device=device,
                     overrides=["train.tensorboard=false", "train.progress=false", "data.num_workers=0", *(overrides or [])])
    cfg = build_config(args)
    with tempfile.TemporaryDirectory() as tmp:
        env = setup_run(cfg)
        built = TASKS.build(task, cfg, env.device)
        eng = Engine(cfg, built, tmp, env, dataset=SyntheticDataset(built, size))
        it = iter(eng.loader)

        def step() -> None:
            eng._train_step(next(it))
            eng.step += 1

        if eng.device.type == "cuda":
            torch.cuda.reset_peak_memory_stats(eng.device)
        times = _time(step, eng.device, warmup, steps)
        flops = _flops(step)
        mem = _peak_memory(eng.device)
        nets = {k: count_params(v) for k, v in eng.task.nets.items()}
        dev, prec = str(eng.device), eng.prec.name
    med = statistics.median(times)
    return {
        "bench": "train", "task": task, "size": size, "batch": batch, "device": dev, "precision": prec,
        "steps_timed": steps, "median_step_s": med, "it_per_s": 1.0 / med, "images_per_s": batch / med,
        "gflop_per_step": flops / 1e9 if flops == flops else None,  # None: not countable (NaN)
        "achieved_gflop_per_s": flops / 1e9 / med if flops == flops else None, "params": nets, **mem,
        "threads": torch.get_num_threads(),
    }


def bench_predict(model: str, size: int, batch: int, iters: int = 10, warmup: int = 2, device: str = "auto",
                  backend: str = "torch", **kwargs: Any) -> dict[str, Any]:
    """Time generator inference on random inputs of ``size`` x ``size`` (batch ``batch``).

    ``first_call_s`` is the first call alone (with ``compile=...``: the compilation), out of the median."""
    tr = open_translator(model, backend, device=device, **kwargs)
    on_ort = tr.backend.name == "onnxruntime"  # also for .onnx files with backend torch
    backend = "onnx" if on_ort else backend
    dev_name = ",".join(tr.backend.providers) if on_ort else str(tr.backend.device)
    m = max(1, tr.info.input_multiple)
    s = max(m, (size // m) * m)
    x = np.random.default_rng(0).uniform(-1, 1, (batch, 3, s, s)).astype(np.float32)
    if tr.info.kind == "latent":  # latent generators (dcgan, stylegan) take z [N, z_dim]; size is theirs
        x = latent_batch(batch, tr.z_dim)
        s = int(tr.info.extra.get("image_size") or 0)
    dev = torch.device(getattr(tr.backend, "device", "cpu"))
    if dev.type == "cuda":
        torch.cuda.reset_peak_memory_stats(dev)
    first = _time(lambda: tr.run_arrays(x), dev, 0, 1)[0]
    times = _time(lambda: tr.run_arrays(x), dev, max(0, warmup - 1), iters)
    compiled = getattr(tr.backend, "compile", None) is not None  # the counter cannot see into inductor kernels
    flops = _flops(lambda: tr.run_arrays(x)) if backend == "torch" and not compiled else float("nan")
    med = statistics.median(times)
    return {
        "bench": "predict", "model": str(model), "backend": backend, "arch": tr.info.arch, "size": s, "batch": batch,
        "device": dev_name, "first_call_s": first, "median_batch_s": med, "latency_ms_per_batch": med * 1000, "images_per_s": batch / med,
        "gflop_per_batch": flops / 1e9, "achieved_gflop_per_s": flops / 1e9 / med, **_peak_memory(dev),
        "threads": tr.backend.session.get_session_options().intra_op_num_threads or "ort default (physical cores)" if on_ort
        else torch.get_num_threads(),
    }
