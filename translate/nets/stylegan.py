"""StyleGAN2-style generator and residual discriminator (Karras et al. 2020), plain PyTorch.

Generator (``kind = "latent"``): mapping net (normalised z, 8 FC layers at lr multiplier 0.01,
tracked ``w_avg`` buffer for truncation) -> ``num_ws`` copies of w -> synthesis net from a learned
4x4 constant: per resolution two modulated/demodulated 3x3 convs with per-pixel noise (learned
strength) and a ToRGB whose outputs are upsampled and summed (the "skip" architecture).
``forward(z, psi=1.0, noise_mode="random")``: ``psi`` moves w toward ``w_avg`` (truncation trick;
psi = 0 gives the average image), ``noise_mode`` is random / const (stored noise maps; exports use
it) / none. Option ``style``: ``modulated`` (this synthesis, the default) or ``adain`` (StyleGAN1's
AdaIN synthesis, ``nets/stylegan_adain.py``); mapping, truncation and noise modes are shared
(``nets/stylegan_base.py``), so the task, predict, export and the runtime treat both alike.

Discriminator: the StyleGAN2 "resnet" D: FromRGB 1x1, residual blocks (two 3x3 convs, the second
after 2x downsampling; 1x1 skip; sum scaled by sqrt(1/2)) down to 4x4, minibatch standard deviation
(group 4), conv 3x3, FC, FC -> one logit. With ``progressive: true`` it grows from the input side
as the StyleGAN1 / ProGAN D (``nets/growing.py``): a FromRGB per lower resolution (``lod_from_rgb``),
the stage's FromRGB feeds the last ``level`` blocks, and during a fade-in the first block's output
is blended with the lower FromRGB of the 2x downsampled image. Off, the keys are the fixed D's.

Widths are ``min(channel_base // res, channel_max)`` per resolution (StyleGAN2 config F: 32768 /
512; the default here, 16384 / 512, is the "paper256" setting). All layers use equalised learning
rate, so recipes set ``init: none`` (keep the nets' own N(0, 1) init).

``forward`` clamps outputs to [-1, 1] (straight-through gradient; ``clamp_output``) so exports and
predictions are valid images; the training task calls ``synthesis(ws, clamp=False)`` so that D sees
the raw output as in the reference (a clamped D input lets G drift out of range unpenalised).
"""

from __future__ import annotations

import math
from typing import Any

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from ..registry import DISCRIMINATORS, GENERATORS
from .growing import Growing
from .layers import MinibatchStdDev
from .stylegan_base import STYLES, StyleGeneratorBase, check_style, widths
from .stylegan_layers import EqualConv2d, EqualLinear, SynthesisLayer, ToRGB, upsample2x

TINY = {"resolution": 32, "channel_base": 256, "channel_max": 16, "z_dim": 16, "w_dim": 16, "mapping_layers": 2}


