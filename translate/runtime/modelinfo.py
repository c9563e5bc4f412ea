"""Torch-free facts about a generator: what it is (``ModelInfo``) and which named inputs it takes.

Both backends (torch: ``translate.inference.backend.TorchBackend``; onnxruntime:
``translate.runtime.onnx.OnnxBackend``) describe their generator with a ``ModelInfo`` (built from the
per-net metadata of a generator file or from an exported ONNX file's metadata) and its graph inputs
as ``InputSpec``s (``input``/``domain`` for image generators, ``z``/``y``/``psi`` for latent ones,
see ``translate.nets.signature``). Only the standard library is imported.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..errors import ConfigError

DIRECTIONS = ("AtoB", "BtoA")


@dataclass
class InputSpec:
    """One named generator input: dtype and symbolic shape (str = dynamic axis, int = fixed)."""

    name: str
    dtype: str  # "float32" | "int64"
    shape: list[int | str]
    doc: str = ""

    def as_meta(self) -> dict[str, Any]:
        return {"name": self.name, "dtype": self.dtype, "shape": self.shape, "doc": self.doc}

    def dim(self, axis: int) -> int:
        """The fixed size of ``axis`` (0 when it is dynamic or absent)."""
        return self.shape[axis] if axis < len(self.shape) and isinstance(self.shape[axis], int) else 0


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

    def fact(self, key: str, default: Any = None) -> Any:
        """A metadata value, looked up in the net's own facts, then in ``net_meta`` (ONNX files nest them)."""
        if self.extra.get(key) not in (None, ""):
            return self.extra[key]
        nested = self.extra.get("net_meta")
        return nested.get(key, default) if isinstance(nested, dict) else default


def info_from_meta(path: str, task: str, net: str, m: dict[str, Any]) -> ModelInfo:
    """A ``ModelInfo`` from one net's metadata dict (generator-file ``nets`` entry or ONNX meta)."""
    return ModelInfo(
        path=str(path), task=task, net=net, arch=m.get("arch", ""), kind=m.get("kind", "image"),
        input_multiple=int(m.get("input_multiple", 1) or 1), direction=m.get("direction", "") or "",
        domains=list(m.get("domains", []) or []), crop_size=int(m.get("crop_size", 0) or 0),
        derive=m.get("derive", "") or "", z_dim=int(m.get("z_dim", 0) or 0), extra=dict(m),
    )


def check_direction(direction: str | None) -> None:
    """``--direction`` must be AtoB or BtoA (or not given)."""
    if direction and direction not in DIRECTIONS:
        raise ConfigError(f"--direction: expected {' or '.join(DIRECTIONS)}, got {direction!r}")


def pick_net(nets_meta: dict[str, dict[str, Any]], default: str, net: str | None, direction: str | None) -> str:
    """The generator to use: by ``--net`` name, by ``--direction`` (CycleGAN), else the default."""
    if net:
        if net not in nets_meta:
            raise ConfigError(f"--net {net!r}: this model has {', '.join(nets_meta)}")
        return net
    if direction:
        check_direction(direction)
        matches = [k for k, m in nets_meta.items() if m.get("direction") == direction]
        if not matches:
            have = ", ".join(f"{k}: {m.get('direction') or '?'}" for k, m in nets_meta.items())
            raise ConfigError(f"--direction {direction}: this model translates only {have}")
        return matches[0]
    return default
