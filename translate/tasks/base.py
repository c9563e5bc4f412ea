"""The task interface: a task builds its nets and data and says what the losses are.

The engine (translate/core/engine.py) owns everything else: optimisers, schedules, AMP, DDP,
EMA, logging, checkpoints and resume. One engine step runs the forward pass once, then the
task's phases that are due (translate/core/phases.py), each with its own optimiser step::

    out = task.forward(batch, need_grad=<a due phase needs G's graph>)   # generate fakes once
    for phase in task.phases():                    # default, for order ("d", "g"):
        Dmain: task.d_loss(batch, out, step)       #   every step (penalty included unless lazy)
        Dreg:  task.d_reg_loss(batch, out, step)   #   every gan.penalty_every steps, loss x interval
        Gmain: task.g_loss(batch, out, step)       #   every train.n_critic steps (D frozen)

``order = ("g", "d")`` puts the G phases first (CycleGAN). The D regulariser is generic: a task
lists its discriminators with this step's inputs in ``d_views`` (pools queried once per step,
shared by ``d_loss`` and ``d_reg_loss`` through :meth:`Task.views`).

Tasks register in ``translate.registry.TASKS`` and are built as ``TASKS.build(name, cfg, device)``.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import Any, Callable, ClassVar

import torch
from torch import Tensor, nn
from torch.utils.data import Dataset

from ..config import Config, NetConfig
from ..core.adversary import Adversary
from ..core.feature_matching import features_of
from ..core.phases import Phase, every
from ..errors import ConfigError
from ..nets.layers import init_weights

Batch = dict[str, Any]
Logs = dict[str, Tensor]


@dataclass
class DiscView:
    """One discriminator with this step's inputs, as the D loss and the D regulariser see it."""

    disc: Callable[[Tensor], "Tensor | tuple"]  # one-argument D (labels bound)
    real: Tensor  # what D sees of the data, e.g. concat(A, B)  # [N, C, H, W]
    fake: Tensor  # detached (pooled) fakes in the same form  # [N, C, H, W]
    weight: float = 1.0  # the task's weight on this D's loss (pix2pix/CycleGAN: 0.5)
    suffix: str = ""  # log suffix for several discriminators ("A" -> "D_r1_A")


def build_net(registry: Any, cfg: NetConfig, **fixed: Any) -> nn.Module:
    """Build a net from its NetConfig (``fixed`` options override the config) and initialise it."""
    options = {**cfg.options, **fixed}
    net = registry.build(cfg.arch, **options)
    init_weights(net, cfg.init, cfg.init_gain)
    net.translate_spec = {"arch": cfg.arch, "options": options}  # read by checkpoint.save_generators
    return net


