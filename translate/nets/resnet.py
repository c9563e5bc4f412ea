"""ResNet generator of CycleGAN (Johnson et al. 2016 style), laid out like the reference.

``self.model`` is one Sequential: ReflPad3-Conv7-norm-ReLU, two stride-2 Conv3 downs, ``n_blocks``
residual blocks, two ConvT3 ups, ReflPad3-Conv7-Tanh. With 9 blocks the reference keys are
``model.1``, ``model.4``, ``model.7``, ``model.10..18.conv_block.{1,5}``, ``model.19``,
``model.22``, ``model.26``.
"""

from __future__ import annotations

from typing import Callable

import torch
from torch import nn

from ..errors import ConfigError
from ..registry import GENERATORS
from .layers import conv_bias, norm_layer, upsample_layer

# registry variants the registry-parametrised net tests also cover (tests/conftest.py with_variants)
VARIANTS = {"resize_conv": {"upsample": "resize_conv"}}

# padding_type -> (padding module factory or None, conv padding)
PADDINGS: dict[str, tuple[Callable[[int], nn.Module] | None, int]] = {
    "reflect": (nn.ReflectionPad2d, 0),
    "replicate": (nn.ReplicationPad2d, 0),
    "zero": (None, 1),
}


def _padded_conv3(dim: int, padding_type: str, bias: bool) -> list[nn.Module]:
    """[pad] + 3x3 conv keeping the spatial size."""
    if padding_type not in PADDINGS:
        raise ConfigError(
            f"padding_type: unknown {padding_type!r}; available: {', '.join(PADDINGS)}"
        )
    pad, conv_pad = PADDINGS[padding_type]
    layers = [pad(1)] if pad is not None else []
    return layers + [nn.Conv2d(dim, dim, kernel_size=3, padding=conv_pad, bias=bias)]


class ResnetBlock(nn.Module):
    """Residual block ``x + [pad-conv3-norm-ReLU(-dropout)-pad-conv3-norm](x)``."""

    def __init__(self, dim: int, padding_type: str, norm: str, use_dropout: bool) -> None:
        super().__init__()
        make_norm, bias = norm_layer(norm), conv_bias(norm)
        layers = _padded_conv3(dim, padding_type, bias) + [make_norm(dim), nn.ReLU(True)]
        layers += [nn.Dropout(0.5)] if use_dropout else []
        layers += _padded_conv3(dim, padding_type, bias) + [make_norm(dim)]
        self.conv_block = nn.Sequential(*layers)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x + self.conv_block(x)  # [N, C, H, W] -> [N, C, H, W]


@GENERATORS.register("resnet_9blocks", n_blocks=9, meta={"variants": VARIANTS})
@GENERATORS.register("resnet_6blocks", n_blocks=6, meta={"variants": VARIANTS})
@GENERATORS.register("resnet", meta={"variants": VARIANTS})
class ResnetGenerator(nn.Module):
    """CycleGAN ResNet generator: 2 downsamplings, ``n_blocks`` residual blocks, 2 upsamplings.

    ``upsample``: ``transpose`` (the paper's ConvTranspose2d 3x3) or ``resize_conv`` (nearest 2x +
    Conv2d 3x3, Odena et al. 2016: no checkerboard; same parameter count; keys gain ``.conv``).
    """

    kind = "image"
    input_multiple = 4  # two stride-2 downsamplings
    n_downsampling = 2

    def __init__(
        self,
        in_channels: int = 3,
        out_channels: int = 3,
        ngf: int = 64,
        norm: str = "instance",
        use_dropout: bool = False,
        n_blocks: int = 9,
        padding_type: str = "reflect",
        upsample: str = "transpose",
    ) -> None:
        super().__init__()
        if n_blocks < 0:
            raise ConfigError(f"n_blocks: must be >= 0, got {n_blocks}")
        self.in_channels, self.out_channels = in_channels, out_channels
        make_norm, bias = norm_layer(norm), conv_bias(norm)

        # [N, C_in, H, W] -> [N, ngf, H, W]
        layers: list[nn.Module] = [
            nn.ReflectionPad2d(3),
            nn.Conv2d(in_channels, ngf, kernel_size=7, padding=0, bias=bias),
            make_norm(ngf),
            nn.ReLU(True),
        ]
        # [N, ngf, H, W] -> [N, 4ngf, H/4, W/4]
        for i in range(self.n_downsampling):
            ch = ngf * 2**i
            layers += [
                nn.Conv2d(ch, ch * 2, kernel_size=3, stride=2, padding=1, bias=bias),
                make_norm(ch * 2),
                nn.ReLU(True),
            ]
        ch = ngf * 2**self.n_downsampling
        layers += [ResnetBlock(ch, padding_type, norm, use_dropout) for _ in range(n_blocks)]
        # [N, 4ngf, H/4, W/4] -> [N, ngf, H, W]
        for _ in range(self.n_downsampling):
            layers += [
                upsample_layer(upsample, ch, ch // 2, 3, bias=bias),
                make_norm(ch // 2),
                nn.ReLU(True),
            ]
            ch //= 2
        # [N, ngf, H, W] -> [N, C_out, H, W] in [-1, 1]
        layers += [nn.ReflectionPad2d(3), nn.Conv2d(ngf, out_channels, 7, padding=0), nn.Tanh()]
        self.model = nn.Sequential(*layers)

    def example_inputs(self, batch: int = 1, size: int | None = None) -> tuple[torch.Tensor, ...]:
        """Random inputs of the right shape (``size`` defaults to 64)."""
        size = size or 64
        return (torch.randn(batch, self.in_channels, size, size),)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.model(x)
