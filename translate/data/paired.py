"""Paired layouts for pix2pix: ``aligned`` (A|B side by side) and ``folders`` (A/ and B/ by name).

``aligned``::

    ROOT/train/1.jpg      each image is A (left half) | B (right half), e.g. 512x256
    ROOT/val/...

``folders``::

    ROOT/train/A/x.png    matched with ROOT/train/B/x.jpg by file stem
    ROOT/train/B/x.jpg

``data.direction`` BtoA swaps A and B (and their paths) so ``item["A"]`` is always the input.
Items: ``{"A": [3,H,W], "B": [3,H,W], "A_path": str, "B_path": str}`` in [-1, 1].
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image

from ..config import DataConfig
from ..errors import InputError
from ..registry import DATASETS
from ..runtime.imagefiles import natural_key, open_header
from .base import SeededDataset, apply_direction, check_direction, check_even_width
from .checks import header_pass, require_images, split_dir
from .transforms import build_transform


class PairedDataset(SeededDataset):
    """Base for paired layouts: subclasses implement ``pair(index) -> (A, B, A_path, B_path)``."""

    def __init__(
        self, cfg: DataConfig, split: str = "train", train: bool = True, seed: int = 0, multiple: int = 1
    ) -> None:
        super().__init__(cfg, split, train, seed, multiple)
        check_direction(cfg.direction)
        self.pipe = build_transform(cfg, train, multiple, targets=("B",))

    def pair(self, index: int) -> tuple[Image.Image, Image.Image, Path, Path]:  # pragma: no cover
        raise NotImplementedError

    def get(self, index: int, rng: np.random.Generator) -> dict[str, Any]:
        """A and B with identical crop/flip, direction applied."""
        a, b, pa, pb = self.pair(index)
        if b.size != a.size:  # same content at another resolution: bring B onto A's grid
            b = b.resize(a.size, Image.BICUBIC)
        t = self.pipe(rng, image=a, B=b)  # both [3, H, W]
        item = {"A": t["image"], "B": t["B"], "A_path": str(pa), "B_path": str(pb)}
        return apply_direction(item, self.cfg.direction)


@DATASETS.register("aligned")
class AlignedDataset(PairedDataset):
    """pix2pix "aligned": ``ROOT/<split>/*.jpg``, each A|B side by side."""

    layout = "aligned"
    expects = "ROOT/<split>/*.jpg, each A|B side by side"

    def __init__(
        self, cfg: DataConfig, split: str = "train", train: bool = True, seed: int = 0, multiple: int = 1
    ) -> None:
        super().__init__(cfg, split, train, seed, multiple)
        self.folder = split_dir(self.root, split, fallback=True, expected=self.expects)
        self.files = self.limit(require_images(self.folder, expected=self.expects))
        header_pass(self.files, cfg, lambda p, size: check_even_width(p, size[0]), self.bad_files)

    def __len__(self) -> int:
        return len(self.files)

    def pair(self, index: int) -> tuple[Image.Image, Image.Image, Path, Path]:
        path = self.files[index]
        img = self.load(path)
        w, h = img.size
        check_even_width(path, w)
        return img.crop((0, 0, w // 2, h)), img.crop((w // 2, 0, w, h)), path, path

    def full_check(self) -> list[str]:
        """Every file's width must be even."""
        problems = []
        for p in self.files:
            try:
                check_even_width(p, open_header(p, self.cfg.max_pixels)[0][0])
            except InputError as err:
                problems.append(str(err))
        return problems


def _by_stem(folder: Path, files: list[Path]) -> dict[str, Path]:
    out: dict[str, Path] = {}
    for p in files:
        if p.stem in out:
            raise InputError(f"{folder}: two files share the name {p.stem!r} ({out[p.stem].name}, {p.name})")
        out[p.stem] = p
    return out


def _few(names: list[str], k: int = 5) -> str:
    return ", ".join(names[:k]) + (", …" if len(names) > k else "")


@DATASETS.register("folders")
class FolderPairDataset(PairedDataset):
    """Paired folders: ``ROOT/<split>/A/`` and ``ROOT/<split>/B/`` matched by file stem."""

    layout = "folders"
    expects = "ROOT/<split>/A/ and ROOT/<split>/B/ with matching file names"

    def __init__(
        self, cfg: DataConfig, split: str = "train", train: bool = True, seed: int = 0, multiple: int = 1
    ) -> None:
        super().__init__(cfg, split, train, seed, multiple)
        folder = split_dir(self.root, split, fallback=True, expected=self.expects)
        a = _by_stem(folder / "A", require_images(folder / "A", expected=self.expects))
        b = _by_stem(folder / "B", require_images(folder / "B", expected=self.expects))
        only_a = sorted(set(a) - set(b), key=natural_key)
        only_b = sorted(set(b) - set(a), key=natural_key)
        if only_a or only_b:
            raise InputError(
                f"{folder}: A/ and B/ do not match by file name: "
                f"{len(only_a)} in A/ without a match in B/ ({_few(only_a) or '-'}); "
                f"{len(only_b)} in B/ without a match in A/ ({_few(only_b) or '-'})"
            )
        stems = self.limit(sorted(a, key=natural_key))
        self.pairs = [(a[s], b[s]) for s in stems]
        header_pass([p for pair in self.pairs for p in pair], cfg, None, self.bad_files)

    def __len__(self) -> int:
        return len(self.pairs)

    def pair(self, index: int) -> tuple[Image.Image, Image.Image, Path, Path]:
        pa, pb = self.pairs[index]
        return self.load(pa), self.load(pb), pa, pb
