"""Shared building blocks: normalisation factories, upsampling layers, weight init, parameter counts, minibatch layers.

``NORMS`` maps a config string (``"batch"``, ``"instance"``, ...) to a factory
``channels -> module``.
Each entry carries ``meta["conv_bias"]``: whether a convolution followed by that norm gets a
bias, following the pix2pix/CycleGAN reference (bias only before InstanceNorm, whose
affine=False setting has no shift of its own).
"""

from __future__ import annotations

from typing import Callable, Iterable

import torch
from torch import nn
from torch.nn.modules.batchnorm import _BatchNorm
from torch.nn.modules.conv import _ConvNd

from ..errors import ConfigError
from ..registry import Registry

NORMS: Registry[Callable[[int], nn.Module]] = Registry("norm")
INITS: Registry[Callable[[torch.Tensor, float], None]] = Registry("weight init")


@NORMS.register("batch", meta={"conv_bias": False})
def batch_norm(channels: int) -> nn.Module:
    """BatchNorm2d with affine parameters and running statistics (pix2pix default)."""
    return nn.BatchNorm2d(channels, affine=True, track_running_stats=True)


@NORMS.register("instance", meta={"conv_bias": True})
def instance_norm(channels: int) -> nn.Module:
    """InstanceNorm2d without affine parameters or running statistics (CycleGAN reference)."""
    return nn.InstanceNorm2d(channels, affine=False, track_running_stats=False)


@NORMS.register("sync-batch", meta={"conv_bias": False})
def sync_batch_norm(channels: int) -> nn.Module:
    """SyncBatchNorm: BatchNorm whose statistics are reduced across DDP processes."""
    return nn.SyncBatchNorm(channels, affine=True, track_running_stats=True)


# The reference turns the conv bias off for "none" too (its use_bias tests for InstanceNorm only).
@NORMS.register("none", meta={"conv_bias": False})
def no_norm(channels: int) -> nn.Module:
    """No normalisation (identity)."""
    return nn.Identity()


def norm_layer(name: str) -> Callable[[int], nn.Module]:
    """The factory ``channels -> norm module`` registered as ``name`` (ConfigError if unknown)."""
    return NORMS.get(name)


def conv_bias(name: str) -> bool:
    """Whether convolutions followed by norm ``name`` carry a bias (reference ``use_bias``)."""
    return bool(NORMS.entry(name).meta.get("conv_bias", True))


# ---------------------------------------------------------------------------------------------
# 2x upsampling layers of the U-Net and ResNet generators (``upsample:`` option)

UPSAMPLES: Registry[Callable[..., nn.Module]] = Registry("upsample mode")


@UPSAMPLES.register("transpose")
def transpose_up(in_ch: int, out_ch: int, kernel_size: int, bias: bool = True) -> nn.Module:
    """Transposed convolution, stride 2 (the papers' nets); kernel 4 pads 1, kernel 3 pads 1 + output_padding 1."""
    # [N, in_ch, H, W] -> [N, out_ch, 2H, 2W]
    return nn.ConvTranspose2d(in_ch, out_ch, kernel_size, stride=2, padding=1,
                              output_padding=kernel_size % 2, bias=bias)


class ResizeConv(nn.Module):
    """Nearest-neighbour 2x upsample, then a stride-1 convolution (Odena et al. 2016, Distill).

    The convolution has the transposed one's kernel size, so the parameter count is the same
    (``in*out*k*k`` + bias). An odd kernel pads ``k // 2`` on every side; an even kernel (the
    U-Net's 4x4) pads ``(k/2 - 1, k/2)`` (left/top 1, right/bottom 2 for k = 4) so the size
    doubles exactly: its window centre sits half an output pixel right/down of the pixel, which
    the learned kernel absorbs. Nearest rather than bilinear because Odena et al. report their
    best results with it (bilinear only blurs what the convolution must then re-sharpen).
    """

    def __init__(self, in_ch: int, out_ch: int, kernel_size: int, bias: bool = True) -> None:
        super().__init__()
        lo, hi = (kernel_size - 1) // 2, kernel_size // 2
        self.up = nn.Upsample(scale_factor=2.0, mode="nearest")
        self.pad = nn.ZeroPad2d((lo, hi, lo, hi))
        self.conv = nn.Conv2d(in_ch, out_ch, kernel_size, stride=1, padding=0, bias=bias)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        # [N, in, H, W] -> [N, in, 2H, 2W] -> [N, in, 2H + k - 1, 2W + k - 1] -> [N, out, 2H, 2W]
        return self.conv(self.pad(self.up(x)))


