"""StyleGAN nets: shapes per resolution, demodulation, truncation, w_avg, noise modes, ONNX with z + psi.

The truncation, noise-mode and ONNX tests run for both synthesis styles (modulated StyleGAN2, adain StyleGAN1).
"""

from __future__ import annotations

import numpy as np
import pytest
import torch

from translate.errors import ConfigError
from translate.nets.stylegan import TINY, StyleGAN2Discriminator, StyleGAN2Generator
from translate.nets.stylegan_layers import MappingNetwork, ModulatedConv2d
from translate.registry import GENERATORS

SMALL = {k: v for k, v in TINY.items() if k != "resolution"}
STYLES = ("modulated", "adain")


def tiny_generator(style: str) -> torch.nn.Module:
    torch.manual_seed(0)
    return GENERATORS.build("stylegan", style=style, **TINY)


def set_noise_strength(g: torch.nn.Module, value: float) -> None:
    """Every synthesis layer's noise weights (a scalar for modulated, per channel for adain) to ``value``."""
    for m in g.modules():
        if hasattr(m, "noise_strength"):
            m.noise_strength.data.fill_(value)


@pytest.mark.parametrize("res", [32, 64, 128])
def test_shapes_at_several_resolutions(res: int) -> None:
    torch.manual_seed(0)
    g = StyleGAN2Generator(resolution=res, **SMALL)
    d = StyleGAN2Discriminator(resolution=res, channel_base=SMALL["channel_base"], channel_max=SMALL["channel_max"])
    z = torch.randn(3, SMALL["z_dim"])
    img = g(z)
    assert img.shape == (3, 3, res, res) and img.abs().max() <= 1.0
    assert g.num_ws == 2 * int(np.log2(res)) - 2
    assert g.mapping_ws(z).shape == (3, g.num_ws, SMALL["w_dim"])
    assert d(img).shape == (3, 1)
    assert g.kind == "latent" and g.image_size == res and d.receptive_field is None


def test_bad_resolution_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="resolution"):
        StyleGAN2Generator(resolution=48, **SMALL)


def test_demodulation_keeps_output_statistics_bounded() -> None:
    torch.manual_seed(0)
    x = torch.randn(4, 16, 8, 8)
    w = torch.randn(4, 32)
    stds = {}
    for demod in (True, False):
        conv = ModulatedConv2d(16, 16, 3, 32, demodulate=demod)
        for scale in (1.0, 100.0):
            with torch.no_grad():
                conv.affine.weight.mul_(scale)
                conv.affine.bias.mul_(scale)
                stds[demod, scale] = float(conv(x, w).std())
                conv.affine.weight.div_(scale)
                conv.affine.bias.div_(scale)
    # demodulated: unit-scale outputs whatever the style magnitude; plain modulation scales with it
    for scale in (1.0, 100.0):
        assert 0.3 < stds[True, scale] < 3.0, stds
    assert stds[False, 100.0] > 50 * stds[False, 1.0]


@pytest.mark.parametrize("style", STYLES)
def test_psi_zero_gives_the_w_avg_image_for_any_z(style: str) -> None:
    g = tiny_generator(style).eval()
    g.mapping.w_avg.normal_()
    with torch.no_grad():
        a = g(torch.randn(2, TINY["z_dim"]), psi=0.0, noise_mode="const")
        b = g(torch.randn(3, TINY["z_dim"]) * 5, psi=0.0, noise_mode="const")
        ref = g.synthesis(g.mapping.w_avg[None, None].expand(1, g.num_ws, -1), "const")
        free = g(torch.randn(2, TINY["z_dim"]), psi=1.0, noise_mode="const")
    # equal up to float rounding between batch sizes (instance norm amplifies it: 1e-5 seen)
    torch.testing.assert_close(a, ref.expand_as(a), atol=1e-4, rtol=1e-4)
    torch.testing.assert_close(b, ref.expand_as(b), atol=1e-4, rtol=1e-4)
    assert (free[0] - free[1]).abs().max() > 1e-3  # without truncation different z give different images


