"""StyleGAN grown progressively: every stage forward/backward, fade alpha 0, parameter counts, fixed nets unchanged."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F

from translate.nets.stylegan import StyleGAN2Discriminator, stylegan_generator
from translate.nets.stylegan_layers import upsample2x

SMALL = {"resolution": 16, "channel_base": 128, "channel_max": 8, "z_dim": 8, "w_dim": 8, "mapping_layers": 2}


def _g(style: str, **kw):
    torch.manual_seed(0)
    return stylegan_generator(style=style, **SMALL, progressive=True, **kw)


@pytest.mark.parametrize("style", ["adain", "modulated"])
def test_every_stage_forward_backward(style):
    g = _g(style)
    d = StyleGAN2Discriminator(16, 128, 8, progressive=True, mbstd_group_size=2)
    z = torch.randn(2, 8)
    for level in range(3):
        for alpha in (0.0, 0.5, 1.0):
            g.set_stage(level, alpha), d.set_stage(level, alpha)
            ws = g.mapping_ws(z)  # [2, num_ws, 8]: the full count at every stage (mixing / truncation)
            img = g.synthesis(ws, noise_mode="random", clamp=False)
            assert img.shape == (2, 3, 4 * 2**level, 4 * 2**level)
            score = d(img)
            assert score.shape == (2, 1)
            score.sum().backward()
            assert all(torch.isfinite(p.grad).all() for p in g.parameters() if p.grad is not None)
            assert g(z, psi=0.5, noise_mode="const").shape == img.shape  # truncation, stored noise
            g.zero_grad(), d.zero_grad()


@pytest.mark.parametrize("style", ["adain", "modulated"])
def test_fade_alpha_zero_is_previous_resolution_upsampled(style):
    g = _g(style)
    ws = g.mapping_ws(torch.randn(2, 8))
    g.set_stage(1, 1.0)
    low = g.synthesis(ws, noise_mode="const", clamp=False)  # [2, 3, 8, 8]
    g.set_stage(2, 0.0)
    faded = g.synthesis(ws, noise_mode="const", clamp=False)  # [2, 3, 16, 16]
    up = F.interpolate(low, scale_factor=2.0, mode="nearest") if style == "adain" else upsample2x(low)
    torch.testing.assert_close(faded, up)


def test_discriminator_fade_alpha_zero_is_previous_level_on_pooled_input():
    torch.manual_seed(0)
    d = StyleGAN2Discriminator(16, 128, 8, progressive=True, mbstd_group_size=2)
    x = torch.randn(2, 3, 16, 16)
    d.set_stage(1, 1.0)
    low = d(F.avg_pool2d(x, 2))
    d.set_stage(2, 0.0)
    torch.testing.assert_close(d(x), low)


def test_fixed_nets_keep_their_keys_and_refuse_stages():
    for style in ("adain", "modulated"):
        fixed = stylegan_generator(style=style, **SMALL)
        grown = stylegan_generator(style=style, **SMALL, progressive=True)
        assert set(fixed.state_dict()) <= set(grown.state_dict())
        assert not any(k.startswith("lod_") for k in fixed.state_dict())
        with pytest.raises(ValueError, match="progressive"):
            fixed.set_stage(0, 1.0)
    assert not any(k.startswith("lod_") for k in StyleGAN2Discriminator(16, 128, 8).state_dict())


def test_stylegan1_progressive_1024_matches_the_official_count():
    """The official StyleGAN1 G (26,219,627 parameters) has the 8 lower ToRGBs that only growing needs."""
    count = lambda m: sum(p.numel() for p in m.parameters())  # noqa: E731
    with torch.device("meta"):
        fixed = stylegan_generator(style="adain", resolution=1024)
        grown = stylegan_generator(style="adain", resolution=1024, progressive=True)
    assert count(fixed) == 26_212_019
    assert count(grown) == 26_219_627
    # StyleGAN2's skip generator already has a ToRGB per resolution: growing adds nothing
    with torch.device("meta"):
        assert count(stylegan_generator(resolution=64, progressive=True)) == count(stylegan_generator(resolution=64))
