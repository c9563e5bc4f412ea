"""Multi-domain layouts for StarGAN: one folder per domain, or a CelebA-style attribute table.

``domains``::

    ROOT/train/<domain>/*      e.g. ROOT/train/angry/001.jpg, ROOT/train/happy/...

Items: ``{"image": [3,H,W], "label": one-hot float [C], "domain": int, "path": str}``; the
dataset's ``domain_names`` are the folder names sorted, or ``data.domains`` (a subset, in order).

``attributes`` (CelebA ``list_attr_celeba.txt``)::

    202599                                  <- row count
    5_o_Clock_Shadow Arched_Eyebrows ...    <- attribute names
    000001.jpg -1  1  1 -1 ...              <- file name, then 1 / -1 per attribute

``data.attr_file`` (default ``ROOT/list_attr_celeba.txt``); images in ``ROOT/images``,
``ROOT/img_align_celeba``, the table's folder or ROOT (the first holding the first listed file).
``data.domains`` selects attributes (default: StarGAN's Black_Hair, Blond_Hair, Brown_Hair, Male,
Young when present, else all). Items: ``{"image", "label": multi-hot float {0,1} [C], "path"}``.
Split as in the reference StarGAN: rows shuffled with ``random.Random(1234)``, the first
min(1999, rows // 10) are the test split (any split name but ``train``), the rest train.
"""

from __future__ import annotations

import difflib
import logging
import random
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import torch

from ..config import DataConfig
from ..errors import InputError
from ..registry import DATASETS
from ..runtime.imagefiles import input_error, list_images, natural_key
from .base import SeededDataset
from .checks import header_pass, require_dir, split_dir
from .transforms import build_transform

log = logging.getLogger("translate.data")

CELEBA_DEFAULT = ["Black_Hair", "Blond_Hair", "Brown_Hair", "Male", "Young"]
# attributes of which at most one is true per image; extend to add more groups
EXCLUSIVE_GROUPS: list[tuple[str, ...]] = [("Black_Hair", "Blond_Hair", "Brown_Hair", "Gray_Hair")]
TEST_ROWS, SPLIT_SEED = 1999, 1234  # reference StarGAN: (i + 1) < 2000 after random.seed(1234)


def exclusive_groups(names: Sequence[str]) -> list[list[int]]:
    """Indices into ``names`` of each mutually exclusive group present (e.g. the hair colours)."""
    groups = []
    for group in EXCLUSIVE_GROUPS:
        idx = [i for i, n in enumerate(names) if n in group]
        if idx:
            groups.append(idx)
    return groups


def hair_groups(names: Sequence[str]) -> list[int]:
    """Indices of the CelebA hair colours in ``names`` (StarGAN's ``hair_color_indices``)."""
    return [i for i, n in enumerate(names) if n in EXCLUSIVE_GROUPS[0]]


