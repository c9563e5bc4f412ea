"""Progressive growing (Karras et al. 2018) as an engine capability: resolution phases with fade-in.

The schedule is a pure function of the step (:func:`stage_at`), so a run resumed anywhere, in the
middle of a fade-in too, needs nothing but the usual checkpoint. From ``progressive.start`` px::

    phase 0: level l0 stable        (``stable`` units)
    phase 1: level l0 + 1 fade-in    (``fade`` units, alpha = units shown / fade, 0 -> 1)
    phase 2: level l0 + 1 stable     ...
    last:    the nets' last level    (``final`` units, 0 = ``stable``; after it the stage stays)

as the official ``TrainingSchedule`` (stable first, then the transition; the resolution of a
fade-in is the new one). Units are images (the paper's kimg; a phase of n images at batch b is
ceil(n / b) steps) or steps. Each phase has the batch size of its resolution
(``progressive.batch_sizes``, default ``train.batch_size``).

:class:`Growth` applies the schedule in the engine before every step: it sets ``(level, alpha)``
on every net with ``set_stage`` (and on the EMA shadows), resets the optimisers' state at every
phase start when ``progressive.reset_optim`` (the official ``reset_opt_for_new_lod``, default on;
off keeps the Adam moments across phases) and tells the engine the batch size; the engine
rebuilds its loader when that changes (it starts a new data epoch there, so the loader's
position stays ``batch_in_epoch x batch size``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Iterable

from ..config import ProgressiveConfig
from ..errors import ConfigError


@dataclass(frozen=True)
class Span:
    """One phase of the schedule: ``steps`` steps from ``start`` at ``level``, fading in or stable."""

    level: int
    fade: bool
    start: int
    steps: int
    batch_size: int

    @property
    def end(self) -> int:
        return self.start + self.steps


@dataclass(frozen=True)
class Stage:
    """What one step trains: the level (0 = 4 px), the fade-in alpha, the batch size and its phase."""

    level: int
    alpha: float
    batch_size: int
    phase: int
    phase_start: int  # first step of the phase
    phase_end: int  # first step after it


def _pow2(px: int, where: str) -> int:
    if px < 4 or px & (px - 1):
        raise ConfigError(f"{where}: expected a power of two >= 4, got {px}")
    return int(math.log2(px)) - 2


def batch_sizes(cfg: ProgressiveConfig, default: int) -> dict[int, int]:
    """``progressive.batch_sizes`` as {level: batch size} (resolutions checked)."""
    out: dict[int, int] = {}
    for key, value in cfg.batch_sizes.items():
        try:
            px, b = int(key), int(value)
        except (TypeError, ValueError):
            raise ConfigError(f"progressive.batch_sizes: expected resolution: batch size integers, got {key!r}: {value!r}") from None
        if b < 1:
            raise ConfigError(f"progressive.batch_sizes: the batch size at {px} px must be >= 1, got {b}")
        out[_pow2(px, f"progressive.batch_sizes key {key!r}")] = b
    return out


def plan(cfg: ProgressiveConfig, num_levels: int, default_batch: int) -> tuple[Span, ...]:
    """The phases from ``cfg.start`` px to level ``num_levels - 1``, in steps."""
    first = _pow2(cfg.start, "progressive.start")
    if first >= num_levels:
        raise ConfigError(f"progressive.start: {cfg.start} px is above the nets' resolution ({4 * 2 ** (num_levels - 1)} px)")
    sizes = batch_sizes(cfg, default_batch)
    spans: list[Span] = []
    start = 0
    for level in range(first, num_levels):
        stable = cfg.final if level == num_levels - 1 and cfg.final > 0 else cfg.stable
        parts = ([(True, cfg.fade)] if level > first and cfg.fade > 0 else []) + [(False, stable)]
        b = sizes.get(level, default_batch)
        for fade, units in parts:
            steps = math.ceil(units / b) if cfg.unit == "images" else units
            spans.append(Span(level, fade, start, steps, b))
            start += steps
    return tuple(spans)


def stage_at(spans: tuple[Span, ...], step: int) -> Stage:
    """The stage of (0-based) ``step``; past the last phase, its level at alpha 1."""
    for i, s in enumerate(spans):
        if step < s.end:
            alpha = (step - s.start) / s.steps if s.fade else 1.0  # images shown in the fade-in / its length
            return Stage(s.level, alpha, s.batch_size, i, s.start, s.end)
    last = spans[-1]
    return Stage(last.level, 1.0, last.batch_size, len(spans) - 1, last.start, last.end)


def describe(spans: Iterable[Span]) -> str:
    """One line: ``progressive growing: 4 px stable 100 (batch 64), 8 px fade-in 100 (batch 64), ... steps``."""
    parts = []
    for s in spans:
        px = 4 * 2**s.level
        parts.append(f"{px} px {'fade-in' if s.fade else 'stable'} {s.steps} (batch {s.batch_size})")
    return "progressive growing: " + ", ".join(parts) + " steps"


class Growth:
    """The engine side: stage of each step on the nets, optimiser resets, batch size per phase."""

    def __init__(self, cfg: ProgressiveConfig, nets: dict[str, Any], default_batch: int) -> None:
        self.cfg = cfg
        self.nets = [n for n in nets.values() if hasattr(n, "set_stage") and getattr(n, "growing", False)]
        if not self.nets:
            raise ConfigError("progressive.start: none of this task's nets can grow (use progan nets, or stylegan nets with "
                              "generator.progressive=true and discriminator.progressive=true)")
        levels = {n.num_levels for n in self.nets}
        if len(levels) > 1:
            raise ConfigError(f"progressive: the nets' resolutions differ ({sorted(levels)} levels); give G and D the same resolution")
        self.spans = plan(cfg, levels.pop(), default_batch)

    @property
    def total(self) -> int:
        """Steps to the end of the last phase."""
        return self.spans[-1].end

    def stage(self, step: int) -> Stage:
        return stage_at(self.spans, step)

    def apply(self, step: int, shadows: Iterable[Any], optimizers: Iterable[Any]) -> Stage:
        """Before ``step``: set the stage on the nets and ``shadows``; reset ``optimizers`` at a phase start."""
        st = self.stage(step)
        for net in [*self.nets, *(s for s in shadows if getattr(s, "growing", False))]:
            net.set_stage(st.level, st.alpha)
        if self.cfg.reset_optim and step == st.phase_start and step > 0:
            for opt in optimizers:
                opt.state.clear()  # Adam moments and step counts start afresh (the phase's new layers)
        return st

    def batch_changes_after(self, step: int) -> bool:
        """Whether (0-based) ``step`` + 1 starts a phase with another batch size."""
        return self.stage(step).batch_size != self.stage(step + 1).batch_size

    def phase_ends_at(self, steps_done: int) -> bool:
        """Whether ``steps_done`` completed steps end a phase (the engine samples a grid there)."""
        return any(s.end == steps_done for s in self.spans)


def build_growth(cfg: ProgressiveConfig, nets: dict[str, Any], default_batch: int) -> Growth | None:
    """The capability when ``progressive.start`` > 0, else None."""
    return Growth(cfg, nets, default_batch) if cfg.start > 0 else None
