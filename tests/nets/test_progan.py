"""ProGAN nets: the paper's parameter counts and widths, and fade-ins that start where the last level ended."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F

import translate.nets  # noqa: F401  (registers the nets)
from translate.nets.layers import count_params
from translate.registry import DISCRIMINATORS, GENERATORS

SMALL = {"resolution": 32, "fmap_base": 256, "fmap_max": 64}


def test_paper_config_at_1024_px_has_the_papers_parameter_counts():
    g, d = GENERATORS.build("progan"), DISCRIMINATORS.build("progan")
    ng, nd = count_params(g), count_params(d)
    # paper Table 2: 23.1M each; the exact counts follow from the official G_paper / D_paper layers
    assert (ng, nd) == (23_079_115, 23_087_249)
    assert round(ng / 1e6, 1) == 23.1 and round(nd / 1e6, 1) == 23.1
    assert [b[1].weight.shape[0] for b in g.blocks] == [512, 512, 512, 256, 128, 64, 32, 16]  # 8 .. 1024 px
    assert g.conv4.weight.shape[0] == 512 and g.num_levels == 9 and g.current_resolution == 1024
    assert d.conv4.weight.shape[1] == 513  # 512 + the minibatch-stddev map


@pytest.mark.parametrize("level", [1, 2, 3])
def test_generator_fade_in_starts_at_the_previous_level(level):
    torch.manual_seed(0)
    g = GENERATORS.build("progan", latent_size=16, **SMALL)
    z = torch.randn(3, 16)  # raw outputs (forward clamps to [-1, 1])
    g.set_stage(level - 1, 1.0)
    before = F.interpolate(g.generate(z), scale_factor=2.0, mode="nearest")
    g.set_stage(level, 0.0)
    torch.testing.assert_close(g.generate(z), before)
    g.set_stage(level, 1.0)
    full = g.generate(z)
    assert full.shape == (3, 3, 4 * 2**level, 4 * 2**level) and not torch.allclose(full, before)
    g.set_stage(level, 0.25)
    torch.testing.assert_close(g.generate(z), torch.lerp(before, full, 0.25))  # output blend, new block at weight alpha


@pytest.mark.parametrize("level", [1, 3])
def test_discriminator_fade_in_starts_at_the_previous_level(level):
    torch.manual_seed(0)
    d = DISCRIMINATORS.build("progan", **SMALL)
    x = torch.randn(4, 3, 4 * 2**level, 4 * 2**level)
    d.set_stage(level - 1, 1.0)
    before = d(F.avg_pool2d(x, 2))
    d.set_stage(level, 0.0)
    torch.testing.assert_close(d(x), before)
    d.set_stage(level, 1.0)
    assert not torch.allclose(d(x), before)


def test_stage_is_checked_and_nets_start_at_full_resolution():
    g = GENERATORS.build("progan", latent_size=8, **SMALL)
    assert (g.level, g.alpha, g(torch.randn(2, 8)).shape[-1]) == (3, 1.0, 32)
    for bad in ((4, 1.0), (-1, 1.0), (1, 1.5)):
        with pytest.raises(ValueError, match="stage"):
            g.set_stage(*bad)
    with pytest.raises(Exception, match="power of two"):
        GENERATORS.build("progan", resolution=48)


def test_equalised_learning_rate_runtime_scale():
    d = DISCRIMINATORS.build("progan", **SMALL)
    conv = d.blocks[0][0]  # 3x3, 64 -> 64
    assert conv.scale == pytest.approx(2**0.5 / (64 * 9) ** 0.5)
    assert 0.9 < conv.weight.std().item() < 1.1  # stored N(0, 1)
