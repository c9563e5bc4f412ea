"""Norm/init registries, parameter counting and the minibatch layers."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch
from torch import nn

from translate.errors import ConfigError
from translate.nets.layers import (
    NORMS,
    MinibatchDiscrimination,
    MinibatchStdDev,
    conv_bias,
    conv_receptive_field,
    count_params,
    init_weights,
    norm_layer,
    upsample_layer,
)
from translate.registry import GENERATORS


def test_norms_registered_with_reference_settings() -> None:
    assert set(NORMS.names()) == {"batch", "instance", "sync-batch", "none"}
    bn = norm_layer("batch")(8)
    assert isinstance(bn, nn.BatchNorm2d) and bn.affine and bn.track_running_stats
    inorm = norm_layer("instance")(8)
    assert isinstance(inorm, nn.InstanceNorm2d)
    assert not inorm.affine and not inorm.track_running_stats
    assert list(inorm.state_dict()) == []
    assert isinstance(norm_layer("sync-batch")(8), nn.SyncBatchNorm)
    assert isinstance(norm_layer("none")(8), nn.Identity)
    assert [conv_bias(n) for n in ("batch", "instance", "sync-batch", "none")] == [
        False, True, False, False
    ]


def test_unknown_norm_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="instance"):
        norm_layer("instnce")


def _toy() -> nn.Module:
    return nn.Sequential(nn.Conv2d(3, 64, 3), nn.BatchNorm2d(64), nn.ConvTranspose2d(64, 64, 3),
                         nn.Linear(64, 256))


def test_init_normal_follows_reference() -> None:
    torch.manual_seed(0)
    net = init_weights(_toy(), "normal", gain=0.02)
    conv, bn, convt, lin = net
    for m in (conv, convt, lin):
        assert abs(m.weight.std().item() - 0.02) < 0.002
        assert m.bias.abs().max() == 0
    assert abs(bn.weight.mean().item() - 1.0) < 0.01 and bn.bias.abs().max() == 0


@pytest.mark.parametrize("kind", ["xavier", "kaiming", "orthogonal"])
def test_init_kinds(kind: str) -> None:
    net = _toy()
    net[0].bias.data.fill_(3.0)
    init_weights(net, kind, gain=0.5)
    assert net[0].bias.abs().max() == 0
    assert torch.isfinite(net[3].weight).all()


def test_init_orthogonal_is_orthogonal() -> None:
    lin = nn.Linear(16, 16)
    init_weights(lin, "orthogonal", gain=1.0)
    torch.testing.assert_close(lin.weight @ lin.weight.T, torch.eye(16), atol=1e-5, rtol=0)


def test_init_none_keeps_weights_and_unknown_fails() -> None:
    net = _toy()
    before = {k: v.clone() for k, v in net.state_dict().items()}
    init_weights(net, "none")
    for k, v in net.state_dict().items():
        assert torch.equal(v, before[k])
    with pytest.raises(ConfigError, match="kaiming"):
        init_weights(net, "he")


def test_count_params() -> None:
    net = nn.Sequential(nn.Conv2d(3, 4, 3), nn.Linear(4, 2))
    assert count_params(net) == 3 * 4 * 9 + 4 + 4 * 2 + 2
    net[0].requires_grad_(False)
    assert count_params(net, trainable_only=True) == 10


def test_conv_receptive_field() -> None:
    layers = [nn.Conv2d(1, 1, 3), nn.ReLU(), nn.Conv2d(1, 1, 3, stride=2), nn.Conv2d(1, 1, 3)]
    assert conv_receptive_field(layers) == 1 + 2 + 2 + 2 * 2


def _stylegan_mbstd(x: torch.Tensor, group: int) -> torch.Tensor:
    """StyleGAN2's formulation (batch divisible by the group size), one feature."""
    n, c, h, w = x.shape
    y = x.reshape(group, -1, 1, c, h, w)
    y = (y - y.mean(dim=0)).square().mean(dim=0)
    y = (y + 1e-8).sqrt().mean(dim=[2, 3, 4]).reshape(-1, 1, 1, 1)
    return torch.cat([x, y.repeat(group, 1, h, w)], dim=1)


def test_minibatch_stddev_matches_stylegan_when_divisible() -> None:
    x = torch.randn(8, 5, 4, 4)
    out = MinibatchStdDev(group_size=4)(x)
    assert out.shape == (8, 6, 4, 4)
    torch.testing.assert_close(out, _stylegan_mbstd(x, 4))


@pytest.mark.parametrize("n", [1, 3, 5, 7])
def test_minibatch_stddev_any_batch_size(n: int) -> None:
    x = torch.randn(n, 4, 3, 3)
    out = MinibatchStdDev(group_size=4, num_features=2)(x)
    assert out.shape == (n, 6, 3, 3)
    assert torch.equal(out[:, :4], x)
    feat = out[:, 4:]
    assert torch.isfinite(feat).all()
    assert torch.equal(feat, feat[:, :, :1, :1].expand_as(feat))  # constant maps


