"""The adversarial core a task talks to: objective + penalties + stabilisers, chosen by GanConfig.

A task hands over a discriminator and real/fake inputs; the adversary applies the configured input
stabilisers (DiffAugment, annealed instance noise), evaluates the objective from the LOSSES
registry, adds penalties and returns the loss with diagnostics (mean D(real)/D(fake), Wasserstein
or f-divergence estimate)::

    adv = Adversary(cfg.gan, total_steps)
    D = adv.prepare_discriminator(D)            # spectral norm when gan.spectral_norm (the engine does this)
    adv.attach_d_optimizer(opt_d)                # unrolled look-ahead continues from D's Adam (engine)
    loss_d, logs, real_out, fake_out = adv.d_loss(D, real_in, fake_in.detach(), step)
    loss_g, logs, fake_out = adv.g_loss(D, fake_in, real_in, step)   # real_in: relativistic, unrolled
    adv.after_d_step([D])                        # weight clipping
    if adv.lazy_penalty:                         # gan.penalty_every > 1: the task's "Dreg" phase
        loss_r, logs = adv.penalty_loss(D, real_in, fake_in.detach(), step)

With ``gan.penalty_every`` 1 the penalty is part of ``d_loss`` (stylegan3's "Dboth"); with k > 1
``d_loss`` leaves it out and a separate phase takes ``penalty_loss`` every k steps with its own
optimiser step and gain k (translate/core/phases.py).

Everything D sees goes through :meth:`Adversary.view` (augment, then noise): the objective, the
penalties (gradients are taken w.r.t. the un-augmented input, as in DiffAugment) and the
unrolled look-ahead.
"""

from __future__ import annotations

import dataclasses
from typing import Callable

import torch
from torch import Tensor, nn

from ..config import GanConfig
from ..errors import ConfigError
from ..registry import LOSSES, PENALTIES
from .augment import DiffAugment
from .feature_matching import FEATURE_MATCHING, feature_matching_loss
from .losses import GanLoss
from .penalties import drift_penalty, logits_of, mean_logit, per_scale
from .spectral import apply_spectral_norm
from .unrolled import Unroller, check_rule

Disc = Callable[[Tensor], "Tensor | tuple"]


def resolve_gan_config(cfg: GanConfig) -> GanConfig:
    """Fill in what the objective implies (wgan -> clip 0.01, wgan-gp -> gp) unless set; validate."""
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
    if not 0.0 <= cfg.label_smoothing < 1.0:
        raise ConfigError("gan.label_smoothing: must be in [0, 1)")
    if cfg.penalty_every < 1:
        raise ConfigError("gan.penalty_every: must be >= 1")
    if cfg.instance_noise < 0 or cfg.clip < 0:
        raise ConfigError("gan.instance_noise and gan.clip: must be >= 0")
    if cfg.unrolled_steps < 0:
        raise ConfigError("gan.unrolled_steps: must be >= 0")
    check_rule(cfg.unrolled_optim)
    if cfg.feature_matching < 0:
        raise ConfigError("gan.feature_matching: must be >= 0")
    FEATURE_MATCHING.entry(cfg.feature_matching_kind)  # raises ConfigError listing the kinds
    if cfg.feature_matching and cfg.feature_matching_kind == "pix2pixhd" and cfg.diffaugment:
        raise ConfigError("gan.feature_matching_kind pix2pixhd pairs real and fake features; gan.diffaugment would "
                          "transform each differently (use kind mean)")
    DiffAugment(cfg.diffaugment)  # raises ConfigError on an unknown policy
    return dataclasses.replace(cfg, **updates)


