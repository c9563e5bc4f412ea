"""The f-GAN family (Nowozin, Cseke & Tomioka 2016): variational f-divergence minimisation.

For a convex ``f`` with ``f(1) = 0`` the divergence ``D_f(P||Q) = E_q f(p/q)`` has the lower bound

    F(V) = E_p[g_f(V(x))] - E_q[f*(g_f(V(G(z))))] <= D_f(P||Q)

where ``V`` is the raw discriminator output, ``g_f`` the paper's output activation (it maps R into
the domain of the Fenchel conjugate ``f*``) and the bound is tight at ``g_f(V) = f'(p/q)``.
D maximises ``F`` (``L_D = -F``, so ``-L_D`` estimates the divergence, logged as ``Df_estimate``);
G minimises the paper's alternative, non-saturating form ``L_G = -E_q[g_f(V(G(z)))]``.

Each composite ``f*(g_f(v))`` is written in a numerically stable closed form (softplus, exp) and
checked against the plain composition in tests. Table 6 of the paper:

| name | g_f(v) | f*(t) | dom f* |
|---|---|---|---|
| kl | v | exp(t - 1) | R |
| reverse-kl | -exp(-v) | -1 - log(-t) | t < 0 |
| pearson | v | t^2/4 + t | R |
| hellinger (squared) | 1 - exp(-v) | t / (1 - t) | t < 1 |
| js (Jensen-Shannon) | log 2 - log(1 + exp(-v)) | -log(2 - exp(t)) | t < log 2 |
| gan | -log(1 + exp(-v)) | -log(1 - exp(t)) | t < 0 |

The paper's "gan" f is ``u log u - (u + 1) log(u + 1)`` with ``f(1) = -log 4`` (the GAN game value
at equilibrium): its ``D_f = 2 JS(P||Q) - log 4``. All the others have ``f(1) = 0``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable, Optional

import torch
import torch.nn.functional as F
from torch import Tensor

from .losses import GanLoss, register_loss

Fn = Callable[[Tensor], Tensor]
LOG2 = math.log(2.0)


@dataclass(frozen=True)
class FDivergence:
    """One f-divergence: output activation, Fenchel conjugate, its domain and a stable composite."""

    name: str
    activation: Fn  # g_f: R -> dom f*
    conjugate: Fn  # f*(t), defined on dom f*
    conj_act: Fn  # f*(g_f(v)), stable closed form
    in_domain: Fn  # t -> bool tensor: t in dom f*
    f_at_1: float  # f(1): the value of the bound when P = Q (0 except for "gan")
    formulas: tuple[str, str, str]  # (g_f(v), f*(t), dom f*) as text, for docs and `info`


def _all_real(t: Tensor) -> Tensor:
    return torch.isfinite(t)


DIVERGENCES: dict[str, FDivergence] = {
    d.name: d
    for d in (
        FDivergence("kl", lambda v: v, lambda t: torch.exp(t - 1.0), lambda v: torch.exp(v - 1.0),
                    _all_real, 0.0, ("v", "exp(t - 1)", "R")),
        FDivergence("reverse-kl", lambda v: -torch.exp(-v), lambda t: -1.0 - torch.log(-t), lambda v: v - 1.0,
                    lambda t: t < 0, 0.0, ("-exp(-v)", "-1 - log(-t)", "t < 0")),
        FDivergence("pearson", lambda v: v, lambda t: 0.25 * t * t + t, lambda v: 0.25 * v * v + v,
                    _all_real, 0.0, ("v", "t^2/4 + t", "R")),
        FDivergence("hellinger", lambda v: 1.0 - torch.exp(-v), lambda t: t / (1.0 - t), lambda v: torch.expm1(v),
                    lambda t: t < 1, 0.0, ("1 - exp(-v)", "t/(1 - t)", "t < 1")),
        # g = log 2 + log s(v); f*(g) = -log(2 - 2 s(v)) = -log 2 + softplus(v)
        FDivergence("js", lambda v: LOG2 + F.logsigmoid(v), lambda t: -torch.log(2.0 - torch.exp(t)),
                    lambda v: F.softplus(v) - LOG2, lambda t: t < LOG2, 0.0,
                    ("log 2 - log(1 + exp(-v))", "-log(2 - exp(t))", "t < log 2")),
        # g = log s(v); f*(g) = -log(1 - s(v)) = softplus(v)
        FDivergence("gan", F.logsigmoid, lambda t: -torch.log(-torch.expm1(t)), F.softplus,
                    lambda t: t < 0, -2.0 * LOG2, ("-log(1 + exp(-v))", "-log(1 - exp(t))", "t < 0")),
    )
}


def fgan_bound(div: FDivergence, real: Tensor, fake: Tensor) -> Tensor:
    """F = E_p g_f(V(x)) - E_q f*(g_f(V(G(z)))): the variational lower bound on D_f(P||Q)."""
    return div.activation(real).mean() - div.conj_act(fake).mean()


def make_fgan(div: FDivergence) -> GanLoss:
    """The GanLoss for one divergence (D maximises the bound, G the alternative form)."""

    def d(real: Tensor, fake: Tensor, real_target: float = 1.0) -> Tensor:
        return -fgan_bound(div, real, fake)

    def g(fake: Tensor, real: Optional[Tensor] = None) -> Tensor:
        return -div.activation(fake).mean()

    d.__doc__ = f"-(E_p g(V) - E_q f*(g(V))) with g(v) = {div.formulas[0]}, f*(t) = {div.formulas[1]}."
    g.__doc__ = f"-E_q g(V(G(z))) with g(v) = {div.formulas[0]} (the paper's alternative G objective)."
    act, conj, _ = div.formulas
    formula = f"L_D = -(E g(V(x)) - E f*(g(V(G(z))))); L_G = -E g(V(G(z))); g(v) = {act}, f*(t) = {conj}"
    return GanLoss(f"fgan-{div.name}", d, g, formula, estimate="Df_estimate")


for _div in DIVERGENCES.values():
    register_loss(make_fgan(_div))