def select(available: Sequence[str], wanted: Sequence[str], what: str, where: str | Path) -> list[str]:
    """``wanted`` validated against ``available`` (all of ``available`` when empty)."""
    if not wanted:
        return list(available)
    for name in wanted:
        if name not in available:
            close = difflib.get_close_matches(name, available, n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            raise InputError(f"{where}: no {what} {name!r}{hint}; available: {', '.join(available)}")
    return list(wanted)


def domain_folders(folder: Path, wanted: Sequence[str]) -> tuple[list[str], list[tuple[Path, int]]]:
    """(domain names, [(image path, domain index)]) from one sub-folder per domain."""
    subdirs = sorted((d for d in folder.iterdir() if d.is_dir() and not d.name.startswith(".")),
                     key=lambda d: natural_key(d.name))
    available = [d.name for d in subdirs]
    if not available:
        raise InputError(f"{folder}: no domain sub-folders (expected {folder}/<domain>/*.jpg)")
    names = select(available, wanted, "domain folder", folder)
    items = []
    for i, name in enumerate(names):
        files = list_images(folder / name, recursive=True)
        if not files:
            raise InputError(f"{folder / name}: no images found in this domain folder")
        items += [(p, i) for p in files]
    return names, items


def one_hot(index: int, n: int) -> torch.Tensor:
    """Float one-hot vector [n] with a 1 at ``index``."""
    label = torch.zeros(n)
    label[index] = 1.0
    return label


class LabelledDataset(SeededDataset):
    """Shared item building for image + label layouts."""

    domain_names: list[str]

    def _setup(self, cfg: DataConfig, train: bool, multiple: int) -> None:
        self.pipe = build_transform(cfg, train, multiple)

    @property
    def num_domains(self) -> int:
        """Number of labels (domains or selected attributes)."""
        return len(self.domain_names)

    def _image(self, path: Path, rng: np.random.Generator) -> torch.Tensor:
        return self.pipe(rng, image=self.load(path))["image"]  # [3, H, W]


@DATASETS.register("domains")
class DomainFolderDataset(LabelledDataset):
    """Folder per domain: ``ROOT/<split>/<domain>/*`` with one-hot labels."""

    layout = "domains"
    expects = "ROOT/<split>/<domain>/*, one folder per domain"

    def __init__(
        self, cfg: DataConfig, split: str = "train", train: bool = True, seed: int = 0, multiple: int = 1
    ) -> None:
        super().__init__(cfg, split, train, seed, multiple)
        folder = split_dir(self.root, split, fallback=True, expected=self.expects)
        self.domain_names, items = domain_folders(folder, cfg.domains)
        self.items = self.limit(items)
        self._setup(cfg, train, multiple)
        header_pass([p for p, _ in self.items], cfg, None, self.bad_files)

    def __len__(self) -> int:
        return len(self.items)

    def get(self, index: int, rng: np.random.Generator) -> dict[str, Any]:
        """Image, one-hot label [C] and domain index."""
        path, d = self.items[index]
        label = one_hot(d, self.num_domains)  # [C]
        return {"image": self._image(path, rng), "label": label, "domain": d, "path": str(path)}


def read_attr_table(path: Path) -> tuple[list[str], list[str], np.ndarray]:
    """(attribute names, file names, values int8 [N, C] in {1, -1}) of a CelebA-style table."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise input_error(path, f"cannot read the attribute table ({exc})") from None
    if len(lines) < 2 or not lines[0].strip().isdigit():
        raise input_error(path, "not an attribute table (line 1: row count, line 2: attribute names)")
    names = lines[1].split()
    files, values = [], []
    for lineno, line in enumerate(lines[2:], start=3):
        parts = line.split()
        if not parts:
            continue
        if len(parts) != len(names) + 1:
            raise input_error(path, f"line {lineno}: expected a file name and {len(names)} values, "
                                    f"got {len(parts)} fields")
        try:
            vals = [int(v) for v in parts[1:]]
        except ValueError:
            raise input_error(path, f"line {lineno}: values must be 1 or -1") from None
        if any(v not in (1, -1, 0) for v in vals):
            raise input_error(path, f"line {lineno}: values must be 1 or -1")
        files.append(parts[0])
        values.append(vals)
    if int(lines[0]) != len(files):
        log.warning("%s: header says %s rows, found %d", path, lines[0].strip(), len(files))
    if not files:
        raise input_error(path, "the attribute table has no rows")
    return names, files, np.asarray(values, dtype=np.int8).reshape(len(files), len(names))


def split_rows(n: int, split: str) -> list[int]:
    """Row indices of ``split``: reference StarGAN shuffle (seed 1234), first rows are test."""
    order = list(range(n))
    random.Random(SPLIT_SEED).shuffle(order)
    n_test = min(TEST_ROWS, n // 10)
    return order[n_test:] if split == "train" else order[:n_test]


@DATASETS.register("attributes")
class AttributeDataset(LabelledDataset):
    """CelebA-style attribute table; ``data.domains`` selects attributes -> multi-hot labels."""

    layout = "attributes"
    expects = "ROOT/list_attr_celeba.txt and images in ROOT/images/"
    IMAGE_DIRS = ("images", "img_align_celeba")

    def __init__(
        self, cfg: DataConfig, split: str = "train", train: bool = True, seed: int = 0, multiple: int = 1
    ) -> None:
        super().__init__(cfg, split, train, seed, multiple)
        table = Path(cfg.attr_file) if cfg.attr_file else self.root / "list_attr_celeba.txt"
        if not table.is_file():
            raise input_error(table, f"attribute table not found (expected {self.expects}; set data.attr_file)")
        all_names, files, values = read_attr_table(table)
        wanted = cfg.domains or ([n for n in CELEBA_DEFAULT] if set(CELEBA_DEFAULT) <= set(all_names) else [])
        self.domain_names = select(all_names, wanted, "attribute", table)
        cols = [all_names.index(n) for n in self.domain_names]
        self.image_dir = self._find_images(table, files[0])
        rows = self.limit(split_rows(len(files), split))
        if not rows:
            raise InputError(f"{table}: no rows in the {split!r} split ({len(files)} rows in all)")
        self.files = [self.image_dir / files[r] for r in rows]
        self.labels = torch.from_numpy((values[rows][:, cols] > 0).astype(np.float32))  # [N, C] in {0, 1}
        self._setup(cfg, train, multiple)
        header_pass(self.files, cfg, None, self.bad_files)

    def _find_images(self, table: Path, first: str) -> Path:
        candidates = [self.root / d for d in self.IMAGE_DIRS] + [table.parent, self.root]
        for d in candidates:
            if (d / first).is_file():
                return d
        looked = ", ".join(str(d) for d in dict.fromkeys(candidates))
        raise InputError(f"{table}: cannot find the listed images (looked for {first} in {looked})")

    def __len__(self) -> int:
        return len(self.files)

    def get(self, index: int, rng: np.random.Generator) -> dict[str, Any]:
        """Image and multi-hot label [C]."""
        path = self.files[index]
        return {"image": self._image(path, rng), "label": self.labels[index].clone(), "path": str(path)}

    def full_check(self) -> list[str]:
        """Every listed file of the split must exist."""
        require_dir(self.image_dir)
        return [f"{p}: listed in the attribute table but missing" for p in self.files if not p.is_file()]
