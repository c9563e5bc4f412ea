"""U-Net generator: parameter counts, reference key layout, shapes."""

from __future__ import annotations

import pytest
import torch

from translate.errors import ConfigError
from translate.nets.layers import count_params
from translate.nets.unet import UnetGenerator
from translate.registry import GENERATORS

Shapes = dict[str, tuple[int, ...]]


def _bn(prefix: str, ch: int) -> Shapes:
    stats = {f"{prefix}.{k}": (ch,) for k in ("weight", "bias", "running_mean", "running_var")}
    return {**stats, f"{prefix}.num_batches_tracked": ()}


def reference_unet_keys(num_downs: int, ngf: int, c_in: int = 3, c_out: int = 3) -> Shapes:
    """Keys/shapes of junyanz UnetGenerator(norm=batch, dropout) written out level by level.

    Outermost Sequential: 0 down-conv, 1 submodule, 2 ReLU, 3 up-convT, 4 Tanh.
    Middle: 0 LReLU, 1 conv, 2 BN, 3 submodule, 4 ReLU, 5 convT, 6 BN, (7 Dropout).
    Innermost: 0 LReLU, 1 conv, 2 ReLU, 3 convT, 4 BN. No conv bias except the output convT.
    """
    widths = [ngf, 2 * ngf, 4 * ngf] + [8 * ngf] * (num_downs - 3)  # inner width per level
    keys: Shapes = {
        "model.model.0.weight": (ngf, c_in, 4, 4),
        "model.model.3.weight": (2 * ngf, c_out, 4, 4),
        "model.model.3.bias": (c_out,),
    }
    prefix = "model.model.1"
    for level in range(1, num_downs):
        outer, inner = widths[level - 1], widths[level]
        p = f"{prefix}.model"
        if level == num_downs - 1:  # innermost
            keys[f"{p}.1.weight"] = (inner, outer, 4, 4)
            keys[f"{p}.3.weight"] = (inner, outer, 4, 4)
            keys.update(_bn(f"{p}.4", outer))
        else:
            keys[f"{p}.1.weight"] = (inner, outer, 4, 4)
            keys.update(_bn(f"{p}.2", inner))
            keys[f"{p}.5.weight"] = (2 * inner, outer, 4, 4)
            keys.update(_bn(f"{p}.6", outer))
            prefix = f"{p}.3"
    return keys


@pytest.mark.parametrize("upsample", ["transpose", "resize_conv"])
@pytest.mark.parametrize("name,count", [("unet_256", 54_413_955), ("unet_128", 41_828_995)])
def test_reference_parameter_counts(name: str, count: int, upsample: str) -> None:
    net = GENERATORS.build(name, upsample=upsample)  # resize_conv: same count (Conv2d 4x4 after the 2x resize)
    assert count_params(net) == count
    assert net.input_multiple == {"unet_256": 256, "unet_128": 128}[name]


@pytest.mark.parametrize("num_downs", [7, 8])
def test_reference_layout_loads_strict(num_downs: int) -> None:
    net = UnetGenerator(num_downs=num_downs, ngf=16)
    expected = reference_unet_keys(num_downs, 16)
    got = {k: tuple(v.shape) for k, v in net.state_dict().items()}
    assert got == expected
    fake_ckpt = {k: torch.randn(s) if s else torch.tensor(3) for k, s in expected.items()}
    net.load_state_dict(fake_ckpt, strict=True)


def test_reference_key_examples_default_width() -> None:
    sd = GENERATORS.build("unet_256").state_dict()
    assert sd["model.model.0.weight"].shape == (64, 3, 4, 4)
    assert sd["model.model.1.model.1.weight"].shape == (128, 64, 4, 4)
    assert "model.model.0.bias" not in sd  # BatchNorm -> no conv bias


def test_instance_norm_variant_has_biases_and_no_stats() -> None:
    sd = UnetGenerator(ngf=8, norm="instance").state_dict()
    assert "model.model.0.bias" in sd and "model.model.1.model.1.bias" in sd
    assert not any("running" in k for k in sd)


def test_dropout_only_in_inner_wide_levels() -> None:
    net = UnetGenerator(num_downs=8, ngf=8, use_dropout=True)
    n_dropout = sum(isinstance(m, torch.nn.Dropout) for m in net.modules())
    assert n_dropout == 3
    assert not any(isinstance(m, torch.nn.Dropout)
                   for m in UnetGenerator(ngf=8, use_dropout=False).modules())


def test_shapes_and_channels() -> None:
    net = GENERATORS.build("unet_128", ngf=8, in_channels=1, out_channels=2).eval()
    with torch.no_grad():
        assert net(torch.randn(2, 1, 128, 256)).shape == (2, 2, 128, 256)


def test_too_few_levels_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="num_downs"):
        GENERATORS.build("unet", num_downs=4)


def test_full_size_unet_256_forward() -> None:
    net = GENERATORS.build("unet_256").eval()
    with torch.no_grad():
        out = net(torch.randn(1, 3, 256, 256))
    assert out.shape == (1, 3, 256, 256) and out.abs().max() <= 1


def test_resize_conv_keys_are_the_transpose_keys_plus_conv() -> None:
    plain, resized = (UnetGenerator(num_downs=7, ngf=8, upsample=u).state_dict() for u in ("transpose", "resize_conv"))
    # the up layers' Conv2d weights are [out, in, k, k] where ConvTranspose2d's are [in, out, k, k]
    swap = {k.replace(".conv.", "."): (v.shape[1], v.shape[0], *v.shape[2:]) if k.endswith(".conv.weight") else v.shape
            for k, v in resized.items()}
    assert swap == {k: v.shape for k, v in plain.items()}
