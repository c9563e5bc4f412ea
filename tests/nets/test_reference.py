"""Fitting reference-repository checkpoints: prefixes, stale InstanceNorm stats, clear errors."""

from __future__ import annotations

import pytest
import torch

from translate.errors import CheckpointError
from translate.nets.reference import adapt_reference_state_dict, clean_reference_state_dict
from translate.nets.resnet import ResnetGenerator
from translate.nets.stargan import StarGenerator


def _old_cyclegan_checkpoint(net: torch.nn.Module) -> dict[str, torch.Tensor]:
    """The net's weights plus the InstanceNorm buffers pre-0.4 CycleGAN files carry."""
    sd = {k: v.clone() for k, v in net.state_dict().items()}
    for name, m in net.named_modules():
        if isinstance(m, torch.nn.InstanceNorm2d):
            sd[f"{name}.running_mean"] = torch.zeros(m.num_features)
            sd[f"{name}.running_var"] = torch.ones(m.num_features)
            sd[f"{name}.num_batches_tracked"] = torch.tensor(0)
    return sd


def test_clean_strips_dataparallel_prefix() -> None:
    sd = {"module.model.1.weight": torch.zeros(1), "model.4.bias": torch.zeros(1)}
    assert list(clean_reference_state_dict(sd)) == ["model.1.weight", "model.4.bias"]


def test_adapt_drops_stale_instance_norm_stats_and_prefix() -> None:
    net = ResnetGenerator(ngf=8, n_blocks=2)
    sd = {f"module.{k}": v for k, v in _old_cyclegan_checkpoint(net).items()}
    with pytest.raises(RuntimeError):
        ResnetGenerator(ngf=8, n_blocks=2).load_state_dict(sd, strict=True)
    cleaned, dropped = adapt_reference_state_dict(sd, ResnetGenerator(ngf=8, n_blocks=2))
    assert "model.2.running_mean" in dropped
    assert "model.10.conv_block.2.num_batches_tracked" in dropped
    assert all(k.rsplit(".", 1)[1] in {"running_mean", "running_var", "num_batches_tracked"}
               for k in dropped)
    fresh = ResnetGenerator(ngf=8, n_blocks=2)
    fresh.load_state_dict(cleaned, strict=True)
    x = torch.randn(1, 3, 16, 16)
    with torch.no_grad():
        torch.testing.assert_close(fresh.eval()(x), net.eval()(x))


def test_adapt_keeps_stats_that_the_net_tracks() -> None:
    net = StarGenerator(conv_dim=8, c_dim=2, repeat_num=1)
    cleaned, dropped = adapt_reference_state_dict(net.state_dict(), net)
    assert dropped == [] and "main.1.running_mean" in cleaned


def test_adapt_reports_wrong_architecture() -> None:
    six = ResnetGenerator(ngf=8, n_blocks=6).state_dict()
    with pytest.raises(CheckpointError) as err:
        adapt_reference_state_dict(six, ResnetGenerator(ngf=8, n_blocks=9), "latest_net_G.pth")
    msg = str(err.value)
    assert msg.startswith("latest_net_G.pth: does not fit ResnetGenerator")
    assert "missing" in msg and "unexpected" in msg and "\n" not in msg
    wide = ResnetGenerator(ngf=16, n_blocks=2).state_dict()
    expected = r"shape mismatch.*model\.1\.weight: \(16, 3, 7, 7\) vs \(8, 3, 7, 7\)"
    with pytest.raises(CheckpointError, match=expected):
        adapt_reference_state_dict(wide, ResnetGenerator(ngf=8, n_blocks=2))
