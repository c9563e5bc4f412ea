"""Gradient penalties on the discriminator, as pure functions.

Each penalty takes a discriminator callable ``disc(x) -> logits`` (or a tuple whose first item is
the logits), real and fake inputs, and returns an unweighted scalar. The adversary multiplies by
``GanConfig.penalty_weight`` and applies lazy intervals (``penalty_every``).

| name | penalty | paper |
|---|---|---|
| gp | E (||grad D(x_hat)|| - 1)^2, x_hat = a x + (1 - a) G(z), a ~ U[0, 1] | Gulrajani et al. 2017 |
| dragan | E (||grad D(x_hat)|| - 1)^2, x_hat = x + a * 0.5 std(x) U[0, 1] | Kodali et al. 2017 |
| r1 | E ||grad D(x)||^2 on reals | Mescheder et al. 2018 |
| r2 | E ||grad D(G(z))||^2 on fakes | Mescheder et al. 2018 |
| r1r2 | r1 + r2 (both zero-centred penalties) | R3GAN, Huang et al. 2025 |

Besides the registry, :func:`drift_penalty` is ProGAN's E[D(x)^2] on real scores (``gan.drift``,
Karras et al. 2018), added to D's loss next to any penalty.

R1/R2 carry no 1/2: the papers' ``gamma/2 * E||grad||^2`` is ``penalty_weight = gamma / 2``
(StyleGAN2's gamma = 10 is ``penalty_weight: 5``).
"""

from __future__ import annotations

from typing import Any, Callable

import torch
from torch import Tensor

from ..nets.layers import ScaleLogits
from ..registry import PENALTIES

Disc = Callable[[Tensor], "Tensor | tuple"]


def logits_of(out: "Tensor | tuple") -> Tensor:
    """The adversarial logits of a discriminator output (first item of a tuple output; all scales of a multi-scale D)."""
    if isinstance(out, ScaleLogits):
        return out  # type: ignore[return-value]
    return out[0] if isinstance(out, (tuple, list)) else out


def _f32(t: Tensor | None) -> Tensor | None:
    return None if t is None else t.float()


def per_scale(fn: Callable[..., Tensor], first: Any, *rest: Any, **kw: Any) -> Tensor:
    """``fn`` on fp32 logits; on a multi-scale D's ``ScaleLogits`` the mean of ``fn`` over the scales (pix2pixHD)."""
    if not isinstance(first, ScaleLogits):
        return fn(_f32(first), *(_f32(r) for r in rest), **kw)
    cols = [r if r is not None else [None] * len(first) for r in rest]
    return torch.stack([fn(_f32(a), *(_f32(c) for c in cs), **kw) for a, *cs in zip(first, *cols)]).mean()


def mean_logit(out: Any) -> Tensor:
    """Mean logit (detached, fp32) of a discriminator output, averaged over the scales of a multi-scale D."""
    return per_scale(lambda t: t.detach().mean(), logits_of(out))


def _total(logits: Any) -> Tensor:
    return sum(t.sum() for t in logits) if isinstance(logits, ScaleLogits) else logits.sum()  # type: ignore[return-value]


def input_grads(disc: Disc, x: Tensor) -> Tensor:
    """Per-sample d sum(D(x)) / dx, flattened, with a graph for double backward.  # [N, ...] -> [N, K]"""
    x = x.detach().requires_grad_(True)
    out = logits_of(disc(x))
    (grad,) = torch.autograd.grad(_total(out), x, create_graph=True)
    return grad.flatten(1)


def input_grad_norm(disc: Disc, x: Tensor) -> Tensor:
    """Per-sample L2 norm of d sum(D(x)) / dx, with a graph for double backward.  # [N]"""
    return input_grads(disc, x).norm(2, dim=1)


def gradient_penalty(disc: Disc, real: Tensor, fake: Tensor) -> Tensor:
    """WGAN-GP: E[(||grad D(x_hat)||_2 - 1)^2], x_hat uniformly between real and fake pairs."""
    alpha = torch.rand(real.shape[0], *([1] * (real.dim() - 1)), device=real.device, dtype=real.dtype)
    x_hat = alpha * real.detach() + (1 - alpha) * fake.detach()  # [N, C, H, W]
    return ((input_grad_norm(disc, x_hat) - 1.0) ** 2).mean()


PENALTIES.add("gp", gradient_penalty)


def dragan_penalty(disc: Disc, real: Tensor, fake: Tensor) -> Tensor:
    """DRAGAN: E[(||grad D(x_hat)|| - 1)^2] around the data, x_hat = x + a * 0.5 std(x) u, a, u ~ U[0, 1].

    As the reference code: perturb x by 0.5 * std(x) (the batch's std) times uniform noise, then take
    a uniformly random point between x and the perturbed x.
    """
    x = real.detach()
    perturbed = x + 0.5 * x.std() * torch.rand_like(x)  # [N, ...]
    alpha = torch.rand(x.shape[0], *([1] * (x.dim() - 1)), device=x.device, dtype=x.dtype)
    x_hat = x + alpha * (perturbed - x)
    return ((input_grad_norm(disc, x_hat) - 1.0) ** 2).mean()


def r1_penalty(disc: Disc, real: Tensor, fake: Tensor) -> Tensor:
    """R1: E[||grad D(x)||^2] on real inputs (no 1/2: put gamma/2 in the weight)."""
    return input_grads(disc, real).pow(2).sum(1).mean()


def r2_penalty(disc: Disc, real: Tensor, fake: Tensor) -> Tensor:
    """R2: E[||grad D(G(z))||^2] on (detached) fake inputs (no 1/2: put gamma/2 in the weight)."""
    return input_grads(disc, fake).pow(2).sum(1).mean()


def r1r2_penalty(disc: Disc, real: Tensor, fake: Tensor) -> Tensor:
    """R3GAN's R1 + R2: E||grad D(x)||^2 + E||grad D(G(z))||^2 (the paper's gamma/2 (R1 + R2): weight gamma/2)."""
    return r1_penalty(disc, real, fake) + r2_penalty(disc, real, fake)


def drift_penalty(real_logits: Tensor) -> Tensor:
    """ProGAN's drift term E[D(x)^2] on real scores (weight epsilon_drift, ``gan.drift``): keeps critic scores near 0."""
    return real_logits.float().square().mean()


PENALTIES.add("dragan", dragan_penalty)
PENALTIES.add("r1", r1_penalty)
PENALTIES.add("r2", r2_penalty)
PENALTIES.add("r1r2", r1r2_penalty)
