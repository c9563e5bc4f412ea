"""PatchGAN discriminators of pix2pix/CycleGAN: a map of real/fake logits, one per image patch.

Reference layouts: ``NLayerDiscriminator.model`` (keys ``model.0``, ``model.2``, ``model.3``, ...)
and ``PixelDiscriminator.net`` (``net.0``, ``net.2``, ``net.3``, ``net.5``). Outputs are logits;
losses apply their own activation.
"""

from __future__ import annotations

import torch
from torch import nn

from ..errors import ConfigError
from ..registry import DISCRIMINATORS
from .layers import ScaleLogits, activations_after, conv_bias, conv_receptive_field, norm_layer


@DISCRIMINATORS.register("patchgan")
class NLayerDiscriminator(nn.Module):
    """PatchGAN with ``n_layers`` stride-2 convs (70x70 patches for n_layers=3)."""

    def __init__(
        self, in_channels: int = 6, ndf: int = 64, n_layers: int = 3, norm: str = "batch"
    ) -> None:
        super().__init__()
        if n_layers < 1:
            raise ConfigError(f"n_layers: must be >= 1, got {n_layers}")
        self.in_channels = in_channels
        make_norm, bias = norm_layer(norm), conv_bias(norm)
        conv = {"kernel_size": 4, "padding": 1}

        # [N, C, H, W] -> [N, ndf, H/2, W/2]; the first conv has a bias and no norm
        layers: list[nn.Module] = [
            nn.Conv2d(in_channels, ndf, stride=2, **conv),
            nn.LeakyReLU(0.2, True),
        ]
        # stride-2 convs for n_layers-1 levels, then one stride-1 conv; widths capped at 8ndf
        strides = [2] * (n_layers - 1) + [1]
        prev = ndf
        for n, stride in enumerate(strides, start=1):
            width = ndf * min(2**n, 8)
            layers += [
                nn.Conv2d(prev, width, stride=stride, bias=bias, **conv),
                make_norm(width),
                nn.LeakyReLU(0.2, True),
            ]
            prev = width
        # [N, 8ndf, h, w] -> [N, 1, h-1, w-1]: one logit per patch
        layers.append(nn.Conv2d(prev, 1, stride=1, **conv))
        self.model = nn.Sequential(*layers)

    @property
    def receptive_field(self) -> int:
        """Side in pixels of the input patch each output logit sees (70 for n_layers=3)."""
        return conv_receptive_field(self.model)

    def example_inputs(self, batch: int = 1, size: int | None = None) -> tuple[torch.Tensor, ...]:
        """Random inputs of the right shape (``size`` defaults to 64)."""
        size = size or 64
        return (torch.randn(batch, self.in_channels, size, size),)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.model(x)  # [N, C, H, W] -> [N, 1, h, w] logits (30x30 at 256 px, n_layers 3)

    def features(self, x: torch.Tensor) -> list[torch.Tensor]:
        """The n_layers + 1 activations after each LeakyReLU (pix2pixHD's intermediate features)."""
        return activations_after(self.model[:-1], x)[1]  # [N, ndf, H/2, W/2], ..., [N, 8ndf, h+1, w+1]


@DISCRIMINATORS.register("patchgan_multiscale", meta={"tiny": {"ndf": 8, "num_d": 2, "n_layers": 2}})
class MultiscaleDiscriminator(nn.Module):
    """pix2pixHD's multi-scale PatchGAN: ``num_d`` PatchGANs on the input and its 2x, 4x, ... average-pooled copies.

    Returns :class:`ScaleLogits` (finest first); the adversary averages every objective over the scales
    and the penalties take the gradient of their sum. Downsampling as pix2pixHD:
    ``AvgPool2d(3, stride=2, padding=1, count_include_pad=False)``. Each scale needs at least
    16 * 2^(n_layers - 1) px at its own resolution (128 px input for num_d 3, n_layers 3).
    """

    def __init__(self, in_channels: int = 6, ndf: int = 64, n_layers: int = 3, norm: str = "batch", num_d: int = 3) -> None:
        super().__init__()
        if num_d < 1:
            raise ConfigError(f"num_d: must be >= 1, got {num_d}")
        self.in_channels, self.num_d = in_channels, num_d
        self.scales = nn.ModuleList(NLayerDiscriminator(in_channels, ndf, n_layers, norm) for _ in range(num_d))
        self.down = nn.AvgPool2d(3, stride=2, padding=1, count_include_pad=False)
        self.input_multiple = 2 ** (num_d - 1) * 2**n_layers

    @property
    def receptive_field(self) -> int:
        """Receptive field in input pixels of the coarsest scale's logits (the pooling chain included)."""
        field, jump = 1, 1
        for _ in range(self.num_d - 1):  # each 3x3 stride-2 pool
            field, jump = field + 2 * jump, jump * 2
        return field + (self.scales[-1].receptive_field - 1) * jump

    def example_inputs(self, batch: int = 1, size: int | None = None) -> tuple[torch.Tensor, ...]:
        """Random inputs of the right shape (``size`` defaults to 128)."""
        size = size or 128
        return (torch.randn(batch, self.in_channels, size, size),)

    def _inputs(self, x: torch.Tensor) -> list[torch.Tensor]:
        xs = [x]  # [N, C, H, W], [N, C, H/2, W/2], ...
        for _ in range(self.num_d - 1):
            xs.append(self.down(xs[-1]))
        return xs

    def forward(self, x: torch.Tensor) -> ScaleLogits:
        return ScaleLogits(d(xi) for d, xi in zip(self.scales, self._inputs(x)))  # [N, 1, h_k, w_k] per scale

    def features(self, x: torch.Tensor) -> list[list[torch.Tensor]]:
        """Per scale, its PatchGAN's intermediate activations (pix2pixHD feature matching averages over the scales)."""
        return [d.features(xi) for d, xi in zip(self.scales, self._inputs(x))]


@DISCRIMINATORS.register("pixel")
class PixelDiscriminator(nn.Module):
    """1x1 PatchGAN: classifies every pixel on its own (only colour statistics)."""

    receptive_field = 1

    def __init__(self, in_channels: int = 6, ndf: int = 64, norm: str = "batch") -> None:
        super().__init__()
        self.in_channels = in_channels
        make_norm, bias = norm_layer(norm), conv_bias(norm)
        self.net = nn.Sequential(
            nn.Conv2d(in_channels, ndf, kernel_size=1),
            nn.LeakyReLU(0.2, True),
            nn.Conv2d(ndf, ndf * 2, kernel_size=1, bias=bias),
            make_norm(ndf * 2),
            nn.LeakyReLU(0.2, True),
            nn.Conv2d(ndf * 2, 1, kernel_size=1, bias=bias),
        )

    def example_inputs(self, batch: int = 1, size: int | None = None) -> tuple[torch.Tensor, ...]:
        """Random inputs of the right shape (``size`` defaults to 32)."""
        size = size or 32
        return (torch.randn(batch, self.in_channels, size, size),)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.net(x)  # [N, C, H, W] -> [N, 1, H, W] logits
