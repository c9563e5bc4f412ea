"""Unpaired layout for CycleGAN: two independent image folders per split::

    ROOT/trainA/*   domain A (e.g. horses)      ROOT/testA/*
    ROOT/trainB/*   domain B (e.g. zebras)      ROOT/testB/*

or ``ROOT/<split>/A`` + ``ROOT/<split>/B`` (paired folders read as unpaired), or for training
``ROOT/A`` + ``ROOT/B`` without a split folder (``checks.pair_dirs``).

Folders may hold different numbers of images. The length is max(len A, len B); item ``i`` takes
A[i mod len A] and a B drawn from the item's generator (``data.serial_batches``: B[i mod len B]),
so the random B is reproducible for a given (seed, epoch, index). A and B are augmented
independently. ``data.direction`` BtoA swaps the two folders' roles.
Items: ``{"A": [3,H,W], "B": [3,H,W], "A_path": str, "B_path": str}`` in [-1, 1].
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from ..config import DataConfig
from ..errors import InputError
from ..registry import DATASETS
from .base import SeededDataset, check_direction
from .checks import header_pass, pair_dirs, require_images
from .transforms import build_transform


@DATASETS.register("unpaired")
class UnpairedDataset(SeededDataset):
    """CycleGAN ``ROOT/<split>A`` + ``ROOT/<split>B`` (or ``<split>/A`` + ``<split>/B``), B random per item."""

    layout = "unpaired"
    expects = "ROOT/<split>A/ and ROOT/<split>B/, or ROOT/<split>/A/ and ROOT/<split>/B/ (train: or ROOT/A/ and ROOT/B/)"

    def __init__(
        self, cfg: DataConfig, split: str = "train", train: bool = True, seed: int = 0, multiple: int = 1
    ) -> None:
        super().__init__(cfg, split, train, seed, multiple)
        dirs = pair_dirs(self.root, split)
        if dirs is None:
            raise InputError(f"{self.root / (split + 'A')}: no such folder (expected {self.expects})")
        dir_a, dir_b = dirs
        self.files_a: list[Path] = self.limit(require_images(dir_a, recursive=True, expected=self.expects))
        self.files_b: list[Path] = self.limit(require_images(dir_b, recursive=True, expected=self.expects))
        if cfg.direction == "BtoA":
            self.files_a, self.files_b = self.files_b, self.files_a
        check_direction(cfg.direction)
        self.pipe = build_transform(cfg, train, multiple)
        header_pass(self.files_a + self.files_b, cfg, None, self.bad_files)

    def __len__(self) -> int:
        return max(len(self.files_a), len(self.files_b))

    def get(self, index: int, rng: np.random.Generator) -> dict[str, Any]:
        """A in order, B at random from ``rng`` (or in order with serial_batches)."""
        pa = self.files_a[index % len(self.files_a)]
        if self.cfg.serial_batches:
            pb = self.files_b[index % len(self.files_b)]
        else:
            pb = self.files_b[int(rng.integers(len(self.files_b)))]
        a = self.pipe(rng, image=self.load(pa))["image"]  # [3, H, W]
        b = self.pipe(rng, image=self.load(pb))["image"]  # [3, H, W], own crop/flip
        return {"A": a, "B": b, "A_path": str(pa), "B_path": str(pb)}
