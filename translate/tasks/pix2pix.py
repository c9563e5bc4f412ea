"""pix2pix (Isola et al. 2017): conditional GAN + L1 on paired images.

G: A -> B (U-Net by default); D: PatchGAN on concat(A, B) (6 channels). Paper defaults live in
``models/pix2pix/default.yaml``: vanilla (BCE) GAN loss, lambda_L1 100, D loss halved, Adam 2e-4
(0.5, 0.999), batch 1, 100 + 100 epochs with linear decay, no image pool.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from ..config import from_dict
from ..core.pool import ImagePool
from ..core.quality import mean_paired_metrics
from ..registry import DISCRIMINATORS, GENERATORS, TASKS
from .base import Batch, DiscView, Logs, Task, build_net
from .data import build_dataset


@dataclass
class Pix2PixOptions:
    """Task options (``options:`` in the recipe)."""

    lambda_l1: float = 100.0  # weight of the L1 reconstruction term
    lambda_gan: float = 1.0  # weight of the adversarial term (0 = L1-only baseline, no D updates)
    d_weight: float = 0.5  # the reference halves the D loss
    conditional_d: bool = True  # D sees concat(A, B); False: unconditional D on B only


_UNET_PRESETS = {256: "unet_256", 128: "unet_128"}


def unet_for_size(size: int) -> dict[str, Any]:
    """The U-Net generator setting matching a square crop size (bottleneck at 1x1 when possible)."""
    if size in _UNET_PRESETS:
        return {"arch": _UNET_PRESETS[size]}
    n = int(math.log2(size & -size))  # largest power of two dividing size
    return {"arch": "unet", "num_downs": max(5, min(8, n))}


@TASKS.register("pix2pix")
class Pix2PixTask(Task):
    """Paired image-to-image translation A -> B."""

    name = "pix2pix"
    layouts = ("aligned", "folders", "derived")
    feature_matching = True  # PatchGAN features; kind pix2pixhd is pix2pixHD's multi-layer L1

    def __init__(self, cfg, device="cpu", total_steps: int = 1) -> None:
        self.opts: Pix2PixOptions = from_dict(Pix2PixOptions, cfg.options, "options")
        super().__init__(cfg, device, total_steps)
        self.pool = ImagePool(cfg.gan.pool_size)
        if self.opts.conditional_d:  # DiffAugment: the same transform for A and B, colour means per image
            g = self.nets["G"]
            self.adv.augment.groups = (g.in_channels, g.out_channels)
            self.adv.condition_channels = g.in_channels  # R1/GP penalise D's gradient in B only, not in A
        if self.opts.lambda_gan == 0:
            self.order = ("g",)

    @classmethod
    def adapt_to_size(cls, data: dict[str, Any], size: int) -> dict[str, Any]:
        d = super().adapt_to_size(data, size)
        gen = dict(d.get("generator", {}))
        if str(gen.get("arch", "")).startswith("unet"):
            gen.pop("num_downs", None)
            gen.update(unet_for_size(size))
            d["generator"] = gen
        return d

    def build_nets(self) -> dict[str, nn.Module]:
        g = build_net(GENERATORS, self.cfg.generator)
        d_in = 6 if self.opts.conditional_d else 3
        d = build_net(DISCRIMINATORS, self.cfg.discriminator, in_channels=d_in)
        return {"G": g, "D": d}

    def build_dataset(self, split: str, train: bool):
        return build_dataset(self.cfg, split, train, self.nets["G"].input_multiple, self.layouts)

    # -- losses ----------------------------------------------------------------------------------
    def _d_input(self, a: Tensor, b: Tensor) -> Tensor:
        return torch.cat([a, b], 1) if self.opts.conditional_d else b  # [N, 6, H, W] or [N, 3, H, W]

    def forward(self, batch: Batch, need_grad: bool) -> dict[str, Tensor]:
        with torch.set_grad_enabled(need_grad):
            return {"fake_B": self.nets["G"](batch["A"])}

    def d_views(self, batch: Batch, out: dict[str, Tensor]) -> list[DiscView]:
        a, b = batch["A"], batch["B"]
        fake = self.pool.query(out["fake_B"].detach())
        return [DiscView(self.nets["D"], self._d_input(a, b), self._d_input(a, fake), self.opts.d_weight)]

    def d_loss(self, batch: Batch, out: dict[str, Tensor], step: int) -> tuple[Tensor, Logs]:
        (v,) = self.views(batch, out)
        loss, logs, _, _ = self.adv.d_loss(v.disc, v.real, v.fake, step)
        return loss * v.weight, logs

    def g_loss(self, batch: Batch, out: dict[str, Tensor], step: int) -> tuple[Tensor, Logs]:
        a, b, fake = batch["A"], batch["B"], out["fake_B"]
        l1 = F.l1_loss(fake.float(), b.float())
        logs: Logs = {"G_L1": l1.detach()}
        loss = self.opts.lambda_l1 * l1
        if self.opts.lambda_gan > 0:
            gan, extra, _ = self.adv.g_loss(self.nets["D"], self._d_input(a, fake), self._d_input(a, b), step)
            loss = loss + self.opts.lambda_gan * gan
            logs.update(G_GAN=gan.detach(), **extra)
            loss = self.add_feature_matching(loss, logs, "D", self._d_input(a, fake), self._d_input(a, b), step)
        return loss, logs

    # -- outputs ---------------------------------------------------------------------------------
    def sample(self, batch: Batch, gens: dict[str, nn.Module]) -> list[Tensor]:
        return [batch["A"], gens["G"](batch["A"]), batch["B"]]

    def evaluate(self, batches: Any, gens: dict[str, nn.Module]) -> dict[str, float]:
        return mean_paired_metrics((gens["G"](b["A"]), b["B"]) for b in batches)

    def generator_meta(self) -> dict[str, dict[str, Any]]:
        d = self.cfg.data
        return {"G": {"direction": d.direction, "crop_size": d.crop_size, "derive": d.derive, "train_layout": d.layout}}

    def extra_state(self) -> dict[str, Any]:
        return {"pool": self.pool.state_dict()}

    def load_extra_state(self, state: dict[str, Any]) -> None:
        if "pool" in state:
            self.pool.load_state_dict(state["pool"], self.device)
