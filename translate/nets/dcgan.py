"""DCGAN generator and discriminator (Radford et al. 2016), optionally class-conditional.

Layouts follow pytorch/examples ``dcgan`` (``self.main`` Sequential, no conv biases, BatchNorm
everywhere except the generator output and the discriminator input), so its 64 px checkpoints
load by key. The discriminator returns logits (no sigmoid); losses apply their own activation.

Class conditioning (``num_classes > 0``):

- generator: ``z * embed(y)`` with ``embed = nn.Embedding(num_classes, nz)`` (multiplicative, as in
  the common PyTorch cGAN recipe);
- discriminator: projection (Miyato & Koyama 2018), ``psi(phi(x)) + <embed(y), sum_hw phi(x)>``
  where ``phi`` is the conv trunk and ``psi`` the final 4x4 conv.
"""

from __future__ import annotations

import math
from typing import Callable

import torch
from torch import nn

from ..errors import ConfigError
from ..registry import DISCRIMINATORS, GENERATORS
from .layers import MinibatchStdDev, activations_after, norm_layer


def _no_minibatch() -> tuple[list[nn.Module], int]:
    return [], 0


def _stddev() -> tuple[list[nn.Module], int]:
    layer = MinibatchStdDev()
    return [layer], layer.num_features


# minibatch option -> (layers inserted before the discriminator's last conv, channels they add)
MINIBATCH: dict[str, Callable[[], tuple[list[nn.Module], int]]] = {
    "none": _no_minibatch,
    "stddev": _stddev,
}


def _middle_stages(image_size: int) -> int:
    """Number of stride-2 stages between the 4x4 core and the outermost layer."""
    if image_size < 8 or image_size & (image_size - 1):
        raise ConfigError(f"image_size: DCGAN needs a power of two >= 8, got {image_size}")
    return int(math.log2(image_size)) - 3  # 64 px -> 3, 32 px -> 2


