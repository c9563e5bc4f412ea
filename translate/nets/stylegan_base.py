"""What every StyleGAN generator shares, whatever its synthesis style.

The ``stylegan`` generator (``nets/stylegan.py``) takes ``style: modulated | adain``:

- ``modulated``: StyleGAN2 synthesis (modulated / demodulated convs, skip ToRGBs; ``nets/stylegan.py``);
- ``adain``: StyleGAN1 synthesis (instance norm + AdaIN styles, per-channel noise; ``nets/stylegan_adain.py``).

Both subclass :class:`StyleGeneratorBase`, which holds the mapping net (normalised z, FC layers at lr
multiplier 0.01, tracked ``w_avg``), the truncation trick, the ``noise_mode`` check, the output clamp
and the ``forward(z, psi, noise_mode)`` call that the task, predict, export and the latent runtime
use. A subclass builds its layers, sets ``num_ws`` and implements ``_synthesize(ws, noise_mode)``.

Progressive growing (``progressive: true``; the engine's ``progressive.*`` schedule, as StyleGAN1
was trained): the synthesis runs up to the stage's level and fades the new block in with alpha
on the ToRGB outputs (``nets/growing.py``); the mapping net and ``num_ws`` stay the full ones (the
layers above the stage ignore their ws). ``level`` / ``alpha`` rebuild a mid-schedule stage.
Each style registers itself in :data:`STYLES` (filled when ``translate.nets`` is imported).
"""

from __future__ import annotations

import math

import torch
from torch import Tensor

from ..config import OneOf
from ..errors import ConfigError
from ..registry import Registry
from .growing import Growing
from .stylegan_layers import NOISE_MODES, MappingNetwork

STYLES: Registry[type] = Registry("StyleGAN synthesis style")


def log2_resolution(resolution: int) -> int:
    """log2 of a power-of-two resolution in 8..1024, else a ``ConfigError``."""
    if resolution < 8 or resolution & (resolution - 1) or resolution > 1024:
        raise ConfigError(f"resolution: StyleGAN needs a power of two in 8..1024, got {resolution}")
    return int(math.log2(resolution))


def widths(resolution: int, channel_base: int, channel_max: int) -> dict[int, int]:
    """Channels per resolution: min(channel_base // res, channel_max), at least 1."""
    return {2**i: max(1, min(channel_base // 2**i, channel_max)) for i in range(2, log2_resolution(resolution) + 1)}


def check_style(style: str) -> str:
    """``style`` if it names a registered synthesis style, else a ``ConfigError`` (``generator.style``)."""
    problem = OneOf(tuple(STYLES.names())).problem(style)
    if problem:
        raise ConfigError(f"generator.style: {problem}, got {style!r}")
    return style


class StyleGeneratorBase(Growing):
    """Mapping net + truncation + noise modes + clamp; subclasses add the synthesis layers."""

    kind = "latent"
    input_multiple = 1
    # fp16 ONNX parity is ~2e-2 at random init (mapping at lr_mul 0.01); the reference runs the
    # mapping and low resolutions in fp32 too. Export in fp32.
    supports_fp16 = False
    style = ""  # the STYLES name of the subclass
    num_ws = 0  # number of per-layer w inputs the synthesis takes

    def __init__(self, resolution: int, z_dim: int, w_dim: int, mapping_layers: int, mapping_lr_mul: float,
                 w_avg_beta: float, clamp_output: bool, progressive: bool = False, level: int = -1,
                 alpha: float = 1.0, truncation_cutoff: int = 0) -> None:
        super().__init__()
        self.num_levels, self.growing = log2_resolution(resolution) - 1, bool(progressive)
        self.set_stage(self.num_levels - 1 if level < 0 else level, alpha)
        self.z_dim, self.w_dim, self.image_size, self.num_classes = z_dim, w_dim, resolution, 0
        self.clamp_output = clamp_output
        if truncation_cutoff < 0:
            raise ConfigError(f"generator.truncation_cutoff: expected 0 (every layer) or a layer count, got {truncation_cutoff}")
        self.truncation_cutoff = int(truncation_cutoff)  # truncate only ws[:, :cutoff] (0 = every layer)
        self.mapping = MappingNetwork(z_dim, w_dim, mapping_layers, mapping_lr_mul, w_avg_beta)

    def example_inputs(self, batch: int = 1, size: int | None = None) -> tuple[Tensor, ...]:
        """Random latents [batch, z_dim] (``size`` is ignored: the resolution is fixed)."""
        return (torch.randn(batch, self.z_dim),)

    def mapping_ws(self, z: Tensor, psi: float | Tensor = 1.0, track_w_avg: bool = False) -> Tensor:
        """z -> ws [N, num_ws, w_dim], truncated toward w_avg by ``psi`` in the first
        ``truncation_cutoff`` layers (0: every layer, StyleGAN2's default; StyleGAN1 uses 8)."""
        w = self.mapping(z.reshape(z.shape[0], -1), track=track_w_avg)  # [N, w_dim]
        avg, cut = self.mapping.w_avg, self.truncation_cutoff
        if cut == 0 or cut >= self.num_ws:
            w = avg + psi * (w - avg)  # truncation trick (psi = 1: none)
            return w[:, None, :].expand(-1, self.num_ws, -1)
        ws = w[:, None, :].expand(-1, self.num_ws, -1)  # [N, num_ws, w_dim]
        early = torch.arange(self.num_ws, device=w.device)[None, :, None] < cut  # [1, num_ws, 1]
        return torch.where(early, avg + psi * (ws - avg), ws)

    def _synthesize(self, ws: Tensor, noise_mode: str) -> Tensor:
        """ws [N, num_ws, w_dim] -> raw image [N, nc, R, R] at the current stage (the subclass's synthesis net)."""
        raise NotImplementedError

    def synthesis(self, ws: Tensor, noise_mode: str = "random", clamp: bool = True) -> Tensor:
        """ws [N, num_ws, w_dim] -> image [N, 3, R, R]; ``clamp=False``: the raw output (training, as the reference)."""
        if noise_mode not in NOISE_MODES:
            raise ConfigError(f"noise_mode: expected one of {', '.join(NOISE_MODES)}, got {noise_mode!r}")
        img = self._synthesize(ws, noise_mode)
        if clamp and self.clamp_output:  # values in [-1, 1], gradient as if unclamped (straight-through)
            img = img + (img.clamp(-1.0, 1.0) - img).detach()
        return img

    def forward(self, z: Tensor, psi: float | Tensor = 1.0, noise_mode: str = "random") -> Tensor:
        return self.synthesis(self.mapping_ws(z, psi), noise_mode)  # [N, z_dim] -> [N, 3, R, R]

