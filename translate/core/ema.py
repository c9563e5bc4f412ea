"""Exponential moving average of generator weights (used for sampling and export)."""

from __future__ import annotations

import copy

import torch
from torch import nn

BUFFER_MODES = ("copy", "average")


class EMA:
    """Keeps ``shadow = decay * shadow + (1 - decay) * params``.

    ``buffers``: ``copy`` (default) takes the live net's buffers (BatchNorm running statistics) as
    they are; ``average`` blends floating-point buffers with the same decay as the weights, so the
    shadow's running statistics span the same window as its weights (integer buffers are copied).
    """

    def __init__(self, net: nn.Module, decay: float = 0.999, start: int = 0, rampup: float = 0.0,
                 buffers: str = "copy") -> None:
        if not 0.0 < decay < 1.0:
            raise ValueError(f"EMA decay must be in (0, 1), got {decay}")
        if rampup < 0:
            raise ValueError(f"EMA rampup must be >= 0, got {rampup}")
        if buffers not in BUFFER_MODES:
            raise ValueError(f"EMA buffers must be one of {BUFFER_MODES}, got {buffers!r}")
        self.buffers = buffers
        self.decay = decay
        self.start = start
        self.rampup = rampup
        self.shadow = copy.deepcopy(net).eval().requires_grad_(False)

    @torch.no_grad()
    def update(self, net: nn.Module, step: int) -> None:
        """Blend the current weights into the shadow (plain copy before ``start``).

        With ``rampup`` r the half-life (in steps) is at most r * (step + 1), as StyleGAN2-ADA's
        ``ema_rampup``: early shadows do not keep the random initial weights for long.
        """
        decay = self.decay if step >= self.start else 0.0
        if self.rampup > 0:
            decay = min(decay, 0.5 ** (1.0 / (self.rampup * (step + 1))))
        for s, p in zip(self.shadow.parameters(), net.parameters()):
            s.lerp_(p.detach().to(s.dtype), 1.0 - decay)
        for s, b in zip(self.shadow.buffers(), net.buffers()):
            if self.buffers == "average" and s.is_floating_point():
                s.lerp_(b.detach().to(s.dtype), 1.0 - decay)
            else:
                s.copy_(b)

    def state_dict(self) -> dict[str, torch.Tensor]:
        return self.shadow.state_dict()

    def load_state_dict(self, state: dict[str, torch.Tensor]) -> None:
        self.shadow.load_state_dict(state)
