"""Multi-process training under ``torchrun``: process group, rank-0 I/O, gradient averaging.

GAN steps run several forwards per module, toggle ``requires_grad`` and take double backward
for gradient penalties, all of which DistributedDataParallel's reducer handles badly. Instead the
engine averages gradients explicitly after each backward (as StyleGAN2-ADA does): parameters are
broadcast from rank 0 once, every rank applies identical averaged gradients, so replicas stay equal.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import torch
import torch.distributed as dist
from torch import nn

from ..config import Config
from . import rng
from .precision import pick_device


@dataclass
class DistInfo:
    """Where this process stands: rank, world size, local device."""

    rank: int = 0
    world: int = 1
    local_rank: int = 0

    @property
    def enabled(self) -> bool:
        return self.world > 1

    @property
    def is_main(self) -> bool:
        return self.rank == 0


def setup(device_kind: str) -> DistInfo:
    """Initialise the process group when launched by torchrun (WORLD_SIZE > 1)."""
    world = int(os.environ.get("WORLD_SIZE", "1"))
    if world <= 1:
        return DistInfo()
    rank = int(os.environ["RANK"])
    local = int(os.environ.get("LOCAL_RANK", "0"))
    if not dist.is_initialized():
        backend = "nccl" if device_kind == "cuda" else "gloo"
        if device_kind == "cuda":
            torch.cuda.set_device(local)
        dist.init_process_group(backend=backend)
    return DistInfo(rank, world, local)


def teardown(info: DistInfo) -> None:
    """Leave the process group (a barrier first: gloo aborts at exit without it)."""
    if info.enabled and dist.is_initialized():
        dist.barrier()
        dist.destroy_process_group()


def barrier(info: DistInfo) -> None:
    if info.enabled:
        dist.barrier()


@torch.no_grad()
def broadcast_module(net: nn.Module, info: DistInfo, buffers_only: bool = False) -> None:
    """Copy rank 0's parameters (and buffers) to every rank."""
    if not info.enabled:
        return
    tensors = list(net.buffers()) if buffers_only else [*net.parameters(), *net.buffers()]
    for t in tensors:
        dist.broadcast(t.data, src=0)


@torch.no_grad()
def average_gradients(params: list[nn.Parameter], info: DistInfo) -> None:
    """All-reduce the gradients of ``params`` in one flat buffer and divide by the world size."""
    if not info.enabled:
        return
    grads = [p.grad for p in params if p.grad is not None]
    if not grads:
        return
    flat = torch.cat([g.reshape(-1) for g in grads])
    dist.all_reduce(flat, op=dist.ReduceOp.SUM)
    flat /= info.world
    offset = 0
    for g in grads:
        n = g.numel()
        g.copy_(flat[offset : offset + n].view_as(g))
        offset += n


def all_mean(value: float, info: DistInfo, device: torch.device) -> float:
    """Mean of a float over ranks (for logging)."""
    if not info.enabled:
        return value
    t = torch.tensor([value], dtype=torch.float64, device=device)
    dist.all_reduce(t)
    return float(t.item()) / info.world


def any_rank(flag: bool, info: DistInfo, device: torch.device) -> bool:
    """True on every rank when ``flag`` is true on any (a stop request seen by one rank stops all together)."""
    if not info.enabled:
        return flag
    t = torch.tensor([1.0 if flag else 0.0], device=device)
    dist.all_reduce(t, op=dist.ReduceOp.MAX)
    return bool(t.item() > 0)


@dataclass
class RunEnv:
    """Where a run executes: its device and process group (``setup_run`` seeds the RNGs too)."""

    device: torch.device
    dist: DistInfo


def setup_run(cfg: Config) -> RunEnv:
    """Pick the device, join the process group (torchrun) and seed every RNG with ``cfg.seed``.

    Call it before building the task, so that weight initialisation is seeded.
    """
    device = pick_device(cfg.train.device)
    info = setup(device.type)
    rng.seed_all(cfg.seed)
    return RunEnv(device, info)
