"""Engine-side preparation of a task's nets from the config: spectral norm, SyncBatchNorm, torch.compile.

Returns one-line notes for options that cannot apply on this machine (never silently).
"""

from __future__ import annotations

import torch
from torch import nn

from ..config import Config
from .adversary import Adversary
from .distributed import DistInfo


def prepare_task(task, cfg: Config, device: torch.device, dist: DistInfo) -> list[str]:
    """Apply run-level net transformations in place; returns notes for the log."""
    notes: list[str] = []
    # D-level stabilisers (spectral norm), in place, before optimisers, DDP broadcast and compilation
    adv = getattr(task, "adv", None) or Adversary(cfg.gan)
    for name in task.discriminators():
        task.nets[name] = adv.prepare_discriminator(task.nets[name])
    if cfg.train.sync_bn:
        if dist.enabled and device.type == "cuda":
            task.nets = {k: nn.SyncBatchNorm.convert_sync_batchnorm(v) for k, v in task.nets.items()}
        else:
            notes.append("train.sync_bn needs multi-process CUDA training; using per-process BatchNorm")
    if cfg.train.compile:
        # InstanceNorm nets fail to compile with dynamic shapes in training mode: keep them static.
        task.nets = {k: torch.compile(v, dynamic=False) for k, v in task.nets.items()}
        notes.append("torch.compile enabled (the first steps include compilation time)")
    return notes


def unwrap(net: nn.Module) -> nn.Module:
    """The plain module behind a ``torch.compile`` wrapper (state_dict keys without ``_orig_mod.``)."""
    return getattr(net, "_orig_mod", net)
