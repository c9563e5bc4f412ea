"""Adversarial objectives as pure functions of discriminator logits.

Every objective is a pair ``d(real_logits, fake_logits) -> scalar`` (the discriminator/critic
minimises it) and ``g(fake_logits, real_logits) -> scalar`` (the generator minimises it), registered
in ``translate.registry.LOSSES`` as a :class:`GanLoss`. Logits are raw network outputs of any
shape (PatchGAN maps, per-image scores); reductions are means over every element.

Here: minimax, non-saturating ("vanilla"), LSGAN, WGAN, WGAN-GP, hinge and the relativistic
average RaGAN / RaLSGAN, and the relativistic pairing RpGAN of R3GAN (Huang et al. 2025; with
``gan.penalty: r1r2``). The f-GAN family lives in :mod:`translate.core.fgan`. ``docs/objectives.md``
lists every formula.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Optional

import torch
import torch.nn.functional as F
from torch import Tensor

from ..registry import LOSSES

DLoss = Callable[..., Tensor]
GLoss = Callable[..., Tensor]


@dataclass(frozen=True)
class GanLoss:
    """One adversarial objective: D and G losses plus facts the engine and docs use."""

    name: str
    d: DLoss  # d(real_logits, fake_logits, real_target=1.0) -> scalar
    g: GLoss  # g(fake_logits, real_logits=None) -> scalar
    formula: str
    critic: bool = False  # unbounded critic: -d is a Wasserstein-distance estimate
    needs_real_for_g: bool = False  # relativistic objectives compare with real logits
    implies: dict = field(default_factory=dict)  # GanConfig defaults it implies (penalty, clip)
    smoothing: bool = False  # supports one-sided label smoothing (real_target < 1)
    estimate: str = ""  # log key under which -L_D is logged as a divergence estimate ("" = none)


def register_loss(loss: GanLoss, *aliases: str) -> GanLoss:
    """Add ``loss`` (and aliases) to the LOSSES registry."""
    for name in (loss.name, *aliases):
        LOSSES.add(name, loss)
    return loss


def objective_names() -> list[str]:
    """Canonical names of the registered objectives, aliases left out (import translate.core first)."""
    return sorted({LOSSES.get(n).name for n in LOSSES.names()})


def _bce(logits: Tensor, target: float) -> Tensor:
    return F.binary_cross_entropy_with_logits(logits, torch.full_like(logits, target))


# --- non-saturating / vanilla ---------------------------------------------------------------


def nonsaturating_d(real: Tensor, fake: Tensor, real_target: float = 1.0) -> Tensor:
    """-E[log D(x)] - E[log(1 - D(G(z)))] with D = sigmoid(logits) (BCE with logits)."""
    return _bce(real, real_target) + _bce(fake, 0.0)


def nonsaturating_g(fake: Tensor, real: Optional[Tensor] = None) -> Tensor:
    """-E[log D(G(z))]: the non-saturating generator loss (Goodfellow et al. 2014, sec. 3)."""
    return _bce(fake, 1.0)


def minimax_g(fake: Tensor, real: Optional[Tensor] = None) -> Tensor:
    """E[log(1 - D(G(z)))] = -E softplus(logits): the saturating generator loss of the minimax game."""
    return -F.softplus(fake).mean()


register_loss(
    GanLoss(
        "minimax",
        nonsaturating_d,
        minimax_g,
        "min_G max_D E log s(D(x)) + E log(1 - s(D(G(z)))); L_D = -(that value); L_G = E log(1 - s(D(G(z))))",
        smoothing=True,
    ),
    "saturating",
)

register_loss(
    GanLoss(
        "nonsaturating",
        nonsaturating_d,
        nonsaturating_g,
        "L_D = -E log s(D(x)) - E log(1 - s(D(G(z)))); L_G = -E log s(D(G(z)))",
        smoothing=True,
    ),
    # The pix2pix/CycleGAN reference calls this "vanilla" (BCE with target 1 for G).
    "vanilla",
)


# --- LSGAN ------------------------------------------------------------------------------------


def lsgan_d(real: Tensor, fake: Tensor, real_target: float = 1.0) -> Tensor:
    """E[(D(x) - 1)^2] + E[D(G(z))^2] (Mao et al. 2017, a = 0, b = c = 1)."""
    return F.mse_loss(real, torch.full_like(real, real_target)) + F.mse_loss(fake, torch.zeros_like(fake))


def lsgan_g(fake: Tensor, real: Optional[Tensor] = None) -> Tensor:
    """E[(D(G(z)) - 1)^2]."""
    return F.mse_loss(fake, torch.ones_like(fake))


register_loss(
    GanLoss("lsgan", lsgan_d, lsgan_g, "L_D = E (D(x)-1)^2 + E D(G(z))^2; L_G = E (D(G(z))-1)^2", smoothing=True)
)


# --- Wasserstein ------------------------------------------------------------------------------


def wgan_d(real: Tensor, fake: Tensor, real_target: float = 1.0) -> Tensor:
    """E[D(G(z))] - E[D(x)]: the negated Wasserstein-1 estimate of a 1-Lipschitz critic."""
    return fake.mean() - real.mean()


def wgan_g(fake: Tensor, real: Optional[Tensor] = None) -> Tensor:
    """-E[D(G(z))]."""
    return -fake.mean()


_W = "L_D = E D(G(z)) - E D(x); L_G = -E D(G(z))"
register_loss(GanLoss("wgan", wgan_d, wgan_g, _W + " (weight clipping, c = 0.01)", critic=True, implies={"clip": 0.01}))
register_loss(GanLoss("wgan-gp", wgan_d, wgan_g, _W + " + lambda E(||grad D(x_hat)|| - 1)^2", critic=True, implies={"penalty": "gp"}))


# --- hinge ------------------------------------------------------------------------------------


def hinge_d(real: Tensor, fake: Tensor, real_target: float = 1.0) -> Tensor:
    """E[relu(1 - D(x))] + E[relu(1 + D(G(z)))] (Lim & Ye 2017; Miyato et al. 2018)."""
    return F.relu(1.0 - real).mean() + F.relu(1.0 + fake).mean()


def hinge_g(fake: Tensor, real: Optional[Tensor] = None) -> Tensor:
    """-E[D(G(z))]."""
    return -fake.mean()


register_loss(GanLoss("hinge", hinge_d, hinge_g, "L_D = E relu(1 - D(x)) + E relu(1 + D(G(z))); L_G = -E D(G(z))"))


# --- relativistic average (Jolicoeur-Martineau 2018) -----------------------------------------


def _need(real: Optional[Tensor], name: str) -> Tensor:
    if real is None:
        raise ValueError(f"{name} needs the real logits for the G loss")
    return real


def _rel(a: Tensor, b: Tensor) -> Tensor:
    """a - E[b]: how much more real ``a`` looks than the average of ``b`` (mean over every element)."""
    return a - b.mean()


def ragan_d(real: Tensor, fake: Tensor, real_target: float = 1.0) -> Tensor:
    """-E log s(C(x) - E C(G(z))) - E log(1 - s(C(G(z)) - E C(x)))."""
    return _bce(_rel(real, fake), real_target) + _bce(_rel(fake, real), 0.0)


def ragan_g(fake: Tensor, real: Optional[Tensor] = None) -> Tensor:
    """-E log s(C(G(z)) - E C(x)) - E log(1 - s(C(x) - E C(G(z)))): D's loss with roles swapped."""
    real = _need(real, "ragan")
    return _bce(_rel(fake, real), 1.0) + _bce(_rel(real, fake), 0.0)


