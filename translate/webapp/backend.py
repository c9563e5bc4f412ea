"""Which inference backend serves a model: onnxruntime when an ONNX export exists, else torch.

An export "exists" when the model is itself an ``.onnx`` file, or when an ONNX file sits beside the
generator file (``model.onnx`` or ``<stem>.onnx`` next to ``generator.safetensors``; for a chosen
direction also ``<stem>.<direction>.onnx``). ``translate.runtime`` is imported lazily; when it is
unavailable, or the export does not fit the request, the torch backend serves the model.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from ..checkpoint import resolve_generator_file
from ..errors import CheckpointError, ConfigError, InputError
from ..inference import open_translator

log = logging.getLogger("translate.app")


def generator_file(model: str | Path) -> Path:
    """The generator file of a run folder, checkpoint folder or file (ONNX files as they are)."""
    p = Path(model)
    if p.suffix.lower() == ".onnx":
        return p

    return resolve_generator_file(p)


def onnx_export(model: str | Path, direction: str | None = None) -> Path | None:
    """The ONNX export serving ``model`` (the file itself or one beside it), or None."""
    p = Path(model)
    if p.suffix.lower() == ".onnx":
        return p if p.is_file() else None
    gen = generator_file(p)
    names = ([f"{gen.stem}.{direction}.onnx", f"model.{direction}.onnx"] if direction else []) + [f"{gen.stem}.onnx", "model.onnx"]
    for name in names:
        cand = gen.with_name(name)
        if cand.is_file():
            return cand
    return None


def open_model(model: str | Path, *, direction: str | None = None, prefer_onnx: bool = True, device: str = "auto") -> Any:
    """A ``Translator`` for ``model``: on onnxruntime when an export serves it, else on torch.

    Either way it exposes ``.info`` (``ModelInfo``) and ``.translate(images, size=, **cond)`` (latent
    models also ``.sample(num, seed, psi)``); ``.backend.name`` says which backend serves.
    """
    explicit = Path(model).suffix.lower() == ".onnx"  # an ONNX file given as such is always served by onnxruntime
    onnx = onnx_export(model, direction) if prefer_onnx or explicit else None
    if onnx is not None:
        try:
            from ..runtime import OnnxTranslator  # torch-free; may not be installed/built yet

            kwargs = {"direction": direction} if direction else {}
            return OnnxTranslator(str(onnx), **kwargs)
        except ImportError as exc:
            if explicit:
                raise ConfigError(f"{model}: serving an ONNX file needs translate.runtime and onnxruntime ({exc})") from None
            log.info("%s: onnxruntime backend unavailable (%s); using torch", onnx, exc)
        except (ConfigError, CheckpointError, InputError) as exc:
            if explicit:
                raise
            log.info("%s: export not used (%s); using torch", onnx, exc)

    return open_translator(generator_file(model), "torch", direction=direction or None, device=device)
