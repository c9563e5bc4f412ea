"""Differentiable augmentation of discriminator inputs (DiffAugment, Zhao et al. 2020).

The same random, differentiable transformations are applied to real AND fake D inputs, in the D
and in the G step, so D never sees un-augmented images and G's gradient flows through the
augmentation. Policies are the paper's comma-separated strings, e.g. ``"color,translation,cutout"``:

| policy | transforms (per sample) |
|---|---|
| color | brightness + U[-0.5, 0.5]; saturation x U[0, 2] around the channel mean; contrast x U[0.5, 1.5] around the image mean |
| translation | shift by up to 1/8 of the size in x and y, zero fill |
| cutout | zero a square of half the size at a random position |

Inputs are ``[N, C, H, W]``; with a conditional D (pix2pix feeds ``concat(A, B)``) the transforms act
on all channels together, so both halves move the same way. Non-image inputs (``dim != 4``) pass
through unchanged.
"""

from __future__ import annotations

from typing import Callable

import torch
from torch import Tensor

from ..errors import ConfigError

Aug = Callable[[Tensor], Tensor]


def _per_sample(x: Tensor) -> Tensor:
    """U[0, 1] of shape [N, 1, 1, 1] on x's device and dtype."""
    return torch.rand(x.shape[0], 1, 1, 1, device=x.device, dtype=x.dtype)


def rand_brightness(x: Tensor) -> Tensor:
    """x + U[-0.5, 0.5] per sample."""
    return x + (_per_sample(x) - 0.5)


def rand_saturation(x: Tensor) -> Tensor:
    """Scale the distance to the per-pixel channel mean by U[0, 2]."""
    mean = x.mean(dim=1, keepdim=True)  # [N, 1, H, W]
    return (x - mean) * (_per_sample(x) * 2) + mean


def rand_contrast(x: Tensor) -> Tensor:
    """Scale the distance to the image mean by U[0.5, 1.5]."""
    mean = x.mean(dim=(1, 2, 3), keepdim=True)  # [N, 1, 1, 1]
    return (x - mean) * (_per_sample(x) + 0.5) + mean


def rand_translation(x: Tensor, ratio: float = 0.125) -> Tensor:
    """Shift each sample by up to ``ratio`` of its size (integer pixels), zero fill."""
    n, _, h, w = x.shape
    sh, sw = int(h * ratio + 0.5), int(w * ratio + 0.5)
    dy = torch.randint(-sh, sh + 1, (n, 1, 1), device=x.device)
    dx = torch.randint(-sw, sw + 1, (n, 1, 1), device=x.device)
    iy = torch.arange(h, device=x.device).view(1, h, 1) + dy  # [N, H, 1] source rows in padded frame
    ix = torch.arange(w, device=x.device).view(1, 1, w) + dx  # [N, 1, W]
    padded = torch.nn.functional.pad(x, (sw, sw, sh, sh))  # [N, C, H + 2sh, W + 2sw]
    iy = (iy + sh).expand(n, h, w)
    ix = (ix + sw).expand(n, h, w)
    batch = torch.arange(n, device=x.device).view(n, 1, 1).expand(n, h, w)
    return padded.permute(0, 2, 3, 1)[batch, iy, ix].permute(0, 3, 1, 2).contiguous()  # [N, C, H, W]


def rand_cutout(x: Tensor, ratio: float = 0.5) -> Tensor:
    """Zero a ``ratio``-sized rectangle at a random position of each sample."""
    n, _, h, w = x.shape
    ch, cw = int(h * ratio + 0.5), int(w * ratio + 0.5)
    cy = torch.randint(0, h + (1 - ch % 2), (n, 1, 1), device=x.device)  # centre, as the reference
    cx = torch.randint(0, w + (1 - cw % 2), (n, 1, 1), device=x.device)
    ry = torch.arange(h, device=x.device).view(1, h, 1) - cy + ch // 2  # row offset inside the box
    rx = torch.arange(w, device=x.device).view(1, 1, w) - cx + cw // 2
    inside = (ry >= 0) & (ry < ch) & (rx >= 0) & (rx < cw)  # [N, H, W]
    return x * (~inside).unsqueeze(1).to(x.dtype)


POLICIES: dict[str, list[Aug]] = {
    "color": [rand_brightness, rand_saturation, rand_contrast],
    "translation": [rand_translation],
    "cutout": [rand_cutout],
}


def parse_policy(policy: str) -> list[Aug]:
    """``"color,translation"`` -> the transforms in order; unknown names raise ConfigError."""
    fns: list[Aug] = []
    for name in (p.strip() for p in policy.split(",")):
        if not name:
            continue
        if name not in POLICIES:
            raise ConfigError(f"gan.diffaugment: unknown policy {name!r}; available: {', '.join(POLICIES)}")
        fns.extend(POLICIES[name])
    return fns


class DiffAugment:
    """Applies a DiffAugment policy to D inputs; identity for an empty policy or non-image input."""

    def __init__(self, policy: str = "") -> None:
        self.policy = policy
        self.fns = parse_policy(policy)

    def __bool__(self) -> bool:
        return bool(self.fns)

    def __call__(self, x: Tensor) -> Tensor:
        """[N, C, H, W] -> [N, C, H, W], differentiable w.r.t. x."""
        if x.dim() != 4:
            return x
        for fn in self.fns:
            x = fn(x)
        return x
