"""StarGAN generator and discriminator (Choi et al. 2018), laid out like yunjey/stargan.

Attribute names (``main``, ``conv1``, ``conv2``) and Sequential indices match its ``model.py``,
so reference ``{iter}-G.ckpt`` / ``{iter}-D.ckpt`` state dicts load with ``strict=True``.
InstanceNorm is affine and tracks running statistics, as in the reference (so its state dicts
load), but normalises with each image's own statistics in eval mode too (``eval_stats:
instance``, the default): the reference never puts G in eval mode, so its test images are made
with instance statistics. ``eval_stats: running`` uses the tracked averages in eval mode instead
(markedly worse translations on our digits runs, see docs/results.md).
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from ..errors import ConfigError
from ..registry import DISCRIMINATORS, GENERATORS
from .layers import conv_receptive_field


class StarInstanceNorm(nn.InstanceNorm2d):
    """Affine InstanceNorm with running-stat buffers; eval mode uses them only when ``use_running``."""

    def __init__(self, channels: int, use_running: bool = False) -> None:
        super().__init__(channels, affine=True, track_running_stats=True)
        self.use_running = use_running

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self.use_running and not self.training:
            return super().forward(x)
        # per-image statistics; the running averages are updated only while training
        keep = self.training
        return F.instance_norm(x, self.running_mean if keep else None, self.running_var if keep else None,
                               self.weight, self.bias, True, self.momentum or 0.0, self.eps)


def _in_relu(channels: int, use_running: bool = False) -> list[nn.Module]:
    """InstanceNorm(affine, running stats) + ReLU, the reference's norm-activation pair."""
    return [StarInstanceNorm(channels, use_running), nn.ReLU(True)]


class ResidualBlock(nn.Module):
    """``x + [conv3-IN-ReLU-conv3-IN](x)`` with zero padding and no conv bias."""

    def __init__(self, dim: int, use_running: bool = False) -> None:
        super().__init__()
        self.main = nn.Sequential(
            nn.Conv2d(dim, dim, kernel_size=3, stride=1, padding=1, bias=False),
            *_in_relu(dim, use_running),
            nn.Conv2d(dim, dim, kernel_size=3, stride=1, padding=1, bias=False),
            StarInstanceNorm(dim, use_running),
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x + self.main(x)  # [N, C, H, W] -> [N, C, H, W]


@GENERATORS.register("stargan")
class StarGenerator(nn.Module):
    """StarGAN generator: image + target-domain labels (tiled to H x W) -> translated image."""

    kind = "image+domain"
    input_multiple = 4  # two stride-2 downsamplings

    def __init__(self, conv_dim: int = 64, c_dim: int = 5, repeat_num: int = 6, eval_stats: str = "instance") -> None:
        super().__init__()
        if eval_stats not in ("instance", "running"):
            raise ConfigError(f"eval_stats: expected instance or running, got {eval_stats!r}")
        run = eval_stats == "running"
        self.in_channels = self.out_channels = 3
        self.c_dim = c_dim
        dim = conv_dim
        # [N, 3 + c_dim, H, W] -> [N, conv_dim, H, W]
        layers: list[nn.Module] = [
            nn.Conv2d(3 + c_dim, dim, kernel_size=7, stride=1, padding=3, bias=False),
            *_in_relu(dim, run),
        ]
        for _ in range(2):  # [N, d, H, W] -> [N, 2d, H/2, W/2]
            down = nn.Conv2d(dim, dim * 2, kernel_size=4, stride=2, padding=1, bias=False)
            layers += [down, *_in_relu(dim * 2, run)]
            dim *= 2
        layers += [ResidualBlock(dim, run) for _ in range(repeat_num)]
        for _ in range(2):  # [N, d, H, W] -> [N, d/2, 2H, 2W]
            layers += [
                nn.ConvTranspose2d(dim, dim // 2, 4, stride=2, padding=1, bias=False),
                *_in_relu(dim // 2, run),
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