UPSAMPLES.add("resize_conv", ResizeConv)


def upsample_layer(mode: str, in_ch: int, out_ch: int, kernel_size: int, bias: bool = True) -> nn.Module:
    """The 2x upsampling layer ``mode`` (``transpose`` | ``resize_conv``); ConfigError naming the valid modes."""
    if mode not in UPSAMPLES:
        raise ConfigError(f"upsample: unknown mode {mode!r}; available: {', '.join(UPSAMPLES.names())}")
    return UPSAMPLES.get(mode)(in_ch, out_ch, kernel_size, bias=bias)


# ---------------------------------------------------------------------------------------------
# Weight initialisation (pix2pix/CycleGAN ``init_weights``)

@INITS.register("normal")
def _normal(weight: torch.Tensor, gain: float) -> None:
    """N(0, gain) (pix2pix/CycleGAN/DCGAN default)."""
    nn.init.normal_(weight, 0.0, gain)


@INITS.register("xavier")
def _xavier(weight: torch.Tensor, gain: float) -> None:
    """Xavier/Glorot normal scaled by gain."""
    nn.init.xavier_normal_(weight, gain=gain)


@INITS.register("kaiming")
def _kaiming(weight: torch.Tensor, gain: float) -> None:
    """Kaiming/He normal (a=0, fan_in); gain unused, as in the reference."""
    nn.init.kaiming_normal_(weight, a=0, mode="fan_in")


@INITS.register("orthogonal")
def _orthogonal(weight: torch.Tensor, gain: float) -> None:
    """Orthogonal matrix scaled by gain."""
    nn.init.orthogonal_(weight, gain=gain)


@INITS.register("none")
def _keep(weight: torch.Tensor, gain: float) -> None:
    """Keep the net's own initialisation (init_weights returns early)."""


def init_weights(net: nn.Module, kind: str = "normal", gain: float = 0.02) -> nn.Module:
    """Initialise conv/linear weights by ``kind`` (biases 0) and BatchNorm weights N(1, gain)."""
    init = INITS.get(kind)  # ConfigError listing the kinds if unknown
    if init is _keep:
        return net
    for m in net.modules():
        if isinstance(m, (_ConvNd, nn.Linear)):
            init(m.weight.data, gain)
            if m.bias is not None:
                nn.init.zeros_(m.bias.data)
        elif isinstance(m, _BatchNorm) and m.affine:
            nn.init.normal_(m.weight.data, 1.0, gain)
            nn.init.zeros_(m.bias.data)
    return net


def count_params(net: nn.Module, trainable_only: bool = False) -> int:
    """Number of parameters (optionally only those with ``requires_grad``)."""
    return sum(p.numel() for p in net.parameters() if p.requires_grad or not trainable_only)


class ScaleLogits(tuple):
    """The logit maps of a multi-scale discriminator, finest first (pix2pixHD): objectives average over the scales."""


# torch.export (ONNX) flattens outputs as pytrees: a tuple subclass must say how
torch.utils._pytree.register_pytree_node(ScaleLogits, lambda x: (list(x), None), lambda xs, _: ScaleLogits(xs))


def activations_after(modules: Iterable[nn.Module], x: torch.Tensor, kind: type = nn.LeakyReLU) -> tuple[torch.Tensor, list[torch.Tensor]]:
    """Run ``modules`` in order on ``x``; returns the output and the activations after every ``kind`` layer.

    Discriminators' ``features`` (feature matching, translate/core/feature_matching.py) read their
    intermediate layers this way without changing their forward pass.
    """
    feats: list[torch.Tensor] = []
    for m in modules:
        x = m(x)
        if isinstance(m, kind):
            feats.append(x)
    return x, feats


