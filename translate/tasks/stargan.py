"""StarGAN (Choi et al. 2018): one generator translating between many domains.

G(x, c) takes an image and target-domain labels c; D has a real/fake patch head and a domain
classification head. Losses as in the reference ``solver.py``::

    L_D = -D_src(x) + D_src(G(x, c')) + lambda_gp GP + lambda_cls L_cls(D_cls(x), c)
    L_G = -D_src(G(x, c')) + lambda_cls L_cls(D_cls(G(x, c')), c') + lambda_rec |x - G(G(x, c'), c)|_1

The adversarial terms (WGAN-GP by default) go through ``self.adv``, so ``gan.loss`` and the
stabilisers apply. L_cls is softmax cross-entropy for single-label data (``domains`` layout, one
folder per domain) and binary cross-entropy summed over attributes / N for multi-label data
(``attributes`` layout, CelebA table). Training targets c' are the batch's labels in a random
permutation (the reference's ``label_org[randperm]``); ``options.target: flip`` instead changes one
random attribute per image by the reference's test-time rule (``runtime.conditioning.flip_one``). Paper
defaults live in ``models/stargan/default.yaml``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from ..config import from_dict
from ..errors import ConfigError
from ..registry import DISCRIMINATORS, GENERATORS, TASKS
from .base import Batch, DiscView, Logs, Task, build_net
from .data import build_dataset
from .stargan_labels import (
    LABEL_MODES,
    attribute_targets,
    describe_labels,
    domain_setup,
    sample_targets,
)


@dataclass
class StarGANOptions:
    """Task options (``options:`` in the recipe)."""

    lambda_cls: float = 1.0  # domain classification loss weight (D on reals, G on fakes)
    lambda_rec: float = 10.0  # cycle reconstruction |x - G(G(x, c'), c)|_1 weight
    label_mode: str = "auto"  # auto (from the layout) | single (softmax CE) | multi (BCE)
    target: str = "permute"  # permute (reference) | flip (one attribute per image, test-time rule)


def cls_loss(logits: Tensor, labels: Tensor, mode: str) -> Tensor:
    """Domain classification loss: CE on the label index (single) or BCE sum / N (multi)."""
    logits = logits.float()
    if mode == "single":
        return F.cross_entropy(logits, labels.argmax(1))  # logits [N, C], labels one-hot [N, C]
    return F.binary_cross_entropy_with_logits(logits, labels.float(), reduction="sum") / logits.shape[0]


def d_repeat_for(size: int, repeat: int) -> int:
    """The largest D depth <= ``repeat`` whose output map is at least 2x2 at ``size`` px."""
    while repeat > 1 and (size % 2**repeat or size // 2**repeat < 2):
        repeat -= 1
    return repeat


@TASKS.register("stargan")
class StarGANTask(Task):
    """Multi-domain translation with one generator conditioned on target labels."""

    name = "stargan"
    layouts = ("domains", "attributes")

    def __init__(self, cfg, device="cpu", total_steps: int = 1) -> None:
        self.opts: StarGANOptions = from_dict(StarGANOptions, cfg.options, "options")
        if self.opts.label_mode not in ("auto", *LABEL_MODES):
            raise ConfigError(f"options.label_mode: expected auto, single or multi, got {self.opts.label_mode!r}")
        if self.opts.target not in ("permute", "flip"):
            raise ConfigError(f"options.target: expected permute or flip, got {self.opts.target!r}")
        self.domains, self.mode, self.groups = domain_setup(cfg, self.opts.label_mode, self.layouts)
        super().__init__(cfg, device, total_steps)

    @classmethod
    def adapt_to_size(cls, data: dict[str, Any], size: int) -> dict[str, Any]:
        """Square ``size`` images (resize after the optional center crop); D depth fits the size."""
        d = dict(data)
        d["data"] = {**d.get("data", {}), "crop_size": size, "load_size": size}
        disc = dict(d.get("discriminator", {}))
        disc["repeat_num"] = d_repeat_for(size, int(disc.get("repeat_num", 6)))
        d["discriminator"] = disc
        return d

    def build_nets(self) -> dict[str, nn.Module]:
        c_dim = len(self.domains)
        g = build_net(GENERATORS, self.cfg.generator, c_dim=c_dim)
        d = build_net(DISCRIMINATORS, self.cfg.discriminator, c_dim=c_dim, image_size=self.cfg.data.crop_size)
        return {"G": g, "D": d}

    def build_dataset(self, split: str, train: bool):
        ds = build_dataset(self.cfg, split, train, self.nets["G"].input_multiple, self.layouts)
        if list(ds.domain_names) != self.domains:
            raise ConfigError(f"{self.cfg.data.root}: the {split} split has domains {ds.domain_names}, "
                              f"the model was built for {self.domains}")
        return ds

    # -- losses ----------------------------------------------------------------------------------
    def _targets(self, labels: Tensor) -> Tensor:
        if self.opts.target == "flip":
            return attribute_targets(labels, self.groups, self.mode)
        return labels[torch.randperm(labels.shape[0]).to(labels.device)]  # [N, C]

    def forward(self, batch: Batch, need_grad: bool) -> dict[str, Tensor]:
        x, c_org = batch["image"], batch["label"].float()
        c_trg = self._targets(c_org)
        with torch.set_grad_enabled(need_grad):
            return {"fake": self.nets["G"](x, c_trg), "c_trg": c_trg}

    def d_views(self, batch: Batch, out: dict[str, Tensor]) -> list[DiscView]:
        return [DiscView(self.nets["D"], batch["image"], out["fake"].detach())]  # D -> (src, cls): penalties use src

    def d_loss(self, batch: Batch, out: dict[str, Tensor], step: int) -> tuple[Tensor, Logs]:
        (v,) = self.views(batch, out)
        c_org = batch["label"].float()
        loss, logs, real_out, _ = self.adv.d_loss(v.disc, v.real, v.fake, step)
        cls = cls_loss(real_out[1], c_org, self.mode)
        logs.update(D_cls=cls.detach(), D_cls_acc=self._accuracy(real_out[1].detach(), c_org))
        return loss + self.opts.lambda_cls * cls, logs

    def g_loss(self, batch: Batch, out: dict[str, Tensor], step: int) -> tuple[Tensor, Logs]:
        x, c_org, fake, c_trg = batch["image"], batch["label"].float(), out["fake"], out["c_trg"]
        gan, logs, fake_out = self.adv.g_loss(self.nets["D"], fake, x, step)
        cls = cls_loss(fake_out[1], c_trg, self.mode)
        rec = F.l1_loss(self.nets["G"](fake, c_org).float(), x.float())  # back to the source domain
        loss = gan + self.opts.lambda_cls * cls + self.opts.lambda_rec * rec
        logs.update(G_GAN=gan.detach(), G_cls=cls.detach(), G_rec=rec.detach())
        return loss, logs

    def _accuracy(self, logits: Tensor, labels: Tensor) -> Tensor:
        if self.mode == "single":
            return (logits.argmax(1) == labels.argmax(1)).float().mean()
        return ((logits > 0).float() == labels).float().mean()

    # -- outputs ---------------------------------------------------------------------------------
    def sample(self, batch: Batch, gens: dict[str, nn.Module]) -> list[Tensor]:
        """Input, then one column per target (each domain; multi-label: each attribute changed)."""
        x, c_org = batch["image"], batch["label"].float()
        return [x] + [gens["G"](x, c) for c in sample_targets(c_org, self.groups, self.mode)]

    def synthetic_item(self, size: int) -> dict[str, Any]:
        n = len(self.domains)
        g = torch.Generator().manual_seed(size)
        if self.mode == "single":
            d = int(torch.randint(0, n, (1,), generator=g))
            label = torch.zeros(n)
            label[d] = 1.0
            return {"image": torch.rand(3, size, size) * 2 - 1, "label": label, "domain": d}
        return {"image": torch.rand(3, size, size) * 2 - 1, "label": torch.randint(0, 2, (n,), generator=g).float()}

    def generator_meta(self) -> dict[str, dict[str, Any]]:
        d = self.cfg.data
        labels = describe_labels(self.domains, self.mode, self.groups)
        return {"G": {**labels, "crop_size": d.crop_size, "center_crop": d.center_crop}}

