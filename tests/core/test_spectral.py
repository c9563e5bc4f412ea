"""Spectral normalisation: every conv/linear wrapped once, sigma_max ~ 1, applied by prepare_task."""

from types import SimpleNamespace

import pytest
import torch
from torch import nn

from translate.config import Config, GanConfig
from translate.core.adversary import Adversary
from translate.core.distributed import DistInfo
from translate.core.spectral import apply_spectral_norm, largest_singular_values, spectral_normalised
from translate.core.stabilisers import prepare_task


def make_d() -> nn.Module:
    return nn.Sequential(
        nn.Conv2d(3, 8, 4, 2, 1), nn.LeakyReLU(0.2), nn.ConvTranspose2d(8, 6, 3, 1, 1), nn.BatchNorm2d(6),
        nn.Flatten(), nn.Linear(6 * 4 * 4, 5), nn.Linear(5, 1),
    )


def scaled(net: nn.Module, k: float = 7.0) -> nn.Module:
    with torch.no_grad():
        for m in net.modules():
            if isinstance(m, (nn.Conv2d, nn.ConvTranspose2d, nn.Linear)):
                m.weight.mul_(k)
    return net


def test_bounds_the_largest_singular_value():
    net = scaled(make_d())
    assert max(largest_singular_values(net).values()) > 1.5
    apply_spectral_norm(net)
    assert len(spectral_normalised(net)) == 4
    x = torch.randn(2, 3, 8, 8)
    for _ in range(30):  # one power iteration per training forward
        net(x)
    sig = largest_singular_values(net)
    assert len(sig) == 4
    for name, s in sig.items():
        assert s == pytest.approx(1.0, abs=1e-2), name
    net(x).sum().backward()  # gradients reach the un-normalised weights
    assert all(m.parametrizations.weight.original.grad is not None for m in spectral_normalised(net))


def test_idempotent():
    net = apply_spectral_norm(apply_spectral_norm(make_d()))
    assert all(len(m.parametrizations.weight) == 1 for m in spectral_normalised(net))


def test_prepare_task_wraps_discriminators_only():
    nets = {"G": nn.Sequential(nn.Linear(2, 2)), "D_A": make_d(), "D_B": make_d()}
    cfg = Config(gan=GanConfig(spectral_norm=True))
    task = SimpleNamespace(nets=nets, adv=Adversary(cfg.gan), discriminators=lambda: {k: nets[k] for k in ("D_A", "D_B")})
    prepare_task(task, cfg, torch.device("cpu"), DistInfo())
    assert len(spectral_normalised(task.nets["D_A"])) == 4 and len(spectral_normalised(task.nets["D_B"])) == 4
    assert spectral_normalised(task.nets["G"]) == []


def test_off_by_default():
    net = make_d()
    assert Adversary(GanConfig()).prepare_discriminator(net) is net and spectral_normalised(net) == []