def conv_receptive_field(modules: Iterable[nn.Module]) -> int:
    """Receptive field in pixels of a chain of convolutions, read from their kernels and strides."""
    field, jump = 1, 1
    for m in modules:
        if isinstance(m, nn.Conv2d):
            (k, _), (s, _), (d, _) = m.kernel_size, m.stride, m.dilation
            field += (k - 1) * d * jump
            jump *= s
    return field


# ---------------------------------------------------------------------------------------------
# Minibatch layers for discriminators


class MinibatchStdDev(nn.Module):
    """Append the group-wise standard deviation of the batch as extra feature maps (ProGAN).

    Samples are split into ``ceil(N / group_size)`` groups by ``index % groups`` (the StyleGAN
    grouping when N divides evenly; otherwise group sizes differ by at most one). Each group's
    per-feature std, averaged over channels of a slice and pixels, becomes ``num_features`` constant
    maps. Works for any batch size without Python branching, so it exports to ONNX with a dynamic
    batch axis.
    """

    def __init__(self, group_size: int = 4, num_features: int = 1, eps: float = 1e-8) -> None:
        super().__init__()
        if group_size < 1 or num_features < 1:
            raise ValueError("group_size and num_features must be >= 1")
        self.group_size = group_size
        self.num_features = num_features
        self.eps = eps

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        # [N, C, H, W] -> [N, C + F, H, W]
        n, c, h, w = x.shape
        f = self.num_features
        idx = torch.arange(n, device=x.device)  # [N]
        # group count as a tensor, ceil(N / group_size), so ONNX keeps the batch axis dynamic
        groups = torch.div(idx[-1:] + self.group_size, self.group_size, rounding_mode="floor")
        gid = torch.remainder(idx, groups)  # [N] group of each sample
        same = (gid[:, None] == gid[None, :]).to(x.dtype)  # [N, N] same-group mask
        weights = same / same.sum(dim=1, keepdim=True)  # row i averages over i's group
        flat = x.reshape(n, -1)  # [N, C*H*W]
        mean = weights @ flat  # [N, C*H*W] group mean, per sample
        var = weights @ (flat - mean).square()  # [N, C*H*W] biased group variance
        std = (var + self.eps).sqrt().reshape(n, f, -1).mean(dim=2)  # [N, F]
        maps = std[:, :, None, None].expand(n, f, h, w)  # [N, F, H, W]
        return torch.cat([x, maps], dim=1)

    def extra_repr(self) -> str:
        return f"group_size={self.group_size}, num_features={self.num_features}"


class MinibatchDiscrimination(nn.Module):
    """Minibatch discrimination (Salimans et al. 2016): closeness to the rest of the batch.

    Projects each sample to ``out_features`` rows of ``kernel_dims`` and appends, per row,
    ``sum_j exp(-||M_i - M_j||_1)`` over the other samples j.
    """

    def __init__(self, in_features: int, out_features: int, kernel_dims: int) -> None:
        super().__init__()
        self.in_features = in_features
        self.out_features = out_features
        self.kernel_dims = kernel_dims
        self.T = nn.Parameter(torch.randn(in_features, out_features * kernel_dims) * 0.1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        # [N, A] -> [N, A + B]
        m = (x @ self.T).reshape(x.shape[0], self.out_features, self.kernel_dims)  # [N, B, C]
        dist = (m[:, None] - m[None, :]).abs().sum(dim=3)  # [N, N, B]
        closeness = torch.exp(-dist).sum(dim=1) - 1.0  # [N, B], minus the sample itself
        return torch.cat([x, closeness], dim=1)

    def extra_repr(self) -> str:
        return f"{self.in_features}, {self.out_features}, kernel_dims={self.kernel_dims}"
