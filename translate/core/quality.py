"""Image-quality metrics: L1 / PSNR / SSIM for paired tasks (torchmetrics functional API).

Inputs are image batches in [-1, 1]; PSNR/SSIM are computed on [0, 1] images. Distribution
metrics (FID/KID) need Inception weights downloaded by torchmetrics/torch-fidelity on first use.
"""

from __future__ import annotations

from typing import Iterable

import torch
from torch import Tensor


def to_unit(x: Tensor) -> Tensor:
    """[-1, 1] -> [0, 1], clamped."""
    return ((x.float() + 1.0) / 2.0).clamp(0.0, 1.0)


def paired_metrics(fake: Tensor, real: Tensor) -> dict[str, Tensor]:
    """Per-image L1 (on [-1, 1]), PSNR (dB) and SSIM for [N, 3, H, W] batches.  -> each [N]"""
    from torchmetrics.functional.image import peak_signal_noise_ratio, structural_similarity_index_measure

    f, r = to_unit(fake), to_unit(real)
    l1 = (fake.float() - real.float()).abs().flatten(1).mean(1)
    psnr = torch.stack([peak_signal_noise_ratio(a[None], b[None], data_range=1.0) for a, b in zip(f, r)])
    ssim = structural_similarity_index_measure(f, r, data_range=1.0, reduction="none")
    return {"L1": l1, "PSNR": psnr, "SSIM": ssim.reshape(-1)}


class MeanMeter:
    """Running means of named per-item values."""

    def __init__(self) -> None:
        self.sums: dict[str, float] = {}
        self.count: dict[str, int] = {}

    def add(self, values: dict[str, Tensor]) -> None:
        for k, v in values.items():
            v = v.detach().float().reshape(-1)
            self.sums[k] = self.sums.get(k, 0.0) + float(v.sum())
            self.count[k] = self.count.get(k, 0) + v.numel()

    def means(self) -> dict[str, float]:
        return {k: self.sums[k] / max(1, self.count[k]) for k in self.sums}


def mean_paired_metrics(pairs: Iterable[tuple[Tensor, Tensor]]) -> dict[str, float]:
    """Mean L1/PSNR/SSIM over an iterable of (fake, real) batches."""
    meter = MeanMeter()
    for fake, real in pairs:
        meter.add(paired_metrics(fake, real))
    return meter.means()
