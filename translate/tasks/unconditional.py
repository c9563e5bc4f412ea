"""Unconditional image synthesis G(z) vs D(x): the shared latent task and DCGAN (Radford et al. 2016).

``LatentTask`` is the part DCGAN and StyleGAN share: the ``single`` data layout (any folder of
images; with ``options.conditional`` one sub-folder per class), z ~ N(0, I) drawn from the engine's
seeded RNG (so resume is exact), sample grids from a fixed set of latents, and per-generator
metadata (``z_dim``, ``image_size``, class names) that predict/export read back.

DCGAN paper defaults (``models/dcgan/default.yaml``): vanilla GAN (BCE with logits, non-saturating
G), Adam 2e-4 betas (0.5, 0.999), batch 128, 64 px, N(0, 0.02) init, z in R^100. The class-conditional
option embeds the label into z in G and uses a projection discriminator (see ``nets/dcgan.py``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

import torch
from torch import Tensor, nn

from ..config import from_dict
from ..data.checks import split_dir
from ..data.multidomain import domain_folders
from ..errors import ConfigError
from ..registry import DISCRIMINATORS, GENERATORS, TASKS
from .base import Batch, DiscView, Logs, Task, build_net
from .data import build_dataset


@dataclass
class LatentOptions:
    """Task options shared by latent (unconditional / class-conditional) tasks."""
    conditional: bool = False  # class-conditional on the sub-folder of each image (folder per class)
    num_classes: int = 0  # with conditional: 0 = count the class folders of the data
    sample_grid: int = 8  # latents per row of the training sample grid (rows: train.num_samples)


def class_names(cfg: Any) -> list[str]:
    """Class names of a folder-per-class ``single`` dataset (sorted like the dataset does)."""
    if not cfg.data.root:
        raise ConfigError("options.conditional: counting classes needs a data folder (--data DIR) or options.num_classes")
    folder = split_dir(cfg.data.root, cfg.data.split or "train", fallback=True)
    return domain_folders(folder, cfg.data.domains)[0]


class LatentTask(Task):
    """G(z [, y]) -> image vs D(image [, y]); subclasses build the nets and may add regularisers."""
    options_cls: type = LatentOptions
    layouts = ("single",)
    feature_matching = True  # DCGAN and StyleGAN discriminators expose features

    def __init__(self, cfg, device="cpu", total_steps: int = 1) -> None:
        self.opts = from_dict(self.options_cls, cfg.options, "options")
        self.classes: list[str] = []
        if self.opts.conditional:
            if self.opts.num_classes > 0:
                self.classes = [str(i) for i in range(self.opts.num_classes)]
            else:
                self.classes = class_names(cfg)
        super().__init__(cfg, device, total_steps)

    @property
    def num_classes(self) -> int:
        return len(self.classes)

    @classmethod
    def adapt_to_size(cls, data: dict[str, Any], size: int) -> dict[str, Any]:
        d = dict(data)
        d["data"] = {**d.get("data", {}), "crop_size": size, "load_size": size}
        for key in ("generator", "discriminator"):
            d[key] = {**d.get(key, {}), cls.size_option: size}
        return d

    size_option = "image_size"  # the nets' resolution option (``--size`` sets it on G and D)

    @property
    def z_dim(self) -> int:
        return int(self.nets["G"].z_dim)

    def build_dataset(self, split: str, train: bool):
        return build_dataset(self.cfg, split, train, 1, self.layouts, labels=self.opts.conditional)

    # -- latents ---------------------------------------------------------------------------------
    def latents(self, n: int, generator: torch.Generator | None = None) -> Tensor:
        """z ~ N(0, I) [n, z_dim] (the engine's global RNG unless ``generator`` is given)."""
        return torch.randn(n, self.z_dim, generator=generator).to(self.device)

    def labels_of(self, batch: Batch) -> Tensor | None:
        """Class labels [N] of a batch (conditional), else None."""
        return batch["domain"].long() if self.opts.conditional else None

    def cond(self, y: Tensor | None) -> dict[str, Tensor]:
        return {"y": y} if y is not None else {}

    def disc(self, y: Tensor | None):
        """D as a one-argument callable (labels bound) for the adversary and its penalties."""
        d = self.nets["D"]
        return d if y is None else (lambda x: d(x, y))

    # -- the step --------------------------------------------------------------------------------
    def forward(self, batch: Batch, need_grad: bool) -> dict[str, Tensor]:
        real = batch["image"]
        y = self.labels_of(batch)  # fakes use the real batch's labels: same class mix as the data
        z = self.latents(real.shape[0])  # [N, z_dim]
        with torch.set_grad_enabled(need_grad):
            return {"fake": self.nets["G"](z, **self.cond(y))}  # [N, 3, S, S]

    def d_views(self, batch: Batch, out: dict[str, Tensor]) -> list[DiscView]:
        return [DiscView(self.disc(self.labels_of(batch)), batch["image"], out["fake"].detach())]

    def d_loss(self, batch: Batch, out: dict[str, Tensor], step: int) -> tuple[Tensor, Logs]:
        (v,) = self.views(batch, out)
        loss, logs, _, _ = self.adv.d_loss(v.disc, v.real, v.fake, step)
        return loss, logs

    def g_loss(self, batch: Batch, out: dict[str, Tensor], step: int) -> tuple[Tensor, Logs]:
        y = self.labels_of(batch)
        loss, extra, _ = self.adv.g_loss(self.disc(y), out["fake"], batch["image"], step)
        logs = {"G_GAN": loss.detach(), **extra}
        return self.add_feature_matching(loss, logs, "D", out["fake"], batch["image"], step, **self.cond(y)), logs

    # -- outputs ---------------------------------------------------------------------------------
    def fixed_latents(self, n: int) -> Tensor:
        """The same latents at every sample grid of a run (seeded by ``cfg.seed``)."""
        return self.latents(n, torch.Generator().manual_seed(self.cfg.seed + 12345))

    sample_kwargs: ClassVar[dict[str, Any]] = {}  # extra generator arguments for sample grids (StyleGAN: const noise)

    def sample(self, batch: Batch, gens: dict[str, nn.Module]) -> list[Tensor]:
        """Columns of fakes from fixed latents; conditional: one column per class (up to 10)."""
        rows = batch["image"].shape[0]
        net, kw = gens["G"], self.sample_kwargs
        g = lambda z, **c: net(z, **c, **kw)  # noqa: E731
        if self.opts.conditional:
            cols = min(self.num_classes, 10)
            z = self.fixed_latents(rows)  # [rows, z_dim]
            return [g(z, y=torch.full((rows,), c, dtype=torch.long, device=self.device)) for c in range(cols)]
        z = self.fixed_latents(rows * self.opts.sample_grid).reshape(rows, self.opts.sample_grid, -1)
        return [g(z[:, c]) for c in range(self.opts.sample_grid)]  # each [rows, 3, S, S]

    def synthetic_item(self, size: int) -> dict[str, Any]:
        item: dict[str, Any] = {"image": torch.rand(3, size, size) * 2 - 1}
        if self.opts.conditional:
            item["domain"] = 0
        return item

    def generator_meta(self) -> dict[str, dict[str, Any]]:
        g = self.nets["G"]
        meta = {"z_dim": int(g.z_dim), "image_size": int(getattr(g, "image_size", self.cfg.data.crop_size)),
                "crop_size": self.cfg.data.crop_size, "num_classes": self.num_classes, "train_layout": "single"}
        if self.classes:
            meta["domains"] = list(self.classes)
        return {"G": meta}


@TASKS.register("dcgan")
class DCGANTask(LatentTask):
    """DCGAN: transposed-conv G(z) vs strided-conv D(x); class-conditional with ``options.conditional``."""
    name = "dcgan"

    def build_nets(self) -> dict[str, nn.Module]:
        n = self.num_classes
        fixed = {"num_classes": n} if n else {}
        g = build_net(GENERATORS, self.cfg.generator, **fixed)
        d = build_net(DISCRIMINATORS, self.cfg.discriminator, **fixed)
        return {"G": g, "D": d}
