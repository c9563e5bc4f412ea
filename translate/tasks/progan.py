"""Progressive GAN (Karras et al. 2018) on the shared engine: G(z) vs D(x), grown from 4x4.

The nets (``nets/progan.py``) hold every resolution; the engine's progressive capability
(``progressive.*``, translate/core/progressive.py) sets their stage ``(level, alpha)`` before each
step. This task only adapts the data to the stage, as the official ``process_reals``: the real
batch (loaded at the nets' full resolution) is 2x2-average-pooled to the current resolution and,
during a fade-in, blended with its own 2x downsampled-and-upsampled copy by ``1 - alpha``
(``x = lerp(up(down(x)), x, alpha)``), so reals fade in exactly as G's new block does.

Paper defaults (``models/progan/default.yaml``): WGAN-GP with lambda 10 and drift epsilon 0.001
(``gan.drift``), n_critic 1, Adam lr 0.001 betas (0, 0.99) eps 1e-8, Adam state reset at every
phase start, EMA of G 0.999, per-resolution batch sizes, pixel norm, equalised learning rate,
minibatch stddev. Sample grids are upsampled (nearest) to the full resolution, so every grid of
a run has the same size.

Stated deviations: no learning-rate ramp-up (the Theano code's 40 kimg ``rampup_kimg``; the
TensorFlow release has none); the data epoch restarts at a batch-size change (the engine).
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from ..core.stabilisers import unwrap
from ..errors import ConfigError
from ..registry import DISCRIMINATORS, GENERATORS, TASKS
from .base import Batch, build_net
from .unconditional import LatentTask


def reals_at_stage(x: Tensor, level: int, alpha: float, full: int) -> Tensor:
    """Real images [N, C, full, full] at stage (level, alpha): pooled to 4 * 2**level px, faded in.  # -> [N, C, R, R]"""
    res = 4 * 2**level
    if x.shape[-1] != full:
        x = F.interpolate(x, size=(full, full), mode="bilinear", align_corners=False, antialias=True)
    if res < full:
        x = F.avg_pool2d(x, full // res)  # [N, C, R, R]
    if alpha < 1.0 and level > 0:
        coarse = F.interpolate(F.avg_pool2d(x, 2), scale_factor=2.0, mode="nearest")  # the previous level, upsampled
        x = torch.lerp(coarse, x, alpha)
    return x


def upsampled_to_full(columns: list[Tensor], full: int) -> list[Tensor]:
    """Sample columns [N, C, R, R] upsampled (nearest) to [N, C, full, full] (every grid of a run one size)."""
    return [c if c.shape[-1] == full else F.interpolate(c, size=(full, full), mode="nearest") for c in columns]


@TASKS.register("progan")
class ProGANTask(LatentTask):
    """Progressive GAN: growing G(z) vs growing D(x) with WGAN-GP + drift (``progressive.*`` schedule)."""

    name = "progan"
    size_option = "resolution"

    def __init__(self, cfg, device="cpu", total_steps: int = 1) -> None:
        super().__init__(cfg, device, total_steps)
        if self.opts.conditional:
            raise ConfigError("options.conditional: the progan task is unconditional (use dcgan for classes)")

    def build_nets(self) -> dict[str, nn.Module]:
        return {"G": build_net(GENERATORS, self.cfg.generator), "D": build_net(DISCRIMINATORS, self.cfg.discriminator)}

    def _g(self) -> nn.Module:
        return unwrap(self.nets["G"])

    def forward(self, batch: Batch, need_grad: bool) -> dict[str, Tensor]:
        g = self._g()
        # the step's reals at the current stage replace the full-resolution batch (D, GP and drift see them)
        batch["image"] = reals_at_stage(batch["image"], g.level, g.alpha, g.image_size)
        z = self.latents(batch["image"].shape[0])  # [N, latent]
        with torch.set_grad_enabled(need_grad):
            return {"fake": g.generate(z, clamp=False)}  # [N, 3, R, R], raw as the reference

    def sample(self, batch: Batch, gens: dict[str, nn.Module]) -> list[Tensor]:
        """Fixed-latent columns at the current stage, upsampled (nearest) to the full resolution."""
        return upsampled_to_full(super().sample(batch, gens), self._g().image_size)
