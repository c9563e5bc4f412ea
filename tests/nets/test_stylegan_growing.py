"""Progressive StyleGAN nets (both synthesis styles): every stage runs, fade-ins start at the previous level."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F

import translate.nets  # noqa: F401  (registers the nets)
from translate.nets.layers import count_params
from translate.nets.stylegan import TINY
from translate.registry import DISCRIMINATORS, GENERATORS

D_TINY = {k: TINY[k] for k in ("resolution", "channel_base", "channel_max")}
UP = {"adain": lambda x: F.interpolate(x, scale_factor=2.0, mode="nearest"),
      "modulated": lambda x: F.interpolate(x, scale_factor=2.0, mode="bilinear", align_corners=False)}


def grown(style: str):
    torch.manual_seed(0)
    return GENERATORS.build("stylegan", style=style, progressive=True, **TINY)


def test_progressive_adain_at_1024_px_has_the_official_count_and_fixed_keys_stay() -> None:
    g = GENERATORS.build("stylegan", style="adain", resolution=1024, progressive=True)
    assert count_params(g) == 26_219_627  # NVlabs stylegan G_style, a ToRGB per resolution
    fixed = GENERATORS.build("stylegan", style="adain", resolution=1024)
    assert count_params(fixed) == 26_212_019 and set(fixed.state_dict()) < set(g.state_dict())
    for arch, reg in (("stylegan", GENERATORS), ("stylegan", DISCRIMINATORS)):
        a, b = reg.build(arch, **D_TINY), reg.build(arch, progressive=True, **D_TINY)
        assert set(a.state_dict()) <= set(b.state_dict())


@pytest.mark.parametrize("style", ["adain", "modulated"])
def test_every_stage_runs_forward_and_backward(style) -> None:
    g, d = grown(style), DISCRIMINATORS.build("stylegan", progressive=True, **D_TINY)
    for level in range(g.num_levels):
        for alpha in (0.0, 0.5, 1.0) if level else (1.0,):
            g.set_stage(level, alpha)
            d.set_stage(level, alpha)
            ws = g.mapping_ws(torch.randn(4, 16))
            img = g.synthesis(ws, clamp=False)
            assert img.shape == (4, 3, 4 * 2**level, 4 * 2**level) and g.active_ws == 2 * level + 2
            d(img).mean().backward()
            assert all(f.shape[0] == 4 for f in d.features(img))
    used = [p for p in g.parameters() if p.grad is not None]
    assert len(used) == len(list(g.parameters()))  # every ToRGB and block got a gradient at some stage


@pytest.mark.parametrize("style", ["adain", "modulated"])
@pytest.mark.parametrize("level", [1, 3])
def test_generator_fade_in_starts_at_the_previous_level(style, level) -> None:
    g = grown(style)
    ws = g.mapping_ws(torch.randn(3, 16))
    g.set_stage(level - 1, 1.0)
    before = UP[style](g.synthesis(ws, "const", clamp=False))
    g.set_stage(level, 0.0)
    torch.testing.assert_close(g.synthesis(ws, "const", clamp=False), before)
    g.set_stage(level, 1.0)
    full = g.synthesis(ws, "const", clamp=False)
    assert not torch.allclose(full, before)
    g.set_stage(level, 0.25)
    torch.testing.assert_close(g.synthesis(ws, "const", clamp=False), torch.lerp(before, full, 0.25), atol=1e-5, rtol=1e-5)


@pytest.mark.parametrize("level", [1, 3])
def test_discriminator_fade_in_starts_at_the_previous_level(level) -> None:
    torch.manual_seed(0)
    d = DISCRIMINATORS.build("stylegan", progressive=True, **D_TINY)
    x = torch.randn(4, 3, 4 * 2**level, 4 * 2**level)
    d.set_stage(level - 1, 1.0)
    before = d(F.avg_pool2d(x, 2))
    d.set_stage(level, 0.0)
    torch.testing.assert_close(d(x), before)
    d.set_stage(level, 1.0)
    assert not torch.allclose(d(x), before)


def test_fixed_nets_refuse_lower_stages_and_truncation_works_at_a_stage() -> None:
    fixed = GENERATORS.build("stylegan", **TINY)
    with pytest.raises(ValueError, match="progressive"):
        fixed.set_stage(1, 1.0)
    g = grown("adain")
    g.set_stage(2, 0.5)
    z = torch.randn(2, 16)
    a, b = g(z, psi=0.0, noise_mode="const"), g(torch.randn(2, 16), psi=0.0, noise_mode="const")
    torch.testing.assert_close(a, b)  # psi 0: the average image at any stage
    assert a.shape[-1] == 16