def ralsgan_d(real: Tensor, fake: Tensor, real_target: float = 1.0) -> Tensor:
    """E (C(x) - E C(G(z)) - 1)^2 + E (C(G(z)) - E C(x) + 1)^2."""
    return ((_rel(real, fake) - real_target) ** 2).mean() + ((_rel(fake, real) + 1.0) ** 2).mean()


def ralsgan_g(fake: Tensor, real: Optional[Tensor] = None) -> Tensor:
    """E (C(G(z)) - E C(x) - 1)^2 + E (C(x) - E C(G(z)) + 1)^2."""
    real = _need(real, "ralsgan")
    return ((_rel(fake, real) - 1.0) ** 2).mean() + ((_rel(real, fake) + 1.0) ** 2).mean()


register_loss(
    GanLoss(
        "ragan",
        ragan_d,
        ragan_g,
        "L_D = -E log s(C(x) - E C(G(z))) - E log(1 - s(C(G(z)) - E C(x))); L_G = the same with x and G(z) swapped",
        needs_real_for_g=True,
        smoothing=True,
    )
)
register_loss(
    GanLoss(
        "ralsgan",
        ralsgan_d,
        ralsgan_g,
        "L_D = E (C(x) - E C(G(z)) - 1)^2 + E (C(G(z)) - E C(x) + 1)^2; L_G = the same with x and G(z) swapped",
        needs_real_for_g=True,
        smoothing=True,
    )
)


# --- relativistic pairing (Huang et al. 2025, R3GAN) ------------------------------------------


def _pairs(real: Tensor, fake: Tensor) -> None:
    if real.shape != fake.shape:
        raise ValueError(f"rpgan pairs real and fake logits one to one: shapes {tuple(real.shape)} and {tuple(fake.shape)} differ")


def rpgan_d(real: Tensor, fake: Tensor, real_target: float = 1.0) -> Tensor:
    """E softplus(-(D(x_i) - D(G(z_i)))): each real paired with one fake (element by element)."""
    _pairs(real, fake)
    return F.softplus(fake - real).mean()


def rpgan_g(fake: Tensor, real: Optional[Tensor] = None) -> Tensor:
    """E softplus(-(D(G(z_i)) - D(x_i))): D's loss with the roles swapped."""
    real = _need(real, "rpgan")
    _pairs(real, fake)
    return F.softplus(real - fake).mean()


register_loss(
    GanLoss(
        "rpgan",
        rpgan_d,
        rpgan_g,
        "L_D = E softplus(-(D(x_i) - D(G(z_i)))); L_G = E softplus(-(D(G(z_i)) - D(x_i))) (pairs i of the batch)",
        needs_real_for_g=True,
    ),
    "relativistic-pairing",
)
