"""``SeededDataset``: items as pure functions of (seed, epoch, index), with bad-file skipping.

The engine's sampler yields keys ``(epoch, index)`` (a plain int means epoch 0). Every random
choice made for an item (crop, flip, the random B of unpaired data) comes from
``np.random.default_rng([seed, epoch, index])``, so a resumed run and any number of DataLoader
workers produce exactly the same batches.

Item keys per layout (tensors are float32 RGB in [-1, 1]):

==================================  ===============================================================
aligned, folders, derived, unpaired ``A`` [3,H,W], ``B`` [3,H,W], ``A_path`` str, ``B_path`` str
domains                             ``image`` [3,H,W], ``label`` one-hot float [C], ``domain`` int,
                                    ``path`` str
attributes                          ``image`` [3,H,W], ``label`` multi-hot float {0,1} [C], ``path``
single                              ``image`` [3,H,W], ``path`` (+ ``label``, ``domain`` with labels)
==================================  ===============================================================

Images whose shorter side is under ``MIN_SIDE`` (16 px) are refused as bad files: upscaling a 1x1
image to the crop size trains on a flat colour. A bad file stops loading with a one-line error
that names ``--skip-bad`` (``data.skip_bad``: skip and count it instead).

Every item also carries ``skipped``: the errors of bad files skipped to produce it (``data.skip_bad``),
newline-separated, empty when none, so the training process can report files that workers skipped.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image
from torch.utils.data import Dataset

from ..config import DataConfig
from ..errors import ConfigError, InputError
from ..runtime.imagefiles import input_error, load_image

log = logging.getLogger("translate.data")


MIN_SIDE = 16  # px: the smallest image side training data loading accepts (datasets check reports smaller ones)
SKIP_HINT = "translate train --skip-bad skips bad files"


def check_min_side(path: str | Path, size: tuple[int, int]) -> None:
    """InputError when the image's shorter side is under ``MIN_SIDE`` px."""
    if min(size) < MIN_SIDE:
        raise InputError(f"{path}: image is {size[0]}x{size[1]} px, under the {MIN_SIDE} px minimum side for training data")


def with_skip_hint(message: str) -> str:
    """A bad-file message with the ``--skip-bad`` hint (once)."""
    return message if SKIP_HINT in message else f"{message} ({SKIP_HINT})"


def parse_key(key: Any) -> tuple[int, int]:
    """``(epoch, index)`` from a sampler key: a pair, or a plain int (epoch 0)."""
    if isinstance(key, (tuple, list)):
        if len(key) != 2:
            raise KeyError(f"dataset key must be (epoch, index) or an int, got {key!r}")
        return int(key[0]), int(key[1])
    if hasattr(key, "ndim") and key.ndim == 1 and len(key) == 2:  # tensor/array pair
        return int(key[0]), int(key[1])
    return 0, int(key)


def item_rng(seed: int, epoch: int, index: int, attempt: int = 0) -> np.random.Generator:
    """The generator for one item (``attempt`` > 0 when a bad file was skipped)."""
    words = [seed, epoch, index] + ([attempt] if attempt else [])
    return np.random.default_rng([int(w) % 2**63 for w in words])


class SeededDataset(Dataset):
    """Base class: subclasses set ``self.root`` and implement ``__len__`` and ``get(index, rng)``."""

    layout = ""

    def __init__(
        self, cfg: DataConfig, split: str = "train", train: bool = True, seed: int = 0, multiple: int = 1
    ) -> None:
        self.cfg = cfg
        self.split = split
        self.train = train
        self.seed = int(seed)
        self.multiple = int(multiple)
        self.root = Path(cfg.root) if cfg.root else Path(".")
        self.skip_bad = bool(cfg.skip_bad)
        self.bad_files: dict[str, str] = {}  # path -> reason (this process only)
        if not cfg.root:
            raise InputError("data.root: no data folder given (use --data DIR)")
        if not self.root.exists():
            raise InputError(f"{self.root}: no such folder")

    # ---------------------------------------------------------------- subclass API
    def __len__(self) -> int:  # pragma: no cover - abstract
        raise NotImplementedError

    def get(self, index: int, rng: np.random.Generator) -> dict[str, Any]:  # pragma: no cover
        """The item at ``index`` with every random choice drawn from ``rng``."""
        raise NotImplementedError

    def full_check(self) -> list[str]:
        """Layout-level problems found by reading every header/row (used by ``scan_folder``)."""
        return []

    # ---------------------------------------------------------------- helpers
    def load(self, path: str | Path) -> Image.Image:
        """Decode one image with the config's pixel limit and alpha handling (``MIN_SIDE`` px at least)."""
        img = load_image(path, max_pixels=self.cfg.max_pixels, alpha=self.cfg.alpha)
        check_min_side(path, img.size)
        return img

    def limit(self, items: list) -> list:
        """The first ``data.max_items`` items (all when 0)."""
        return items[: self.cfg.max_items] if self.cfg.max_items > 0 else items

    @property
    def bad_count(self) -> int:
        """How many distinct bad files were skipped (in this process)."""
        return len(self.bad_files)

    def _record_bad(self, err: InputError) -> None:
        path = getattr(err, "path", None) or str(err).split(": ", 1)[0]
        if path not in self.bad_files:
            self.bad_files[path] = str(err)
            log.warning("skipping bad file (data.skip_bad): %s", err)

    # ---------------------------------------------------------------- Dataset API
    def __getitem__(self, key: Any) -> dict[str, Any]:
        epoch, index = parse_key(key)
        n = len(self)
        if not 0 <= index < n:
            raise IndexError(f"index {index} out of range for {n} items")
        skipped: list[str] = []
        for attempt in range(n):  # a bad item is replaced by the next index, deterministically
            i = (index + attempt) % n
            try:
                item = self.get(i, item_rng(self.seed, epoch, index, attempt))
                # reported to the main process (workers keep their own bad_files)
                item["skipped"] = "\n".join(skipped)
                return item
            except InputError as err:
                if not self.skip_bad:
                    raise InputError(with_skip_hint(str(err))) from None
                self._record_bad(err)
                skipped.append(str(err))
        raise InputError(f"{self.root}: every item failed to load ({self.bad_count} bad files)")

    def __repr__(self) -> str:
        return f"{type(self).__name__}(root={str(self.root)!r}, split={self.split!r}, items={len(self)})"


DIRECTIONS = {"AtoB": False, "BtoA": True}  # direction -> swap A and B


def check_direction(direction: str) -> None:
    """ConfigError unless ``direction`` is AtoB or BtoA."""
    if direction not in DIRECTIONS:
        raise ConfigError(f"data.direction: expected AtoB or BtoA, got {direction!r}")


def apply_direction(item: dict[str, Any], direction: str) -> dict[str, Any]:
    """Swap ``A``/``B`` (and their paths) for ``BtoA`` so ``item["A"]`` is always the input."""
    check_direction(direction)
    if not DIRECTIONS[direction]:
        return item
    swapped = {"A": "B", "B": "A", "A_path": "B_path", "B_path": "A_path"}
    return {swapped.get(k, k): v for k, v in item.items()}


def check_even_width(path: str | Path, width: int) -> None:
    """Aligned A|B images must split into two equal halves."""
    if width % 2:
        raise input_error(path, f"width {width} is odd; an aligned pair is A|B side by side with equal halves")
