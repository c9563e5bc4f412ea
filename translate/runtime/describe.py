"""``translate info`` for model files that describe themselves without torch: exported ONNX files.

``describe_file`` tells the file's kind from its first bytes (``runtime.modelfiles``) and returns the
description of an ONNX file (recorded ``translate export`` metadata, or what a foreign file's graph
inputs tell), or None for the kinds whose description builds the nets (generator files, run folders,
reference checkpoints: ``translate.tasks.describe``, which needs torch). So ``translate info
model.onnx`` works in the torch-free install. Torch-free: onnxruntime is imported on first use.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..errors import ConfigError
from .modelfiles import model_file_kind


def describe_onnx(path: Path) -> dict[str, Any]:
    """An ONNX file: its recorded facts (``translate export`` metadata) or what its inputs tell (foreign files)."""
    from .onnx import OnnxBackend

    be = OnnxBackend(path, ["cpu"])
    info, meta = be.info, be.meta
    net = {"arch": info.arch, "params": meta.get("params"), "kind": info.kind, "input_multiple": info.input_multiple,
           "direction": info.direction, "domains": info.domains}
    return {
        "type": "model", "path": str(path), "task": info.task, "default": info.net, "generators": {info.net: net},
        "format": meta.get("format") or "onnx (not made by translate export: described from its inputs)",
        "inputs": [i.as_meta() for i in be.inputs.values()], "opset": meta.get("opset"), "step": meta.get("step"),
        "ema": meta.get("ema"), "normalization": meta.get("normalization"), "trained_size": info.crop_size or None,
    }


def describe_file(path: str | Path, arch: str | None = None) -> dict[str, Any] | None:
    """The description of a model file that needs no torch (ONNX), None for the other kinds.

    InputError for a path that is no model (one line saying what it is); ConfigError for ``--arch``
    with a file that records its architecture.
    """
    kind = model_file_kind(path)
    if arch and kind != "reference":
        raise ConfigError("--arch is only for reference .pth/.ckpt files; other model files describe themselves")
    return describe_onnx(Path(path)) if kind == "onnx" else None
