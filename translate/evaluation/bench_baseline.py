"""The plain eager baseline of ``translate bench ... --baseline eager``.

Deliberately reference-style code, written after pytorch-CycleGAN-and-pix2pix
(``models/pix2pix_model.py``, ``models/cycle_gan_model.py``: ``optimize_parameters``,
``set_requires_grad``; ``models/networks.py``: ``GANLoss``): default ``torch.optim.Adam``, NCHW
tensors, no compile, ``zero_grad()`` with its default, one forward per net as the reference
writes it, and for inference a per-image load -> resize -> run -> save loop. It runs on copies of
the very nets the optimised path trains (same weights), so the two paths differ only in the loop.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any, Callable, Iterable

import numpy as np
import torch
from PIL import Image
from torch import Tensor, nn

from ..core.pool import ImagePool
from ..errors import ConfigError


class GANLoss(nn.Module):
    """The reference's ``GANLoss`` for its two image-to-image modes: vanilla (BCE with logits) and lsgan (MSE)."""

    def __init__(self, mode: str) -> None:
        super().__init__()
        losses = {"vanilla": nn.BCEWithLogitsLoss, "lsgan": nn.MSELoss}
        if mode not in losses:
            raise ConfigError(f"--baseline eager: gan.loss {mode!r} is not a reference mode (vanilla, lsgan)")
        self.loss = losses[mode]()

    def forward(self, prediction: Tensor, target_is_real: bool) -> Tensor:
        target = torch.tensor(1.0 if target_is_real else 0.0).expand_as(prediction)
        return self.loss(prediction, target)


def set_requires_grad(nets: Iterable[nn.Module], requires_grad: bool) -> None:
    """The reference's helper: freeze/unfreeze every parameter of ``nets``."""
    for net in nets:
        for p in net.parameters():
            p.requires_grad = requires_grad


def _adam(nets: Iterable[nn.Module], lr: float, betas: tuple[float, float]) -> torch.optim.Adam:
    return torch.optim.Adam([p for n in nets for p in n.parameters()], lr=lr, betas=betas)


def _check_plain(cfg: Any, task: str) -> None:
    """The baseline is the reference's step: refuse configs that add what it does not have."""
    g = cfg.gan
    extras = {"gan.spectral_norm": g.spectral_norm, "gan.diffaugment": g.diffaugment, "gan.penalty": g.penalty != "none",
              "gan.feature_matching": g.feature_matching, "gan.instance_noise": g.instance_noise,
              "gan.unrolled_steps": g.unrolled_steps, "train.n_critic": cfg.train.n_critic != 1, "train.ema": cfg.train.ema,
              "optim.name": cfg.optim.name != "adam", "optim.weight_decay": cfg.optim.weight_decay}
    on = [k for k, v in extras.items() if v]
    if on:
        raise ConfigError(f"--baseline eager: the reference {task} step has no {', '.join(on)} (drop it to compare)")


class EagerPix2Pix:
    """pix2pix ``optimize_parameters``: G forward, D step on concat(A, fake) / concat(A, B), G step (GAN + L1)."""

    def __init__(self, net_g: nn.Module, net_d: nn.Module, cfg: Any) -> None:
        self.net_g, self.net_d = net_g, net_d
        o = cfg.optim
        self.criterion_gan, self.criterion_l1 = GANLoss(cfg.gan.loss), nn.L1Loss()
        self.lambda_l1 = float(cfg.options.get("lambda_l1", 100.0))
        self.opt_g = _adam([net_g], o.lr_g, (o.beta1, o.beta2))
        self.opt_d = _adam([net_d], o.lr_d, (o.beta1, o.beta2))

    def step(self, batch: dict[str, Tensor]) -> dict[str, float]:
        real_a, real_b = batch["A"], batch["B"]  # [N, 3, H, W] each
        self.net_g.train()
        self.net_d.train()
        fake_b = self.net_g(real_a)
        # D
        set_requires_grad([self.net_d], True)
        self.opt_d.zero_grad()
        fake_ab = torch.cat((real_a, fake_b), 1)  # [N, 6, H, W]
        loss_d_fake = self.criterion_gan(self.net_d(fake_ab.detach()), False)
        real_ab = torch.cat((real_a, real_b), 1)
        loss_d_real = self.criterion_gan(self.net_d(real_ab), True)
        loss_d = (loss_d_fake + loss_d_real) * 0.5
        loss_d.backward()
        self.opt_d.step()
        # G
        set_requires_grad([self.net_d], False)
        self.opt_g.zero_grad()
        loss_g_gan = self.criterion_gan(self.net_d(fake_ab), True)
        loss_g_l1 = self.criterion_l1(fake_b, real_b)
        loss_g = loss_g_gan + loss_g_l1 * self.lambda_l1
        loss_g.backward()
        self.opt_g.step()
        return {"loss_D": loss_d.item(), "G_GAN": loss_g_gan.item(), "G_L1": loss_g_l1.item(), "loss_G": loss_g.item()}


