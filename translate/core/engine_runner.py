"""The engine's hooks into the phase loop: autocast, NaN guard, AMP scaling, gradient averaging
and norms, EMA updates (``translate.core.phases.PhaseRunner`` runs the phases; ``Engine`` owns this)."""

from __future__ import annotations

from typing import Any

import torch
from torch import nn

from . import distributed as D
from .phases import Phase, PhaseRunner
from .stabilisers import unwrap


def _grad_norm(params: list[nn.Parameter]) -> float:
    grads = [p.grad.detach().float().norm() for p in params if p.grad is not None]
    return float(torch.stack(grads).norm()) if grads else 0.0



class EngineRunner(PhaseRunner):
    """The engine's phase hooks: autocast, NaN guard, AMP scaling, gradient averaging and norms, EMA."""

    def __init__(self, engine: Any) -> None:
        super().__init__(engine.opt)
        self.e = engine
        self.last_g: Phase | None = None
        self.scaled: set[str] = set()

    def begin_step(self, due: list[Phase]) -> None:
        """Note this step's phases: EMA follows the last G phase."""
        self.last_g = next((p for p in reversed(due) if p.opt == "G"), None)

    def end_step(self) -> None:
        """Update the AMP scale after a completed step (a skipped step leaves it to the next backward)."""
        if self.e.prec.scaler is not None and self.scaled:
            self.e.prec.scaler.update()
        self.scaled = set()

    def autocast(self):
        return self.e.prec.autocast()

    def finite(self, phase: Phase, loss: torch.Tensor) -> bool:
        ok = torch.isfinite(loss.detach()).all().to(torch.float32).reshape(1)
        if self.e.dist.enabled:  # every rank skips together
            torch.distributed.all_reduce(ok, op=torch.distributed.ReduceOp.MIN)
        return bool(ok.item() > 0)

    def backward(self, phase: Phase, loss: torch.Tensor) -> None:
        scaler = self.e.prec.scaler
        if scaler is None:
            loss.backward()
            return
        if phase.opt in self.scaled:  # a GradScaler steps each optimiser once per update (Dmain + Dreg; after a skip)
            scaler.update()
            self.scaled = set()
        self.scaled.add(phase.opt)
        scaler.scale(loss).backward()

    def after_backward(self, phase: Phase, params: list[nn.Parameter], logs: dict[str, float]) -> None:
        D.average_gradients(params, self.e.dist)
        if self.e._logging_now():
            if self.e.prec.scaler is not None:
                self.e.prec.scaler.unscale_(self.optimizers[phase.opt])
            logs[f"grad_norm_{phase.tag}"] = _grad_norm(params)

    def opt_step(self, phase: Phase, opt: torch.optim.Optimizer) -> None:
        if self.e.prec.scaler is not None:
            self.e.prec.scaler.step(opt)
        else:
            opt.step()

    def stepped(self, phase: Phase) -> None:
        if phase is self.last_g:
            for name, ema in self.e.ema.items():
                ema.update(unwrap(self.e.task.nets[name]), self.e.step)