@GENERATORS.register("dcgan_64", image_size=64)
@GENERATORS.register("dcgan_32", image_size=32)
@GENERATORS.register("dcgan")
class DCGANGenerator(nn.Module):
    """DCGAN generator: z [N, nz] (+ class y [N]) -> image [N, nc, S, S] in [-1, 1]."""

    kind = "latent"
    input_multiple = 1

    def __init__(
        self, nz: int = 100, ngf: int = 64, nc: int = 3, image_size: int = 64, num_classes: int = 0
    ) -> None:
        super().__init__()
        stages = _middle_stages(image_size)
        self.z_dim, self.out_channels = nz, nc
        self.image_size, self.num_classes = image_size, num_classes
        self.embed = nn.Embedding(num_classes, nz) if num_classes > 0 else None
        ch = ngf * 2**stages
        # [N, nz, 1, 1] -> [N, ch, 4, 4]
        layers: list[nn.Module] = [
            nn.ConvTranspose2d(nz, ch, 4, stride=1, padding=0, bias=False),
            nn.BatchNorm2d(ch),
            nn.ReLU(True),
        ]
        for _ in range(stages):  # [N, c, s, s] -> [N, c/2, 2s, 2s]
            layers += [
                nn.ConvTranspose2d(ch, ch // 2, 4, stride=2, padding=1, bias=False),
                nn.BatchNorm2d(ch // 2),
                nn.ReLU(True),
            ]
            ch //= 2
        # [N, ngf, S/2, S/2] -> [N, nc, S, S]
        layers += [nn.ConvTranspose2d(ch, nc, 4, stride=2, padding=1, bias=False), nn.Tanh()]
        self.main = nn.Sequential(*layers)

    def example_inputs(self, batch: int = 1, size: int | None = None) -> tuple[torch.Tensor, ...]:
        """Random latents (and class labels when conditional); ``size`` is ignored."""
        z = torch.randn(batch, self.z_dim)
        if self.embed is None:
            return (z,)
        return z, torch.randint(0, self.num_classes, (batch,))

    def forward(self, z: torch.Tensor, y: torch.Tensor | None = None) -> torch.Tensor:
        z = z.reshape(z.shape[0], -1)  # [N, nz] or [N, nz, 1, 1] -> [N, nz]
        if self.embed is not None:
            if y is None:
                raise ValueError("this generator is class-conditional: pass labels y [N]")
            z = z * self.embed(y)  # [N, nz] * [N, nz]
        return self.main(z[:, :, None, None])  # [N, nz, 1, 1] -> [N, nc, S, S]


@DISCRIMINATORS.register("dcgan_64", image_size=64)
@DISCRIMINATORS.register("dcgan_32", image_size=32)
@DISCRIMINATORS.register("dcgan")
class DCGANDiscriminator(nn.Module):
    """DCGAN discriminator: image [N, nc, S, S] (+ class y [N]) -> logits [N, 1, 1, 1]."""

    receptive_field = None  # one global logit per image

    def __init__(
        self,
        ndf: int = 64,
        nc: int = 3,
        image_size: int = 64,
        num_classes: int = 0,
        minibatch: str = "none",
        norm: str = "batch",
    ) -> None:
        super().__init__()
        make_norm = norm_layer(norm)  # "none": identity (no BN under R1/R2 or GP, as WGAN-GP/R3GAN)
        if minibatch not in MINIBATCH:
            choices = ", ".join(MINIBATCH)
            raise ConfigError(f"minibatch: unknown {minibatch!r}; available: {choices}")
        stages = _middle_stages(image_size)
        self.in_channels, self.image_size, self.num_classes = nc, image_size, num_classes
        # [N, nc, S, S] -> [N, ndf, S/2, S/2], no norm on the input layer
        layers: list[nn.Module] = [nn.Conv2d(nc, ndf, 4, stride=2, padding=1, bias=False)]
        layers.append(nn.LeakyReLU(0.2, True))
        ch = ndf
        for _ in range(stages):  # [N, c, s, s] -> [N, 2c, s/2, s/2]
            layers += [
                nn.Conv2d(ch, ch * 2, 4, stride=2, padding=1, bias=False),
                make_norm(ch * 2),
                nn.LeakyReLU(0.2, True),
            ]
            ch *= 2
        self._trunk_len = len(layers)  # main[:trunk_len] is phi(x): [N, ch, 4, 4]
        extra_layers, extra_ch = MINIBATCH[minibatch]()
        layers += extra_layers
        # psi: [N, ch (+F), 4, 4] -> [N, 1, 1, 1]
        layers.append(nn.Conv2d(ch + extra_ch, 1, 4, stride=1, padding=0, bias=False))
        self.main = nn.Sequential(*layers)
        self.embed = nn.Embedding(num_classes, ch) if num_classes > 0 else None
        if self.embed is not None:
            nn.init.xavier_uniform_(self.embed.weight)

    def example_inputs(self, batch: int = 1, size: int | None = None) -> tuple[torch.Tensor, ...]:
        """A random image batch at ``image_size`` (and class labels when conditional)."""
        x = torch.randn(batch, self.in_channels, self.image_size, self.image_size)
        if self.embed is None:
            return (x,)
        return x, torch.randint(0, self.num_classes, (batch,))

    def forward(self, x: torch.Tensor, y: torch.Tensor | None = None) -> torch.Tensor:
        h = self.main[: self._trunk_len](x)  # phi: [N, nc, S, S] -> [N, C, 4, 4]
        out = self.main[self._trunk_len :](h)  # psi: [N, C, 4, 4] -> [N, 1, 1, 1]
        if self.embed is None:
            return out
        if y is None:
            raise ValueError("this discriminator is class-conditional: pass labels y [N]")
        proj = (self.embed(y) * h.sum(dim=(2, 3))).sum(dim=1)  # [N, C] . [N, C] -> [N]
        return out + proj[:, None, None, None]

    def features(self, x: torch.Tensor, y: torch.Tensor | None = None) -> list[torch.Tensor]:
        """The trunk's activations after each LeakyReLU; the last is phi(x) [N, C, 4, 4] (labels unused)."""
        return activations_after(self.main[: self._trunk_len], x)[1]
