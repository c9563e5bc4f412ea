"""The task interface: a task builds its nets and data and says what the losses are.

The engine (translate/core/engine.py) owns everything else: optimisers, schedules, AMP, DDP,
EMA, logging, checkpoints and resume. One engine step is::

    out = task.forward(batch, need_grad=update_g)        # generate fakes once
    for phase in task.order:                             # ("d", "g") or ("g", "d")
        "d": loss, logs = task.d_loss(batch, out, step)  # engine: backward + D optimiser step
        "g": loss, logs = task.g_loss(batch, out, step)  # only every n_critic steps

Tasks register in ``translate.registry.TASKS`` and are built as ``TASKS.build(name, cfg, device)``.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any, ClassVar

import torch
from torch import Tensor, nn
from torch.utils.data import Dataset

from ..config import Config, NetConfig
from ..core.adversary import Adversary
from ..nets.layers import init_weights

Batch = dict[str, Any]
Logs = dict[str, Tensor]


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

    def __init__(self, cfg: Config, device: torch.device | str = "cpu", total_steps: int = 1) -> None:
        self.cfg = cfg
        self.device = torch.device(device)
        self.nets: dict[str, nn.Module] = {k: v.to(self.device) for k, v in self.build_nets().items()}
        self.adv = Adversary(cfg.gan, total_steps)

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
        """The discriminator loss on detached fakes."""

    @abstractmethod
    def g_loss(self, batch: Batch, out: dict[str, Tensor], step: int) -> tuple[Tensor, Logs]:
        """The generator loss (discriminators frozen by the engine)."""

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

    def load_extra_state(self, state: dict[str, Any]) -> None:
        """Restore what ``extra_state`` returned."""
