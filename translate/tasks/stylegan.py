"""StyleGAN2-style unconditional training (Karras et al. 2020) on the shared engine.

Losses (paper defaults in ``models/stylegan/default.yaml``):

- non-saturating logistic loss (``gan.loss: nonsaturating``);
- lazy R1 on reals through the core adversary: ``gan.penalty: r1``, ``gan.penalty_every: 16``,
  ``gan.penalty_weight: gamma / 2``, as the phase ``Dreg``;
- path-length regularisation on G, the phase ``Greg``, every ``pl_every`` (4) steps with weight
  ``pl_weight`` (2): ``(|J_w^T y| - a)^2``, y ~ N(0, I) / sqrt(H W), ``a`` the running mean of the
  lengths (decay 0.01), kept in the task state so resume is exact; on a batch shrunk by
  ``pl_batch_shrink`` (2);
- style mixing with probability 0.9 (one random crossover point per batch, as the reference).

Phases (translate/core/phases.py), as NVlabs stylegan3: a lazy regulariser (interval k > 1) takes
its own optimiser step every k steps with its loss multiplied by k, and the engine builds each
net's Adam with lr * k/(k+1) and betas ** (k/(k+1)) (G: k = pl_every, D: k = penalty_every). With
k = 1, or ``pl_weight: 0``, there is no separate phase and no correction (stylegan3's "Gboth" /
"Dboth"). The order is Dmain, Dreg, Gmain, Greg, not stylegan3's Gmain, Greg, Dmain, Dreg:
stylegan3 runs G afresh in every phase, the engine generates the step's fakes once before the
phases; with D first both main phases use fakes of the current G (G first would train D on fakes
from before G's update), and it is the order of the other tasks here. EMA of G is the engine's
``train.ema``, updated once per step after the last G phase.

The generator is either synthesis style of the ``stylegan`` net (``generator.style``: ``modulated``,
StyleGAN2, the default; ``adain``, StyleGAN1, recipe ``adain_digits``): the task only uses the shared
``mapping_ws`` / ``synthesis`` / ``num_ws`` interface, so losses, mixing and phases are the same for both.

Progressive growing (recipe ``progressive_digits``): with ``progressive.start`` > 0 and both nets
built with ``progressive: true`` the engine's schedule grows them as ProGAN (translate/core/progressive.py);
the reals follow the stage as the ProGAN task's (``reals_at_stage``) and grids are upsampled to full size.

Stated deviations: bilinear/average-pool resampling instead of FIR filters (``nets/stylegan.py``),
outputs clamped to [-1, 1] (straight-through) outside training, ONNX export in fp32 only.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, ClassVar

import torch
from torch import Tensor, nn

from ..core.phases import Phase
from ..core.stabilisers import unwrap
from ..errors import ConfigError
from ..registry import DISCRIMINATORS, GENERATORS, TASKS
from .base import Batch, Logs, build_net
from .progan import reals_at_stage, upsampled_to_full
from .unconditional import LatentOptions, LatentTask


@dataclass
class StyleGANOptions(LatentOptions):
    """StyleGAN task options (``options:`` in the recipe)."""

    style_mixing: float = 0.9  # probability of mixing two latents at a random layer
    pl_weight: float = 2.0  # path-length regularisation weight (0 = off)
    pl_every: int = 4  # lazy interval of the path-length term
    pl_decay: float = 0.01  # running-mean decay of the path lengths
    pl_batch_shrink: int = 2  # the path-length pass uses batch // shrink latents


@TASKS.register("stylegan")
class StyleGANTask(LatentTask):
    """StyleGAN2: mapping + modulated synthesis G vs residual D; R1, path length, style mixing."""

    name = "stylegan"
    options_cls = StyleGANOptions
    size_option = "resolution"
    sample_kwargs: ClassVar[dict[str, Any]] = {"noise_mode": "const"}

    def __init__(self, cfg, device="cpu", total_steps: int = 1) -> None:
        super().__init__(cfg, device, total_steps)
        if self.opts.conditional:
            raise ConfigError("options.conditional: the stylegan task is unconditional (use dcgan for classes)")
        if self.opts.pl_every < 1 or not 0.0 <= self.opts.style_mixing <= 1.0:
            raise ConfigError("options.pl_every must be >= 1 and options.style_mixing in [0, 1]")
        self.pl_mean = torch.zeros([], device=self.device)

    def build_nets(self) -> dict[str, nn.Module]:
        return {"G": build_net(GENERATORS, self.cfg.generator), "D": build_net(DISCRIMINATORS, self.cfg.discriminator)}

    # -- generation ------------------------------------------------------------------------------
    def mixed_ws(self, n: int, track: bool = False) -> Tensor:
        """ws [n, num_ws, w_dim] for fresh latents, with style mixing (one crossover per batch)."""
        g = unwrap(self.nets["G"])
        ws = g.mapping_ws(self.latents(n), track_w_avg=track)
        if self.opts.style_mixing > 0:
            cutoff = int(torch.randint(1, g.num_ws, ()).item())
            if torch.rand(()).item() < self.opts.style_mixing:
                ws2 = g.mapping_ws(self.latents(n))
                layer = torch.arange(g.num_ws, device=ws.device)[None, :, None]  # [1, num_ws, 1]
                ws = torch.where(layer < cutoff, ws, ws2)
        return ws

    def forward(self, batch: Batch, need_grad: bool) -> dict[str, Tensor]:
        g = unwrap(self.nets["G"])
        if g.growing:  # the step's reals at the current stage (D, R1 see them)
            batch["image"] = reals_at_stage(batch["image"], g.level, g.alpha, g.image_size)
        n = batch["image"].shape[0]
        with torch.set_grad_enabled(need_grad):
            ws = self.mixed_ws(n, track=True)
            return {"fake": unwrap(self.nets["G"]).synthesis(ws, clamp=False)}  # [N, 3, R, R], raw as the reference

    def sample(self, batch: Batch, gens: dict[str, nn.Module]) -> list[Tensor]:
        """Fixed-latent columns; at a progressive stage, upsampled (nearest) to the full resolution."""
        return upsampled_to_full(super().sample(batch, gens), unwrap(self.nets["G"]).image_size)

    # -- path-length regularisation -----------------------------------------------------------------
    def path_length_penalty(self, n: int) -> tuple[Tensor, Tensor]:
        """(E (|J_w^T y| - a)^2, mean length) on ``n`` fresh latents; updates the running mean ``a``."""
        g = unwrap(self.nets["G"])
        ws = self.mixed_ws(n)
        img = g.synthesis(ws, clamp=False)  # [n, 3, R, R]
        noise = torch.randn_like(img) / math.sqrt(img.shape[2] * img.shape[3])
        (grads,) = torch.autograd.grad((img * noise).sum(), ws, create_graph=True)  # [n, num_ws, w_dim]
        lengths = grads.square().sum(2).mean(1).sqrt()  # [n]
        pl_mean = self.pl_mean.lerp(lengths.mean().detach(), self.opts.pl_decay)
        self.pl_mean = pl_mean.detach()
        return (lengths - pl_mean).square().mean(), lengths.mean().detach()

    def g_loss(self, batch: Batch, out: dict[str, Tensor], step: int) -> tuple[Tensor, Logs]:
        loss, logs = super().g_loss(batch, out, step)
        if self.opts.pl_weight > 0 and self.opts.pl_every == 1:  # not lazy: part of Gmain ("Gboth")
            reg, extra = self.g_reg_loss(batch, out, step)
            loss = loss + reg
            logs.update(extra)
        return loss, logs

    def g_reg_loss(self, batch: Batch, out: dict[str, Tensor], step: int) -> tuple[Tensor, Logs]:
        """The Greg phase's loss: pl_weight x path-length penalty (the phase multiplies by pl_every)."""
        o = self.opts
        n = max(1, batch["image"].shape[0] // o.pl_batch_shrink)
        pen, length = self.path_length_penalty(n)
        return o.pl_weight * pen, {"G_pl": pen.detach(), "pl_length": length, "pl_mean": self.pl_mean.clone()}

    def g_phases(self) -> list[Phase]:
        """Gmain, then Greg (path length) every ``pl_every`` > 1 steps unless ``pl_weight`` is 0."""
        phases = super().g_phases()
        if self.opts.pl_weight > 0 and self.opts.pl_every > 1:
            phases.append(Phase("Greg", "G", self.g_reg_loss, interval=self.opts.pl_every, lazy=True))
        return phases

    # -- state -------------------------------------------------------------------------------------
    def extra_state(self) -> dict[str, Any]:
        return {"pl_mean": self.pl_mean.detach().cpu()}

    def load_extra_state(self, state: dict[str, Any]) -> None:
        if "pl_mean" in state:
            self.pl_mean = state["pl_mean"].to(self.device)
