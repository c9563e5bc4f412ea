"""Datasets for every layout, transforms, input checks and dataset downloads.

Importing this package registers the layouts in ``translate.registry.DATASETS``:
``aligned``, ``folders`` (paired), ``derived``, ``unpaired``, ``domains``, ``attributes``, ``single``.
Build one with ``build_dataset(cfg, split, train=..., seed=..., multiple=...)``; ``layout: auto``
is resolved by ``detect_layout``. Item keys per layout are listed in ``translate.data.base``.
"""

from __future__ import annotations

from typing import Any

from ..config import DataConfig
from ..registry import DATASETS
from ..runtime.imagefiles import IMG_EXTENSIONS, list_images, load_image
from . import derived, multidomain, paired, single, unpaired  # noqa: F401  (register layouts)
from .base import SeededDataset, apply_direction, item_rng, parse_key
from .checks import Report, detect_layout, resolve_layout, scan_folder
from .derived import DERIVATIONS
from .io import save_image, to_pil, to_tensor
from .multidomain import exclusive_groups, hair_groups
from .transforms import PREPROCESS, build_transform


def build_dataset(
    cfg: DataConfig, split: str = "train", train: bool = True, seed: int = 0, multiple: int = 1, **kwargs: Any
) -> SeededDataset:
    """The dataset for ``cfg`` (``layout: auto`` detected from the train split)."""
    layout = resolve_layout(cfg, cfg.split or "train")
    return DATASETS.build(layout, cfg, split=split, train=train, seed=seed, multiple=multiple, **kwargs)


__all__ = [
    "DATASETS", "DERIVATIONS", "IMG_EXTENSIONS", "PREPROCESS", "Report", "SeededDataset",
    "apply_direction", "build_dataset", "build_transform", "detect_layout", "exclusive_groups",
    "hair_groups", "item_rng", "list_images", "load_image", "parse_key", "resolve_layout",
    "save_image", "scan_folder", "to_pil", "to_tensor",
]
