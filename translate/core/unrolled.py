"""Unrolled discriminator for the generator update (Metz, Poole, Pfau & Sohl-Dickstein 2017).

For the G step, D's parameters ``theta_0`` are copied into a functional set and updated ``k`` times
on the current real/fake batch with a differentiable optimiser step::

    theta_{i+1} = theta_i - step(grad_theta L_D(theta_i; x, G(z)))      (create_graph=True)

and the G loss is evaluated through ``D(.; theta_k)`` with ``torch.func.functional_call``. Because the
look-ahead sees the non-detached fakes, G's gradient includes how D would react to G's move,
which discourages collapsing onto the modes D is about to reject. D's real parameters and buffers
(BatchNorm statistics, spectral-norm power-iteration vectors) are left untouched: the copy starts
from detached parameters and cloned buffers, and nothing is written back.

Step rules (``GanConfig.unrolled_optim``):

* ``adam``: Adam, continuing from D's own optimiser state (moments, step count, lr, betas, eps)
  when one is attached (:meth:`translate.core.adversary.Adversary.attach_d_optimizer`), as the
  reference implementation does; otherwise from fresh moments, where the first steps are close
  to ``lr * sign(g)`` and their derivative w.r.t. ``g`` is large near ``g = 0``: attach the optimiser.
* ``sgd``: ``theta -= lr * g``.

``sqrt(v + eps^2)`` keeps the Adam step twice differentiable at ``g = 0``. Only the objective is
unrolled: penalties and weight clipping do not enter the look-ahead.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Optional

import torch
from torch import Tensor, nn
from torch.func import functional_call

from ..errors import ConfigError

Params = dict[str, Tensor]
Disc = Callable[[Tensor], "Tensor | tuple"]
DObjective = Callable[[Disc], Tensor]  # (disc view) -> D loss to minimise
DEFAULT_LR = 1e-4  # Metz et al.'s D learning rate, used when no optimiser says otherwise


@dataclass
class StepRule:
    """A differentiable optimiser step: ``update(g, state) -> delta`` with theta -= delta."""

    lr: float
    betas: tuple[float, float] = (0.5, 0.999)
    eps: float = 1e-8

    def update(self, g: Tensor, state: dict) -> Tensor:
        raise NotImplementedError


class SGDStep(StepRule):
    """Plain gradient descent: lr * g."""

    def update(self, g: Tensor, state: dict) -> Tensor:
        return self.lr * g


class AdamStep(StepRule):
    """Adam: lr * m_hat / sqrt(v_hat + eps^2), from the moments in ``state`` (zeros if absent)."""

    def update(self, g: Tensor, state: dict) -> Tensor:
        b1, b2 = self.betas
        t = state.get("t", 0) + 1
        m = b1 * state.get("m", torch.zeros_like(g)) + (1 - b1) * g
        v = b2 * state.get("v", torch.zeros_like(g)) + (1 - b2) * g * g
        state.update(t=t, m=m, v=v)
        m_hat, v_hat = m / (1 - b1**t), v / (1 - b2**t)
        return self.lr * m_hat / torch.sqrt(v_hat + self.eps * self.eps)


STEP_RULES: dict[str, type[StepRule]] = {"sgd": SGDStep, "adam": AdamStep}


def check_rule(name: str) -> None:
    """Raise ConfigError unless ``name`` is a known look-ahead step rule."""
    if name not in STEP_RULES:
        raise ConfigError(f"gan.unrolled_optim: unknown step rule {name!r}; available: {', '.join(STEP_RULES)}")


def adam_state(opt: torch.optim.Optimizer, net: nn.Module) -> tuple[dict[str, dict], dict]:
    """Per-parameter {t, m, v} (detached) of ``net`` in Adam-like ``opt``, and its lr/betas/eps."""
    states: dict[str, dict] = {}
    hyper: dict = {}
    for group in opt.param_groups:
        ids = {id(p) for p in group["params"]}
        for name, p in net.named_parameters():
            if id(p) in ids:
                hyper = {"lr": float(group["lr"]), "betas": tuple(group.get("betas", (0.5, 0.999))), "eps": group.get("eps", 1e-8)}
                s = opt.state.get(p, {})
                if "exp_avg" in s:
                    states[name] = {"t": int(s["step"]), "m": s["exp_avg"].detach(), "v": s["exp_avg_sq"].detach()}
    return states, hyper


def functional_disc(net: nn.Module, params: Params, buffers: Params) -> Disc:
    """``net`` evaluated with ``params`` and ``buffers`` instead of its own tensors."""
    return lambda x: functional_call(net, (params, buffers), (x,))


class Unroller:
    """Builds the k-step look-ahead discriminator used for the G loss."""

    def __init__(self, steps: int, lr: float = 0.0, optim: str = "adam") -> None:
        check_rule(optim)
        if steps < 0 or lr < 0:
            raise ConfigError("gan.unrolled_steps and gan.unrolled_lr must be >= 0")
        self.steps, self.lr, self.optim = steps, lr, optim
        self.d_optimizer: Optional[torch.optim.Optimizer] = None

    def _rule(self, net: nn.Module) -> tuple[StepRule, dict[str, dict]]:
        """The step rule (lr 0 = D's own lr) and initial per-parameter state."""
        states, hyper = adam_state(self.d_optimizer, net) if self.d_optimizer is not None else ({}, {})
        lr = self.lr or hyper.get("lr", DEFAULT_LR)
        kw = {k: v for k, v in hyper.items() if k != "lr"}
        if self.optim != "adam":
            states = {}
        return STEP_RULES[self.optim](lr, **kw), states

    def params(self, net: nn.Module, objective: DObjective) -> tuple[Params, Params]:
        """(theta_k, cloned buffers) after ``steps`` differentiable updates minimising ``objective``."""
        net = getattr(net, "_orig_mod", net)  # torch.compile wrapper -> the module
        params = {n: p.detach().requires_grad_(True) for n, p in net.named_parameters()}
        buffers = {n: b.detach().clone() for n, b in net.named_buffers()}
        rule, init = self._rule(net)
        states = {n: dict(init.get(n, {})) for n in params}
        names = list(params)
        for _ in range(self.steps):
            loss = objective(functional_disc(net, params, buffers))
            grads = torch.autograd.grad(loss, [params[n] for n in names], create_graph=True, allow_unused=True)
            params = {n: params[n] if g is None else params[n] - rule.update(g, states[n]) for n, g in zip(names, grads)}
        return params, buffers

    def __call__(self, net: nn.Module, objective: DObjective) -> Disc:
        """The look-ahead discriminator ``x -> D(x; theta_k)`` (differentiable through the unrolling)."""
        module = getattr(net, "_orig_mod", net)
        if not isinstance(module, nn.Module):
            raise ConfigError("gan.unrolled_steps needs the discriminator as an nn.Module, not a plain callable")
        params, buffers = self.params(module, objective)
        return functional_disc(module, params, buffers)
