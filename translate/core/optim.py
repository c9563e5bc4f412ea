"""Optimisers by name (``optim.name``), with StyleGAN2's lazy-regularisation correction.

::

    opt = build_optimizer(cfg.optim, task.d_params(), lr=cfg.optim.lr_d, ratio=16 / 17)

``ratio`` < 1 is for a net whose regulariser takes its own optimiser step every k steps
(translate/core/phases.py): lr * ratio and betas ** ratio with ratio = k / (k + 1), so that step
size and moment time constants per training step match a run without the extra steps (Karras et
al. 2020, appendix B; NVlabs stylegan3 ``training_loop.py``). Optimisers without betas (rmsprop,
sgd) get the learning rate corrected only.

``fused=True`` (the engine's choice) runs Adam/AdamW with their fused kernel on CPU and CUDA, one
kernel over all parameters instead of a Python loop over tensors: 2.8x faster optimiser steps on
unet_256's 54M parameters on the 2-core CPU (docs/results.md); ``optim.options.fused=false`` (or
``foreach``) chooses otherwise. Fused and for-loop Adam agree to float rounding, not bit for bit.
"""

from __future__ import annotations

from typing import Iterable

import torch
from torch import nn

from ..config import OptimConfig
from ..errors import ConfigError
from ..registry import OPTIMIZERS

OPTIMIZERS.add("adam", torch.optim.Adam)
OPTIMIZERS.add("adamw", torch.optim.AdamW)
OPTIMIZERS.add("rmsprop", torch.optim.RMSprop)
OPTIMIZERS.add("sgd", torch.optim.SGD)

# constructor arguments that come from OptimConfig fields, never from ``optim.options``
_FIELDS = {"params": "", "lr": "optim.lr_g / optim.lr_d", "betas": "optim.beta1 / optim.beta2",
           "weight_decay": "optim.weight_decay"}


def takes_betas(name: str) -> bool:
    """Whether optimiser ``name`` has Adam-style ``betas`` (ConfigError for an unknown name)."""
    try:
        return "betas" in OPTIMIZERS.entry(name).accepted_options()
    except ConfigError as exc:
        raise ConfigError(f"optim.name: {exc}") from None


def optimizer_settings(cfg: OptimConfig, lr: float, ratio: float = 1.0) -> dict[str, object]:
    """Constructor options of ``cfg.name`` for base rate ``lr``, corrected by the lazy ``ratio``."""
    betas = takes_betas(cfg.name)
    clash = sorted(k for k in cfg.options if k in _FIELDS)
    if clash:
        where = ", ".join(f"{k} (set {_FIELDS[k]})" if _FIELDS[k] else k for k in clash)
        raise ConfigError(f"optim.options: {where} cannot be given as an option")
    if not 0.0 < ratio <= 1.0:
        raise ValueError(f"lazy-regularisation ratio must be in (0, 1], got {ratio}")
    kwargs: dict[str, object] = {"lr": lr, "weight_decay": cfg.weight_decay, **cfg.options}
    if betas:
        kwargs["betas"] = (cfg.beta1, cfg.beta2)
    if ratio != 1.0:  # leave uncorrected settings untouched (bit-identical to a plain optimiser)
        kwargs["lr"] = lr * ratio
        if betas:
            kwargs["betas"] = (cfg.beta1**ratio, cfg.beta2**ratio)
    try:
        return OPTIMIZERS.options(cfg.name, **kwargs)
    except ConfigError as exc:
        raise ConfigError(f"optim.options: {exc}") from None


_FUSED_DEVICES = ("cpu", "cuda")


def build_optimizer(cfg: OptimConfig, params: Iterable[nn.Parameter], lr: float, ratio: float = 1.0,
                    fused: bool = False) -> torch.optim.Optimizer:
    """The ``cfg.name`` optimiser over ``params`` at base rate ``lr`` (lazy-corrected by ``ratio``).

    ``fused``: use the optimiser's fused kernel when it has one, the parameters sit on CPU/CUDA
    and ``optim.options`` chooses neither ``fused`` nor ``foreach``."""
    kwargs = optimizer_settings(cfg, lr, ratio)
    params = list(params)
    if (fused and "fused" in OPTIMIZERS.entry(cfg.name).accepted_options() and not {"fused", "foreach"} & set(kwargs)
            and params and all(p.device.type in _FUSED_DEVICES and p.is_floating_point() for p in params)):
        kwargs["fused"] = True
    try:
        return OPTIMIZERS.get(cfg.name)(params, **kwargs)
    except (TypeError, ValueError) as exc:  # e.g. a negative learning rate or a mistyped option value
        raise ConfigError(f"optim: cannot build {cfg.name!r} with {kwargs}: {exc}") from None
