"""The adversarial core a task talks to: objective + penalties + stabilisers, chosen by GanConfig.

A task hands over a discriminator callable and real/fake inputs; the adversary applies the
configured input stabilisers, evaluates the objective from the LOSSES registry, adds penalties and
returns the loss with diagnostics (mean D(real)/D(fake), Wasserstein estimate for critics)::

    adv = Adversary(cfg.gan)
    loss_d, logs, real_out, fake_out = adv.d_loss(D, real_in, fake_in.detach(), step)
    loss_g, logs, fake_out = adv.g_loss(D, fake_in, real_in)
"""

from __future__ import annotations

import dataclasses
from typing import Callable

import torch
from torch import Tensor, nn

from ..config import GanConfig
from ..errors import ConfigError
from ..registry import LOSSES, PENALTIES
from .losses import GanLoss
from .penalties import logits_of

Disc = Callable[[Tensor], "Tensor | tuple"]


def resolve_gan_config(cfg: GanConfig) -> GanConfig:
    """Fill in what the objective implies (wgan -> clip 0.01, wgan-gp -> gp) unless set."""
    loss: GanLoss = LOSSES.get(cfg.loss)
    updates = {}
    if loss.implies.get("penalty") and cfg.penalty == "none":
        updates["penalty"] = loss.implies["penalty"]
    if loss.implies.get("clip") and cfg.clip == 0:
        updates["clip"] = loss.implies["clip"]
    if cfg.penalty != "none" and cfg.penalty not in PENALTIES:
        PENALTIES.get(cfg.penalty)  # raises ConfigError listing the names
    if cfg.label_smoothing and not loss.smoothing:
        raise ConfigError(f"gan.label_smoothing: the {cfg.loss!r} objective has no real-label target to smooth")
    if cfg.penalty_every < 1:
        raise ConfigError("gan.penalty_every: must be >= 1")
    return dataclasses.replace(cfg, **updates)


class Adversary:
    """Evaluates D and G adversarial losses with the configured penalties and stabilisers."""

    def __init__(self, cfg: GanConfig, total_steps: int = 1) -> None:
        self.cfg = resolve_gan_config(cfg)
        self.loss: GanLoss = LOSSES.get(self.cfg.loss)
        self.penalty = PENALTIES.get(self.cfg.penalty) if self.cfg.penalty != "none" else None
        self.total_steps = max(1, total_steps)

    # -- input stabilisers -------------------------------------------------------------------
    def _noise_std(self, step: int) -> float:
        return self.cfg.instance_noise * max(0.0, 1.0 - step / self.total_steps)

    def prepare_inputs(self, x: Tensor, step: int) -> Tensor:
        """Apply instance noise (annealed) to a D input."""
        std = self._noise_std(step)
        if std > 0:
            x = x + std * torch.randn_like(x)
        return x

    # -- losses ------------------------------------------------------------------------------
    def d_loss(
        self, disc: Disc, real: Tensor, fake: Tensor, step: int = 0
    ) -> tuple[Tensor, dict[str, Tensor], "Tensor | tuple", "Tensor | tuple"]:
        """D/critic loss on real and (detached) fake inputs, plus penalties. Returns outputs too."""
        fake = fake.detach()
        real_out = disc(self.prepare_inputs(real, step))
        fake_out = disc(self.prepare_inputs(fake, step))
        rl, fl = logits_of(real_out), logits_of(fake_out)
        loss = self.loss.d(rl.float(), fl.float(), real_target=1.0 - self.cfg.label_smoothing)
        logs = {"D_real": rl.detach().float().mean(), "D_fake": fl.detach().float().mean()}
        if self.loss.critic:
            logs["W_estimate"] = logs["D_real"] - logs["D_fake"]
        if self.penalty is not None and step % self.cfg.penalty_every == 0:
            pen = self.penalty(disc, real, fake)
            # lazy regularisation: scale by the interval so the expected strength is unchanged
            loss = loss + self.cfg.penalty_weight * self.cfg.penalty_every * pen
            logs[f"D_{self.cfg.penalty}"] = pen.detach()
        return loss, logs, real_out, fake_out

    def g_loss(
        self, disc: Disc, fake: Tensor, real: Tensor | None = None, step: int = 0
    ) -> tuple[Tensor, dict[str, Tensor], "Tensor | tuple"]:
        """G loss on fake inputs (with grad); ``real`` is needed by relativistic objectives."""
        fake_out = disc(self.prepare_inputs(fake, step))
        real_logits = None
        if self.loss.needs_real_for_g:
            if real is None:
                raise ConfigError(f"gan.loss {self.cfg.loss!r} needs real inputs for the G loss")
            real_logits = logits_of(disc(self.prepare_inputs(real, step))).float()
        loss = self.loss.g(logits_of(fake_out).float(), real_logits)
        return loss, {}, fake_out

    # -- constraints ---------------------------------------------------------------------------
    @torch.no_grad()
    def after_d_step(self, nets: list[nn.Module]) -> None:
        """Apply parameter constraints after a D optimiser step (weight clipping)."""
        if self.cfg.clip > 0:
            for net in nets:
                for p in net.parameters():
                    p.clamp_(-self.cfg.clip, self.cfg.clip)
