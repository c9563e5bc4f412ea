"""Fit reference-repo state dicts (pix2pix/CycleGAN ``.pth``, StarGAN ``.ckpt``) to our nets.

Our nets mirror the reference module layouts, so importing is mostly a strict ``load_state_dict``.
What differs between files in the wild: a ``module.`` prefix from ``DataParallel`` and, in old
CycleGAN/pix2pix checkpoints, InstanceNorm ``running_mean``/``running_var``/``num_batches_tracked``
buffers that current InstanceNorm (``track_running_stats=False``) does not have.
"""

from __future__ import annotations

from typing import Mapping

import torch
from torch import nn

from ..errors import CheckpointError

_PREFIX = "module."
_STAT_SUFFIXES = ("running_mean", "running_var", "num_batches_tracked")
_SHOW = 3  # keys named per category in an error message


def clean_reference_state_dict(sd: Mapping[str, torch.Tensor]) -> dict[str, torch.Tensor]:
    """Copy of ``sd`` with a leading ``module.`` (DataParallel/DDP) stripped from every key."""
    return {k[len(_PREFIX) :] if k.startswith(_PREFIX) else k: v for k, v in sd.items()}


def _stale_instance_norm_key(key: str, modules: Mapping[str, nn.Module], target: Mapping) -> bool:
    """True for a running-stat key of an InstanceNorm that holds no such buffer in the target."""
    owner, _, leaf = key.rpartition(".")
    module = modules.get(owner)
    return (
        leaf in _STAT_SUFFIXES
        and key not in target
        and isinstance(module, nn.modules.instancenorm._InstanceNorm)
    )


def _listing(label: str, items: list[str]) -> str:
    more = f", +{len(items) - _SHOW} more" if len(items) > _SHOW else ""
    return f"{len(items)} {label} ({', '.join(items[:_SHOW])}{more})"


def adapt_reference_state_dict(
    sd: Mapping[str, torch.Tensor], net: nn.Module, source: str = "checkpoint"
) -> tuple[dict[str, torch.Tensor], list[str]]:
    """Fit ``sd`` to ``net``: returns ``(state_dict loadable with strict=True, dropped keys)``.

    Raises ``CheckpointError`` (message starting with ``source``) naming a few missing and
    unexpected keys and shape mismatches when the file does not fit the architecture.
    """
    cleaned = clean_reference_state_dict(sd)
    target = net.state_dict()
    modules = dict(net.named_modules())
    dropped = [k for k in cleaned if _stale_instance_norm_key(k, modules, target)]
    for key in dropped:
        del cleaned[key]

    missing = [k for k in target if k not in cleaned]
    unexpected = [k for k in cleaned if k not in target]
    mismatched = [
        f"{k}: {tuple(v.shape)} vs {tuple(target[k].shape)}"
        for k, v in cleaned.items()
        if k in target and tuple(v.shape) != tuple(target[k].shape)
    ]
    problems = [
        _listing(label, items)
        for label, items in (
            ("missing", missing),
            ("unexpected", unexpected),
            ("shape mismatch(es), file vs net", mismatched),
        )
        if items
    ]
    if problems:
        raise CheckpointError(
            f"{source}: does not fit {type(net).__name__}: {'; '.join(problems)}"
        )
    return cleaned, dropped
