"""Unrolled discriminator for the generator update (Metz, Poole, Pfau & Sohl-Dickstein 2017).

For the G step, D's parameters ``theta_0`` are copied into a functional set and updated ``k`` times
on the current real/fake batch with a differentiable optimiser step::

    theta_{i+1} = theta_i - step(grad_theta L_D(theta_i; x, G(z)))      (create_graph=True)

and the G loss is evaluated through ``D(.; theta_k)`` with ``torch.func.functional_call``. Because the
look-ahead sees the non-detached fakes, G's gradient includes how D would react to G's move,
which discourages collapsing onto the modes D is about to reject. D's real parameters and buffers
(BatchNorm statistics, spectral-norm power-iteration vectors) are left untouched: the copy starts
from detached parameters and cloned buffers, and nothing is written back.

Step rules (``GanConfig.unrolled_optim``): ``sgd`` (``theta -= lr * g``) and ``adam`` (Adam with
fresh moments and bias correction; ``sqrt(v + eps^2)`` keeps it twice differentiable at ``g = 0``).
Only the objective is unrolled: penalties and weight clipping do not enter the look-ahead.
"""

from __future__ import annotations

from typing import Callable

import torch
from torch import Tensor, nn
from torch.func import functional_call

from ..errors import ConfigError

Params = dict[str, Tensor]
Disc = Callable[[Tensor], "Tensor | tuple"]
DObjective = Callable[[Disc], Tensor]  # (disc view) -> D loss to minimise


def sgd_rule(lr: float, betas: tuple[float, float]) -> Callable[[Tensor, dict, int], Tensor]:
    """Plain gradient descent: the update for gradient g is lr * g."""

    def step(g: Tensor, state: dict, t: int) -> Tensor:
        return lr * g

    return step


def adam_rule(lr: float, betas: tuple[float, float], eps: float = 1e-8) -> Callable[[Tensor, dict, int], Tensor]:
    """Adam with fresh moments: lr * m_hat / sqrt(v_hat + eps^2), differentiable in g."""
    b1, b2 = betas

    def step(g: Tensor, state: dict, t: int) -> Tensor:
        m = b1 * state.get("m", torch.zeros_like(g)) + (1 - b1) * g
        v = b2 * state.get("v", torch.zeros_like(g)) + (1 - b2) * g * g
        state["m"], state["v"] = m, v
        m_hat, v_hat = m / (1 - b1**t), v / (1 - b2**t)
        return lr * m_hat / torch.sqrt(v_hat + eps * eps)

    return step


STEP_RULES: dict[str, Callable[..., Callable[[Tensor, dict, int], Tensor]]] = {"sgd": sgd_rule, "adam": adam_rule}


def check_rule(name: str) -> None:
    """Raise ConfigError unless ``name`` is a known look-ahead step rule."""
    if name not in STEP_RULES:
        raise ConfigError(f"gan.unrolled_optim: unknown step rule {name!r}; available: {', '.join(STEP_RULES)}")


def functional_disc(net: nn.Module, params: Params, buffers: Params) -> Disc:
    """``net`` evaluated with ``params`` and ``buffers`` instead of its own tensors."""
    return lambda x: functional_call(net, (params, buffers), (x,))


class Unroller:
    """Builds the k-step look-ahead discriminator used for the G loss."""

    def __init__(self, steps: int, lr: float, optim: str = "adam", betas: tuple[float, float] = (0.5, 0.999)) -> None:
        check_rule(optim)
        if steps < 0 or lr <= 0:
            raise ConfigError("gan.unrolled_steps must be >= 0 and gan.unrolled_lr > 0")
        self.steps, self.lr, self.optim, self.betas = steps, lr, optim, betas

    def params(self, net: nn.Module, objective: DObjective) -> tuple[Params, Params]:
        """(theta_k, cloned buffers) after ``steps`` differentiable updates minimising ``objective``."""
        net = getattr(net, "_orig_mod", net)  # torch.compile wrapper -> the module
        params = {n: p.detach().requires_grad_(True) for n, p in net.named_parameters()}
        buffers = {n: b.detach().clone() for n, b in net.named_buffers()}
        rule = STEP_RULES[self.optim](self.lr, self.betas)
        states: dict[str, dict] = {n: {} for n in params}
        for t in range(1, self.steps + 1):
            loss = objective(functional_disc(net, params, buffers))
            names = list(params)
            grads = torch.autograd.grad(loss, [params[n] for n in names], create_graph=True, allow_unused=True)
            params = {
                n: params[n] if g is None else params[n] - rule(g, states[n], t) for n, g in zip(names, grads)
            }
        return params, buffers

    def __call__(self, net: nn.Module, objective: DObjective) -> Disc:
        """The look-ahead discriminator ``x -> D(x; theta_k)`` (differentiable through the unrolling)."""
        if not isinstance(getattr(net, "_orig_mod", net), nn.Module):
            raise ConfigError("gan.unrolled_steps needs the discriminator as an nn.Module, not a plain callable")
        params, buffers = self.params(net, objective)
        return functional_disc(getattr(net, "_orig_mod", net), params, buffers)
