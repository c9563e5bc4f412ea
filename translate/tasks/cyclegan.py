"""CycleGAN (Zhu et al. 2017): unpaired translation with cycle consistency.

G_A: A -> B and G_B: B -> A (ResNet generators); D_A judges B-domain images (real B vs fake_B),
D_B judges A-domain images (real A vs fake_A), as in the reference. Paper defaults live in
``models/cyclegan/default.yaml``: LSGAN, lambda_A = lambda_B = 10, identity 0.5 (scaled by the
lambda of the domain it preserves), two image pools of 50, D loss halved, Adam 2e-4 (0.5, 0.999),
batch 1, 100 + 100 epochs with linear decay, G updated before D (``order = ("g", "d")``).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from ..config import from_dict
from ..core.pool import ImagePool
from ..errors import ConfigError
from ..registry import DISCRIMINATORS, GENERATORS, TASKS
from .base import Batch, DiscView, Logs, Task, build_net
from .data import build_dataset


@dataclass
class CycleGANOptions:
    """Task options (``options:`` in the recipe)."""

    lambda_a: float = 10.0  # weight of the cycle loss A -> B -> A
    lambda_b: float = 10.0  # weight of the cycle loss B -> A -> B
    lambda_identity: float = 0.5  # identity loss weight, relative to lambda_a / lambda_b (0 = off)
    d_weight: float = 0.5  # the reference halves each D loss


def resnet_for_size(size: int) -> str:
    """The reference's ResNet preset for a crop size: 9 blocks from 256 px up, 6 blocks below."""
    return "resnet_9blocks" if size >= 256 else "resnet_6blocks"


def _prefixed(logs: dict[str, Tensor], suffix: str) -> Logs:
    """``{"D_real": x}`` -> ``{"D_real_A": x}`` (one set of diagnostics per discriminator)."""
    return {f"{k}_{suffix}": v for k, v in logs.items()}


@TASKS.register("cyclegan")
class CycleGANTask(Task):
    """Unpaired translation between domains A and B with two generators and two discriminators."""

    name = "cyclegan"
    layouts = ("unpaired",)
    order = ("g", "d")  # the reference updates G first, then D on pooled fakes
    generator_names = ("G_A", "G_B")

    def __init__(self, cfg, device="cpu", total_steps: int = 1) -> None:
        self.opts: CycleGANOptions = from_dict(CycleGANOptions, cfg.options, "options")
        if min(self.opts.lambda_a, self.opts.lambda_b, self.opts.lambda_identity) < 0:
            raise ConfigError("options.lambda_a/lambda_b/lambda_identity: must be >= 0")
        super().__init__(cfg, device, total_steps)
        self.pool_a = ImagePool(cfg.gan.pool_size)  # history of fake_B, shown to D_A
        self.pool_b = ImagePool(cfg.gan.pool_size)  # history of fake_A, shown to D_B

    @classmethod
    def adapt_to_size(cls, data: dict[str, Any], size: int) -> dict[str, Any]:
        d = super().adapt_to_size(data, size)
        gen = dict(d.get("generator", {}))
        if gen.get("arch") in ("resnet_9blocks", "resnet_6blocks"):
            gen["arch"] = resnet_for_size(size)
            d["generator"] = gen
        return d

    def build_nets(self) -> dict[str, nn.Module]:
        g_a = build_net(GENERATORS, self.cfg.generator)
        g_b = build_net(GENERATORS, self.cfg.generator)
        d_a = build_net(DISCRIMINATORS, self.cfg.discriminator, in_channels=3)
        d_b = build_net(DISCRIMINATORS, self.cfg.discriminator, in_channels=3)
        return {"G_A": g_a, "G_B": g_b, "D_A": d_a, "D_B": d_b}

    def build_dataset(self, split: str, train: bool):
        cfg = self.cfg
        if not train:  # evaluation: B in order too, so every test image of both folders is seen
            cfg = dataclasses.replace(cfg, data=dataclasses.replace(cfg.data, serial_batches=True))
        return build_dataset(cfg, split, train, self.nets["G_A"].input_multiple, self.layouts)

    # -- losses ----------------------------------------------------------------------------------
    def forward(self, batch: Batch, need_grad: bool) -> dict[str, Tensor]:
        g_a, g_b = self.nets["G_A"], self.nets["G_B"]
        with torch.set_grad_enabled(need_grad):
            fake_b = g_a(batch["A"])  # [N, 3, H, W]  A -> B
            fake_a = g_b(batch["B"])  # [N, 3, H, W]  B -> A
            out = {"fake_B": fake_b, "fake_A": fake_a}
            if need_grad:  # reconstructions only feed the G loss
                out["rec_A"] = g_b(fake_b)  # A -> B -> A
                out["rec_B"] = g_a(fake_a)  # B -> A -> B
        return out

    def g_loss(self, batch: Batch, out: dict[str, Tensor], step: int) -> tuple[Tensor, Logs]:
        o = self.opts
        a, b = batch["A"], batch["B"]
        gan_a, extra_a, _ = self.adv.g_loss(self.nets["D_A"], out["fake_B"], b, step)
        gan_b, extra_b, _ = self.adv.g_loss(self.nets["D_B"], out["fake_A"], a, step)
        cyc_a = F.l1_loss(out["rec_A"].float(), a.float())
        cyc_b = F.l1_loss(out["rec_B"].float(), b.float())
        loss = gan_a + gan_b + o.lambda_a * cyc_a + o.lambda_b * cyc_b
        logs: Logs = {"G_A_GAN": gan_a.detach(), "G_B_GAN": gan_b.detach(), "cycle_A": cyc_a.detach(), "cycle_B": cyc_b.detach()}
        if o.lambda_identity > 0:
            # G_A should leave B-domain images alone (weighted by lambda_B), G_B A-domain ones (lambda_A)
            idt_a = F.l1_loss(self.nets["G_A"](b).float(), b.float())
            idt_b = F.l1_loss(self.nets["G_B"](a).float(), a.float())
            loss = loss + o.lambda_identity * (o.lambda_b * idt_a + o.lambda_a * idt_b)
            logs.update(idt_A=idt_a.detach(), idt_B=idt_b.detach())
        logs.update(_prefixed(extra_a, "A"), **_prefixed(extra_b, "B"))
        return loss, logs

    def d_views(self, batch: Batch, out: dict[str, Tensor]) -> list[DiscView]:
        fake_b = self.pool_a.query(out["fake_B"].detach())
        fake_a = self.pool_b.query(out["fake_A"].detach())
        w = self.opts.d_weight
        return [DiscView(self.nets["D_A"], batch["B"], fake_b, w, "A"), DiscView(self.nets["D_B"], batch["A"], fake_a, w, "B")]

    def d_loss(self, batch: Batch, out: dict[str, Tensor], step: int) -> tuple[Tensor, Logs]:
        va, vb = self.views(batch, out)
        loss_a, logs_a, _, _ = self.adv.d_loss(va.disc, va.real, va.fake, step)
        loss_b, logs_b, _, _ = self.adv.d_loss(vb.disc, vb.real, vb.fake, step)
        w = self.opts.d_weight
        logs = {"loss_D_A": (loss_a * w).detach(), "loss_D_B": (loss_b * w).detach()}
        logs.update(_prefixed(logs_a, "A"), **_prefixed(logs_b, "B"))
        return (loss_a + loss_b) * w, logs

    # -- outputs ---------------------------------------------------------------------------------
    def sample(self, batch: Batch, gens: dict[str, nn.Module]) -> list[Tensor]:
        a, b = batch["A"], batch["B"]
        fake_b, fake_a = gens["G_A"](a), gens["G_B"](b)
        return [a, fake_b, gens["G_B"](fake_b), b, fake_a, gens["G_A"](fake_a)]

    def evaluate(self, batches: Any, gens: dict[str, nn.Module]) -> dict[str, float]:
        return cycle_metrics(batches, gens["G_A"], gens["G_B"])

    def generator_meta(self) -> dict[str, dict[str, Any]]:
        d = self.cfg.data
        swapped = d.direction == "BtoA"  # data.direction BtoA: G_A reads the B folder
        common = {"crop_size": d.crop_size, "train_layout": "unpaired"}
        return {
            "G_A": {"direction": "BtoA" if swapped else "AtoB", **common},
            "G_B": {"direction": "AtoB" if swapped else "BtoA", **common},
        }

    def extra_state(self) -> dict[str, Any]:
        return {"pool_A": self.pool_a.state_dict(), "pool_B": self.pool_b.state_dict()}

    def load_extra_state(self, state: dict[str, Any]) -> None:
        if "pool_A" in state:
            self.pool_a.load_state_dict(state["pool_A"], self.device)
            self.pool_b.load_state_dict(state["pool_B"], self.device)


