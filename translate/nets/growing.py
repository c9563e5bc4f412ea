"""The stage of a progressively grown net (Karras et al. 2018), shared by ProGAN and StyleGAN.

A growing net holds every resolution's layers and a stage ``(level, alpha)``, level 0 = 4 px. At
``level`` L it runs at 4 * 2**L px; while ``alpha`` < 1 the level's new block is faded in: a
generator blends ``lerp(upsample(rgb_{L-1}), rgb_L, alpha)`` (:func:`fade_in_rgb`), a discriminator
blends its new block on fromRGB_L with fromRGB_{L-1} of the 2x downsampled input. The engine's
progressive schedule (translate/core/progressive.py) calls ``set_stage`` before every step; nets
start at their last level with alpha 1. ``growing`` False (a StyleGAN net built without
``progressive``) keeps the net at its full resolution: the schedule refuses it.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import Tensor, nn


class Growing(nn.Module):
    """The stage growing nets share: ``level`` (0 = 4 px) and fade-in ``alpha`` in [0, 1]."""

    num_levels: int
    growing = True

    def set_stage(self, level: int, alpha: float = 1.0) -> None:
        """Run at 4 * 2**level px, fading the level's block in with ``alpha`` (1 = fully in)."""
        if not 0 <= level < self.num_levels or not 0.0 <= alpha <= 1.0:
            raise ValueError(f"stage: level must be in [0, {self.num_levels}) and alpha in [0, 1], got {level}, {alpha}")
        if not self.growing and (level, alpha) != (self.num_levels - 1, 1.0):
            raise ValueError(f"stage: {type(self).__name__} was built without progressive: true; it runs at full size only")
        self.level, self.alpha = int(level), float(alpha)

    @property
    def current_resolution(self) -> int:
        return 4 * 2**self.level

    def stage_options(self) -> dict[str, float | int]:
        """The stage as constructor options (stored in generator files; {} at the full stage)."""
        full = self.level == self.num_levels - 1 and self.alpha == 1.0
        return {} if full else {"level": self.level, "alpha": self.alpha}

    def _fading(self) -> bool:
        return self.level > 0 and self.alpha < 1.0


def fade_in_rgb(old: Tensor, new: Tensor, alpha: float) -> Tensor:
    """lerp(nearest-upsampled ``old`` [N, C, R/2, R/2], ``new`` [N, C, R, R], alpha) -> [N, C, R, R]."""
    return torch.lerp(F.interpolate(old, scale_factor=2.0, mode="nearest"), new, alpha)
