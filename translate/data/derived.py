"""Derived pairs: (A, B) made on the fly from any photo folder, for pix2pix-style training.

``data.derive`` picks how A is computed from the photo B (after augmentation, so A and B stay
pixel-aligned):

=================  ==========================================================================
``colorization``   A = grayscale photo (ITU-R 601 luma) replicated to 3 channels
``edges``          A = Canny edge map (kornia) drawn as dark lines on white
``sketch``         A = pencil sketch (grayscale colour-dodge of its blurred negative)
``blur``           A = Gaussian-blurred photo (sigma 2 px per 256 px of the short side)
=================  ==========================================================================

Folders: ``ROOT/<split>/`` (recursively) when it exists, else ROOT itself for the train split
(sub-folders named like the other splits are left out). Items are those of ``aligned``:
``{"A", "B", "A_path", "B_path"}`` with both paths naming the photo.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from pathlib import Path
from typing import Any

import kornia
import numpy as np
import torch

from ..config import DataConfig
from ..errors import ConfigError
from ..registry import DATASETS, Registry
from .base import SeededDataset, apply_direction, check_direction
from .checks import header_pass, require_images, split_dir
from .transforms import build_transform

Derivation = Callable[[torch.Tensor], torch.Tensor]  # [3, H, W] in [-1, 1] -> [3, H, W] in [-1, 1]
DERIVATIONS: Registry[Derivation] = Registry("derived-pair kind")


def _gray01(photo: torch.Tensor) -> torch.Tensor:
    """[3, H, W] in [-1, 1] -> [1, 1, H, W] luma in [0, 1]."""
    return kornia.color.rgb_to_grayscale((photo[None] + 1.0) / 2.0)


def _from01(x: torch.Tensor) -> torch.Tensor:
    """[1, 1, H, W] in [0, 1] -> [3, H, W] in [-1, 1]."""
    return (x[0].clamp(0, 1) * 2.0 - 1.0).expand(3, -1, -1).contiguous()


def _sigma(photo: torch.Tensor, per_256: float) -> tuple[tuple[int, int], tuple[float, float]]:
    s = per_256 * min(photo.shape[-2:]) / 256.0
    s = max(s, 0.5)
    k = 2 * math.ceil(3 * s) + 1
    return (k, k), (s, s)


@DERIVATIONS.register("colorization")
def colorization(photo: torch.Tensor) -> torch.Tensor:
    """Grayscale version of the photo (3 equal channels)."""
    return _from01(_gray01(photo))


@DERIVATIONS.register("edges")
def edges(photo: torch.Tensor, low: float = 0.1, high: float = 0.2) -> torch.Tensor:
    """Canny edges as black lines on white."""
    # no hysteresis: ~40x faster on CPU; weak edges stay as grey lines (0.5)
    _, e = kornia.filters.canny(_gray01(photo), low_threshold=low, high_threshold=high, hysteresis=False)
    return _from01(1.0 - e)


@DERIVATIONS.register("sketch")
def sketch(photo: torch.Tensor) -> torch.Tensor:
    """Pencil-sketch look: gray / (1 - blur(1 - gray)) (colour dodge)."""
    g = _gray01(photo)
    k, s = _sigma(photo, 4.0)
    blurred = kornia.filters.gaussian_blur2d(1.0 - g, k, s, border_type="reflect")
    return _from01(g / (1.0 - blurred).clamp_min(1e-3))


@DERIVATIONS.register("blur")
def blur(photo: torch.Tensor) -> torch.Tensor:
    """Gaussian-blurred photo (deblurring pairs)."""
    k, s = _sigma(photo, 2.0)
    return kornia.filters.gaussian_blur2d(photo[None], k, s, border_type="reflect")[0]


@DATASETS.register("derived")
class DerivedPairDataset(SeededDataset):
    """Pairs derived from single photos: A = DERIVATIONS[data.derive](photo), B = photo."""

    layout = "derived"
    expects = "photos under ROOT/<split>/ or ROOT/ (any depth)"

    def __init__(
        self, cfg: DataConfig, split: str = "train", train: bool = True, seed: int = 0, multiple: int = 1
    ) -> None:
        super().__init__(cfg, split, train, seed, multiple)
        if not cfg.derive:
            raise ConfigError(f"data.derive: choose how to derive A from photos: {', '.join(DERIVATIONS)}")
        self.derive = DERIVATIONS.get(cfg.derive)
        self.folder = split_dir(self.root, split, fallback=True, expected=self.expects)
        files = require_images(self.folder, recursive=True, expected=self.expects)
        if self.folder == self.root:  # keep held-out splits out of the fallback
            other = {cfg.val_split, "val", "test"} - {split}
            files = [p for p in files if p.relative_to(self.root).parts[0] not in other] or files
        self.files: list[Path] = self.limit(files)
        self.pipe = build_transform(cfg, train, multiple)
        header_pass(self.files, cfg, None, self.bad_files)
        check_direction(cfg.direction)

    def __len__(self) -> int:
        return len(self.files)

    def get(self, index: int, rng: np.random.Generator) -> dict[str, Any]:
        """Augment the photo, then derive A from it."""
        path = self.files[index]
        photo = self.pipe(rng, image=self.load(path))["image"]  # [3, H, W]
        with torch.no_grad():
            a = self.derive(photo)  # [3, H, W]
        item = {"A": a, "B": photo, "A_path": str(path), "B_path": str(path)}
        return apply_direction(item, self.cfg.direction)
