"""Image-quality metrics: L1 / PSNR / SSIM for paired tasks (torchmetrics functional API).

Inputs are image batches in [-1, 1]; PSNR/SSIM are computed on [0, 1] images. SSIM is Wang et
al.'s (Gaussian window 11, sigma 1.5, K1 0.01, K2 0.03) averaged like scikit-image's
``structural_similarity(gaussian_weights=True, use_sample_covariance=False)``: the SSIM map's
border of ``(window - 1) // 2 = 5`` px, where the window leaves the image, is left out of the
mean (torchmetrics' reflect-padded border would add 0.03-0.05 on white backgrounds). Distribution
metrics (FID/KID) need Inception weights downloaded by torchmetrics/torch-fidelity on first use.
"""

from __future__ import annotations

from typing import Iterable

import torch
from torch import Tensor


def to_unit(x: Tensor) -> Tensor:
    """[-1, 1] -> [0, 1], clamped."""
    return ((x.float() + 1.0) / 2.0).clamp(0.0, 1.0)


SSIM_WINDOW = 11  # Gaussian window (sigma 1.5) of Wang et al. 2004
SSIM_BORDER = (SSIM_WINDOW - 1) // 2  # px of the SSIM map left out of the mean, as scikit-image does


def ssim(fake01: Tensor, real01: Tensor) -> Tensor:
    """Per-image SSIM of [N, C, H, W] images in [0, 1], the map's 5 px border excluded.  -> [N]"""
    from torchmetrics.functional.image import structural_similarity_index_measure

    _, full = structural_similarity_index_measure(fake01, real01, data_range=1.0, kernel_size=SSIM_WINDOW, sigma=1.5,
                                                  reduction="none", return_full_image=True)  # full: [N, C, H, W]
    b = SSIM_BORDER
    if min(full.shape[-2:]) <= 2 * b:
        raise ValueError(f"SSIM needs images larger than {2 * b} px, got {tuple(full.shape[-2:])}")
    return full[..., b:-b, b:-b].flatten(1).mean(1)


def paired_metrics(fake: Tensor, real: Tensor) -> dict[str, Tensor]:
    """Per-image L1 (on [-1, 1]), PSNR (dB) and SSIM (border excluded, see ``ssim``) for [N, 3, H, W] batches.  -> each [N]"""
    from torchmetrics.functional.image import peak_signal_noise_ratio

    f, r = to_unit(fake), to_unit(real)
    l1 = (fake.float() - real.float()).abs().flatten(1).mean(1)
    psnr = torch.stack([peak_signal_noise_ratio(a[None], b[None], data_range=1.0) for a, b in zip(f, r)])
    return {"L1": l1, "PSNR": psnr, "SSIM": ssim(f, r)}


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
