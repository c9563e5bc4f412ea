"""StyleGAN1 synthesis with AdaIN styles (Karras et al. 2019), the ``stylegan`` generator's ``style: adain``.

As NVlabs stylegan ``G_synthesis`` (``structure='fixed'``): a learned 4x4 constant (init ones), then
``2 log2(R) - 2`` layers, two per resolution. Each layer is

    [nearest 2x upsample -> conv 3x3 -> blur [1, 2, 1]]   (first layer of each block above 4 px)
    or conv 3x3 (second layer; the 4x4 constant layer has no conv)
    -> + per-channel scaled noise (weights init 0) -> + bias -> LeakyReLU(0.2)
    -> instance norm (eps 1e-8) -> AdaIN: x * (ys + 1) + yb, (ys, yb) = affine(w_i) (bias init 0)

with equalised learning rate (convs at gain sqrt(2) / sqrt(fan_in), the style affine and ToRGB at
gain 1). The reference's fused upsample-conv above 64 px (a transposed conv with the summed 4x4
kernel) is the same operation as upsample-then-conv, so it is not separate here.

At a fixed resolution there is one ToRGB (1x1 conv + bias, linear) at the end, as the reference's
``structure='fixed'``. With ``progressive: true`` (the paper's training, ``structure='linear'``) there
is a ToRGB per resolution (``lod_torgbs`` below the top one, which stays ``torgb``): the synthesis
stops at the stage's level and blends ``lerp(upsample(torgb_{L-1}(x_{L-1})), torgb_L(x_L), alpha)``
as the reference's lod blending; at 1024 px the count is then the official 26,219,627.
The mapping net, the truncation trick (the first ``truncation_cutoff`` = 8 layers, G_style's default), ``w_avg``, style
mixing (the task mixes the per-layer ws) and noise modes are shared with the modulated generator
(``nets/stylegan_base.py``); the shared mapping layers apply the sqrt(2) gain after the LeakyReLU
(StyleGAN2's ``bias_act``) where StyleGAN1 folds it into the weights: the same function at init,
the biases' effective step differs by sqrt(2).
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from .growing import fade_in_rgb
from .stylegan_base import STYLES, StyleGeneratorBase, widths
from .stylegan_layers import EqualConv2d, EqualLinear, layer_noise


def instance_norm(x: Tensor, eps: float = 1e-8) -> Tensor:
    """Per-sample, per-channel (x - mean) / sqrt(var + eps) over H, W, as StyleGAN1 (biased var, eps 1e-8).

    ``F.instance_norm`` computes the same and exports as ONNX InstanceNormalization; the written-out
    form exports to a graph that onnxruntime evaluates to NaN on spatially constant maps (the 4x4
    constant at init).
    """
    return F.instance_norm(x, eps=eps)  # [N, C, H, W]


class Blur(nn.Module):
    """Depthwise [1, 2, 1] x [1, 2, 1] / 16 low-pass filter, zero 'same' padding."""

    def __init__(self, channels: int) -> None:
        super().__init__()
        f = torch.tensor([1.0, 2.0, 1.0])
        kernel = (f[:, None] * f[None, :]) / 16.0  # [3, 3], sums to 1
        self.register_buffer("kernel", kernel.expand(channels, 1, 3, 3).clone(), persistent=False)
        self.channels = channels

    def forward(self, x: Tensor) -> Tensor:
        return F.conv2d(x, self.kernel, padding=1, groups=self.channels)  # [N, C, H, W] -> same


class AdaINLayer(nn.Module):
    """One StyleGAN1 layer: (up + conv + blur | conv | nothing) -> noise -> bias -> lrelu -> IN -> AdaIN."""

    def __init__(self, in_ch: int, out_ch: int, w_dim: int, resolution: int, conv: bool = True,
                 up: bool = False, blur: bool = True) -> None:
        super().__init__()
        self.conv = EqualConv2d(in_ch, out_ch, 3, bias=False, gain=math.sqrt(2.0)) if conv else None
        self.blur = Blur(out_ch) if up and blur else None
        self.up = up
        self.register_buffer("noise_const", torch.randn(1, 1, resolution, resolution))
        self.noise_strength = nn.Parameter(torch.zeros(out_ch))  # per-channel noise weights
        self.bias = nn.Parameter(torch.zeros(out_ch))
        self.affine = EqualLinear(w_dim, 2 * out_ch)  # w -> (scale - 1, bias) per channel

    def forward(self, x: Tensor, w: Tensor, noise_mode: str = "random") -> Tensor:
        if self.up:
            x = F.interpolate(x, scale_factor=2.0, mode="nearest")  # [N, C, R/2, R/2] -> [N, C, R, R]
        if self.conv is not None:
            x = self.conv(x)  # [N, in, R, R] -> [N, out, R, R]
        if self.blur is not None:
            x = self.blur(x)
        noise = layer_noise(x, self.noise_const, noise_mode)
        if noise is not None:
            x = x + noise * self.noise_strength[None, :, None, None]
        x = F.leaky_relu(x + self.bias[None, :, None, None], 0.2)
        ys, yb = self.affine(w).chunk(2, dim=1)  # [N, w_dim] -> 2 x [N, out]
        return instance_norm(x) * (ys[:, :, None, None] + 1.0) + yb[:, :, None, None]


@STYLES.register("adain")
class StyleGAN1Generator(StyleGeneratorBase):
    """StyleGAN1 (AdaIN) generator: z [N, z_dim] -> image [N, 3, R, R] in [-1, 1]."""

    style = "adain"

    def __init__(
        self, resolution: int = 256, z_dim: int = 512, w_dim: int = 512, mapping_layers: int = 8,
        channel_base: int = 16384, channel_max: int = 512, mapping_lr_mul: float = 0.01,
        w_avg_beta: float = 0.995, nc: int = 3, clamp_output: bool = True, blur: bool = True,
        progressive: bool = False, level: int = -1, alpha: float = 1.0, truncation_cutoff: int = 8,
    ) -> None:
        super().__init__(resolution, z_dim, w_dim, mapping_layers, mapping_lr_mul, w_avg_beta, clamp_output,
                         progressive, level, alpha, truncation_cutoff)
        ch = widths(resolution, channel_base, channel_max)  # StyleGAN1 fmap_base 8192 = channel_base 16384
        self.const = nn.Parameter(torch.ones(ch[4], 4, 4))
        layers = [AdaINLayer(ch[4], ch[4], w_dim, 4, conv=False), AdaINLayer(ch[4], ch[4], w_dim, 4)]
        res = 8
        while res <= resolution:
            layers.append(AdaINLayer(ch[res // 2], ch[res], w_dim, res, up=True, blur=blur))
            layers.append(AdaINLayer(ch[res], ch[res], w_dim, res))
            res *= 2
        self.layers = nn.ModuleList(layers)
        self.torgb = EqualConv2d(ch[resolution], nc, 1)  # linear 1x1 conv + bias
        if progressive:  # the lower resolutions' ToRGBs, level 0 (4 px) .. num_levels - 2
            self.lod_torgbs = nn.ModuleList(EqualConv2d(ch[4 * 2**i], nc, 1) for i in range(self.num_levels - 1))
        self.num_ws = len(layers)  # 2 log2(R) - 2, one w per layer

    def _synthesize(self, ws: Tensor, noise_mode: str) -> Tensor:
        x = self.const[None].expand(ws.shape[0], -1, -1, -1)  # [N, C4, 4, 4]
        prev = x
        for i, layer in enumerate(self.layers[: 2 * self.level + 2]):  # two layers per level up to the stage
            if i % 2 == 0:
                prev = x
            x = layer(x, ws[:, i], noise_mode)  # [N, C, R, R] (x2 at each block's first layer)
        img = self._torgb(self.level)(x)  # [N, C_R, R, R] -> [N, 3, R, R]
        if self._fading():
            img = fade_in_rgb(self._torgb(self.level - 1)(prev), img, self.alpha)
        return img

    def _torgb(self, level: int) -> nn.Module:
        return self.torgb if level == self.num_levels - 1 else self.lod_torgbs[level]
