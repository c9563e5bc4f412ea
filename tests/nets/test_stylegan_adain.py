"""StyleGAN1 (AdaIN) synthesis: parameter count of the official structure, AdaIN statistics, style mixing, truncation, options."""

from __future__ import annotations

import pytest
import torch

import translate.nets  # noqa: F401  (registers the nets)
from translate.errors import ConfigError
from translate.nets.layers import count_params
from translate.nets.stylegan import TINY
from translate.nets.stylegan_adain import AdaINLayer, StyleGAN1Generator
from translate.registry import GENERATORS


def adain(**options) -> StyleGAN1Generator:
    torch.manual_seed(0)
    return GENERATORS.build("stylegan", style="adain", **{**TINY, **options})


def test_1024px_parameter_count_matches_the_official_stylegan1_generator() -> None:
    """NVlabs stylegan G_style at 1024 px (fmap_base 8192 = channel_base 16384, max 512, 8-layer 512-d mapping)
    prints 26,219,627 trainable parameters, with a ToRGB per resolution for progressive growing; the
    fixed-resolution net keeps only the last ToRGB (1x1 conv + bias: 3 C_R + 3 each)."""
    g = GENERATORS.build("stylegan", style="adain", resolution=1024)
    assert g.num_ws == 18 and len(g.layers) == 18
    ch = {2**i: min(16384 // 2**i, 512) for i in range(2, 11)}
    lower_torgbs = sum(3 * ch[r] + 3 for r in ch if r < 1024)
    assert count_params(g) == 26_219_627 - lower_torgbs == 26_212_019


def test_small_parameter_count_by_hand() -> None:
    """Each layer: conv 9 C_in C_out (none on the 4x4 constant), noise C, bias C, style affine w_dim 2C + 2C."""
    g = adain()  # 32 px, widths min(256 // R, 16): 16 at 4..16 px, 8 at 32 px; z = w = 16, 2 mapping layers
    mapping = 2 * (16 * 16 + 16)
    tail = lambda c: c + c + 16 * 2 * c + 2 * c  # noqa: E731  (noise, bias, affine)
    const = 16 * 16 + tail(16)
    conv = lambda ci, co: 9 * ci * co + tail(co)  # noqa: E731
    body = conv(16, 16) + conv(16, 16) * 4 + conv(16, 8) + conv(8, 8)  # 4 px conv; 8, 16 px; 32 px block
    assert count_params(g) == mapping + const + body + 8 * 3 + 3


def test_adain_sets_each_channel_mean_and_std_from_the_style() -> None:
    torch.manual_seed(0)
    layer = AdaINLayer(4, 6, w_dim=5, resolution=8).eval()
    x, w = torch.randn(2, 4, 8, 8), torch.randn(2, 5)
    ys, yb = layer.affine(w).chunk(2, dim=1)  # [2, 6] each
    with torch.no_grad():
        out = layer(x, w, "none")
        out_noisy = layer(x, w, "random")
    torch.testing.assert_close(out.mean(dim=(2, 3)), yb, atol=1e-5, rtol=0)
    torch.testing.assert_close(out.std(dim=(2, 3), unbiased=False), (ys + 1).abs(), atol=1e-4, rtol=1e-4)
    torch.testing.assert_close(out_noisy, out)  # noise weights start at 0


def test_upsampling_layer_doubles_the_size_and_blur_is_an_option() -> None:
    torch.manual_seed(0)
    x, w = torch.randn(1, 4, 4, 4), torch.randn(1, 5)
    blurred, sharp = AdaINLayer(4, 4, 5, 8, up=True), AdaINLayer(4, 4, 5, 8, up=True, blur=False)
    sharp.load_state_dict(blurred.state_dict())
    assert blurred(x, w, "none").shape == (1, 4, 8, 8)
    assert (blurred(x, w, "none") - sharp(x, w, "none")).abs().max() > 1e-3
    assert adain(blur=False).state_dict().keys() == adain().state_dict().keys()  # the filter is fixed, not stored


def test_style_mixing_takes_coarse_styles_from_one_latent_and_fine_from_the_other() -> None:
    g = adain().eval()
    for layer in g.layers:
        layer.noise_strength.data.fill_(0.3)
    z1, z2 = torch.randn(2, TINY["z_dim"]), torch.randn(2, TINY["z_dim"])
    with torch.no_grad():
        ws1, ws2 = g.mapping_ws(z1), g.mapping_ws(z2)
        k = g.num_ws // 2
        mixed = torch.cat([ws1[:, :k], ws2[:, k:]], dim=1)  # [2, num_ws, w_dim]
        a, b, m = (g.synthesis(ws, "const") for ws in (ws1, ws2, mixed))
        same = g.synthesis(torch.cat([ws1[:, :k], ws1[:, k:]], dim=1), "const")
        late = torch.cat([ws1[:, :-1], ws2[:, -1:]], dim=1)  # only the last layer's style from z2
        early = torch.cat([ws2[:, :1], ws1[:, 1:]], dim=1)  # only the first layer's style from z2
        d_late = (g.synthesis(late, "const") - a).abs().mean()
        d_early = (g.synthesis(early, "const") - a).abs().mean()
    assert (m - a).abs().max() > 1e-3 and (m - b).abs().max() > 1e-3
    torch.testing.assert_close(same, a, rtol=0, atol=0)
    # every layer's style reaches the image; the last layer's (instance-normalised) maps feed only ToRGB
    assert d_late > 1e-4 and d_early > 1e-4


def test_truncation_psi_zero_gives_one_image_for_any_z() -> None:
    g = adain().eval()
    g.mapping.w_avg.normal_()
    for layer in g.layers:
        layer.noise_strength.data.fill_(0.3)
    with torch.no_grad():
        a = g(torch.randn(3, TINY["z_dim"]), psi=0.0, noise_mode="const")
        b = g(torch.randn(2, TINY["z_dim"]) * 4, psi=0.0, noise_mode="const")
        free = g(torch.randn(2, TINY["z_dim"]), noise_mode="const")
    torch.testing.assert_close(a, a[:1].expand_as(a))
    torch.testing.assert_close(b, a[:2], atol=1e-4, rtol=1e-4)  # another batch size: float rounding only
    assert (free[0] - free[1]).abs().max() > 1e-3


def test_style_option_is_checked() -> None:
    with pytest.raises(ConfigError, match=r"generator.style: must be one of adain, modulated, got 'stylegan3'"):
        GENERATORS.build("stylegan", style="stylegan3")
    with pytest.raises(ConfigError, match="unknown option.*blur.*'modulated'"):
        GENERATORS.build("stylegan", blur=False)
    assert GENERATORS.build("stylegan", **TINY).style == "modulated" and adain().style == "adain"


@pytest.mark.parametrize(("style", "default_cutoff"), [("adain", 8), ("modulated", 0)])
def test_truncation_cutoff_truncates_only_the_first_layers(style, default_cutoff) -> None:
    """StyleGAN1's G_style truncates ws[:, :8] only (truncation_cutoff 8); StyleGAN2's G every layer (0)."""
    torch.manual_seed(0)
    g = GENERATORS.build("stylegan", style=style, **{**TINY, "resolution": 64})  # 10 ws
    assert g.truncation_cutoff == default_cutoff and g.num_ws == 10
    g.truncation_cutoff = 3
    g.mapping.w_avg.normal_()
    z = torch.randn(2, TINY["z_dim"])
    with torch.no_grad():
        free, cut = g.mapping_ws(z, psi=1.0), g.mapping_ws(z, psi=0.0)
    torch.testing.assert_close(cut[:, :3], g.mapping.w_avg.expand(2, 3, -1))  # truncated to the average
    torch.testing.assert_close(cut[:, 3:], free[:, 3:], rtol=0, atol=0)  # later layers keep their w
    g.truncation_cutoff = 0
    with torch.no_grad():
        torch.testing.assert_close(g.mapping_ws(z, psi=0.0), g.mapping.w_avg.expand(2, 10, -1))
    with pytest.raises(ConfigError, match="truncation_cutoff"):
        GENERATORS.build("stylegan", style=style, **{**TINY, "truncation_cutoff": -1})
