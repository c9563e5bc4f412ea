"""PatchGAN discriminators: counts, receptive fields, output maps, reference layout."""

from __future__ import annotations

import pytest
import torch

from translate.errors import ConfigError
from translate.nets.layers import count_params
from translate.nets.patchgan import NLayerDiscriminator, PixelDiscriminator
from translate.registry import DISCRIMINATORS


def test_reference_parameter_counts() -> None:
    assert count_params(DISCRIMINATORS.build("patchgan")) == 2_768_705  # pix2pix: 6 ch, BN
    cyclegan = DISCRIMINATORS.build("patchgan", in_channels=3, norm="instance")
    assert count_params(cyclegan) == 2_764_737


@pytest.mark.parametrize("n_layers,field", [(1, 16), (2, 34), (3, 70), (4, 142), (5, 286)])
def test_receptive_fields(n_layers: int, field: int) -> None:
    assert DISCRIMINATORS.build("patchgan", n_layers=n_layers, ndf=4).receptive_field == field


def test_receptive_field_matches_gradient_support() -> None:
    """Empirical check: the input pixels that influence one output logit span 70 px."""
    net = NLayerDiscriminator(in_channels=1, ndf=4, norm="none").eval()
    for m in net.modules():
        if isinstance(m, torch.nn.Conv2d):
            torch.nn.init.constant_(m.weight, 0.1)
    x = torch.randn(1, 1, 160, 160, requires_grad=True)
    out = net(x)
    out[0, 0, out.shape[2] // 2, out.shape[3] // 2].backward()
    rows = x.grad[0, 0].abs().sum(dim=1).nonzero()
    assert rows.max() - rows.min() + 1 == net.receptive_field == 70


def test_30x30_map_at_256() -> None:
    net = DISCRIMINATORS.build("patchgan", ndf=8).eval()
    with torch.no_grad():
        assert net(torch.randn(1, 6, 256, 256)).shape == (1, 1, 30, 30)


def test_reference_layout_keys() -> None:
    sd = DISCRIMINATORS.build("patchgan").state_dict()
    assert sd["model.0.weight"].shape == (64, 6, 4, 4) and "model.0.bias" in sd
    assert sd["model.2.weight"].shape == (128, 64, 4, 4) and "model.2.bias" not in sd
    assert sd["model.3.running_mean"].shape == (128,)
    assert sd["model.8.weight"].shape == (512, 256, 4, 4)
    assert sd["model.11.weight"].shape == (1, 512, 4, 4) and "model.11.bias" in sd
    assert len([k for k in sd if k.endswith("weight")]) == 5 + 3  # 5 convs + 3 BN
    inorm = DISCRIMINATORS.build("patchgan", in_channels=3, norm="instance").state_dict()
    assert sorted(inorm) == sorted(
        f"model.{i}.{p}" for i in (0, 2, 5, 8, 11) for p in ("weight", "bias")
    )


def test_pixel_discriminator() -> None:
    net = PixelDiscriminator(in_channels=3, ndf=8).eval()
    assert net.receptive_field == 1
    assert sorted(k for k in net.state_dict() if "running" not in k and "num_" not in k) == [
        "net.0.bias", "net.0.weight", "net.2.weight", "net.3.bias", "net.3.weight",
        "net.5.weight",
    ]
    with torch.no_grad():
        assert net(torch.randn(2, 3, 17, 9)).shape == (2, 1, 17, 9)


def test_bad_n_layers() -> None:
    with pytest.raises(ConfigError, match="n_layers"):
        DISCRIMINATORS.build("patchgan", n_layers=0)


@pytest.mark.parametrize("n_layers", [1, 3])
def test_features_are_the_activations_before_the_logit_conv(n_layers: int) -> None:
    d = NLayerDiscriminator(in_channels=6, ndf=4, n_layers=n_layers).eval()
    x = torch.randn(2, 6, 64, 64)
    feats = d.features(x)
    assert len(feats) == n_layers + 1  # pix2pixHD's intermediate outputs
    assert feats[0].shape == (2, 4, 32, 32)
    assert all(f.min() < 0 for f in feats)  # LeakyReLU outputs: negative slope kept
    torch.testing.assert_close(d.model[-1](feats[-1]), d(x))


def test_multiscale_patchgan_scales_features_and_field() -> None:
    from translate.nets.layers import ScaleLogits
    from translate.nets.patchgan import MultiscaleDiscriminator

    d = MultiscaleDiscriminator(in_channels=6, ndf=4, n_layers=3, num_d=3).eval()
    x = torch.randn(2, 6, 256, 256)
    out = d(x)
    assert isinstance(out, ScaleLogits) and [o.shape[-1] for o in out] == [30, 14, 6]  # pix2pixHD at 256 px
    torch.testing.assert_close(out[0], d.scales[0](x))
    pooled = torch.nn.functional.avg_pool2d(x, 3, 2, 1, count_include_pad=False)
    torch.testing.assert_close(out[1], d.scales[1](pooled))
    feats = d.features(x)
    assert len(feats) == 3 and all(len(f) == 4 for f in feats)
    assert d.receptive_field == 1 + 2 + 4 + 69 * 4 and MultiscaleDiscriminator(num_d=1).receptive_field == 70
    assert count_params(d) == 3 * count_params(NLayerDiscriminator(6, 4, 3))
    with pytest.raises(ConfigError, match="num_d"):
        MultiscaleDiscriminator(num_d=0)
