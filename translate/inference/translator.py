"""``open_translator``: the one way to get a ``Translator`` for any model, on either backend.

``.onnx`` files always run on onnxruntime (``translate.runtime.onnx.OnnxBackend``); run folders,
generator files and reference ``.pth`` files run on torch (``TorchBackend``), or with
``backend="onnx"`` on onnxruntime after a parity-checked export to the cache
(``translate.export.cache.cached_export``, reused while the model file is unchanged).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..errors import ConfigError
from ..runtime.modelfiles import model_file_kind
from ..runtime.translator import Translator

BACKENDS = ("torch", "onnx")
DEVICE_PROVIDERS = {"auto": None, "cpu": ["cpu"], "cuda": ["cuda", "cpu"]}


def is_onnx(model: str | Path) -> bool:
    return str(model).lower().endswith(".onnx")


def open_translator(model: str | Path, backend: str = "torch", *, net: str | None = None, direction: str | None = None,
                    arch: str | None = None, arch_options: dict[str, Any] | None = None, device: str | None = "auto",
                    train_mode: bool = False, compile: str | None = None) -> Translator:
    """A ``Translator`` for ``model`` (run folder, generator file, reference ``.pth`` or ``.onnx`` file).

    ``compile``: torch backend only, a ``translate.inference.compiled.COMPILE_MODES`` name (torch.compile
    with frozen weights; the first call of each input shape compiles)."""
    if backend not in BACKENDS:
        raise ConfigError(f"--backend: expected {' or '.join(BACKENDS)}, got {backend!r}")
    kind = model_file_kind(model)  # an image, a text file, an empty file: one line saying what it is
    device = device or "auto"
    if backend == "torch" and not is_onnx(model):
        from .backend import TorchBackend  # torch; ONNX files run without it (the torch-free install)

        return Translator(TorchBackend(model, net=net, direction=direction, arch=arch, arch_options=arch_options,
                                       device=device, train_mode=train_mode, compile=compile))
    from ..runtime.onnx import OnnxBackend

    if train_mode:
        raise ConfigError("--train-mode needs --backend torch: ONNX exports run in eval mode")
    if compile is not None:
        raise ConfigError("--compile needs --backend torch (onnxruntime optimises its own graph)")
    if device not in DEVICE_PROVIDERS:
        raise ConfigError(f"--device {device}: the onnx backend takes auto, cpu or cuda")
    if is_onnx(model):
        if arch:
            raise ConfigError("--arch is only for reference .pth/.ckpt files; ONNX files describe themselves")
    else:
        from ..export.cache import cached_export

        # a reference .pth records no direction: export it as it is; the OnnxBackend takes --direction as its own
        model = cached_export(model, arch=arch, arch_options=arch_options, net=net,
                              direction=None if kind == "reference" else direction)
    return Translator(OnnxBackend(model, DEVICE_PROVIDERS[device], direction=direction, net=net))
