"""StarGAN generator and discriminator (Choi et al. 2018), laid out like yunjey/stargan.

Attribute names (``main``, ``conv1``, ``conv2``) and Sequential indices match its ``model.py``,
so reference ``{iter}-G.ckpt`` / ``{iter}-D.ckpt`` state dicts load with ``strict=True``.
InstanceNorm here is affine with running statistics, as in the reference (eval mode uses the
running statistics).
"""

from __future__ import annotations

import torch
from torch import nn

from ..errors import ConfigError
from ..registry import DISCRIMINATORS, GENERATORS
from .layers import conv_receptive_field


def _in_relu(channels: int) -> list[nn.Module]:
    """InstanceNorm(affine, running stats) + ReLU, the reference's norm-activation pair."""
    return [nn.InstanceNorm2d(channels, affine=True, track_running_stats=True), nn.ReLU(True)]


class ResidualBlock(nn.Module):
    """``x + [conv3-IN-ReLU-conv3-IN](x)`` with zero padding and no conv bias."""

    def __init__(self, dim: int) -> None:
        super().__init__()
        self.main = nn.Sequential(
            nn.Conv2d(dim, dim, kernel_size=3, stride=1, padding=1, bias=False),
            *_in_relu(dim),
            nn.Conv2d(dim, dim, kernel_size=3, stride=1, padding=1, bias=False),
            nn.InstanceNorm2d(dim, affine=True, track_running_stats=True),
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x + self.main(x)  # [N, C, H, W] -> [N, C, H, W]


@GENERATORS.register("stargan")
class StarGenerator(nn.Module):
    """StarGAN generator: image + target-domain labels (tiled to H x W) -> translated image."""

    kind = "image+domain"
    input_multiple = 4  # two stride-2 downsamplings

    def __init__(self, conv_dim: int = 64, c_dim: int = 5, repeat_num: int = 6) -> None:
        super().__init__()
        self.in_channels = self.out_channels = 3
        self.c_dim = c_dim
        dim = conv_dim
        # [N, 3 + c_dim, H, W] -> [N, conv_dim, H, W]
        layers: list[nn.Module] = [
            nn.Conv2d(3 + c_dim, dim, kernel_size=7, stride=1, padding=3, bias=False),
            *_in_relu(dim),
        ]
        for _ in range(2):  # [N, d, H, W] -> [N, 2d, H/2, W/2]
            down = nn.Conv2d(dim, dim * 2, kernel_size=4, stride=2, padding=1, bias=False)
            layers += [down, *_in_relu(dim * 2)]
            dim *= 2
        layers += [ResidualBlock(dim) for _ in range(repeat_num)]
        for _ in range(2):  # [N, d, H, W] -> [N, d/2, 2H, 2W]
            layers += [
                nn.ConvTranspose2d(dim, dim // 2, 4, stride=2, padding=1, bias=False),
                *_in_relu(dim // 2),
            ]
            dim //= 2
        # [N, conv_dim, H, W] -> [N, 3, H, W] in [-1, 1]
        layers += [nn.Conv2d(dim, 3, kernel_size=7, stride=1, padding=3, bias=False), nn.Tanh()]
        self.main = nn.Sequential(*layers)

    def example_inputs(self, batch: int = 1, size: int | None = None) -> tuple[torch.Tensor, ...]:
        """Random image (``size`` defaults to 128) and random 0/1 target labels."""
        size = size or 128
        labels = torch.randint(0, 2, (batch, self.c_dim)).float()
        return torch.randn(batch, 3, size, size), labels

    def forward(self, x: torch.Tensor, c: torch.Tensor) -> torch.Tensor:
        # x [N, 3, H, W], c [N, c_dim] -> [N, 3, H, W]
        c = c.to(x.dtype)[:, :, None, None].expand(-1, -1, x.shape[2], x.shape[3])
        return self.main(torch.cat([x, c], dim=1))


@DISCRIMINATORS.register("stargan")
class StarDiscriminator(nn.Module):
    """StarGAN discriminator: a real/fake patch map (``conv1``) and domain logits (``conv2``)."""

    def __init__(
        self, image_size: int = 128, conv_dim: int = 64, c_dim: int = 5, repeat_num: int = 6
    ) -> None:
        super().__init__()
        stride = 2**repeat_num
        if image_size < stride or image_size % stride:
            raise ConfigError(
                f"image_size: the StarGAN discriminator needs a multiple of 2**repeat_num = "
                f"{stride}, got {image_size}"
            )
        self.image_size, self.c_dim, self.in_channels = image_size, c_dim, 3
        # [N, 3, S, S] -> [N, conv_dim * 2**(repeat_num-1), S/2**repeat_num, ...]
        layers: list[nn.Module] = [
            nn.Conv2d(3, conv_dim, kernel_size=4, stride=2, padding=1),
            nn.LeakyReLU(0.01),
        ]
        dim = conv_dim
        for _ in range(1, repeat_num):
            layers += [nn.Conv2d(dim, dim * 2, 4, stride=2, padding=1), nn.LeakyReLU(0.01)]
            dim *= 2
        self.main = nn.Sequential(*layers)
        self.conv1 = nn.Conv2d(dim, 1, kernel_size=3, stride=1, padding=1, bias=False)
        self.conv2 = nn.Conv2d(dim, c_dim, kernel_size=image_size // stride, bias=False)

    @property
    def receptive_field(self) -> int | None:
        """Receptive field of the real/fake map, or None when it covers the whole image."""
        field = conv_receptive_field([*self.main, self.conv1])
        return field if field < self.image_size else None

    def example_inputs(self, batch: int = 1, size: int | None = None) -> tuple[torch.Tensor, ...]:
        """A random image batch at ``image_size`` (the class head fixes the size)."""
        size = size or self.image_size
        return (torch.randn(batch, 3, size, size),)

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        h = self.main(x)  # [N, 3, S, S] -> [N, D, S/64, S/64]
        out_src = self.conv1(h)  # [N, 1, S/64, S/64] real/fake logits
        out_cls = self.conv2(h)  # [N, c_dim, 1, 1] domain logits
        return out_src, out_cls.reshape(out_cls.shape[0], out_cls.shape[1])
