"""Learning-rate schedules as multiplier functions of progress, registered by name.

A schedule factory takes the ScheduleConfig and the run length in schedule units (epochs or
steps, per ``ScheduleConfig.per``) and returns ``f(unit) -> multiplier`` for ``LambdaLR``.
"""

from __future__ import annotations

import math
from typing import Callable

from ..config import ScheduleConfig
from ..registry import SCHEDULES

Multiplier = Callable[[int], float]


def _warm(cfg: ScheduleConfig, f: Multiplier) -> Multiplier:
    if cfg.warmup <= 0:
        return f
    return lambda u: f(u) * min(1.0, (u + 1) / cfg.warmup)


@SCHEDULES.register("constant")
def constant(cfg: ScheduleConfig, total: int) -> Multiplier:
    """Constant learning rate."""
    return _warm(cfg, lambda u: 1.0)


@SCHEDULES.register("linear")
def linear(cfg: ScheduleConfig, total: int) -> Multiplier:
    """Constant, then linear decay to zero (pix2pix/CycleGAN: 100 + 100 epochs, decay_start 0.5).

    Matches the reference's ``1 - max(0, u + 1 - n_hold) / (n_decay + 1)`` for 0-based unit u.
    """
    hold = int(round(total * cfg.decay_start))
    decay = max(1, total - hold)
    return _warm(cfg, lambda u: max(0.0, 1.0 - max(0, u + 1 - hold) / float(decay + 1)))


@SCHEDULES.register("step")
def step(cfg: ScheduleConfig, total: int) -> Multiplier:
    """Multiply by gamma every ``step_every`` fraction of the run."""
    every = max(1, int(round(total * cfg.step_every)))
    return _warm(cfg, lambda u: cfg.gamma ** (u // every))


@SCHEDULES.register("cosine")
def cosine(cfg: ScheduleConfig, total: int) -> Multiplier:
    """Cosine annealing from 1 to 0 over the run."""
    return _warm(cfg, lambda u: 0.5 * (1.0 + math.cos(math.pi * min(u, total) / max(1, total))))


def build_schedule(cfg: ScheduleConfig, total: int) -> Multiplier:
    """The multiplier function for ``cfg.kind`` over ``total`` units."""
    return SCHEDULES.get(cfg.kind)(cfg, total)
