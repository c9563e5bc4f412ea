"""Helpers for the web demo tests: tiny untrained model files, photos, bad uploads, fake translators."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace
from typing import Any

import numpy as np
from PIL import Image

from translate.runtime.modelinfo import ModelInfo

TINY_UNET = {"arch": "unet", "options": {"num_downs": 5, "ngf": 8}}  # 32-px multiple, ~0.26 M parameters


def save_tiny(path: Path, task: str = "pix2pix", nets: dict[str, dict[str, Any]] | None = None) -> Path:
    """A generator file with untrained tiny U-Nets (name -> extra metadata such as direction)."""
    from translate.checkpoint import save_generators
    from translate.nets.loading import build_from_spec
    nets = nets or {"G": {"direction": "AtoB", "crop_size": 32}}
    gens = {name: build_from_spec(TINY_UNET) for name in nets}
    return save_generators(path, gens, task=task, config=None, net_meta=nets)


def make_tiny_models(d: Path) -> dict[str, Path]:
    """``pix2pix``: one generator (G); ``cycle``: CycleGAN-style G_A (AtoB) and G_B (BtoA)."""
    return {
        "pix2pix": save_tiny(d / "tiny.safetensors"),
        "cycle": save_tiny(d / "cycle.safetensors", "cyclegan",
                           {"G_A": {"direction": "AtoB", "crop_size": 32}, "G_B": {"direction": "BtoA", "crop_size": 32}}),
    }


def write_photo(path: Path, w: int = 72, h: int = 48, seed: int = 0) -> Path:
    """A small smooth colour PNG of w x h."""
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[0:h, 0:w]
    a = np.stack([np.sin(xx / rng.uniform(3, 9)), np.cos(yy / rng.uniform(3, 9)), np.sin((xx + yy) / 7.0)], -1)
    Image.fromarray(((a + 1) * 127.5).astype(np.uint8)).save(path)
    return path


def make_uploads(d: Path) -> dict[str, Path]:
    """Good and bad uploads: ``photo`` (72x48 PNG), ``photo2`` (40x56), ``text``, ``corrupt``, ``big`` (800x600),
    ``huge`` (1200x1000 but a few KB), ``heavy`` (200x200 noise, about 120 KB)."""
    photo = write_photo(d / "photo.png")
    (d / "notes.txt").write_text("not an image\n")
    data = photo.read_bytes()
    (d / "broken.png").write_bytes(data[: len(data) // 2])  # header fine, pixel data cut off
    Image.new("RGB", (1200, 1000), (200, 120, 40)).save(d / "huge.png")
    noise = np.random.default_rng(3).integers(0, 256, (200, 200, 3), dtype=np.uint8)
    Image.fromarray(noise).save(d / "heavy.png")
    return {"photo": photo, "photo2": write_photo(d / "photo2.png", 40, 56, 1), "text": d / "notes.txt",
            "corrupt": d / "broken.png", "big": write_photo(d / "big.png", 800, 600, 2), "huge": d / "huge.png",
            "heavy": d / "heavy.png"}


def info(kind: str = "image", **kw: Any) -> ModelInfo:
    """A synthetic ``ModelInfo`` (for kinds whose tasks need not exist here)."""
    base = dict(path="synthetic", task={"image": "pix2pix", "image+domain": "stargan", "latent": "dcgan"}[kind], net="G",
                arch="synthetic", kind=kind, input_multiple=4, crop_size=32)
    base.update(kw)
    return ModelInfo(**base)


class FakeDomainTranslator:
    """A StarGAN-like translator: tints the image per domain (or by the number of attributes set)."""

    backend = SimpleNamespace(name="fake")
    num_params = None

    def __init__(self, domains: list[str], label_mode: str = "single") -> None:
        self.info = info("image+domain", domains=domains, extra={"label_mode": label_mode})
        self.calls: list[dict[str, Any]] = []

    def translate(self, images: list[Image.Image], *, size: int = 0, **cond: Any) -> list[Image.Image]:
        self.calls.append(cond)
        shade = 40 * (self.info.domains.index(cond["domain"]) + 1) if "domain" in cond else 30 * sum(cond["attrs"].values())
        return [Image.new("RGB", im.size, (shade, 0, 0)) for im in images]


class FakeLatentTranslator:
    """A DCGAN-like sampler: seeded noise images."""

    backend = SimpleNamespace(name="fake")
    num_params = None

    def __init__(self) -> None:
        self.info = info("latent", z_dim=8)

    def sample(self, num: int, seed: int, psi: float) -> list[Image.Image]:
        rng = np.random.default_rng(seed)
        return [Image.fromarray(rng.integers(0, 256, (16, 16, 3), dtype=np.uint8)) for _ in range(num)]


def fake_entry(name: str, translator: Any, model_file: Path) -> Any:
    """A catalogue entry served by ``translator`` (``model_file`` only backs the card's file facts)."""
    from translate.webapp.catalogue import ModelEntry

    e = ModelEntry(name, model_file)
    e._translators[""] = translator
    return e
