"""ResNet generator: parameter counts, reference key layout, padding options."""

from __future__ import annotations

import pytest
import torch

from translate.errors import ConfigError
from translate.nets.layers import count_params
from translate.nets.resnet import ResnetGenerator
from translate.registry import GENERATORS

Shapes = dict[str, tuple[int, ...]]


def reference_resnet_keys(n_blocks: int, ngf: int, dropout: bool = False) -> Shapes:
    """Keys/shapes of junyanz ResnetGenerator(norm=instance) written out by Sequential index.

    0 pad, 1 conv7, 2 IN, 3 ReLU, 4 conv3 s2, 5 IN, 6 ReLU, 7 conv3 s2, 8 IN, 9 ReLU,
    10.. blocks (0 pad, 1 conv, 2 IN, 3 ReLU, [4 dropout], pad, conv, IN), then per up
    convT, IN, ReLU; pad, conv7, Tanh. InstanceNorm has no parameters or buffers.
    """
    keys: Shapes = {
        "model.1.weight": (ngf, 3, 7, 7), "model.1.bias": (ngf,),
        "model.4.weight": (2 * ngf, ngf, 3, 3), "model.4.bias": (2 * ngf,),
        "model.7.weight": (4 * ngf, 2 * ngf, 3, 3), "model.7.bias": (4 * ngf,),
    }
    second = 6 if dropout else 5
    for i in range(10, 10 + n_blocks):
        for j in (1, second):
            keys[f"model.{i}.conv_block.{j}.weight"] = (4 * ngf, 4 * ngf, 3, 3)
            keys[f"model.{i}.conv_block.{j}.bias"] = (4 * ngf,)
    up1, up2, out = 10 + n_blocks, 13 + n_blocks, 17 + n_blocks
    keys.update({
        f"model.{up1}.weight": (4 * ngf, 2 * ngf, 3, 3), f"model.{up1}.bias": (2 * ngf,),
        f"model.{up2}.weight": (2 * ngf, ngf, 3, 3), f"model.{up2}.bias": (ngf,),
        f"model.{out}.weight": (3, ngf, 7, 7), f"model.{out}.bias": (3,),
    })
    return keys


@pytest.mark.parametrize("upsample", ["transpose", "resize_conv"])
@pytest.mark.parametrize("name,count", [("resnet_9blocks", 11_378_179),
                                        ("resnet_6blocks", 7_837_699)])
def test_reference_parameter_counts(name: str, count: int, upsample: str) -> None:
    net = GENERATORS.build(name, upsample=upsample)  # resize_conv: same count (Conv2d 3x3 after the 2x resize)
    assert count_params(net) == count and net.input_multiple == 4


@pytest.mark.parametrize("n_blocks,dropout", [(9, False), (6, False), (9, True)])
def test_reference_layout_loads_strict(n_blocks: int, dropout: bool) -> None:
    net = ResnetGenerator(ngf=8, n_blocks=n_blocks, use_dropout=dropout)
    expected = reference_resnet_keys(n_blocks, 8, dropout)
    assert {k: tuple(v.shape) for k, v in net.state_dict().items()} == expected
    net.load_state_dict({k: torch.randn(s) for k, s in expected.items()}, strict=True)


def test_reference_key_examples_default_width() -> None:
    sd = GENERATORS.build("resnet_9blocks").state_dict()
    assert sd["model.10.conv_block.1.weight"].shape == (256, 256, 3, 3)
    assert sd["model.18.conv_block.5.weight"].shape == (256, 256, 3, 3)
    assert sd["model.19.weight"].shape == (256, 128, 3, 3)
    assert sd["model.22.weight"].shape == (128, 64, 3, 3)
    assert sd["model.26.weight"].shape == (3, 64, 7, 7)


@pytest.mark.parametrize("padding_type", ["reflect", "replicate", "zero"])
def test_padding_types_keep_size(padding_type: str) -> None:
    net = ResnetGenerator(ngf=8, n_blocks=2, padding_type=padding_type).eval()
    with torch.no_grad():
        assert net(torch.randn(1, 3, 36, 20)).shape == (1, 3, 36, 20)


def test_bad_options_are_config_errors() -> None:
    with pytest.raises(ConfigError, match="padding_type"):
        ResnetGenerator(ngf=8, padding_type="circular")
    with pytest.raises(ConfigError, match="norm"):
        GENERATORS.build("resnet_6blocks", norm="layer")
    with pytest.raises(ConfigError, match="n_block"):
        GENERATORS.build("resnet", n_block=3)
    with pytest.raises(ConfigError, match="upsample: unknown mode 'bilinear'; available: resize_conv, transpose"):
        GENERATORS.build("resnet_6blocks", upsample="bilinear")
