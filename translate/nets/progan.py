"""Progressive GAN generator and discriminator (Karras et al. 2018, "Progressive Growing of GANs").

Paper Table 2 / the official ``G_paper`` and ``D_paper``: widths ``min(fmap_base / 2**stage,
fmap_max)`` (8192 / 512: 512 channels up to 32 px, then 256, 128, 64, 32, 16 at 64..1024 px);
every layer has an equalised learning rate (weights N(0, 1), scaled at run time by
gain / sqrt(fan_in), He gain sqrt(2), 1 for the RGB layers); leaky ReLU 0.2.

- G: z normalised (pixel norm) -> dense to 4x4 (gain sqrt(2)/4 as the official code) -> conv 3x3;
  per further resolution nearest 2x upsampling and two 3x3 convs; pixel norm after every conv; a
  linear 1x1 toRGB per resolution.
- D: a 1x1 fromRGB per resolution; per resolution two 3x3 convs then 2x2 average pooling; at 4x4
  minibatch stddev (group 4, one map), conv 3x3, dense to ``nf(0)``, dense to one score.

Growing (``nets/growing.py``, shared with StyleGAN): both nets hold every resolution's layers and a
stage ``(level, alpha)``, level 0 = 4 px. At ``level`` L they run at 4 * 2**L px; while ``alpha`` < 1 the new block is faded in: G blends
``alpha * toRGB_L(x_L) + (1 - alpha) * upsample(toRGB_{L-1}(x_{L-1}))``, D blends its new block on
fromRGB_L with fromRGB_{L-1} of the 2x downsampled input. ``set_stage`` changes it (the progressive
schedule, translate/core/progressive.py, calls it every step); nets start at their last level with
alpha 1, so ``forward(z)`` / ``forward(x)`` of a rebuilt checkpoint run at full resolution (export).

Stated deviation: fused up/down-sampling convs of the official code are written as nearest
upsampling + conv and conv + average pooling (the same operation). ``forward`` of G clamps to
[-1, 1] with a straight-through gradient (valid images for predict/export); training uses
``generate(z, clamp=False)``, the raw output, as the reference.
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from ..errors import ConfigError
from ..registry import DISCRIMINATORS, GENERATORS
from .growing import Growing, fade_in_rgb
from .layers import MinibatchStdDev
from .stylegan_layers import normalize_2nd_moment as pixel_norm  # x / sqrt(mean over channels of x^2)

SQRT2 = math.sqrt(2.0)
TINY = {"resolution": 8, "fmap_base": 64, "fmap_max": 8, "alpha": 0.5}  # registry tests: one fade-in, both branches


def _lrelu(x: Tensor) -> Tensor:
    return F.leaky_relu(x, 0.2)


class WSConv2d(nn.Module):
    """Conv with equalised learning rate: N(0, 1) weights x gain / sqrt(fan_in) at run time, zero bias."""

    def __init__(self, in_ch: int, out_ch: int, kernel: int, gain: float = SQRT2) -> None:
        super().__init__()
        self.weight = nn.Parameter(torch.randn(out_ch, in_ch, kernel, kernel))
        self.bias = nn.Parameter(torch.zeros(out_ch))
        self.scale, self.padding = gain / math.sqrt(in_ch * kernel * kernel), kernel // 2

    def forward(self, x: Tensor) -> Tensor:
        return F.conv2d(x, self.weight * self.scale, self.bias, padding=self.padding)  # [N, in, H, W] -> [N, out, H, W]


class WSLinear(nn.Module):
    """Fully connected layer with equalised learning rate (see :class:`WSConv2d`)."""

    def __init__(self, in_f: int, out_f: int, gain: float = SQRT2, bias: bool = True) -> None:
        super().__init__()
        self.weight = nn.Parameter(torch.randn(out_f, in_f))
        self.bias = nn.Parameter(torch.zeros(out_f)) if bias else None
        self.scale = gain / math.sqrt(in_f)

    def forward(self, x: Tensor) -> Tensor:
        return F.linear(x, self.weight * self.scale, self.bias)  # [N, in] -> [N, out]


def _levels(resolution: int) -> int:
    """Number of resolutions 4, 8, ..., ``resolution``."""
    if resolution < 4 or resolution & (resolution - 1) or resolution > 1024:
        raise ConfigError(f"resolution: ProGAN needs a power of two in 4..1024, got {resolution}")
    return int(math.log2(resolution)) - 1


def _nf(stage: int, fmap_base: int, fmap_max: int) -> int:
    """The official ``nf``: min(fmap_base / 2**stage, fmap_max), at least 1."""
    return max(1, min(int(fmap_base / 2.0**stage), fmap_max))


@GENERATORS.register("progan", meta={"tiny": TINY})
class ProGANGenerator(Growing):
    """ProGAN generator: z [N, latent_size] -> image [N, 3, R, R] at the current stage's resolution R."""

    kind = "latent"
    input_multiple = 1

    def __init__(self, resolution: int = 1024, latent_size: int = 512, fmap_base: int = 8192, fmap_max: int = 512,
                 nc: int = 3, normalize_latents: bool = True, level: int = -1, alpha: float = 1.0,
                 clamp_output: bool = True) -> None:
        super().__init__()
        self.num_levels = _levels(resolution)
        self.z_dim, self.image_size, self.num_classes = latent_size, resolution, 0
        self.normalize_latents, self.clamp_output = normalize_latents, clamp_output
        widths = [_nf(i + 1, fmap_base, fmap_max) for i in range(self.num_levels)]  # level L -> nf(L + 1)
        c0 = widths[0]
        self.dense = WSLinear(latent_size, c0 * 16, gain=SQRT2 / 4, bias=False)  # official gain; bias per channel
        self.dense_bias = nn.Parameter(torch.zeros(c0))
        self.conv4 = WSConv2d(c0, c0, 3)
        self.blocks = nn.ModuleList(
            nn.ModuleList([WSConv2d(widths[i - 1], widths[i], 3), WSConv2d(widths[i], widths[i], 3)])
            for i in range(1, self.num_levels)
        )
        self.to_rgb = nn.ModuleList(WSConv2d(w, nc, 1, gain=1.0) for w in widths)
        self.set_stage(self.num_levels - 1 if level < 0 else level, alpha)

    def example_inputs(self, batch: int = 1, size: int | None = None) -> tuple[Tensor, ...]:
        """Random latents [batch, latent_size] (``size`` is ignored: the stage fixes the resolution)."""
        return (torch.randn(batch, self.z_dim),)

    def generate(self, z: Tensor, clamp: bool = False) -> Tensor:
        """z -> image at the current stage; ``clamp=False``: the raw output (training, as the reference)."""
        x = z.reshape(z.shape[0], -1)  # [N, latent]
        if self.normalize_latents:
            x = pixel_norm(x)
        x = self.dense(x).reshape(x.shape[0], -1, 4, 4) + self.dense_bias[None, :, None, None]  # [N, C0, 4, 4]
        x = pixel_norm(_lrelu(x))
        x = pixel_norm(_lrelu(self.conv4(x)))
        prev = x
        for conv0, conv1 in self.blocks[: self.level]:
            prev = x
            x = F.interpolate(x, scale_factor=2.0, mode="nearest")  # [N, C, R, R] -> [N, C, 2R, 2R]
            x = pixel_norm(_lrelu(conv0(x)))
            x = pixel_norm(_lrelu(conv1(x)))  # [N, C', 2R, 2R]
        img = self.to_rgb[self.level](x)  # [N, 3, R, R]
        if self._fading():
            img = fade_in_rgb(self.to_rgb[self.level - 1](prev), img, self.alpha)  # [N, 3, R, R]
        if clamp and self.clamp_output:  # values in [-1, 1], gradient as if unclamped (straight-through)
            img = img + (img.clamp(-1.0, 1.0) - img).detach()
        return img

    def forward(self, z: Tensor) -> Tensor:
        return self.generate(z, clamp=True)  # [N, latent] -> [N, 3, R, R]


