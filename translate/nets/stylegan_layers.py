"""StyleGAN2 building blocks in plain PyTorch (no custom CUDA ops; exportable to ONNX).

- equalised learning rate (Karras et al. 2018): weights are stored N(0, 1) / lr_mul and scaled at
  run time by lr_mul / sqrt(fan_in), so Adam's per-parameter steps are uniform across layers;
- ``lrelu`` is LeakyReLU(0.2) times sqrt(2) (StyleGAN's ``bias_act`` gain);
- modulated convolution with demodulation (StyleGAN2 eq. 1-3), computed the "non-fused" way
  (scale the input activations by the styles, one shared convolution, scale the output by the
  demodulation coefficients), which keeps the batch axis dynamic in ONNX (grouped convs would not).

Deviation from the official code, stated: resampling uses bilinear 2x upsampling and 2x2 average
pooling instead of the [1, 3, 3, 1] FIR filters with transposed / strided convolutions.
"""

from __future__ import annotations

import itertools
import math

import torch
import torch.nn.functional as F
from torch import Tensor, nn

SQRT2 = math.sqrt(2.0)
NOISE_MODES = ("random", "const", "none")


def act(x: Tensor, activation: str) -> Tensor:
    """``linear`` or ``lrelu`` (LeakyReLU 0.2 with gain sqrt(2))."""
    return F.leaky_relu(x, 0.2) * SQRT2 if activation == "lrelu" else x


def normalize_2nd_moment(x: Tensor, eps: float = 1e-8) -> Tensor:
    """x / sqrt(mean(x^2)) over axis 1 (StyleGAN's z normalisation; ProGAN's pixel norm).  # [N, C, ...] -> same"""
    return x * (x.square().mean(dim=1, keepdim=True) + eps).rsqrt()


def upsample2x(x: Tensor) -> Tensor:
    """Bilinear 2x upsampling.  # [N, C, H, W] -> [N, C, 2H, 2W]"""
    return F.interpolate(x, scale_factor=2.0, mode="bilinear", align_corners=False)


def downsample2x(x: Tensor) -> Tensor:
    """2x2 average pooling.  # [N, C, H, W] -> [N, C, H/2, W/2]"""
    return F.avg_pool2d(x, 2)


def layer_noise(x: Tensor, noise_const: Tensor, noise_mode: str) -> Tensor | None:
    """The noise map a synthesis layer adds to ``x``: [N, 1, H, W] random, [1, 1, H, W] stored, or None."""
    if noise_mode == "random":
        return torch.randn(x.shape[0], 1, x.shape[2], x.shape[3], device=x.device, dtype=x.dtype)
    if noise_mode == "const":
        return noise_const
    return None


class EqualLinear(nn.Module):
    """Fully connected layer with equalised learning rate and an lr multiplier (mapping net: 0.01)."""

    def __init__(self, in_f: int, out_f: int, bias: bool = True, bias_init: float = 0.0,
                 lr_mul: float = 1.0, activation: str = "linear") -> None:
        super().__init__()
        self.weight = nn.Parameter(torch.randn(out_f, in_f) / lr_mul)
        self.bias = nn.Parameter(torch.full((out_f,), float(bias_init))) if bias else None
        self.weight_gain = lr_mul / math.sqrt(in_f)
        self.bias_gain = lr_mul
        self.activation = activation

    def forward(self, x: Tensor) -> Tensor:
        b = self.bias * self.bias_gain if self.bias is not None else None
        return act(F.linear(x, self.weight * self.weight_gain, b), self.activation)  # [N, in] -> [N, out]


class EqualConv2d(nn.Module):
    """Convolution with equalised learning rate; ``down`` pools 2x before the conv (D side)."""

    def __init__(self, in_ch: int, out_ch: int, kernel: int, bias: bool = True, activation: str = "linear",
                 down: bool = False, gain: float = 1.0) -> None:
        super().__init__()
        self.weight = nn.Parameter(torch.randn(out_ch, in_ch, kernel, kernel))
        self.bias = nn.Parameter(torch.zeros(out_ch)) if bias else None
        self.weight_gain = 1.0 / math.sqrt(in_ch * kernel * kernel)
        self.activation, self.down, self.gain, self.padding = activation, down, gain, kernel // 2

    def forward(self, x: Tensor) -> Tensor:
        if self.down:
            x = downsample2x(x)  # [N, C, H, W] -> [N, C, H/2, W/2]
        x = F.conv2d(x, self.weight * self.weight_gain, self.bias, padding=self.padding)
        return act(x, self.activation) * self.gain