@STYLES.register("modulated")
class StyleGAN2Generator(StyleGeneratorBase):
    """StyleGAN2 generator: z [N, z_dim] -> image [N, 3, R, R] in [-1, 1]."""

    style = "modulated"

    def __init__(
        self, resolution: int = 256, z_dim: int = 512, w_dim: int = 512, mapping_layers: int = 8,
        channel_base: int = 16384, channel_max: int = 512, mapping_lr_mul: float = 0.01,
        w_avg_beta: float = 0.995, nc: int = 3, clamp_output: bool = True, progressive: bool = False,
        level: int = -1, alpha: float = 1.0, truncation_cutoff: int = 0,
    ) -> None:
        super().__init__(resolution, z_dim, w_dim, mapping_layers, mapping_lr_mul, w_avg_beta, clamp_output,
                         progressive, level, alpha, truncation_cutoff)
        ch = widths(resolution, channel_base, channel_max)
        self.const = nn.Parameter(torch.randn(ch[4], 4, 4))
        convs: list[nn.Module] = [SynthesisLayer(ch[4], ch[4], w_dim, 4)]
        torgbs: list[nn.Module] = [ToRGB(ch[4], w_dim, nc)]
        self.rgb_index = [1]  # w index of each ToRGB: the index its block's next conv would use
        res = 8
        while res <= resolution:
            convs.append(SynthesisLayer(ch[res // 2], ch[res], w_dim, res, up=True))
            convs.append(SynthesisLayer(ch[res], ch[res], w_dim, res))
            torgbs.append(ToRGB(ch[res], w_dim, nc))
            self.rgb_index.append(len(convs))
            res *= 2
        self.convs, self.torgbs = nn.ModuleList(convs), nn.ModuleList(torgbs)
        self.num_ws = len(convs) + 1  # 2 log2(R) - 2

    def _synthesize(self, ws: Tensor, noise_mode: str) -> Tensor:
        x = self.const[None].expand(ws.shape[0], -1, -1, -1)  # [N, C4, 4, 4]
        x = self.convs[0](x, ws[:, 0], noise_mode)
        img = self.torgbs[0](x, ws[:, self.rgb_index[0]])  # [N, 3, 4, 4]
        for b in range(1, self.level + 1):  # blocks up to the stage (all of them unless progressive)
            x = self.convs[2 * b - 1](x, ws[:, 2 * b - 1], noise_mode)  # up: [N, C, R, R] -> [N, C', 2R, 2R]
            x = self.convs[2 * b](x, ws[:, 2 * b], noise_mode)
            new = self.torgbs[b](x, ws[:, self.rgb_index[b]])  # [N, 3, 2R, 2R]
            if b == self.level and self._fading():  # lerp(up(img), up(img) + new, alpha): the new block fades in
                new = new * self.alpha
            img = upsample2x(img) + new  # skip architecture
        return img


@GENERATORS.register("stylegan", meta={"tiny": TINY, "variants": {
    "adain": {"style": "adain"}, "progressive": {"progressive": True, "resolution": 8, "alpha": 0.5},
    "adain_progressive": {"style": "adain", "progressive": True, "resolution": 8, "alpha": 0.5}}})
def stylegan_generator(style: str = "modulated", **options: Any) -> StyleGeneratorBase:
    """StyleGAN generator, z -> image; ``style``: modulated (StyleGAN2, default) | adain (StyleGAN1).

    The other options go to the style's class (``StyleGAN2Generator`` here, ``StyleGAN1Generator``
    in ``nets/stylegan_adain.py``), which refuses the ones it does not take, listing those it does.
    """
    return STYLES.build(check_style(style), **options)


class DBlock(nn.Module):
    """Residual D block: conv3x3, (down 2x) conv3x3, 1x1 skip; (x + skip) / sqrt(2)."""

    def __init__(self, in_ch: int, out_ch: int) -> None:
        super().__init__()
        self.conv0 = EqualConv2d(in_ch, in_ch, 3, activation="lrelu")
        self.conv1 = EqualConv2d(in_ch, out_ch, 3, activation="lrelu", down=True, gain=math.sqrt(0.5))
        self.skip = EqualConv2d(in_ch, out_ch, 1, bias=False, down=True, gain=math.sqrt(0.5))

    def forward(self, x: Tensor) -> Tensor:
        return self.skip(x) + self.conv1(self.conv0(x))  # [N, C, R, R] -> [N, C', R/2, R/2]


@DISCRIMINATORS.register("stylegan", meta={"tiny": {k: TINY[k] for k in ("resolution", "channel_base", "channel_max")},
                                           "variants": {"progressive": {"progressive": True, "resolution": 8, "alpha": 0.5}}})
class StyleGAN2Discriminator(Growing):
    """StyleGAN2 residual discriminator: image [N, 3, R, R] -> logits [N, 1]."""

    receptive_field = None  # one global logit per image

    def __init__(self, resolution: int = 256, channel_base: int = 16384, channel_max: int = 512, nc: int = 3,
                 mbstd_group_size: int = 4, mbstd_num_features: int = 1, progressive: bool = False,
                 level: int = -1, alpha: float = 1.0) -> None:
        super().__init__()
        ch = widths(resolution, channel_base, channel_max)
        self.num_levels, self.growing = len(ch), bool(progressive)
        self.image_size, self.in_channels = resolution, nc
        self.from_rgb = EqualConv2d(nc, ch[resolution], 1, activation="lrelu")
        blocks, res = [], resolution
        while res > 4:
            blocks.append(DBlock(ch[res], ch[res // 2]))
            res //= 2
        self.blocks = nn.Sequential(*blocks)
        c = ch[4]
        self.mbstd = MinibatchStdDev(mbstd_group_size, mbstd_num_features)
        self.conv = EqualConv2d(c + mbstd_num_features, c, 3, activation="lrelu")
        self.fc = EqualLinear(c * 16, c, activation="lrelu")
        self.out = EqualLinear(c, 1)
        if progressive:  # FromRGB of levels 0 (4 px) .. num_levels - 2
            self.lod_from_rgb = nn.ModuleList(EqualConv2d(nc, ch[4 * 2**i], 1, activation="lrelu")
                                              for i in range(self.num_levels - 1))
        self.set_stage(self.num_levels - 1 if level < 0 else level, alpha)

    def example_inputs(self, batch: int = 1, size: int | None = None) -> tuple[Tensor, ...]:
        """A random image batch at the current stage's resolution (the net's unless progressive)."""
        r = self.current_resolution
        return (torch.randn(batch, self.in_channels, r, r),)

    def _from_rgb(self, level: int) -> nn.Module:
        return self.from_rgb if level == self.num_levels - 1 else self.lod_from_rgb[level]

    def trunk(self, img: Tensor) -> list[Tensor]:
        """Activations of the stage's FromRGB and every residual block down to 4x4."""
        feats = [self._from_rgb(self.level)(img)]  # [N, C_R, R, R]
        blocks = list(self.blocks)[len(self.blocks) - self.level:]  # the last ``level`` blocks: R -> 4 px
        for i, block in enumerate(blocks):
            x = block(feats[-1])  # [N, C, R/2, R/2] ...
            if i == 0 and self._fading():
                x = torch.lerp(self._from_rgb(self.level - 1)(F.avg_pool2d(img, 2)), x, self.alpha)
            feats.append(x)
        return feats

    def forward(self, x: Tensor) -> Tensor:
        x = self.trunk(x)[-1]  # [N, 3, R, R] -> [N, C4, 4, 4]
        x = self.conv(self.mbstd(x))  # [N, C4 + 1, 4, 4] -> [N, C4, 4, 4]
        return self.out(self.fc(x.flatten(1)))  # [N, C4 * 16] -> [N, 1]

    def features(self, x: Tensor) -> list[Tensor]:
        """Activations of from_rgb, every residual block, the 4x4 conv and the FC layer before the logit."""
        feats = self.trunk(x)
        feats.append(self.conv(self.mbstd(feats[-1])))  # [N, C4, 4, 4]
        feats.append(self.fc(feats[-1].flatten(1)))  # [N, C4]
        return feats
