"""Seeded sampling from latent generators (DCGAN, StyleGAN) on either backend, torch-free.

Latents come from ``numpy.random.default_rng(seed)``, so a seed gives the same images on torch and
on onnxruntime; both go through ``Translator.run_arrays(z, psi=, y=)``. Also linear/spherical
interpolation between latents (the strips of ``translate predict --interpolate``).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from PIL import Image

from ..errors import ConfigError
from . import processing as ops
from .conditioning import class_labels, resolve_classes


def latent_batch(num: int, z_dim: int, seed: int = 0) -> np.ndarray:
    """Latent vectors float32 [num, z_dim] ~ N(0, 1) from ``numpy.random.default_rng(seed)``."""
    return np.random.default_rng(seed).standard_normal((num, z_dim)).astype(np.float32)


def check_latent(tr: Any) -> None:
    """Refuse sampling options for models that translate images."""
    if tr.info.kind != "latent":
        raise ConfigError(f"{tr.info.path}: --num/--interpolate/--mix-grid are for latent models (dcgan, stylegan); "
                          f"this one translates images (give input images)")


def _labels(tr: Any, y: Any, num: int, seed: int) -> np.ndarray | None:
    n_cls = tr.num_classes
    if not n_cls:
        resolve_classes(tr.info, 0, y)  # a --class for an unconditional model is an error
        return None
    return class_labels(resolve_classes(tr.info, n_cls, y), n_cls, num, seed)


def generate(tr: Any, z: np.ndarray, psi: float = 1.0, labels: np.ndarray | None = None, batch_size: int = 8) -> np.ndarray:
    """Images float32 [N, 3, S, S] in [-1, 1] for latents ``z`` [N, z_dim]."""
    outs = []
    for s in range(0, len(z), max(1, batch_size)):
        cond: dict[str, Any] = {"psi": psi}
        if labels is not None:
            cond["y"] = labels[s : s + batch_size]
        outs.append(np.asarray(tr.run_arrays(np.ascontiguousarray(z[s : s + batch_size]), **cond), dtype=np.float32))
    return np.concatenate(outs)


def sample_arrays(tr: Any, num: int, seed: int = 0, psi: float = 1.0, y: Any = None, batch_size: int = 8) -> np.ndarray:
    """``num`` images [num, 3, S, S] from seed ``seed`` (labels random per seed unless ``y``)."""
    check_latent(tr)
    if num < 1:
        raise ConfigError(f"--num: expected at least 1, got {num}")
    return generate(tr, latent_batch(num, tr.z_dim, seed), psi, _labels(tr, y, num, seed), batch_size)


def sample_images(tr: Any, num: int, seed: int = 0, psi: float = 1.0, *, y: Any = None, batch_size: int = 8) -> list[Image.Image]:
    """``num`` PIL images (see :func:`sample_arrays`)."""
    return [ops.array_to_pil(a) for a in sample_arrays(tr, num, seed, psi, y, batch_size)]


def interpolate_latents(a: np.ndarray, b: np.ndarray, steps: int, slerp: bool = False) -> np.ndarray:
    """``steps`` latents from ``a`` to ``b`` (both ends included), linear or spherical.  # -> [steps, D]"""
    t = np.linspace(0.0, 1.0, steps, dtype=np.float64)[:, None]  # [K, 1]
    a64, b64 = a.astype(np.float64), b.astype(np.float64)
    if slerp:
        cos = float(np.dot(a64, b64) / (np.linalg.norm(a64) * np.linalg.norm(b64) + 1e-12))
        omega = np.arccos(np.clip(cos, -1.0, 1.0))
        if np.sin(omega) > 1e-6:
            out = (np.sin((1 - t) * omega) * a64 + np.sin(t * omega) * b64) / np.sin(omega)
            return out.astype(np.float32)
    return ((1 - t) * a64 + t * b64).astype(np.float32)


def interpolation_strips(tr: Any, count: int, steps: int, seed: int = 0, *, slerp: bool = False, psi: float = 1.0,
                         y: Any = None) -> list[np.ndarray]:
    """``count`` strips, each [steps, 3, S, S], walking between consecutive latents of ``seed``."""
    check_latent(tr)
    if count < 1 or steps < 2:
        raise ConfigError(f"--interpolate {steps}: expected at least 2 steps per strip (and --num >= 1 strips)")
    ends = latent_batch(count + 1, tr.z_dim, seed)
    labels = _labels(tr, y, count, seed)
    strips = []
    for i in range(count):
        z = interpolate_latents(ends[i], ends[i + 1], steps, slerp)
        lab = np.repeat(labels[i : i + 1], steps) if labels is not None else None
        strips.append(generate(tr, z, psi, lab))
    return strips
