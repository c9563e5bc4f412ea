"""Training phases, after NVlabs stylegan3 ``training/training_loop.py``.

A training loop is a list of phases; each takes its own optimiser step on the steps it is due::

    Dmain  D's objective (+ its penalty when not lazy: stylegan3's "Dboth")  every step
    Dreg   D's lazy regulariser (R1, GP, ...), loss x interval              every penalty_every steps
    Gmain  G's objective                                                    every n_critic steps
    Greg   G's lazy regulariser (path length), loss x interval              every pl_every steps

A task declares its phases (translate/tasks/base.py ``Task.phases``); the engine and the toy
benchmark both run them with :class:`PhaseRunner`. Steps are 0-based: a phase with interval k and
start s runs at steps s, s + k, s + 2k, ...; the main G phase of ``n_critic`` = n starts at n - 1
(G after every n-th D step), lazy regularisers start at 0. The optimiser of a net with a lazy
phase of interval k is built with lr * k/(k+1) and betas ** (k/(k+1)) (:func:`lazy_ratios`,
translate/core/optim.py).
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from fractions import Fraction
from typing import Any, Callable, Iterable, NamedTuple, Optional

import torch
from torch import Tensor, nn

from ..errors import ConfigError

Batch = dict[str, Any]
PhaseLoss = Callable[[Batch, dict[str, Any], int], "tuple[Tensor, dict[str, Tensor]]"]  # (batch, out, step) -> (loss, logs)


@dataclass(frozen=True)
class Phase:
    """One kind of optimiser step: which optimiser, what loss, how often."""

    name: str  # "Dmain", "Dreg", "Gmain", "Greg", ...
    opt: str  # key of the optimiser it steps ("G" | "D"); the other optimisers' parameters are frozen
    loss: PhaseLoss  # (batch, out, step) -> (scalar loss, logs)
    interval: int = 1  # runs every ``interval`` steps ...
    start: int = 0  # ... from step ``start`` on (0-based)
    lazy: bool = False  # a lazy regulariser: loss x interval (stylegan3's gain), optimiser corrected
    needs_graph: bool = False  # uses the forward pass's outputs with a graph (the main G phase)
    after_step: Optional[Callable[[], None]] = None  # run after the optimiser step (weight clipping)

    def __post_init__(self) -> None:
        if self.interval < 1 or self.start < 0:
            raise ConfigError(f"phase {self.name}: interval must be >= 1 and start >= 0, got {self.interval}, {self.start}")

    def due(self, step: int) -> bool:
        """Whether the phase runs at (0-based) ``step``."""
        return step >= self.start and (step - self.start) % self.interval == 0

    @property
    def gain(self) -> int:
        """The loss multiplier: the interval for lazy regularisers (same expected strength), else 1."""
        return self.interval if self.lazy else 1

    @property
    def tag(self) -> str:
        """Log name: the optimiser key for main phases (``loss_D``), the phase name for lazy ones (``loss_Dreg``)."""
        return self.name if self.lazy else self.opt


def every(n: int) -> dict[str, int]:
    """``interval``/``start`` of a phase that runs after every ``n``-th step (n_critic): n - 1, 2n - 1, ..."""
    if n < 1:
        raise ConfigError(f"train.n_critic: must be >= 1, got {n}")
    return {"interval": n, "start": n - 1}


def due_phases(phases: Iterable[Phase], step: int) -> list[Phase]:
    """The phases that run at ``step``, in declaration order."""
    return [p for p in phases if p.due(step)]


def lazy_ratio(intervals: Iterable[int]) -> float:
    """Optimiser correction for lazy phases of these intervals: 1 / (1 + sum 1/k); one phase: k / (k + 1)."""
    extra = sum((Fraction(1, k) for k in intervals), Fraction(0))
    return float(1 / (1 + extra))


def lazy_ratios(phases: Iterable[Phase]) -> dict[str, float]:
    """Per optimiser key, the correction for its lazy phases (keys without one are absent)."""
    intervals: dict[str, list[int]] = {}
    for p in phases:
        if p.lazy:
            intervals.setdefault(p.opt, []).append(p.interval)
    return {k: lazy_ratio(v) for k, v in intervals.items()}


def describe(phases: Iterable[Phase]) -> str:
    """One line: ``Dmain, Dreg every 16, Gmain every 2 from step 1``."""
    parts = []
    for p in phases:
        when = f" every {p.interval}" if p.interval > 1 else ""
        when += f" from step {p.start}" if p.start else ""
        parts.append(p.name + when)
    return ", ".join(parts)


class PhaseResult(NamedTuple):
    """What one phase did: ``ok`` False when the loss was not finite (nothing was stepped)."""

    ok: bool
    loss: Tensor  # detached, before the gain
    logs: dict[str, float]


class PhaseRunner:
    """Runs one phase: freeze the other optimisers' parameters, zero_grad, loss (x gain), backward, step.

    The hooks are plain fp32 PyTorch; the engine overrides them for autocast, the NaN guard, AMP
    gradient scaling, multi-process gradient averaging, gradient-norm logging and EMA. Logs are
    ``loss_<tag>`` plus the loss's own logs, as floats.
    """

    def __init__(self, optimizers: dict[str, torch.optim.Optimizer]) -> None:
        self.optimizers = optimizers
        self.params = {k: [p for g in o.param_groups for p in g["params"]] for k, o in optimizers.items()}

    # -- hooks ----------------------------------------------------------------------------------
    def autocast(self) -> contextlib.AbstractContextManager:
        """Context the loss is computed in."""
        return contextlib.nullcontext()

    def finite(self, phase: Phase, loss: Tensor) -> bool:
        """NaN guard: False skips backward and step (default: step through anything)."""
        return True

    def backward(self, phase: Phase, loss: Tensor) -> None:
        loss.backward()

    def after_backward(self, phase: Phase, params: list[nn.Parameter], logs: dict[str, float]) -> None:
        """Between backward and step (gradient averaging, gradient norms)."""

    def opt_step(self, phase: Phase, opt: torch.optim.Optimizer) -> None:
        opt.step()

    def stepped(self, phase: Phase) -> None:
        """After the optimiser step and the phase's own ``after_step`` (EMA)."""

    # -- one phase ------------------------------------------------------------------------------
    def run(self, phase: Phase, batch: Batch, out: dict[str, Any], step: int) -> PhaseResult:
        """Run ``phase`` at ``step`` on this step's ``batch`` and forward outputs ``out``."""
        opt, params = self.optimizers[phase.opt], self.params[phase.opt]
        frozen = [p for k, ps in self.params.items() if k != phase.opt for p in ps if p.requires_grad]
        for p in frozen:
            p.requires_grad_(False)
        try:
            opt.zero_grad(set_to_none=True)
            with self.autocast():
                loss, extra = phase.loss(batch, out, step)
            logs: dict[str, float] = {}
            if not self.finite(phase, loss):
                return PhaseResult(False, loss.detach(), {f"loss_{phase.tag}": float(loss.detach())})
            self.backward(phase, loss * phase.gain if phase.gain != 1 else loss)
            self.after_backward(phase, params, logs)
            self.opt_step(phase, opt)
            if phase.after_step is not None:
                phase.after_step()
            self.stepped(phase)
        finally:
            for p in frozen:  # the next step's forward builds G's graph again
                p.requires_grad_(True)
        logs[f"loss_{phase.tag}"] = float(loss.detach())
        logs.update({k: float(v) for k, v in extra.items()})
        return PhaseResult(True, loss.detach(), logs)
