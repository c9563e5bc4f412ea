"""Each objective's recommended optimiser and adversary settings (learning rates, betas, n_critic, penalty).

The settings ``translate bench toy`` trains every objective with, and the ones ``translate train``
starts from when ``--set gan.loss=NAME`` (or a ``--config`` file) picks another objective than the
recipe's: they are layered right over the recipe, so every key the user gives explicitly still wins
(``translate train ... --shared-settings`` keeps the recipe's optimiser instead). Each entry names
its source; the toy figures at these settings are in docs/objectives.md::

    s = settings_for("wgan-gp")     # ObjectiveSettings (aliases resolve to the canonical name)
    s.overrides()                   # {"optim": {...}, "train": {"n_critic": 5}, "gan": {"penalty": "gp", ...}}

Every entry sets the penalty explicitly (``none`` for most), so switching objectives never keeps
a penalty or clipping bound the recipe chose for another one.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

from ..registry import LOSSES, Registry

_NO_PENALTY = {"penalty": "none", "penalty_weight": 10.0, "penalty_every": 1, "clip": 0.0}


@dataclass(frozen=True)
class ObjectiveSettings:
    """Optimiser, D steps per G step and adversary keys of one objective, with where they come from."""

    lr_g: float = 2e-4
    lr_d: float = 2e-4
    beta1: float = 0.5
    beta2: float = 0.999
    n_critic: int = 1
    optimizer: str = "adam"
    gan: dict[str, Any] = field(default_factory=dict)  # GanConfig keys over _NO_PENALTY
    source: str = ""
    toy_lr: float = 0.0  # the toy's G and D learning rate where the paper's needs more than its 3,000 steps (0 = lr_g/lr_d)
    toy_gan: dict[str, Any] = field(default_factory=dict)  # GanConfig keys only the toy changes (its R1 gamma, ...)
    note: str = ""  # why the toy values differ, for docs/objectives.md

    def for_toy(self) -> "ObjectiveSettings":
        """These settings as the 2-D toy trains with them (``toy_lr`` and ``toy_gan`` applied)."""
        lr = (self.toy_lr, self.toy_lr) if self.toy_lr else (self.lr_g, self.lr_d)
        return dataclasses.replace(self, lr_g=lr[0], lr_d=lr[1], gan={**self.gan, **self.toy_gan}, toy_lr=0.0, toy_gan={})

    def gan_keys(self) -> dict[str, Any]:
        """The GanConfig keys these settings fix (penalty, its weight and interval, clip, ...)."""
        return {**_NO_PENALTY, **self.gan}

    def overrides(self) -> dict[str, Any]:
        """The settings as a config layer (nested dict of ``optim``, ``train`` and ``gan`` keys)."""
        optim = {"name": self.optimizer, "lr_g": self.lr_g, "lr_d": self.lr_d, "beta1": self.beta1, "beta2": self.beta2}
        return {"optim": optim, "train": {"n_critic": self.n_critic}, "gan": self.gan_keys()}

    def describe(self) -> str:
        """One line: ``adam lr 1e-04/1e-04 betas (0.5, 0.9), n_critic 5, penalty gp x 0.1``."""
        g = self.gan_keys()
        extra = f", penalty {g['penalty']} x {g['penalty_weight']:g}" if g["penalty"] != "none" else ""
        extra += f", clip {g['clip']:g}" if g["clip"] else ""
        extra += ", spectral norm" if g.get("spectral_norm") else ""
        betas = f" betas ({self.beta1:g}, {self.beta2:g})" if self.optimizer in ("adam", "adamw") else ""
        return f"{self.optimizer} lr {self.lr_g:.0e}/{self.lr_d:.0e}{betas}, n_critic {self.n_critic}{extra}"


OBJECTIVE_SETTINGS: Registry[ObjectiveSettings] = Registry("objective settings")

_DCGAN = ObjectiveSettings(source="DCGAN (Radford et al. 2016): Adam 2e-4, betas (0.5, 0.999), 1 D step per G step")
_CRITIC = ObjectiveSettings(lr_g=1e-4, lr_d=1e-4, beta2=0.9, n_critic=5,
                            source="WGAN-GP (Gulrajani et al. 2017): Adam 1e-4, betas (0.5, 0.9), 5 critic steps")


def _entry(base: ObjectiveSettings, source: str = "", **changes: Any) -> ObjectiveSettings:
    return dataclasses.replace(base, source=source or base.source, **changes)


_R1 = {"penalty": "r1", "penalty_weight": 5.0}  # gamma 10 (StyleGAN2, Mescheder et al. 2018); R1 carries no 1/2
_FAST = 1e-3  # the toy's learning rate where 2e-4/1e-4 would need far more than its 3,000 steps
_R1_SOURCE = " + R1 gamma 10 (Mescheder et al. 2018: converges where the unregularised game circles)"

OBJECTIVE_SETTINGS.add("lsgan", _entry(_DCGAN, "LSGAN (Mao et al. 2017): Adam 2e-4, beta1 0.5, 1 D step"))
_FGAN = "f-GAN (Nowozin et al. 2016): Adam 2e-4, beta1 0.5"
_ROTH = (_FGAN + " + zero-centred gradient penalty on reals and fakes, gamma 2 (the f-GAN regulariser of Roth et al. 2017, "
         "unweighted: r1r2)")
_ROTH_GAN = {"penalty": "r1r2", "penalty_weight": 1.0}
OBJECTIVE_SETTINGS.add("fgan-kl", _entry(_DCGAN, _ROTH, gan=_ROTH_GAN, toy_lr=_FAST))  # gamma 0.2 left 2 modes on the toy
for _name in ("fgan-reverse-kl", "fgan-pearson", "fgan-hellinger"):
    OBJECTIVE_SETTINGS.add(_name, _entry(_DCGAN, _ROTH, gan=_ROTH_GAN, toy_lr=_FAST,
                                         toy_gan={"penalty_weight": 0.1}, note="gamma 0.2 for 2-D points"))
for _name in ("minimax", "nonsaturating"):
    OBJECTIVE_SETTINGS.add(_name, _entry(_DCGAN, _DCGAN.source + _R1_SOURCE, gan=_R1, toy_lr=_FAST,
                                         toy_gan={"penalty_weight": 0.1}, note="R1 gamma 0.2 for 2-D points"))
OBJECTIVE_SETTINGS.add("ragan", _entry(_DCGAN, "RaGAN (Jolicoeur-Martineau 2018): Adam 2e-4, betas (0.5, 0.999), 1 D step" + _R1_SOURCE,
                                       gan=_R1, toy_lr=_FAST, toy_gan={"penalty_weight": 0.1}, note="R1 gamma 0.2 for 2-D points"))
OBJECTIVE_SETTINGS.add("ralsgan", _entry(_DCGAN, "RaLSGAN (Jolicoeur-Martineau 2018): Adam 2e-4, betas (0.5, 0.999), 1 D step"))
for _name in ("fgan-gan", "fgan-js"):
    OBJECTIVE_SETTINGS.add(_name, _entry(_DCGAN, _FGAN, toy_lr=_FAST))
OBJECTIVE_SETTINGS.add("wgan", _entry(_CRITIC, "WGAN (Arjovsky et al. 2017): RMSprop 5e-5, clip 0.01, 5 critic steps",
                                      optimizer="rmsprop", lr_g=5e-5, lr_d=5e-5, gan={"clip": 0.01}, toy_lr=_FAST))
OBJECTIVE_SETTINGS.add("wgan-gp", _entry(_CRITIC, gan={"penalty": "gp", "penalty_weight": 10.0}, toy_lr=_FAST,
                                         toy_gan={"penalty_weight": 0.1}, note="lambda 0.1 as the WGAN-GP toy code"))
OBJECTIVE_SETTINGS.add("hinge", _entry(_CRITIC, "SN-GAN (Miyato et al. 2018) setting A: Adam 1e-4, betas (0.5, 0.9), "
                                                "5 D steps, spectral norm", gan={"spectral_norm": True}, toy_lr=_FAST))
OBJECTIVE_SETTINGS.add("rpgan", _entry(_DCGAN, "R3GAN (Huang et al. 2025): Adam 2e-4, betas (0, 0.9), R1 + R2 gamma 2 (FFHQ-64 preset)",
                                       beta1=0.0, beta2=0.9, gan={"penalty": "r1r2", "penalty_weight": 1.0}, toy_lr=_FAST,
                                       toy_gan={"penalty_weight": 0.05}, note="gamma 0.1 for 2-D points"))


def settings_for(loss: str) -> ObjectiveSettings:
    """The recommended settings of objective ``loss`` (any alias; ConfigError listing names if unknown)."""
    return OBJECTIVE_SETTINGS.get(LOSSES.get(loss).name)


def objective_layer(recipe_loss: str, loss: str) -> dict[str, Any] | None:
    """The config layer ``translate train`` puts over the recipe when ``loss`` is another objective than the recipe's."""
    if LOSSES.get(loss).name == LOSSES.get(recipe_loss).name:
        return None
    return settings_for(loss).overrides()