@DISCRIMINATORS.register("progan", meta={"tiny": {k: TINY[k] for k in ("resolution", "fmap_base", "fmap_max", "alpha")}})
class ProGANDiscriminator(Growing):
    """ProGAN discriminator: image [N, 3, R, R] at the current stage's resolution -> score [N, 1]."""

    receptive_field = None  # one global score per image

    def __init__(self, resolution: int = 1024, fmap_base: int = 8192, fmap_max: int = 512, nc: int = 3,
                 mbstd_group_size: int = 4, level: int = -1, alpha: float = 1.0) -> None:
        super().__init__()
        self.num_levels = _levels(resolution)
        self.image_size, self.in_channels = resolution, nc
        nf = [_nf(i, fmap_base, fmap_max) for i in range(self.num_levels + 1)]  # level L's input width: nf[L + 1]
        self.from_rgb = nn.ModuleList(WSConv2d(nc, nf[i + 1], 1) for i in range(self.num_levels))
        self.blocks = nn.ModuleList(  # blocks[L - 1]: level L's two convs, nf[L + 1] -> nf[L + 1] -> nf[L], then pool
            nn.ModuleList([WSConv2d(nf[i + 1], nf[i + 1], 3), WSConv2d(nf[i + 1], nf[i], 3)])
            for i in range(1, self.num_levels)
        )
        self.mbstd = MinibatchStdDev(mbstd_group_size, 1) if mbstd_group_size > 1 else None
        extra = 1 if self.mbstd is not None else 0
        self.conv4 = WSConv2d(nf[1] + extra, nf[1], 3)
        self.dense0 = WSLinear(nf[1] * 16, nf[0])
        self.dense1 = WSLinear(nf[0], 1, gain=1.0)
        self.set_stage(self.num_levels - 1 if level < 0 else level, alpha)

    def example_inputs(self, batch: int = 1, size: int | None = None) -> tuple[Tensor, ...]:
        """A random image batch at the current stage's resolution."""
        r = self.current_resolution
        return (torch.randn(batch, self.in_channels, r, r),)

    def _block(self, level: int, x: Tensor) -> Tensor:
        conv0, conv1 = self.blocks[level - 1]
        return F.avg_pool2d(_lrelu(conv1(_lrelu(conv0(x)))), 2)  # [N, C, R, R] -> [N, C', R/2, R/2]

    def trunk(self, img: Tensor) -> list[Tensor]:
        """Activations of fromRGB and every block down to 4x4 (the last is the 4x4 input of the head)."""
        feats = [_lrelu(self.from_rgb[self.level](img))]  # [N, C, R, R]
        for level in range(self.level, 0, -1):
            x = self._block(level, feats[-1])
            if level == self.level and self._fading():
                old = _lrelu(self.from_rgb[level - 1](F.avg_pool2d(img, 2)))  # [N, C', R/2, R/2]
                x = torch.lerp(old, x, self.alpha)
            feats.append(x)
        return feats

    def forward(self, x: Tensor) -> Tensor:
        h = self.trunk(x)[-1]  # [N, C, 4, 4]
        if self.mbstd is not None:
            h = self.mbstd(h)  # [N, C + 1, 4, 4]
        h = _lrelu(self.conv4(h))
        return self.dense1(_lrelu(self.dense0(h.flatten(1))))  # [N, C * 16] -> [N, 1]

    def features(self, x: Tensor) -> list[Tensor]:
        """The trunk's activations (feature matching)."""
        return self.trunk(x)