class Adversary:
    """Evaluates D and G adversarial losses with the configured penalties and stabilisers."""

    def __init__(self, cfg: GanConfig, total_steps: int = 1) -> None:
        self.cfg = resolve_gan_config(cfg)
        self.loss: GanLoss = LOSSES.get(self.cfg.loss)
        self.penalty = PENALTIES.get(self.cfg.penalty) if self.cfg.penalty != "none" else None
        self.total_steps = max(1, total_steps)
        self.augment = DiffAugment(self.cfg.diffaugment)
        self.condition_channels = 0  # leading channels of D's input that are a condition (pix2pix's A): not penalised
        steps = self.cfg.unrolled_steps
        self.unroller = Unroller(steps, self.cfg.unrolled_lr, self.cfg.unrolled_optim) if steps > 0 else None

    @property
    def lazy_penalty(self) -> bool:
        """Whether the penalty is a lazy regulariser of its own (``penalty_every`` > 1), not part of ``d_loss``."""
        return self.penalty is not None and self.cfg.penalty_every > 1

    # -- nets and optimisers ------------------------------------------------------------------------
    def prepare_discriminator(self, net: nn.Module) -> nn.Module:
        """Apply net-level stabilisers to a discriminator in place (spectral norm); returns it."""
        return apply_spectral_norm(net) if self.cfg.spectral_norm else net

    def attach_d_optimizer(self, opt: torch.optim.Optimizer) -> None:
        """Let the unrolled look-ahead continue from D's optimiser (Adam moments, lr, betas)."""
        if self.unroller is not None:
            self.unroller.d_optimizer = opt

    # -- input stabilisers -------------------------------------------------------------------
    def _noise_std(self, step: int) -> float:
        return self.cfg.instance_noise * max(0.0, 1.0 - step / self.total_steps)

    def prepare_inputs(self, x: Tensor, step: int) -> Tensor:
        """What D sees of an input: DiffAugment (if set), then instance noise (annealed)."""
        x = self.augment(x)
        std = self._noise_std(step)
        if std > 0:
            x = x + std * torch.randn_like(x)
        return x

    def view(self, disc: Disc, step: int) -> Disc:
        """``disc`` composed with the input stabilisers: ``x -> disc(prepare_inputs(x))``."""
        if not self.augment and self._noise_std(step) == 0:
            return disc
        return lambda x: disc(self.prepare_inputs(x, step))

    # -- losses ------------------------------------------------------------------------------
    def _objective(self, view: Disc, real: Tensor, fake: Tensor) -> tuple[Tensor, "Tensor | tuple", "Tensor | tuple"]:
        """The D objective (no penalty) through ``view``, with both outputs."""
        real_out, fake_out = view(real), view(fake)
        loss = per_scale(self.loss.d, logits_of(real_out), logits_of(fake_out), real_target=1.0 - self.cfg.label_smoothing)
        return loss, real_out, fake_out

    def d_loss(
        self, disc: Disc, real: Tensor, fake: Tensor, step: int = 0
    ) -> tuple[Tensor, dict[str, Tensor], "Tensor | tuple", "Tensor | tuple"]:
        """D/critic loss on real and (detached) fake inputs, plus the penalty unless lazy. Returns outputs too."""
        view = self.view(disc, step)
        loss, real_out, fake_out = self._objective(view, real, fake.detach())
        logs = {"D_real": mean_logit(real_out), "D_fake": mean_logit(fake_out)}
        if self.loss.critic:
            logs["W_estimate"] = logs["D_real"] - logs["D_fake"]
        if self.loss.estimate:
            logs[self.loss.estimate] = -loss.detach()
        if self.penalty is not None and not self.lazy_penalty:
            pen = self.penalty(self._penalised(view), real, fake.detach())
            loss = loss + self.cfg.penalty_weight * pen
            logs[f"D_{self.cfg.penalty}"] = pen.detach()
        if self.cfg.drift > 0:  # ProGAN: epsilon_drift * E[D(x)^2]
            drift = per_scale(drift_penalty, logits_of(real_out))
            loss = loss + self.cfg.drift * drift
            logs["D_drift"] = drift.detach()
        return loss, logs, real_out, fake_out

    def penalty_loss(self, disc: Disc, real: Tensor, fake: Tensor, step: int = 0) -> tuple[Tensor, dict[str, Tensor]]:
        """The weighted penalty alone, through the input stabilisers (the lazy "Dreg" phase's loss).

        Not multiplied by ``penalty_every``: the phase applies its interval as gain.
        """
        if self.penalty is None:
            raise ConfigError("gan.penalty: none is set, so there is no D regulariser")
        pen = self.penalty(self._penalised(self.view(disc, step)), real, fake.detach())
        return self.cfg.penalty_weight * pen, {f"D_{self.cfg.penalty}": pen.detach()}

    def _penalised(self, view: Disc) -> Disc:
        """``view`` with the condition channels detached, so gradient penalties see only the judged image.

        A conditional D's R1/GP on ``concat(A, B)`` would otherwise also flatten D in the condition A,
        which the data never varies for a given B.  # x [N, C_cond + C, H, W]
        """
        c = self.condition_channels
        if not c:
            return view
        return lambda x: view(torch.cat([x[:, :c].detach(), x[:, c:]], 1))

    def g_loss(
        self, disc: Disc, fake: Tensor, real: Tensor | None = None, step: int = 0
    ) -> tuple[Tensor, dict[str, Tensor], "Tensor | tuple"]:
        """G loss on fake inputs (with grad); ``real`` is needed by relativistic objectives and unrolling."""
        needs_real = self.loss.needs_real_for_g or self.unroller is not None
        if needs_real and real is None:
            why = "gan.unrolled_steps > 0" if self.unroller is not None else f"gan.loss {self.cfg.loss!r}"
            raise ConfigError(f"{why} needs real inputs for the G loss")
        logs: dict[str, Tensor] = {}
        view = self.view(disc, step)
        if self.unroller is not None:
            target = real.detach()
            ahead = self.unroller(disc, lambda d: self._objective(self.view(d, step), target, fake)[0])
            view = self.view(ahead, step)
        fake_out = view(fake)
        real_logits = logits_of(view(real.detach())) if self.loss.needs_real_for_g else None
        loss = per_scale(self.loss.g, logits_of(fake_out), real_logits)
        return loss, logs, fake_out

    def feature_loss(self, features: Callable[[Tensor], list], fake: Tensor, real: Tensor,
                     step: int = 0) -> tuple[Tensor, dict[str, Tensor]]:
        """``gan.feature_matching`` x the feature-matching loss of D's ``features`` on fakes (with grad) vs reals.

        Both go through the input stabilisers, as D sees them; the real features are constants.
        """
        view = self.view(features, step)
        with torch.no_grad():
            real_feats = view(real.detach())
        fm = feature_matching_loss(self.cfg.feature_matching_kind, real_feats, view(fake))
        return self.cfg.feature_matching * fm, {"G_FM": fm.detach()}

    # -- constraints ---------------------------------------------------------------------------
    @torch.no_grad()
    def after_d_step(self, nets: list[nn.Module]) -> None:
        """Apply parameter constraints after a D optimiser step (weight clipping)."""
        if self.cfg.clip > 0:
            for net in nets:
                for p in net.parameters():
                    p.clamp_(-self.cfg.clip, self.cfg.clip)
