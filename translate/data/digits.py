"""Scikit-learn's bundled handwritten digits as image folders (no download needed).

``load_digits`` ships 1,797 8x8 grayscale digits (UCI) inside the scikit-learn wheel. This module
upsamples them (bicubic) and writes them in the project's layouts, so DCGAN/StyleGAN
(``single``), StarGAN with the classes as domains (``domains``) and StarGAN's attribute-table path
(``attributes``, attributes derived from the labels) can train on real images anywhere.
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable

import numpy as np
from PIL import Image

from ..errors import ConfigError

# attributes derived from the digit label, for the attribute-table layout
DIGIT_ATTRIBUTES: dict[str, Callable[[int], bool]] = {
    "even": lambda d: d % 2 == 0,
    "greater_than_4": lambda d: d > 4,
    "round": lambda d: d in (0, 6, 8, 9),
}


def load(size: int = 32) -> tuple[list[Image.Image], np.ndarray]:
    """The digits as ``size`` px RGB images (white strokes on black) and their labels."""
    try:
        from sklearn.datasets import load_digits
    except ImportError:  # pragma: no cover - test extra
        raise ConfigError("the digits set needs scikit-learn (pip install scikit-learn)") from None
    d = load_digits()
    images = []
    for a in d.images:  # [8, 8] in 0..16
        im = Image.fromarray(np.uint8(np.clip(a * (255.0 / 16.0), 0, 255)), "L")
        images.append(im.resize((size, size), Image.BICUBIC).convert("RGB"))
    return images, d.target.astype(int)


def split_indices(n: int, test_fraction: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """A fixed random train/test split."""
    perm = np.random.default_rng(seed).permutation(n)
    k = int(round(n * test_fraction))
    return np.sort(perm[k:]), np.sort(perm[:k])


def export(out: str | Path, layout: str = "domains", size: int = 32, test_fraction: float = 0.2, seed: int = 0) -> Path:
    """Write the digits as ``single`` (``out/train/*.png``), ``domains`` (``out/{train,test}/<digit>/``)
    or ``attributes`` (``out/images/`` + ``out/list_attr_celeba.txt``). Returns ``out``."""
    writers = {"single": _single, "domains": _domains, "attributes": _attributes}
    if layout not in writers:
        raise ConfigError(f"digits layout {layout!r}: use one of {', '.join(writers)}")
    images, labels = load(size)
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    writers[layout](out, images, labels, split_indices(len(images), test_fraction, seed))
    return out


def _single(out: Path, images, labels, splits) -> None:
    for split, idx in zip(("train", "test"), splits):
        (out / split).mkdir(exist_ok=True)
        for i in idx:
            images[i].save(out / split / f"{i:04d}.png")


def _domains(out: Path, images, labels, splits) -> None:
    for split, idx in zip(("train", "test"), splits):
        for i in idx:
            d = out / split / str(labels[i])
            d.mkdir(parents=True, exist_ok=True)
            images[i].save(d / f"{i:04d}.png")


def _attributes(out: Path, images, labels, splits) -> None:
    (out / "images").mkdir(exist_ok=True)
    names = list(DIGIT_ATTRIBUTES)
    lines = [str(len(images)), " ".join(names)]
    for i, (im, lab) in enumerate(zip(images, labels)):
        im.save(out / "images" / f"{i:04d}.png")
        lines.append(f"{i:04d}.png " + " ".join("1" if DIGIT_ATTRIBUTES[n](int(lab)) else "-1" for n in names))
    (out / "list_attr_celeba.txt").write_text("\n".join(lines) + "\n")
