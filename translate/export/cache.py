"""Exports of torch models for ``--backend onnx``, kept in the user cache ($TRANSLATE_CACHE/onnx).

The key is the resolved model file (path, size, modification time), the chosen net and the export
options, so a retrained or replaced file is exported (and parity-checked) again.
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path
from typing import Any

import torch

from .. import __version__
from .. import checkpoint as ckpt
from ..errors import ConfigError
from ..runtime.files import cache_dir
from .exporter import ExportOptions, export_model


def cached_export(
    model: str | Path, *, net: str | None = None, direction: str | None = None, arch: str | None = None,
    arch_options: dict[str, Any] | None = None, options: ExportOptions | None = None,
) -> Path:
    """An ONNX export of ``model`` from the cache, exported (and parity-checked) on first use.

    The key is the resolved model file (path, size, modification time), the chosen net and the
    export options, so a retrained or replaced file is exported again.
    """
    opts = options or ExportOptions()
    path = Path(model)
    src = path if path.suffix.lower() in ckpt.REFERENCE_SUFFIXES else ckpt.resolve_generator_file(path)
    if not src.is_file():
        raise ConfigError(f"{src}: no such model file")
    st = src.stat()
    key = json.dumps([str(src.resolve()), st.st_size, st.st_mtime_ns, net, direction, arch, arch_options or {},
                      opts.__dict__, __version__, torch.__version__], sort_keys=True, default=str)
    target = cache_dir("onnx") / f"{src.stem}-{hashlib.sha256(key.encode()).hexdigest()[:16]}.onnx"
    if not target.is_file():
        print(f"exporting {src} to {target} for onnxruntime (cached for next time)", file=sys.stderr)
        export_model(model, target, net=net, direction=direction, arch=arch, arch_options=arch_options, options=opts,
                     log=lambda s: print(s, file=sys.stderr))
    return target