def test_mapping_tracks_w_avg_only_when_asked() -> None:
    torch.manual_seed(0)
    m = MappingNetwork(8, 8, num_layers=2, w_avg_beta=0.5)
    z = torch.randn(16, 8)
    m(z)
    assert torch.count_nonzero(m.w_avg) == 0
    w = m(z, track=True)
    torch.testing.assert_close(m.w_avg, 0.5 * w.detach().mean(0))


@pytest.mark.parametrize("style", STYLES)
def test_noise_modes(style: str) -> None:
    g = tiny_generator(style)
    set_noise_strength(g, 0.5)
    z = torch.randn(2, TINY["z_dim"])
    with torch.no_grad():
        c1, c2 = g(z, noise_mode="const"), g(z, noise_mode="const")
        r1, r2 = g(z, noise_mode="random"), g(z, noise_mode="random")
        n1 = g(z, noise_mode="none")
    torch.testing.assert_close(c1, c2)
    assert (r1 - r2).abs().max() > 1e-4 and (n1 - c1).abs().max() > 1e-4
    with pytest.raises(ConfigError, match="noise_mode"):
        g(z, noise_mode="loud")


@pytest.mark.parametrize("cutoff", [None, 3], ids=["default-cutoff", "cutoff3"])
@pytest.mark.parametrize("style", STYLES)
def test_onnx_export_has_z_and_psi_and_matches_torch(style: str, cutoff: int | None, tmp_path) -> None:
    import onnxruntime as ort

    from translate.export.exporter import ExportOptions, export_net

    g = tiny_generator(style).eval()
    g.mapping.w_avg.normal_()
    set_noise_strength(g, 0.3)
    extra = {} if cutoff is None else {"truncation_cutoff": cutoff}
    g.truncation_cutoff = cutoff if cutoff is not None else g.truncation_cutoff  # 3 of 8 ws: the masked path
    g.translate_spec = {"arch": "stylegan", "options": {**TINY, "style": style, **extra}}
    out = tmp_path / "g.onnx"
    report = export_net(g, out, {"task": "stylegan", "net": "G", "arch": "stylegan"}, ExportOptions(), lambda s: None)
    assert all(f.max_abs_diff <= 1e-4 for f in report.parity)
    sess = ort.InferenceSession(str(out), providers=["CPUExecutionProvider"])
    assert [i.name for i in sess.get_inputs()] == ["z", "psi"]
    z = np.random.default_rng(0).standard_normal((3, TINY["z_dim"])).astype(np.float32)
    for psi in (1.0, 0.5, 0.0):
        got = sess.run(None, {"z": z, "psi": np.array([psi], np.float32)})[0]
        with torch.no_grad():
            want = g(torch.from_numpy(z), psi=psi, noise_mode="const").numpy()
        assert np.abs(got - want).max() < 1e-4, psi


def test_forward_clamps_with_straight_through_gradient_and_training_sees_raw_output() -> None:
    torch.manual_seed(0)
    g = StyleGAN2Generator(**TINY)
    g.torgbs[-1].bias.data.fill_(3.0)  # push the output out of range
    z = torch.randn(2, TINY["z_dim"])
    raw = g.synthesis(g.mapping_ws(z), "const", clamp=False)
    out = g(z, noise_mode="const")
    assert raw.max() > 1.5 and out.abs().max() <= 1.0
    out.sum().backward()
    assert g.torgbs[-1].bias.grad.abs().sum() > 0  # the gradient passes the clamp


def test_discriminator_features_end_before_the_logit() -> None:
    d = StyleGAN2Discriminator(**{k: TINY[k] for k in ("resolution", "channel_base", "channel_max")}).eval()
    x = torch.randn(4, 3, TINY["resolution"], TINY["resolution"])
    feats = d.features(x)
    assert feats[0].shape[-1] == TINY["resolution"] and feats[-2].shape[-1] == 4 and feats[-1].dim() == 2
    torch.testing.assert_close(d.out(feats[-1]), d(x))
