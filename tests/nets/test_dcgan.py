"""DCGAN generator/discriminator: counts, sizes, class conditioning, minibatch stddev."""

from __future__ import annotations

import pytest
import torch

from translate.errors import ConfigError
from translate.nets.dcgan import DCGANDiscriminator, DCGANGenerator
from translate.nets.layers import MinibatchStdDev, count_params
from translate.registry import DISCRIMINATORS, GENERATORS


def test_reference_parameter_counts() -> None:
    assert count_params(GENERATORS.build("dcgan_64")) == 3_576_704
    assert count_params(DISCRIMINATORS.build("dcgan_64")) == 2_765_568


def test_pytorch_examples_layout() -> None:
    g = GENERATORS.build("dcgan_64").state_dict()
    assert g["main.0.weight"].shape == (100, 512, 4, 4)
    assert g["main.12.weight"].shape == (64, 3, 4, 4)
    assert not any(k.endswith(".bias") and "main.0" in k for k in g)
    d = DISCRIMINATORS.build("dcgan_64").state_dict()
    assert d["main.0.weight"].shape == (64, 3, 4, 4) and d["main.11.weight"].shape == (1, 512, 4, 4)
    assert "main.1.weight" not in d  # no norm on the input layer


@pytest.mark.parametrize("size", [32, 64])
def test_sizes(size: int) -> None:
    g = GENERATORS.build(f"dcgan_{size}", ngf=8).eval()
    d = DISCRIMINATORS.build(f"dcgan_{size}", ndf=8).eval()
    assert g.kind == "latent" and g.z_dim == 100 and g.image_size == size and g.input_multiple == 1
    assert d.receptive_field is None
    with torch.no_grad():
        img = g(torch.randn(3, 100))
        assert img.shape == (3, 3, size, size)
        assert torch.equal(g(torch.ones(2, 100, 1, 1)), g(torch.ones(2, 100)))  # both z shapes
        assert d(img).shape == (3, 1, 1, 1)


def test_generic_sizes_and_bad_size() -> None:
    g = GENERATORS.build("dcgan", image_size=16, ngf=8, nz=10, nc=1).eval()
    with torch.no_grad():
        assert g(torch.randn(2, 10)).shape == (2, 1, 16, 16)
    with pytest.raises(ConfigError, match="image_size"):
        GENERATORS.build("dcgan", image_size=48)
    with pytest.raises(ConfigError, match="image_size"):
        DISCRIMINATORS.build("dcgan", image_size=4)


def test_conditional_generator_uses_labels() -> None:
    torch.manual_seed(0)
    g = DCGANGenerator(ngf=8, image_size=32, num_classes=10).eval()
    z = torch.randn(2, 100)
    with torch.no_grad():
        a, b = g(z, torch.tensor([1, 1])), g(z, torch.tensor([2, 2]))
    assert a.shape == (2, 3, 32, 32) and not torch.allclose(a, b)
    with pytest.raises(ValueError, match="labels"):
        g(z)


def test_projection_discriminator_uses_labels() -> None:
    torch.manual_seed(0)
    d = DCGANDiscriminator(ndf=8, image_size=32, num_classes=10).eval()
    x = torch.randn(4, 3, 32, 32)
    with torch.no_grad():
        a, b = d(x, torch.tensor([0, 1, 2, 3])), d(x, torch.tensor([4, 5, 6, 7]))
        # psi(phi(x)) + <embed(y), sum phi(x)>: zero embeddings leave the unconditional logit
        d.embed.weight.zero_()
        plain = d(x, torch.tensor([0, 1, 2, 3]))
        uncond = d.main(x)
    assert a.shape == (4, 1, 1, 1) and not torch.allclose(a, b)
    torch.testing.assert_close(plain, uncond)


def test_minibatch_stddev_option() -> None:
    d = DCGANDiscriminator(ndf=8, image_size=32, minibatch="stddev").train()
    assert isinstance(d.main[-2], MinibatchStdDev)
    assert d.main[-1].in_channels == 8 * 4 + 1
    x = torch.randn(5, 3, 32, 32)  # not a multiple of the group size
    d(x).sum().backward()
    plain = DCGANDiscriminator(ndf=8, image_size=32)
    assert count_params(d) == count_params(plain) + 16  # one extra input channel in the 4x4 conv
    with pytest.raises(ConfigError, match="minibatch"):
        DCGANDiscriminator(minibatch="features")


def test_norm_none_option_keeps_layer_indices() -> None:
    """norm: none (R3GAN/WGAN-GP critics): identity in place of BatchNorm, the same Sequential indices."""
    bn, plain = DCGANDiscriminator(ndf=8, image_size=32), DCGANDiscriminator(ndf=8, image_size=32, norm="none")
    assert not any(isinstance(m, torch.nn.BatchNorm2d) for m in plain.modules())
    conv_keys = lambda d: [k for k in d.state_dict() if k.endswith("weight") and d.state_dict()[k].dim() == 4]  # noqa: E731
    assert conv_keys(bn) == conv_keys(plain)
    assert plain(torch.randn(2, 3, 32, 32)).shape == (2, 1, 1, 1)
    with pytest.raises(ConfigError, match="norm"):
        DCGANDiscriminator(norm="layer")


def test_features_end_in_phi_of_x() -> None:
    d = DCGANDiscriminator(ndf=8, image_size=32).eval()
    x = torch.randn(3, 3, 32, 32)
    feats = d.features(x)
    assert [f.shape[1:] for f in feats] == [(8, 16, 16), (16, 8, 8), (32, 4, 4)]
    torch.testing.assert_close(d.main[d._trunk_len:](feats[-1]), d(x))
    cond = DCGANDiscriminator(ndf=8, image_size=32, num_classes=3).eval()
    assert cond.features(x, torch.tensor([0, 1, 2]))[-1].shape == (3, 32, 4, 4)