class Task(ABC):
    """Base class of every training task (pix2pix, CycleGAN, StarGAN, unconditional, ...)."""

    name: ClassVar[str] = ""
    order: ClassVar[tuple[str, ...]] = ("d", "g")  # update order within one step
    generator_names: ClassVar[tuple[str, ...]] = ("G",)  # nets in generator checkpoints (+EMA)
    default_recipe: ClassVar[str] = "default"  # models/<task>/<recipe>.yaml
    layouts: ClassVar[tuple[str, ...]] = ()  # data layouts the task reads (layout: auto picks the first detected)
    feature_matching: ClassVar[bool] = False  # the G loss adds gan.feature_matching (add_feature_matching)

    def __init__(self, cfg: Config, device: torch.device | str = "cpu", total_steps: int = 1) -> None:
        self.cfg = cfg
        self.device = torch.device(device)
        self.nets: dict[str, nn.Module] = {k: v.to(self.device) for k, v in self.build_nets().items()}
        self.adv = Adversary(cfg.gan, total_steps)
        if cfg.gan.feature_matching > 0 and not self.feature_matching:
            raise ConfigError(f"gan.feature_matching: the {self.name} task does not support it (pix2pix, dcgan, stylegan do)")

    # -- construction ---------------------------------------------------------------------------
    @abstractmethod
    def build_nets(self) -> dict[str, nn.Module]:
        """All nets by name; those in ``generator_names`` are generators, the rest discriminators."""

    @abstractmethod
    def build_dataset(self, split: str, train: bool) -> Dataset:
        """The dataset for ``split`` (train=False: deterministic eval transforms)."""

    @classmethod
    def adapt_to_size(cls, data: dict[str, Any], size: int) -> dict[str, Any]:
        """CLI ``--size PX`` hook: adjust a recipe dict (crop/load size, net depth) to ``size``."""
        d = dict(data)
        d["data"] = {**d.get("data", {}), "crop_size": size, "load_size": round(size * 286 / 256)}
        return d

    def set_total_steps(self, total: int) -> None:
        """Tell schedule-dependent pieces (instance-noise annealing) how long the run is."""
        self.adv.total_steps = max(1, total)

    # -- parameters -------------------------------------------------------------------------------
    def generators(self) -> dict[str, nn.Module]:
        return {k: self.nets[k] for k in self.generator_names}

    def discriminators(self) -> dict[str, nn.Module]:
        return {k: v for k, v in self.nets.items() if k not in self.generator_names}

    def g_params(self) -> list[nn.Parameter]:
        return [p for n in self.generators().values() for p in n.parameters()]

    def d_params(self) -> list[nn.Parameter]:
        return [p for n in self.discriminators().values() for p in n.parameters()]

    # -- the step ---------------------------------------------------------------------------------
    def to_device(self, batch: Batch) -> Batch:
        """Move the tensors of a collated batch to the task's device."""
        return {k: v.to(self.device, non_blocking=True) if isinstance(v, Tensor) else v for k, v in batch.items()}

    @abstractmethod
    def forward(self, batch: Batch, need_grad: bool) -> dict[str, Tensor]:
        """Generate the fakes of this step (with a graph when ``need_grad``)."""

    @abstractmethod
    def d_loss(self, batch: Batch, out: dict[str, Tensor], step: int) -> tuple[Tensor, Logs]:
        """The discriminator loss on detached fakes (from ``views``, so that Dreg sees the same inputs)."""

    @abstractmethod
    def g_loss(self, batch: Batch, out: dict[str, Tensor], step: int) -> tuple[Tensor, Logs]:
        """The generator loss (discriminators frozen by the engine)."""

    # -- phases ---------------------------------------------------------------------------------
    def phases(self) -> list[Phase]:
        """The training phases in run order: the D and G phases in ``order``."""
        parts = {"d": self.d_phases, "g": self.g_phases}
        return [p for part in self.order for p in parts[part]()]

    def d_phases(self) -> list[Phase]:
        """Dmain every step; a lazy penalty (``gan.penalty_every`` > 1) adds Dreg every k steps."""
        clip = lambda: self.adv.after_d_step(list(self.discriminators().values()))  # noqa: E731
        phases = [Phase("Dmain", "D", self.d_loss, after_step=clip)]
        if self.adv.lazy_penalty:
            k = self.adv.cfg.penalty_every
            phases.append(Phase("Dreg", "D", self.d_reg_loss, interval=k, lazy=True, after_step=clip))
        return phases

    def g_phases(self) -> list[Phase]:
        """Gmain after every ``train.n_critic``-th step, on the forward pass's graph."""
        return [Phase("Gmain", "G", self.g_loss, needs_graph=True, **every(self.cfg.train.n_critic))]

    def add_feature_matching(self, loss: Tensor, logs: Logs, disc: str, fake: Tensor, real: Tensor, step: int,
                             **cond: Tensor) -> Tensor:
        """``loss`` + the feature-matching term of discriminator ``disc`` (logged as ``G_FM``); ``loss`` when off."""
        if self.adv.cfg.feature_matching <= 0:
            return loss
        fn = features_of(self.nets[disc], self.name)
        fm, extra = self.adv.feature_loss((lambda x: fn(x, **cond)) if cond else fn, fake, real, step)
        logs.update(extra)
        return loss + fm

    @abstractmethod
    def d_views(self, batch: Batch, out: dict[str, Tensor]) -> list[DiscView]:
        """Every discriminator with this step's real and fake inputs (queries image pools)."""

    def views(self, batch: Batch, out: dict[str, Any]) -> list[DiscView]:
        """``d_views`` once per step (kept in ``out``), so the D loss and the D regulariser share pool draws."""
        if "d_views" not in out:
            out["d_views"] = self.d_views(batch, out)
        return out["d_views"]

    def d_reg_loss(self, batch: Batch, out: dict[str, Any], step: int) -> tuple[Tensor, Logs]:
        """The lazy D regulariser (Dreg): sum of weight x penalty_weight x penalty over the discriminators."""
        terms: list[Tensor] = []
        logs: Logs = {}
        for v in self.views(batch, out):
            pen, extra = self.adv.penalty_loss(v.disc, v.real, v.fake, step)
            terms.append(pen * v.weight)
            logs.update({f"{k}_{v.suffix}" if v.suffix else k: x for k, x in extra.items()})
        return torch.stack(terms).sum(), logs

    # -- outputs ----------------------------------------------------------------------------------
    @abstractmethod
    def sample(self, batch: Batch, gens: dict[str, nn.Module]) -> list[Tensor]:
        """Columns of a sample grid (each [N, 3, H, W] in [-1, 1]) made with ``gens`` in eval mode."""

    def synthetic_item(self, size: int) -> dict[str, Any]:
        """A random training item of ``size`` x ``size`` (benchmarks); default: an A/B pair."""
        return {"A": torch.rand(3, size, size) * 2 - 1, "B": torch.rand(3, size, size) * 2 - 1}

    def evaluate(self, batches: Any, gens: dict[str, nn.Module]) -> dict[str, float]:
        """Validation metrics over an iterable of batches (default: none)."""
        return {}

    def generator_meta(self) -> dict[str, dict[str, Any]]:
        """Per-generator facts for checkpoint metadata (direction, domains, ...)."""
        return {name: {} for name in self.generator_names}

    def extra_state(self) -> dict[str, Any]:
        """Task state to checkpoint besides nets (image pools, ...)."""
        return {}

    def load_extra_state(self, state: dict[str, Any]) -> None:  # noqa: B027  (a hook: tasks without state keep it empty)
        """Restore what ``extra_state`` returned."""
