"""Differentiable augmentation of discriminator inputs (DiffAugment, Zhao et al. 2020).

The same random, differentiable transformations are applied to real AND fake D inputs, in the D
and in the G step, so D never sees un-augmented images and G's gradient flows through the
augmentation. Policies are the paper's comma-separated strings, e.g. ``"color,translation,cutout"``:

| policy | transforms (per sample) |
|---|---|
| color | brightness + U[-0.5, 0.5]; saturation x U[0, 2] around the channel mean; contrast x U[0.5, 1.5] around the image mean |
| translation | shift by up to 1/8 of the size in x and y, zero fill |
| cutout | zero a square of half the size at a random position |

Inputs are ``[N, C, H, W]``. With a conditional D (pix2pix feeds ``concat(A, B)``) the task sets
``groups`` to the images' channel counts, e.g. ``(3, 3)``: every transform then draws its random
numbers once per sample and applies them to each image alike, and the colour means (saturation:
per pixel over an image's channels; contrast: over an image) are taken per image, so A and B
get exactly the augmentation each would get alone. Non-image inputs (``dim != 4``) pass through
unchanged.
"""

from __future__ import annotations

from typing import Callable

import torch
from torch import Tensor

from ..errors import ConfigError

Aug = Callable[[Tensor, "tuple[int, ...] | None"], Tensor]


def _per_sample(x: Tensor) -> Tensor:
    """U[0, 1] of shape [N, 1, 1, 1] on x's device and dtype."""
    return torch.rand(x.shape[0], 1, 1, 1, device=x.device, dtype=x.dtype)


def _images(x: Tensor, groups: tuple[int, ...] | None) -> tuple[Tensor, ...]:
    """The images stacked in x's channels ([N, c_i, H, W] each); x alone when ``groups`` is None."""
    return (x,) if groups is None else x.split(list(groups), dim=1)


def rand_brightness(x: Tensor, groups: tuple[int, ...] | None = None) -> Tensor:
    """x + U[-0.5, 0.5] per sample."""
    return x + (_per_sample(x) - 0.5)


def rand_saturation(x: Tensor, groups: tuple[int, ...] | None = None) -> Tensor:
    """Scale the distance to the per-pixel channel mean (of each image) by U[0, 2]."""
    factor = _per_sample(x) * 2
    means = [img.mean(dim=1, keepdim=True) for img in _images(x, groups)]  # [N, 1, H, W] each
    return torch.cat([(img - m) * factor + m for img, m in zip(_images(x, groups), means)], dim=1)


def rand_contrast(x: Tensor, groups: tuple[int, ...] | None = None) -> Tensor:
    """Scale the distance to the (each) image's mean by U[0.5, 1.5]."""
    factor = _per_sample(x) + 0.5
    means = [img.mean(dim=(1, 2, 3), keepdim=True) for img in _images(x, groups)]  # [N, 1, 1, 1] each
    return torch.cat([(img - m) * factor + m for img, m in zip(_images(x, groups), means)], dim=1)


def rand_translation(x: Tensor, groups: tuple[int, ...] | None = None, ratio: float = 0.125) -> Tensor:
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


def rand_cutout(x: Tensor, groups: tuple[int, ...] | None = None, ratio: float = 0.5) -> Tensor:
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

    def __init__(self, policy: str = "", groups: tuple[int, ...] | None = None) -> None:
        self.policy = policy
        self.fns = parse_policy(policy)
        self.groups = groups  # channel counts of the images stacked in a D input (pix2pix: A, B)

    def __bool__(self) -> bool:
        return bool(self.fns)

    def __call__(self, x: Tensor) -> Tensor:
        """[N, C, H, W] -> [N, C, H, W], differentiable w.r.t. x."""
        if x.dim() != 4:
            return x
        if self.groups is not None and sum(self.groups) != x.shape[1]:
            raise ValueError(f"DiffAugment: input has {x.shape[1]} channels, groups {self.groups} add up to {sum(self.groups)}")
        for fn in self.fns:
            x = fn(x, self.groups)
        return x