# ----------------------------------------------------------------------------- cycle metrics


def _per_image_l1(x: Tensor, y: Tensor) -> Tensor:
    """[N, C, H, W] x2 -> [N] mean absolute difference on [-1, 1]."""
    return (x.float() - y.float()).abs().flatten(1).mean(1)


def cycle_metrics(batches: Iterable[Batch], g_a: nn.Module, g_b: nn.Module) -> dict[str, float]:
    """Per-image means over both folders of unpaired batches (each image counted once, by path).

    ``cycle_L1_ABA`` = |G_B(G_A(A)) - A|, ``cycle_L1_BAB`` = |G_A(G_B(B)) - B| (lower is better);
    ``change_L1_AB`` = |G_A(A) - A|, ``change_L1_BA`` = |G_B(B) - B| (how far translations move
    from their inputs: identity maps score 0 on every column).
    """
    seen: dict[str, dict[str, dict[str, float]]] = {"A": {}, "B": {}}
    for batch in batches:
        a, b = batch["A"], batch["B"]
        fake_b, fake_a = g_a(a), g_b(b)
        vals = {
            "A": {"cycle_L1_ABA": _per_image_l1(g_b(fake_b), a), "change_L1_AB": _per_image_l1(fake_b, a)},
            "B": {"cycle_L1_BAB": _per_image_l1(g_a(fake_a), b), "change_L1_BA": _per_image_l1(fake_a, b)},
        }
        for side in ("A", "B"):
            for i, path in enumerate(batch[f"{side}_path"]):
                if path not in seen[side]:
                    seen[side][path] = {k: float(v[i]) for k, v in vals[side].items()}
    out: dict[str, float] = {}
    for side in ("A", "B"):
        rows = list(seen[side].values())
        for k in rows[0] if rows else ():
            out[k] = sum(r[k] for r in rows) / len(rows)
        out[f"images_{side}"] = float(len(rows))
    return out