class EagerCycleGAN:
    """CycleGAN ``optimize_parameters``: forward both cycles, G step (GAN + cycle + identity), D_A and D_B on pooled fakes."""

    def __init__(self, g_a: nn.Module, g_b: nn.Module, d_a: nn.Module, d_b: nn.Module, cfg: Any) -> None:
        self.g_a, self.g_b, self.d_a, self.d_b = g_a, g_b, d_a, d_b
        o, opts = cfg.optim, cfg.options
        self.lambda_a = float(opts.get("lambda_a", 10.0))
        self.lambda_b = float(opts.get("lambda_b", 10.0))
        self.lambda_idt = float(opts.get("lambda_identity", 0.5))
        self.criterion_gan, self.criterion_cycle, self.criterion_idt = GANLoss(cfg.gan.loss), nn.L1Loss(), nn.L1Loss()
        self.fake_a_pool, self.fake_b_pool = ImagePool(cfg.gan.pool_size), ImagePool(cfg.gan.pool_size)
        self.opt_g = _adam([g_a, g_b], o.lr_g, (o.beta1, o.beta2))
        self.opt_d = _adam([d_a, d_b], o.lr_d, (o.beta1, o.beta2))

    def _backward_d(self, net_d: nn.Module, real: Tensor, fake: Tensor) -> Tensor:
        loss_d = (self.criterion_gan(net_d(real), True) + self.criterion_gan(net_d(fake.detach()), False)) * 0.5
        loss_d.backward()
        return loss_d

    def step(self, batch: dict[str, Tensor]) -> dict[str, float]:
        real_a, real_b = batch["A"], batch["B"]  # [N, 3, H, W] each
        for n in (self.g_a, self.g_b, self.d_a, self.d_b):
            n.train()
        fake_b = self.g_a(real_a)
        rec_a = self.g_b(fake_b)
        fake_a = self.g_b(real_b)
        rec_b = self.g_a(fake_a)
        # G_A and G_B
        set_requires_grad([self.d_a, self.d_b], False)
        self.opt_g.zero_grad()
        logs: dict[str, Tensor] = {}
        loss_idt = torch.zeros(())
        if self.lambda_idt > 0:
            logs["idt_A"] = self.criterion_idt(self.g_a(real_b), real_b)
            logs["idt_B"] = self.criterion_idt(self.g_b(real_a), real_a)
            loss_idt = logs["idt_A"] * self.lambda_b * self.lambda_idt + logs["idt_B"] * self.lambda_a * self.lambda_idt
        logs["G_A_GAN"] = self.criterion_gan(self.d_a(fake_b), True)
        logs["G_B_GAN"] = self.criterion_gan(self.d_b(fake_a), True)
        logs["cycle_A"] = self.criterion_cycle(rec_a, real_a)
        logs["cycle_B"] = self.criterion_cycle(rec_b, real_b)
        loss_g = (logs["G_A_GAN"] + logs["G_B_GAN"] + logs["cycle_A"] * self.lambda_a + logs["cycle_B"] * self.lambda_b
                  + loss_idt)
        loss_g.backward()
        self.opt_g.step()
        # D_A and D_B
        set_requires_grad([self.d_a, self.d_b], True)
        self.opt_d.zero_grad()
        logs["loss_D_A"] = self._backward_d(self.d_a, real_b, self.fake_b_pool.query(fake_b))
        logs["loss_D_B"] = self._backward_d(self.d_b, real_a, self.fake_a_pool.query(fake_a))
        self.opt_d.step()
        return {"loss_G": loss_g.item(), **{k: v.item() for k, v in logs.items()}}


def _pix2pix(nets: dict[str, nn.Module], cfg: Any) -> EagerPix2Pix:
    if cfg.options.get("lambda_gan", 1.0) != 1.0 or not cfg.options.get("conditional_d", True) or cfg.gan.pool_size:
        raise ConfigError("--baseline eager: the reference pix2pix step has lambda_gan 1, a conditional D and no image pool")
    return EagerPix2Pix(nets["G"], nets["D"], cfg)


def _cyclegan(nets: dict[str, nn.Module], cfg: Any) -> EagerCycleGAN:
    return EagerCycleGAN(nets["G_A"], nets["G_B"], nets["D_A"], nets["D_B"], cfg)


EAGER_TRAIN: dict[str, Callable[[dict[str, nn.Module], Any], Any]] = {"pix2pix": _pix2pix, "cyclegan": _cyclegan}


def eager_trainer(task_name: str, nets: dict[str, nn.Module], cfg: Any) -> Any:
    """A reference-style step (``.step(batch) -> losses``) on deep copies of ``nets`` (same weights)."""
    if task_name not in EAGER_TRAIN:
        raise ConfigError(f"--baseline eager: the reference code has {' and '.join(EAGER_TRAIN)} only, not {task_name!r}")
    _check_plain(cfg, task_name)
    return EAGER_TRAIN[task_name]({k: copy.deepcopy(v) for k, v in nets.items()}, cfg)


# ----------------------------------------------------------------------------- inference


@torch.no_grad()
def eager_forward(net: nn.Module, x: Tensor, *cond: Tensor) -> Tensor:
    """The reference's test step: ``net(x)`` (StarGAN: ``net(x, c)``) under no_grad, eager, NCHW."""
    return net(x, *cond)


def eager_predict_files(net: nn.Module, files: list[Path], out: str | Path, multiple: int = 1) -> int:
    """A plain ``for f in files: load -> resize -> run -> save`` loop, one image at a time; returns files written.

    Each image is resized down to a multiple of ``multiple`` (as the reference's test loader does
    with its crop size) and the output back to the input size; PNGs are written to ``out``.
    """
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    for f in files:
        img = Image.open(f).convert("RGB")
        w, h = img.size
        nw, nh = max(multiple, w // multiple * multiple), max(multiple, h // multiple * multiple)
        x = np.asarray(img.resize((nw, nh), Image.BICUBIC) if (nw, nh) != (w, h) else img, dtype=np.float32)
        t = torch.from_numpy(x / 127.5 - 1.0).permute(2, 0, 1).unsqueeze(0)  # [1, 3, H, W] in [-1, 1]
        y = eager_forward(net, t)[0].permute(1, 2, 0).clamp(-1, 1).numpy()  # [H, W, 3]
        res = Image.fromarray(((y + 1.0) * 127.5).round().astype(np.uint8))
        (res.resize((w, h), Image.BICUBIC) if (nw, nh) != (w, h) else res).save(out / f"{Path(f).stem}.png")
    return len(files)
