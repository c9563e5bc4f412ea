"""StyleGAN2-style unconditional training (Karras et al. 2020) on the shared engine.

Losses (paper defaults in ``models/stylegan/default.yaml``):

- non-saturating logistic loss (``gan.loss: nonsaturating``);
- lazy R1 on reals through the core adversary: ``gan.penalty: r1``, ``gan.penalty_every: 16``,
  ``gan.penalty_weight: gamma / 2``; the adversary multiplies by the interval (lazy regularisation);
- path-length regularisation on G every ``pl_every`` (4) steps with weight ``pl_weight`` (2),
  scaled by the interval: ``(|J_w^T y| - a)^2``, y ~ N(0, I) / sqrt(H W), ``a`` the running mean
  of the lengths (decay 0.01), kept in the task state so resume is exact; on a batch shrunk by
  ``pl_batch_shrink`` (2);
- style mixing with probability 0.9 (one random crossover point per batch, as the reference).

EMA of G is the engine's ``train.ema``. Stated deviations: the lazy terms are added to the main
loss of their step instead of taking a separate optimiser step, and the Adam correction for lazy
regularisation is applied to the learning rates only (lr * k / (k + 1) in the recipe); beta2 stays
0.99 for both nets because the engine's optimisers share betas (0.99^(k/(k+1)) differs by < 0.001).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, ClassVar

import torch
from torch import Tensor, nn

from ..core.stabilisers import unwrap
from ..errors import ConfigError
from ..registry import DISCRIMINATORS, GENERATORS, TASKS
from .base import Batch, Logs, build_net
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
        n = batch["image"].shape[0]
        with torch.set_grad_enabled(need_grad):
            ws = self.mixed_ws(n, track=True)
            return {"fake": unwrap(self.nets["G"]).synthesis(ws, clamp=False)}  # [N, 3, R, R], raw as the reference

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
        o = self.opts
        if o.pl_weight > 0 and step % o.pl_every == 0:
            n = max(1, batch["image"].shape[0] // o.pl_batch_shrink)
            pen, length = self.path_length_penalty(n)
            loss = loss + o.pl_weight * o.pl_every * pen  # lazy: scaled by the interval
            logs.update(G_pl=pen.detach(), pl_length=length, pl_mean=self.pl_mean.clone())
        return loss, logs

    # -- state -------------------------------------------------------------------------------------
    def extra_state(self) -> dict[str, Any]:
        return {"pl_mean": self.pl_mean.detach().cpu()}

    def load_extra_state(self, state: dict[str, Any]) -> None:
        if "pl_mean" in state:
            self.pl_mean = state["pl_mean"].to(self.device)
