"""Exported generators on onnxruntime: ``OnnxBackend`` and ``OnnxTranslator``, torch-free.

Deployment pipelines install numpy, pillow, onnxruntime(-gpu) and this package, never torch::

    from translate.runtime import OnnxTranslator
    tr = OnnxTranslator("model.onnx")             # TensorRT/CUDA when usable, else CPU
    out = tr.translate([Image.open("a.jpg")])     # PIL in, PIL out (input size kept)
    tr.translate_files(["photos/"], "results/")   # folders in, PNGs out, batched

``OnnxTranslator`` is the project's one ``Translator`` (``translate.runtime.translator``) on an
``OnnxBackend``; ``translate predict`` runs the very same code on a torch backend, so both give the
same pixels up to float rounding. Files made by ``translate export`` describe themselves in their
metadata (task, direction, domains, input multiple, ...); other ONNX files are described from their
inputs as well as possible. Providers: ``translate.runtime.providers``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Sequence

import numpy as np
import onnxruntime as ort

from ..errors import CheckpointError, ConfigError
from .modelinfo import InputSpec, ModelInfo, check_direction, info_from_meta
from .providers import open_session
from .translator import Translator

FORMAT_PREFIX = "gan-translate-onnx"
_JSON_KEYS = ("domains", "inputs", "options", "net_meta", "step", "ema", "psi")
_INT_KEYS = ("input_multiple", "crop_size", "z_dim", "c_dim", "num_classes", "image_size", "static_size", "static_batch",
             "opset", "params")
_DTYPES = {"tensor(float)": "float32", "tensor(int64)": "int64", "tensor(float16)": "float16"}


def parse_metadata(raw: dict[str, str]) -> dict[str, Any]:
    """An exported file's string metadata with JSON and integer values decoded."""
    meta: dict[str, Any] = dict(raw)
    for k in _JSON_KEYS:
        if k in raw:
            try:
                meta[k] = json.loads(raw[k])
            except ValueError:
                pass
    for k in _INT_KEYS:
        if raw.get(k, "") not in ("", None):
            try:
                meta[k] = int(raw[k])
            except ValueError:
                pass
    return meta


def _foreign_meta(inputs: dict[str, InputSpec]) -> dict[str, Any]:
    """Best-effort description of an ONNX file not made by ``translate export``."""
    first = next(iter(inputs.values()))
    kind = "latent" if len(first.shape) == 2 else ("image+domain" if len(inputs) > 1 else "image")
    meta: dict[str, Any] = {"kind": kind, "input_multiple": 1, "task": "", "arch": "", "net": "G"}
    if kind == "latent" and first.dim(1):
        meta["z_dim"] = first.dim(1)
    return meta


class OnnxBackend:
    """One ONNX generator on an onnxruntime session; ``run(feeds)`` is all the Translator calls."""

    name = "onnxruntime"

    def __init__(self, path: str | Path, providers: Sequence[Any] | str | None = None, *, direction: str | None = None,
                 net: str | None = None, session_options: ort.SessionOptions | None = None) -> None:
        path = Path(path)
        if not path.is_file():
            raise CheckpointError(f"{path}: no such ONNX file")
        self.session = open_session(path, providers, session_options)
        self.inputs = {i.name: InputSpec(i.name, _DTYPES.get(i.type, i.type), list(i.shape)) for i in self.session.get_inputs()}
        raw = self.session.get_modelmeta().custom_metadata_map or {}
        meta = parse_metadata(raw) if raw.get("format", "").startswith(FORMAT_PREFIX) else _foreign_meta(self.inputs)
        self.meta = self.facts = meta
        self.info: ModelInfo = info_from_meta(str(path), meta.get("task", ""), meta.get("net", "G"), meta)
        check_direction(direction)
        if direction and not self.info.direction:  # a file that does not know its direction: the user's choice is it
            self.info.direction = direction
        if direction and direction != self.info.direction:
            raise ConfigError(f"--direction {direction}: {path} translates {self.info.direction} "
                              f"(export the other generator with translate export --direction {direction} or --all)")
        if net and net != self.info.net:
            raise ConfigError(f"--net {net}: {path} holds only {self.info.net}")
        self.output_name = self.session.get_outputs()[0].name
        first = next(iter(self.inputs.values()))
        self.static_batch = first.dim(0)
        spatial = self.info.kind != "latent" and len(first.shape) == 4 and first.dim(2) and first.dim(3)
        self.static_hw: tuple[int, int] | None = (first.dim(2), first.dim(3)) if spatial else None
        self.num_params: int | None = meta.get("params") or None

    @property
    def providers(self) -> list[str]:
        """The providers the session runs on, in priority order."""
        return self.session.get_providers()

    def _run(self, feeds: dict[str, np.ndarray]) -> np.ndarray:
        return self.session.run([self.output_name], feeds)[0]

    def run(self, feeds: dict[str, np.ndarray]) -> np.ndarray:
        """Named inputs -> output; a static batch size is handled by splitting and padding."""
        name = next(iter(self.inputs))
        first = feeds[name]
        if self.static_hw and tuple(first.shape[2:]) != self.static_hw:
            raise ConfigError(f"{self.info.path}: exported with a static size {self.static_hw[0]}x{self.static_hw[1]}, "
                              f"got {first.shape[2]}x{first.shape[3]} (translate() fits images automatically)")
        b = self.static_batch
        if not b or len(first) == b:
            return self._run(feeds)
        per_item = [k for k, v in feeds.items() if k != "psi" and len(v) == len(first)]  # batch-sized inputs
        outs = []
        for s in range(0, len(first), b):
            n = min(b, len(first) - s)
            chunk = {}
            for k, v in feeds.items():
                if k in per_item:
                    part = v[s : s + n]
                    if n < b:  # pad with copies of the last item, drop their outputs
                        part = np.concatenate([part, np.repeat(part[-1:], b - n, axis=0)])
                    chunk[k] = part
                else:
                    chunk[k] = v
            outs.append(self._run(chunk)[:n])
        return np.concatenate(outs)


class OnnxTranslator(Translator):
    """A ``Translator`` on an exported ONNX file (see ``OnnxBackend`` for the arguments)."""

    def __init__(self, path: str | Path, providers: Sequence[Any] | str | None = None, *, direction: str | None = None,
                 net: str | None = None, session_options: ort.SessionOptions | None = None) -> None:
        super().__init__(OnnxBackend(path, providers, direction=direction, net=net, session_options=session_options))

    @property
    def session(self) -> ort.InferenceSession:
        return self.backend.session

    @property
    def meta(self) -> dict[str, Any]:
        return self.backend.meta

    @property
    def providers(self) -> list[str]:
        """The providers the session runs on, in priority order."""
        return self.backend.providers
