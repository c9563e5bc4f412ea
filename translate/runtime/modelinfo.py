"""Torch-free facts about a loaded generator and its conditioning inputs.

``ModelInfo`` is what both backends (``translate.infer.Translator`` on torch and
``translate.runtime.OnnxTranslator`` on onnxruntime) expose as ``.info``; it is built from the
per-net metadata of a generator file or from the metadata of an exported ONNX file. The helpers
that turn user conditioning (a domain name, a seed) into arrays live here too, so both backends
build exactly the same inputs. Only numpy is imported.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Sequence

import numpy as np

from ..errors import ConfigError

DIRECTIONS = ("AtoB", "BtoA")


@dataclass
class ModelInfo:
    """What a loaded model is and how to feed it."""

    path: str
    task: str
    net: str  # the generator used (G, G_A, ...)
    arch: str
    kind: str  # image | image+domain | latent
    input_multiple: int
    direction: str = ""
    domains: list[str] = field(default_factory=list)
    crop_size: int = 0
    derive: str = ""
    z_dim: int = 0
    extra: dict[str, Any] = field(default_factory=dict)


def info_from_meta(path: str, task: str, net: str, m: dict[str, Any]) -> ModelInfo:
    """A ``ModelInfo`` from one net's metadata dict (generator-file ``nets`` entry or ONNX meta)."""
    return ModelInfo(
        path=str(path), task=task, net=net, arch=m.get("arch", ""), kind=m.get("kind", "image"),
        input_multiple=int(m.get("input_multiple", 1) or 1), direction=m.get("direction", "") or "",
        domains=list(m.get("domains", []) or []), crop_size=int(m.get("crop_size", 0) or 0),
        derive=m.get("derive", "") or "", z_dim=int(m.get("z_dim", 0) or 0), extra=dict(m),
    )


def pick_net(nets_meta: dict[str, dict[str, Any]], default: str, net: str | None, direction: str | None) -> str:
    """The generator to use: by ``--net`` name, by ``--direction`` (CycleGAN), else the default."""
    if net:
        if net not in nets_meta:
            raise ConfigError(f"--net {net!r}: this model has {', '.join(nets_meta)}")
        return net
    if direction:
        if direction not in DIRECTIONS:
            raise ConfigError(f"--direction: expected {' or '.join(DIRECTIONS)}, got {direction!r}")
        matches = [k for k, m in nets_meta.items() if m.get("direction") == direction]
        if not matches:
            have = ", ".join(f"{k}: {m.get('direction') or '?'}" for k, m in nets_meta.items())
            raise ConfigError(f"--direction {direction}: this model translates only {have}")
        return matches[0]
    return default


# ----------------------------------------------------------------------------- conditioning


def domain_vector(value: Any, domains: Sequence[str], c_dim: int, batch: int) -> np.ndarray:
    """Target-domain labels float32 [batch, c_dim] from what a user gives for ``domain``.

    Accepted: a domain name or comma-separated names ("Blond_Hair,Young": those set to 1, the
    rest 0), a list of names, a domain index, or numbers shaped [c_dim] or [batch, c_dim].
    """
    c_dim = c_dim or len(domains)
    if isinstance(value, str):
        value = [v.strip() for v in value.split(",") if v.strip()]
    if isinstance(value, (list, tuple)) and value and all(isinstance(v, str) for v in value):
        unknown = [v for v in value if v not in domains]
        if unknown:
            have = ", ".join(domains) if domains else "none recorded (pass a 0/1 vector)"
            raise ConfigError(f"--domain {','.join(unknown)}: unknown domain; this model has {have}")
        vec = np.zeros(c_dim, np.float32)
        vec[[list(domains).index(v) for v in value]] = 1.0
        return np.repeat(vec[None], batch, axis=0)
    if isinstance(value, (int, np.integer)) and not isinstance(value, bool):
        if not 0 <= int(value) < c_dim:
            raise ConfigError(f"--domain {value}: index out of range for {c_dim} domains")
        vec = np.zeros(c_dim, np.float32)
        vec[int(value)] = 1.0
        return np.repeat(vec[None], batch, axis=0)
    arr = np.asarray(value, dtype=np.float32)
    if arr.ndim == 1:
        arr = np.repeat(arr[None], batch, axis=0)
    if arr.shape != (batch, c_dim):
        raise ConfigError(f"--domain: expected a name or {c_dim} values per image, got shape {tuple(arr.shape)}")
    return np.ascontiguousarray(arr)


def latent_batch(num: int, z_dim: int, seed: int = 0) -> np.ndarray:
    """Latent vectors float32 [num, z_dim] ~ N(0, 1) from ``numpy.random.default_rng(seed)``."""
    return np.random.default_rng(seed).standard_normal((num, z_dim)).astype(np.float32)


def class_labels(value: Any, num_classes: int, batch: int, seed: int = 0) -> np.ndarray:
    """Class labels int64 [batch] for a class-conditional generator (None: random classes)."""
    if value is None:
        return np.random.default_rng(seed + 1).integers(0, num_classes, batch).astype(np.int64)
    arr = np.asarray(value, dtype=np.int64).reshape(-1)
    arr = np.repeat(arr, batch) if arr.size == 1 else arr
    if arr.shape != (batch,) or arr.min() < 0 or arr.max() >= num_classes:
        raise ConfigError(f"--class: expected {batch} label(s) in 0..{num_classes - 1}, got {np.asarray(value).tolist()}")
    return arr
