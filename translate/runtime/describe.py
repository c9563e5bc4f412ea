"""``translate info`` for model files that describe themselves without torch.

``describe_file`` tells the file's kind from its first bytes (``runtime.modelfiles``) and returns the
description of an ONNX file (recorded ``translate export`` metadata, or what a foreign file's graph
inputs tell) and, where torch is not installed, of a generator ``.safetensors`` file from its header
(the metadata ``translate.checkpoint`` writes; parameter counts need the built nets, so the file's
stored values are counted instead). Other kinds (run folders, reference checkpoints, generator files
where torch is installed) return None: ``translate.tasks.describe`` builds their nets. So ``translate
info model.onnx`` works in the torch-free install. Torch-free: onnxruntime is imported on first use.
"""

from __future__ import annotations

import importlib.util
import json
import math
import struct
from pathlib import Path
from typing import Any

from ..errors import ConfigError, InputError
from .modelfiles import model_file_kind

GENERATOR_FORMAT = "gan-translate/"  # prefix of the ``format`` a generator file records
NO_TORCH_NOTE = ('described from the file\'s metadata (torch is not installed): parameter counts need torch, '
                 'pip install "gan-translate[full]"; stored_values counts every stored tensor element')


def torch_installed() -> bool:
    """Whether torch can be imported here (looked up, not imported)."""
    try:
        return importlib.util.find_spec("torch") is not None
    except (ImportError, ValueError):
        return False


def read_safetensors_header(path: Path) -> tuple[dict[str, str], dict[str, list[int]]]:
    """(``__metadata__``, tensor name -> shape) from a safetensors header, with the standard library."""
    try:
        with open(path, "rb") as f:
            (n,) = struct.unpack("<Q", f.read(8))
            header = json.loads(f.read(n))
    except (OSError, struct.error, ValueError) as exc:
        raise InputError(f"{path}: unreadable safetensors header ({exc})") from None
    meta = header.pop("__metadata__", None) or {}
    return meta, {k: list(v.get("shape", [])) for k, v in header.items() if isinstance(v, dict)}


def describe_generator_metadata(path: Path) -> dict[str, Any]:
    """A generator file described from its header alone: task, nets and their recorded facts, step."""
    meta, shapes = read_safetensors_header(path)
    if not str(meta.get("format", "")).startswith(GENERATOR_FORMAT) or "nets" not in meta:
        raise InputError(f"{path}: not a gan-translate generator file (format {meta.get('format')!r}); "
                         "reference .pth files load with --arch NAME")
    try:
        nets_meta = json.loads(meta["nets"])
        facts = {k: json.loads(meta[k]) for k in ("step", "epoch", "ema") if k in meta}
    except ValueError as exc:
        raise InputError(f"{path}: corrupt generator metadata ({exc})") from None
    nets = {}
    for name, spec in nets_meta.items():
        stored = sum(math.prod(s) for k, s in shapes.items() if k.startswith(f"{name}."))
        nets[name] = {**{k: v for k, v in spec.items() if k != "options"}, "params": None, "stored_values": stored,
                      "options": spec.get("options", {})}
    default = meta.get("default") or next(iter(nets), "")
    return {
        "type": "model", "path": str(path), "task": meta.get("task", ""), "default": default, "generators": nets,
        "step": facts.get("step"), "epoch": facts.get("epoch"), "ema": facts.get("ema"),
        "normalization": meta.get("normalization"), "format": meta.get("format"),
        "trained_size": nets.get(default, {}).get("crop_size"), "note": NO_TORCH_NOTE,
    }


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
    """The description of a model file that needs no torch (ONNX; a generator file where torch is
    not installed), None for the other kinds.

    InputError for a path that is no model (one line saying what it is); ConfigError for ``--arch``
    with a file that records its architecture.
    """
    kind = model_file_kind(path)
    if arch and kind != "reference":
        raise ConfigError("--arch is only for reference .pth/.ckpt files; other model files describe themselves")
    if kind == "onnx":
        return describe_onnx(Path(path))
    if kind == "safetensors" and not torch_installed():
        return describe_generator_metadata(Path(path))
    return None
