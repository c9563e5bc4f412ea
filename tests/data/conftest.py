"""Tiny synthetic datasets in tmp_path for the data-layer tests."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from translate.config import DataConfig

REPO = Path(__file__).resolve().parents[2]


def noise(w: int, h: int, seed: int) -> Image.Image:
    """A random RGB image (every crop position gives different pixels)."""
    rng = np.random.default_rng(seed)
    return Image.fromarray(rng.integers(0, 256, (h, w, 3), dtype=np.uint8), "RGB")


def save(img: Image.Image, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    img.save(path)
    return path


def small_cfg(root: Path | str, **kw) -> DataConfig:
    """A config with small sizes so tests stay fast."""
    base: dict = {"root": str(root), "load_size": 40, "crop_size": 32}
    base.update(kw)
    return DataConfig(**base)


@pytest.fixture(name="noise")
def noise_fixture() -> Callable[[int, int, int], Image.Image]:
    """``noise(w, h, seed)`` -> random RGB PIL image."""
    return noise


@pytest.fixture(name="small_cfg")
def small_cfg_fixture() -> Callable[..., DataConfig]:
    """``small_cfg(root, **overrides)`` -> DataConfig with load 40 / crop 32."""
    return small_cfg


@pytest.fixture
def make_image() -> Callable[..., Path]:
    """``make_image(path, w=16, h=16, seed=0)`` writes a noise image and returns its path."""

    def make(path: Path, w: int = 16, h: int = 16, seed: int = 0) -> Path:
        return save(noise(w, h, seed), Path(path))

    return make


@pytest.fixture
def aligned_root(tmp_path: Path) -> Path:
    """ROOT/{train,val}/*.png, each 64x32: A (left) | B (right), different content."""
    root = tmp_path / "aligned"
    for split, n in (("train", 5), ("val", 2)):
        for i in range(n):
            save(noise(64, 32, seed=i + (100 if split == "val" else 0)), root / split / f"{i}.png")
    return root


@pytest.fixture
def folders_root(tmp_path: Path) -> Path:
    """ROOT/train/A and ROOT/train/B with matching stems (B = A + 1 per pixel)."""
    root = tmp_path / "folders"
    for i in range(4):
        a = noise(40, 40, seed=i)
        save(a, root / "train" / "A" / f"img{i}.png")
        save(a.copy(), root / "train" / "B" / f"img{i}.png")
    return root


@pytest.fixture
def unpaired_root(tmp_path: Path) -> Path:
    """ROOT/trainA (3 images) and ROOT/trainB (5 images, another size), plus testA/testB."""
    root = tmp_path / "unpaired"
    for i in range(3):
        save(noise(48, 40, seed=i), root / "trainA" / f"a{i}.jpg")
    for i in range(5):
        save(noise(36, 44, seed=50 + i), root / "trainB" / f"b{i}.png")
    save(noise(40, 40, seed=90), root / "testA" / "t0.png")
    save(noise(40, 40, seed=91), root / "testB" / "t0.png")
    return root


@pytest.fixture
def domains_root(tmp_path: Path) -> Path:
    """ROOT/train/<domain>/ with domains cat (2), dog (3), zebra (1)."""
    root = tmp_path / "domains"
    for d, n in (("cat", 2), ("dog", 3), ("zebra", 1)):
        for i in range(n):
            save(noise(36, 36, seed=hash((d, i)) % 1000), root / "train" / d / f"{i}.png")
    return root


ATTRS = ["Bald", "Black_Hair", "Blond_Hair", "Brown_Hair", "Male", "Young", "Gray_Hair"]


@pytest.fixture
def attr_root(tmp_path: Path) -> Path:
    """ROOT/list_attr_celeba.txt (30 rows, 7 attributes) + ROOT/images/*.jpg."""
    root = tmp_path / "celeba"
    rng = np.random.default_rng(0)
    lines = ["30", " ".join(ATTRS)]
    for i in range(30):
        name = f"{i + 1:06d}.jpg"
        save(noise(20, 24, seed=i), root / "images" / name)
        vals = rng.choice([-1, 1], size=len(ATTRS))
        lines.append(name + "  " + " ".join(f"{v:2d}" for v in vals))
    (root / "list_attr_celeba.txt").write_text("\n".join(lines) + "\n")
    return root


@pytest.fixture
def shared_data() -> Path:
    """``../shared/data`` (looked for beside the repo and its ancestors); skips when absent."""
    candidates = [Path(os.environ["TRANSLATE_SHARED_DATA"])] if os.environ.get("TRANSLATE_SHARED_DATA") else []
    candidates += [p / "shared" / "data" for p in REPO.parents[:3]]
    for c in candidates:
        if (c / "silhouettes").is_dir():
            return c
    pytest.skip("../shared/data not found")