class ModulatedConv2d(nn.Module):
    """Style-modulated convolution; ``demodulate`` rescales each output map to unit expected std."""

    def __init__(self, in_ch: int, out_ch: int, kernel: int, w_dim: int, demodulate: bool = True, up: bool = False) -> None:
        super().__init__()
        self.affine = EqualLinear(w_dim, in_ch, bias_init=1.0)  # w -> per-input-channel styles
        self.weight = nn.Parameter(torch.randn(out_ch, in_ch, kernel, kernel))
        self.weight_gain = 1.0 / math.sqrt(in_ch * kernel * kernel)
        self.demodulate, self.up, self.padding = demodulate, up, kernel // 2

    def forward(self, x: Tensor, w: Tensor) -> Tensor:
        styles = self.affine(w)  # [N, w_dim] -> [N, in]
        weight = self.weight * self.weight_gain  # [out, in, k, k]
        if self.up:
            x = upsample2x(x)  # [N, in, H, W] -> [N, in, 2H, 2W]
        x = F.conv2d(x * styles[:, :, None, None], weight, padding=self.padding)  # [N, out, H', W']
        if self.demodulate:
            # sigma_j = sqrt(sum_{i,k} (s_i w_ijk)^2): [N, in] @ [in, out] -> [N, out]
            dcoefs = (styles.square() @ weight.square().sum(dim=(2, 3)).t() + 1e-8).rsqrt()
            x = x * dcoefs[:, :, None, None]
        return x


class SynthesisLayer(nn.Module):
    """Modulated 3x3 conv + per-pixel noise (learned strength) + bias + lrelu."""

    def __init__(self, in_ch: int, out_ch: int, w_dim: int, resolution: int, up: bool = False) -> None:
        super().__init__()
        self.conv = ModulatedConv2d(in_ch, out_ch, 3, w_dim, demodulate=True, up=up)
        self.register_buffer("noise_const", torch.randn(1, 1, resolution, resolution))
        self.noise_strength = nn.Parameter(torch.zeros([]))
        self.bias = nn.Parameter(torch.zeros(out_ch))
        self.resolution = resolution

    def forward(self, x: Tensor, w: Tensor, noise_mode: str = "random") -> Tensor:
        x = self.conv(x, w)  # [N, out, R, R]
        noise = layer_noise(x, self.noise_const, noise_mode)
        if noise is not None:
            x = x + noise * self.noise_strength
        return act(x + self.bias[None, :, None, None], "lrelu")


class ToRGB(nn.Module):
    """Modulated 1x1 conv to RGB, no demodulation, linear."""

    def __init__(self, in_ch: int, w_dim: int, out_ch: int = 3) -> None:
        super().__init__()
        self.conv = ModulatedConv2d(in_ch, out_ch, 1, w_dim, demodulate=False)
        self.bias = nn.Parameter(torch.zeros(out_ch))

    def forward(self, x: Tensor, w: Tensor) -> Tensor:
        return self.conv(x, w) + self.bias[None, :, None, None]  # [N, C, R, R] -> [N, 3, R, R]


class MappingNetwork(nn.Module):
    """z -> w: normalise z, ``num_layers`` FC lrelu layers at lr multiplier 0.01; tracks w_avg."""

    def __init__(self, z_dim: int, w_dim: int, num_layers: int = 8, lr_mul: float = 0.01, w_avg_beta: float = 0.995) -> None:
        super().__init__()
        dims = [z_dim] + [w_dim] * num_layers
        self.layers = nn.ModuleList(
            EqualLinear(a, b, lr_mul=lr_mul, activation="lrelu") for a, b in itertools.pairwise(dims)
        )
        self.w_avg_beta = w_avg_beta
        self.register_buffer("w_avg", torch.zeros(w_dim))

    def forward(self, z: Tensor, track: bool = False) -> Tensor:
        x = normalize_2nd_moment(z)  # [N, z_dim]
        for layer in self.layers:
            x = layer(x)  # [N, w_dim]
        if track:  # running mean of w for the truncation trick (training passes only)
            with torch.no_grad():
                self.w_avg.copy_(x.detach().mean(dim=0).lerp(self.w_avg, self.w_avg_beta))
        return x
