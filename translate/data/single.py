"""Single/unconditional layout (DCGAN, StyleGAN): any folder of images, searched recursively.

Uses ``ROOT/<split>/`` when it exists, else ROOT itself (train split only). Items:
``{"image": [3,H,W], "path": str}``. With class labels (``labels=True`` or ``data.domains`` set,
for class-conditional DCGAN) every sub-folder of the split folder is a class, as in ``domains``,
and items also carry ``"label"`` (one-hot float [C]) and ``"domain"`` (int).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from ..config import DataConfig
from ..registry import DATASETS
from .base import SeededDataset
from .checks import header_pass, require_images, split_dir
from .multidomain import domain_folders, one_hot
from .transforms import build_transform


@DATASETS.register("single")
class SingleFolderDataset(SeededDataset):
    """Any folder of images (recursive); optional class labels from sub-folder names."""

    layout = "single"
    expects = "images under ROOT/<split>/ or ROOT/ (any depth)"

    def __init__(
        self,
        cfg: DataConfig,
        split: str = "train",
        train: bool = True,
        seed: int = 0,
        multiple: int = 1,
        labels: bool = False,
    ) -> None:
        super().__init__(cfg, split, train, seed, multiple)
        folder = split_dir(self.root, split, fallback=True, expected=self.expects)
        self.labelled = bool(labels or cfg.domains)
        self.domain_names: list[str] = []
        if self.labelled:
            self.domain_names, items = domain_folders(folder, cfg.domains)
        else:
            items = [(p, -1) for p in require_images(folder, recursive=True, expected=self.expects)]
        self.items: list[tuple[Path, int]] = self.limit(items)
        self.pipe = build_transform(cfg, train, multiple)
        header_pass([p for p, _ in self.items], cfg, None, self.bad_files)

    def __len__(self) -> int:
        return len(self.items)

    @property
    def num_domains(self) -> int:
        """Number of classes (0 without labels)."""
        return len(self.domain_names)

    def get(self, index: int, rng: np.random.Generator) -> dict[str, Any]:
        """The augmented image (plus label/domain when labelled)."""
        path, d = self.items[index]
        item: dict[str, Any] = {"image": self.pipe(rng, image=self.load(path))["image"], "path": str(path)}
        if self.labelled:
            item.update(label=one_hot(d, self.num_domains), domain=d)
        return item
