"""One ``Translator`` over interchangeable backends (torch or onnxruntime), torch-free.

A backend loads one generator and exposes ``info`` (``ModelInfo``), ``inputs`` (name ->
``InputSpec``: ``input``/``domain`` for image generators, ``z``/``y``/``psi`` for latent ones),
``facts`` (``c_dim``, ``z_dim``, ``num_classes``, ...), ``static_hw`` (fixed graph size or None),
``num_params``, ``name`` and one method, ``run(feeds) -> output`` on float32/int64 numpy arrays.
Everything else is written once, here: turning user conditioning (a domain name, a class, psi) into
feeds, size handling and batching of PIL images, files in and PNGs out, seeded latent sampling::

    tr = Translator(backend)
    tr.translate([pil_image], size=512, domain="Blond_Hair")   # PIL in, PIL out (input size kept)
    tr.sample(16, seed=1, psi=0.7)                              # latent models
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Protocol, Sequence

import numpy as np
from PIL import Image

from ..errors import ConfigError
from . import processing as ops
from .conditioning import class_labels, domain_vector
from .files import MAX_PIXELS, translate_files
from .latent import sample_images
from .modelinfo import InputSpec, ModelInfo


class Backend(Protocol):
    """What a backend offers the Translator (see the module docstring)."""
    name: str
    info: ModelInfo
    inputs: dict[str, InputSpec]
    facts: dict[str, Any]
    static_hw: tuple[int, int] | None
    num_params: int | None

    def run(self, feeds: dict[str, np.ndarray]) -> np.ndarray: ...


class Translator:
    """A generator ready for inference on ``backend``, with conditioning, batching and size handling."""
    def __init__(self, backend: Backend) -> None:
        self.backend = backend
        self.info: ModelInfo = backend.info

    # ------------------------------------------------------------------ facts
    @property
    def inputs(self) -> dict[str, InputSpec]:
        """The generator's named inputs (graph signature), first one the image or latent batch."""
        return self.backend.inputs

    @property
    def c_dim(self) -> int:
        """Number of target-domain labels (``image+domain`` generators), else 0."""
        spec = self.backend.inputs.get("domain")
        return (spec.dim(1) if spec else 0) or int(self.backend.facts.get("c_dim") or 0) or len(self.info.domains)

    @property
    def z_dim(self) -> int:
        """Latent size of a latent generator."""
        spec = self.backend.inputs.get("z")
        z = self.info.z_dim or (spec.dim(1) if spec else 0) or int(self.backend.facts.get("z_dim") or 0)
        if not z:
            raise ConfigError(f"{self.info.path}: no latent size recorded (z_dim)")
        return z

    @property
    def num_classes(self) -> int:
        """Classes of a class-conditional latent generator (0 when unconditional)."""
        return int(self.backend.facts.get("num_classes") or self.info.extra.get("num_classes") or 0) if "y" in self.backend.inputs else 0

    @property
    def num_params(self) -> int | None:
        """Parameters of the generator (None when the backend cannot tell)."""
        return self.backend.num_params

    # ------------------------------------------------------------------ arrays
    def feeds(self, first: np.ndarray, cond: dict[str, Any]) -> dict[str, np.ndarray]:
        """Named graph inputs for a batch ``first`` ([N, 3, H, W] images or [N, z_dim] latents) and
        conditioning ``domain=`` (image+domain), ``y=`` (class labels), ``psi=`` (truncation)."""
        cond = dict(cond)
        inputs, n, path = self.backend.inputs, len(first), self.info.path
        feeds = {next(iter(inputs)): np.ascontiguousarray(first, dtype=np.float32)}
        if "domain" in inputs:
            if cond.get("domain") is None:
                names = ", ".join(self.info.domains) or f"an index 0..{self.c_dim - 1}"
                raise ConfigError(f"{path}: this model needs a target domain (--domain; one of {names})")
            feeds["domain"] = domain_vector(cond.pop("domain"), self.info.domains, self.c_dim, n)
        y = cond.pop("y", None)
        if "y" in inputs:
            feeds["y"] = class_labels(y, max(1, self.num_classes), n)
        elif y is not None:
            raise ConfigError(f"{path}: this model is not class-conditional (no --class)")
        psi = float(cond.pop("psi", 1.0))
        if "psi" in inputs:
            feeds["psi"] = np.asarray([psi], np.float32)
        elif psi != 1.0:
            raise ConfigError(f"{path}: this model has no truncation input (psi)")
        if cond:
            raise ConfigError(f"{path}: this model takes no {', '.join(cond)}")
        return feeds

    def run_arrays(self, batch: np.ndarray, **cond: Any) -> np.ndarray:
        """[N, 3, H, W] float32 in [-1, 1] (H, W multiples of input_multiple) -> [N, 3, H, W].

        Latent models take z [N, z_dim] (plus ``y=`` labels, ``psi=``) and return [N, 3, S, S].
        """
        return self.backend.run(self.feeds(np.asarray(batch, dtype=np.float32), cond))

    # ------------------------------------------------------------------ images
    def prepare(self, img: Image.Image) -> Image.Image:
        """Model-specific input conditioning (colorization models see grayscale)."""
        return ops.prepare_image(img, self.info.derive)

    def translate(self, images: Sequence[Image.Image], *, size: int = 0, batch_size: int = 8, **cond: Any) -> list[Image.Image]:
        """Translate PIL images; outputs have each input's size. Inputs that pad to one shape are batched."""
        if self.info.kind == "latent":
            raise ConfigError(f"{self.info.path}: a latent model makes images from noise; use sample()")
        return ops.translate_images(images, lambda a: self.run_arrays(a, **cond), multiple=self.info.input_multiple,
                                    size=size, batch_size=batch_size, prepare=self.prepare, fixed=self.backend.static_hw)

    def translate_files(self, inputs: Sequence[str | Path], out_dir: str | Path, *, size: int = 0, batch_size: int = 8,
                        aligned: bool = False, overwrite: bool = False, max_pixels: int = MAX_PIXELS,
                        **cond: Any) -> tuple[list[Path], int]:
        """Files/folders/globs in, PNGs in ``out_dir``; returns (written files, unreadable inputs).

        Never writes over an input or an existing file unless ``overwrite`` (``runtime/outputs.py``);
        inputs over ``max_pixels`` (width x height, 0: no limit) are reported and skipped."""
        return translate_files(self, inputs, out_dir, size=size, batch=batch_size, aligned=aligned, overwrite=overwrite,
                               max_pixels=max_pixels, limit_option="raise max_pixels", **cond)

    def sample(self, num: int, seed: int = 0, psi: float = 1.0, *, y: Any = None, batch_size: int = 8) -> list[Image.Image]:
        """``num`` images from a latent model: z ~ N(0, 1) by ``numpy.random.default_rng(seed)``."""

        return sample_images(self, num, seed, psi, y=y, batch_size=batch_size)
