"""Gradient penalties on the discriminator, as pure functions.

Each penalty takes a discriminator callable ``disc(x) -> logits`` (or a tuple whose first item is
the logits), real and fake inputs, and returns an unweighted scalar. The adversary multiplies by
``GanConfig.penalty_weight`` and applies lazy intervals.
"""

from __future__ import annotations

from typing import Callable

import torch
from torch import Tensor

from ..registry import PENALTIES

Disc = Callable[[Tensor], "Tensor | tuple"]


def logits_of(out: "Tensor | tuple") -> Tensor:
    """The adversarial logits of a discriminator output (first item of a tuple output)."""
    return out[0] if isinstance(out, (tuple, list)) else out


def input_grad_norm(disc: Disc, x: Tensor) -> Tensor:
    """Per-sample L2 norm of d sum(D(x)) / dx, with a graph for double backward.  # [N]"""
    x = x.detach().requires_grad_(True)
    out = logits_of(disc(x))
    (grad,) = torch.autograd.grad(out.sum(), x, create_graph=True)
    return grad.flatten(1).norm(2, dim=1)


def gradient_penalty(disc: Disc, real: Tensor, fake: Tensor) -> Tensor:
    """WGAN-GP: E[(||grad D(x_hat)||_2 - 1)^2], x_hat uniformly between real and fake pairs."""
    alpha = torch.rand(real.shape[0], *([1] * (real.dim() - 1)), device=real.device, dtype=real.dtype)
    x_hat = alpha * real.detach() + (1 - alpha) * fake.detach()  # [N, C, H, W]
    return ((input_grad_norm(disc, x_hat) - 1.0) ** 2).mean()


PENALTIES.add("gp", gradient_penalty)
