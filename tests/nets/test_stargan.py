"""StarGAN generator/discriminator: counts, reference layout, label use, size checks."""

from __future__ import annotations

import pytest
import torch

from translate.errors import ConfigError
from translate.nets.layers import count_params
from translate.nets.stargan import StarDiscriminator, StarGenerator
from translate.registry import DISCRIMINATORS, GENERATORS


def test_reference_parameter_counts() -> None:
    assert count_params(GENERATORS.build("stargan")) == 8_430_528
    assert count_params(DISCRIMINATORS.build("stargan")) == 44_762_048


def reference_generator_keys(conv_dim: int, c_dim: int, repeat_num: int) -> set[str]:
    """yunjey Generator.main: conv7, IN, ReLU, 2x (conv4, IN, ReLU), blocks, 2x (convT, IN,
    ReLU), conv7, Tanh; ResidualBlock.main: conv, IN, ReLU, conv, IN; IN tracks stats."""
    norm = ("weight", "bias", "running_mean", "running_var", "num_batches_tracked")
    keys = {"main.0.weight"} | {f"main.1.{p}" for p in norm}
    for conv, inorm in ((3, 4), (6, 7)):
        keys |= {f"main.{conv}.weight"} | {f"main.{inorm}.{p}" for p in norm}
    for b in range(9, 9 + repeat_num):
        keys |= {f"main.{b}.main.0.weight", f"main.{b}.main.3.weight"}
        keys |= {f"main.{b}.main.{i}.{p}" for i in (1, 4) for p in norm}
    up = 9 + repeat_num
    for conv, inorm in ((up, up + 1), (up + 3, up + 4)):
        keys |= {f"main.{conv}.weight"} | {f"main.{inorm}.{p}" for p in norm}
    keys.add(f"main.{up + 6}.weight")
    return keys


def test_generator_reference_layout_loads_strict() -> None:
    net = StarGenerator()
    sd = net.state_dict()
    assert set(sd) == reference_generator_keys(64, 5, 6)
    assert sd["main.0.weight"].shape == (64, 8, 7, 7)
    assert sd["main.15.weight"].shape == (256, 128, 4, 4)  # first ConvTranspose
    assert sd["main.21.weight"].shape == (3, 64, 7, 7)
    net.load_state_dict({k: torch.zeros_like(v) for k, v in sd.items()}, strict=True)


def test_discriminator_reference_layout_loads_strict() -> None:
    net = StarDiscriminator()
    sd = net.state_dict()
    expected = {f"main.{2 * i}.{p}" for i in range(6) for p in ("weight", "bias")}
    assert set(sd) == expected | {"conv1.weight", "conv2.weight"}
    assert sd["main.0.weight"].shape == (64, 3, 4, 4)
    assert sd["main.10.weight"].shape == (2048, 1024, 4, 4)
    assert sd["conv1.weight"].shape == (1, 2048, 3, 3)
    assert sd["conv2.weight"].shape == (5, 2048, 2, 2)
    net.load_state_dict({k: torch.zeros_like(v) for k, v in sd.items()}, strict=True)


def test_generator_uses_labels() -> None:
    torch.manual_seed(0)
    net = StarGenerator(conv_dim=8, c_dim=3, repeat_num=2).eval()
    x = torch.randn(2, 3, 32, 32)
    with torch.no_grad():
        a = net(x, torch.tensor([[1.0, 0, 0], [1, 0, 0]]))
        b = net(x, torch.tensor([[0.0, 1, 0], [0, 1, 0]]))
    assert a.shape == (2, 3, 32, 32) and not torch.allclose(a, b)
    assert net.kind == "image+domain" and net.input_multiple == 4


@pytest.mark.parametrize("image_size,src", [(128, 2), (256, 4)])
def test_discriminator_outputs(image_size: int, src: int) -> None:
    net = StarDiscriminator(image_size=image_size, conv_dim=4, c_dim=7).eval()
    with torch.no_grad():
        out_src, out_cls = net(torch.randn(3, 3, image_size, image_size))
    assert out_src.shape == (3, 1, src, src) and out_cls.shape == (3, 7)
    assert net.receptive_field is None  # 318 px, wider than these images


def test_discriminator_rejects_bad_image_size() -> None:
    with pytest.raises(ConfigError, match="image_size"):
        DISCRIMINATORS.build("stargan", image_size=100)
    with pytest.raises(ConfigError, match="image_size"):
        StarDiscriminator(image_size=32)


def test_generator_eval_mode_uses_instance_statistics_by_default():
    """The reference tests G in train mode: eval mode must normalise per image and leave buffers alone."""
    torch.manual_seed(0)
    x, c = torch.randn(2, 3, 16, 16), torch.eye(3)[:2]
    for stats in ("instance", "running"):
        net = StarGenerator(conv_dim=4, c_dim=3, repeat_num=1, eval_stats=stats)
        net.train()(x * 3 + 1, c)  # move the running averages away from (0, 1)
        before = {k: v.clone() for k, v in net.state_dict().items()}
        out_eval = net.eval()(x, c)
        assert all(torch.equal(before[k], v) for k, v in net.state_dict().items())
        with torch.no_grad():
            out_train = net.train()(x, c)
        same = torch.allclose(out_eval, out_train, atol=1e-6)
        assert same == (stats == "instance"), stats
