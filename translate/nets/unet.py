"""U-Net generator of pix2pix (Isola et al. 2017), laid out like the reference implementation.

The net is a chain of nested skip blocks; block ``k`` holds block ``k+1`` as its submodule, so the
reference checkpoint keys nest as ``model.model.1.model.3.model...``. Each non-outermost block
returns ``cat([x, f(x)])``, doubling the channels its parent's up-convolution receives.
"""

from __future__ import annotations

import torch
from torch import nn

from ..errors import ConfigError
from ..registry import GENERATORS
from .layers import conv_bias, norm_layer, upsample_layer

# registry variants the registry-parametrised net tests also cover (tests/conftest.py with_variants)
VARIANTS = {"resize_conv": {"upsample": "resize_conv"}}


class UnetSkipBlock(nn.Module):
    """One U-Net level: down-conv -> submodule -> up-conv, with a skip connection around it.

    ``self.model`` is a Sequential whose indices match the reference ``UnetSkipConnectionBlock``:
    outermost ``[conv, sub, relu, convT, tanh]``; innermost ``[lrelu, conv, relu, convT, norm]``;
    otherwise ``[lrelu, conv, norm, sub, relu, convT, norm(, dropout)]``.
    """

    def __init__(
        self,
        outer_nc: int,
        inner_nc: int,
        input_nc: int | None = None,
        submodule: nn.Module | None = None,
        outermost: bool = False,
        innermost: bool = False,
        norm: str = "batch",
        use_dropout: bool = False,
        upsample: str = "transpose",
    ) -> None:
        super().__init__()
        self.outermost = outermost
        make_norm, bias = norm_layer(norm), conv_bias(norm)
        input_nc = outer_nc if input_nc is None else input_nc
        # [N, input_nc, H, W] -> [N, inner_nc, H/2, W/2]
        down_conv = nn.Conv2d(input_nc, inner_nc, kernel_size=4, stride=2, padding=1, bias=bias)
        up_in = inner_nc if innermost else inner_nc * 2  # the submodule's skip concat doubles it

        if outermost:
            # [N, 2*inner_nc, H/2, W/2] -> [N, outer_nc, H, W]; the output conv keeps its bias
            up_conv = upsample_layer(upsample, up_in, outer_nc, 4)
            layers = [down_conv, submodule, nn.ReLU(True), up_conv, nn.Tanh()]
        elif innermost:
            up_conv = upsample_layer(upsample, up_in, outer_nc, 4, bias=bias)
            layers = [nn.LeakyReLU(0.2, True), down_conv]
            layers += [nn.ReLU(True), up_conv, make_norm(outer_nc)]
        else:
            up_conv = upsample_layer(upsample, up_in, outer_nc, 4, bias=bias)
            layers = [nn.LeakyReLU(0.2, True), down_conv, make_norm(inner_nc), submodule]
            layers += [nn.ReLU(True), up_conv, make_norm(outer_nc)]
            layers += [nn.Dropout(0.5)] if use_dropout else []
        self.model = nn.Sequential(*layers)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self.outermost:
            return self.model(x)  # [N, C_in, H, W] -> [N, C_out, H, W]
        return torch.cat([x, self.model(x)], dim=1)  # [N, C, H, W] -> [N, 2C, H, W]


@GENERATORS.register("unet_256", num_downs=8, meta={"variants": VARIANTS})
@GENERATORS.register("unet_128", num_downs=7, meta={"variants": VARIANTS})
@GENERATORS.register("unet", meta={"variants": VARIANTS})
class UnetGenerator(nn.Module):
    """pix2pix U-Net generator: ``num_downs`` stride-2 levels with skip connections.

    ``upsample``: ``transpose`` (the paper's ConvTranspose2d 4x4) or ``resize_conv`` (nearest 2x +
    Conv2d 4x4, Odena et al. 2016: no checkerboard; same parameter count; keys gain ``.conv``).
    """

    kind = "image"

    def __init__(
        self,
        in_channels: int = 3,
        out_channels: int = 3,
        num_downs: int = 8,
        ngf: int = 64,
        norm: str = "batch",
        use_dropout: bool = True,
        upsample: str = "transpose",
    ) -> None:
        super().__init__()
        if num_downs < 5:
            raise ConfigError(f"num_downs: a U-Net needs at least 5 levels, got {num_downs}")
        self.in_channels, self.out_channels = in_channels, out_channels
        self.num_downs = num_downs
        opts = {"norm": norm, "upsample": upsample}
        # innermost 8ngf bottleneck at 1x1, then (num_downs - 5) more 8ngf levels with dropout
        block = UnetSkipBlock(ngf * 8, ngf * 8, innermost=True, **opts)
        for _ in range(num_downs - 5):
            block = UnetSkipBlock(
                ngf * 8, ngf * 8, submodule=block, use_dropout=use_dropout, **opts
            )
        for mult in (4, 2, 1):  # widths 8ngf <- 4ngf <- 2ngf <- ngf towards the image
            block = UnetSkipBlock(ngf * mult, ngf * mult * 2, submodule=block, **opts)
        self.model = UnetSkipBlock(
            out_channels, ngf, input_nc=in_channels, submodule=block, outermost=True, **opts
        )

    @property
    def input_multiple(self) -> int:
        """Height and width must be multiples of this (one halving per level)."""
        return 2**self.num_downs

    def example_inputs(self, batch: int = 1, size: int | None = None) -> tuple[torch.Tensor, ...]:
        """Random inputs of the right shape (``size`` defaults to ``input_multiple``)."""
        size = size or self.input_multiple
        return (torch.randn(batch, self.in_channels, size, size),)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.model(x)  # [N, C_in, H, W] -> [N, C_out, H, W] in [-1, 1]
