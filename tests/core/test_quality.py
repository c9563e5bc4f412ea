"""SSIM of ``translate eval paired`` against scikit-image's ``structural_similarity`` (border excluded)."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from translate.core.quality import SSIM_BORDER, paired_metrics, ssim

skimage_metrics = pytest.importorskip("skimage.metrics")


def _white_background_pair(seed: int, size: int = 64) -> tuple[np.ndarray, np.ndarray]:
    """A dark blob on white and a shifted, noisier copy: [H, W, 3] float in [0, 1]."""
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[0:size, 0:size]
    img = np.ones((size, size, 3))
    blob = (yy - size / 2) ** 2 + (xx - size / 2.5) ** 2 < (size / 4) ** 2
    img[blob] = rng.uniform(0.1, 0.5, size=3)
    other = np.roll(img, 3, axis=1) + rng.normal(0, 0.05, img.shape)
    return img, np.clip(other, 0, 1)


def _skimage_ssim(a: np.ndarray, b: np.ndarray) -> float:
    return skimage_metrics.structural_similarity(a, b, data_range=1.0, channel_axis=2, gaussian_weights=True, sigma=1.5,
                                                 use_sample_covariance=False)


def test_ssim_matches_scikit_image_on_white_backgrounds() -> None:
    pairs = [_white_background_pair(s) for s in range(4)]
    fake = torch.tensor(np.stack([a for a, _ in pairs]), dtype=torch.float32).permute(0, 3, 1, 2)
    real = torch.tensor(np.stack([b for _, b in pairs]), dtype=torch.float32).permute(0, 3, 1, 2)
    ours = ssim(fake, real).numpy()
    want = np.array([_skimage_ssim(a, b) for a, b in pairs])
    assert np.abs(ours - want).max() < 1e-3, (ours, want)
    # the rule matters here: torchmetrics' mean over the reflect-padded border is well above scikit-image's
    from torchmetrics.functional.image import structural_similarity_index_measure

    with_border = structural_similarity_index_measure(fake, real, data_range=1.0, reduction="none").numpy()
    assert (with_border - want).min() > 0.01
    # and paired_metrics (what eval paired reports) uses it, on [-1, 1] inputs
    assert np.allclose(paired_metrics(fake * 2 - 1, real * 2 - 1)["SSIM"].numpy(), ours, atol=1e-5)


def test_ssim_of_identical_images_is_one_and_tiny_images_are_refused() -> None:
    x = torch.rand(2, 3, 32, 32)
    assert torch.allclose(ssim(x, x), torch.ones(2), atol=1e-5)
    with pytest.raises(ValueError, match="larger than 10 px"):
        ssim(torch.rand(1, 3, 2 * SSIM_BORDER, 40), torch.rand(1, 3, 2 * SSIM_BORDER, 40))