def test_minibatch_stddev_sees_diversity() -> None:
    same = torch.randn(1, 4, 3, 3).repeat(6, 1, 1, 1)
    out = MinibatchStdDev()(same)[:, -1]
    assert out.max() < 1e-3  # identical samples -> ~sqrt(eps)
    varied = MinibatchStdDev()(torch.randn(6, 4, 3, 3))[:, -1]
    assert varied.min() > 0.1


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
@pytest.mark.parametrize("dynamo", [True, False], ids=["dynamo", "torchscript"])
def test_minibatch_stddev_onnx_dynamic_batch(tmp_path: Path, dynamo: bool) -> None:
    ort = pytest.importorskip("onnxruntime")
    layer = MinibatchStdDev().eval()
    path = tmp_path / "mbstd.onnx"
    dynamic = (
        {"dynamic_shapes": {"x": {0: torch.export.Dim("batch")}}}
        if dynamo
        else {"dynamic_axes": {"input": {0: "batch"}}}
    )
    torch.onnx.export(layer, (torch.randn(8, 4, 5, 5),), str(path), input_names=["input"],
                      output_names=["output"], dynamo=dynamo, verbose=False, **dynamic)
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    for n in (8, 5, 3):  # batches not divisible by the group size too
        x = torch.randn(n, 4, 5, 5)
        (got,) = session.run(None, {"input": x.numpy()})
        torch.testing.assert_close(torch.from_numpy(got), layer(x), atol=1e-5, rtol=1e-5)


def test_minibatch_discrimination() -> None:
    torch.manual_seed(0)
    layer = MinibatchDiscrimination(in_features=10, out_features=6, kernel_dims=3)
    x = torch.randn(5, 10)
    out = layer(x)
    assert out.shape == (5, 16) and torch.equal(out[:, :10], x)
    # closeness of sample 0 depends on the other samples, and equals 0 for a batch of one
    x2 = x.clone()
    x2[1:] = x[0]
    assert not torch.allclose(layer(x2)[0, 10:], out[0, 10:])
    torch.testing.assert_close(layer(x[:1])[:, 10:], torch.zeros(1, 6))
    out.sum().backward()
    assert layer.T.grad is not None


@pytest.mark.parametrize("kernel", [3, 4])
@pytest.mark.parametrize("mode", ["transpose", "resize_conv"])
def test_upsample_layer_doubles_size_with_the_transpose_parameter_count(mode: str, kernel: int) -> None:
    layer = upsample_layer(mode, 6, 4, kernel, bias=True)
    assert layer(torch.randn(2, 6, 5, 7)).shape == (2, 4, 10, 14)
    assert count_params(layer) == 6 * 4 * kernel * kernel + 4


def test_unknown_upsample_mode_names_the_valid_ones() -> None:
    with pytest.raises(ConfigError, match=r"^upsample: unknown mode 'pixel'; available: resize_conv, transpose$"):
        upsample_layer("pixel", 4, 4, 4)


def _checkerboard_share(y: torch.Tensor, crop: int = 8) -> float:
    """Energy of the 2-periodic pattern (means of the four pixel phases around the image mean) over the output variance."""
    y = y[..., crop:-crop, crop:-crop]  # [N, C, h, w] without the zero-padding borders
    mean = y.mean(dim=(-2, -1))  # [N, C]
    phases = torch.stack([y[..., i::2, j::2].mean(dim=(-2, -1)) for i in (0, 1) for j in (0, 1)])  # [4, N, C]
    return ((phases - mean).square().mean() / (y - mean[..., None, None]).square().mean().clamp_min(1e-20)).item()


@pytest.mark.parametrize("name,size", [("unet_128", 128), ("unet_256", 256), ("resnet_6blocks", 64), ("resnet_9blocks", 64)])
def test_resize_conv_shows_no_checkerboard_on_a_constant_image(name: str, size: int) -> None:
    """Untrained nets (training init) on a flat grey image: transposed convolutions print a
    2-periodic pattern (measured share of the output variance 0.06-0.29 for the ResNets, ~1.0
    for the U-Nets), resize-convolution does not (0.0005-0.006)."""
    flat = torch.full((1, 3, size, size), 0.5)
    shares = {}
    for mode in ("transpose", "resize_conv"):
        torch.manual_seed(0)
        net = init_weights(GENERATORS.build(name, ngf=8, upsample=mode)).eval()
        with torch.no_grad():
            shares[mode] = _checkerboard_share(net(flat))
    assert shares["resize_conv"] < 0.02 < 0.05 < shares["transpose"], shares
    assert shares["transpose"] > 10 * shares["resize_conv"], shares
