"""Torch-free inference on onnxruntime: ``OnnxTranslator`` for files made by ``translate export``.

Deployment pipelines install numpy, pillow, onnxruntime(-gpu) and this package, never torch: this
module imports only those and torch-free ``translate`` modules (``imageops``, ``imageio``,
``folders``, ``modelinfo``, ``errors``). Pre/post-processing and size handling are the same code
``translate predict`` runs on torch (``imageops.translate_images``), so both backends give the same
pixels up to float rounding::

    from translate.runtime import OnnxTranslator
    tr = OnnxTranslator("model.onnx")             # TensorRT/CUDA when usable, else CPU
    out = tr.translate([Image.open("a.jpg")])     # PIL in, PIL out (input size kept)
    tr.translate_files(["photos/"], "results/")   # folders in, PNGs out, batched

Providers: ``providers=None`` picks TensorRT, then CUDA, when the onnxruntime build has them and
they start (``onnxruntime.preload_dlls()`` first), else CPU, with one line on stderr when a GPU
provider was wanted but could not start. ``providers=["cpu"]`` (or full ORT names, or
``(name, options)`` pairs) chooses explicitly.
"""

from __future__ import annotations

import ctypes
import json
import os
import sys
from pathlib import Path
from typing import Any, Sequence

import numpy as np
import onnxruntime as ort
from PIL import Image

from . import processing as ops
from ..errors import CheckpointError, ConfigError
from .modelinfo import DIRECTIONS, ModelInfo, class_labels, domain_vector, info_from_meta, latent_batch

ALIASES = {"cpu": "CPUExecutionProvider", "cuda": "CUDAExecutionProvider", "tensorrt": "TensorrtExecutionProvider",
           "trt": "TensorrtExecutionProvider"}
GPU_PROVIDERS = ("TensorrtExecutionProvider", "CUDAExecutionProvider")
_JSON_KEYS = ("domains", "inputs", "options", "net_meta", "step", "ema", "psi")
_INT_KEYS = ("input_multiple", "crop_size", "z_dim", "c_dim", "num_classes", "image_size", "static_size", "static_batch", "opset")


# ----------------------------------------------------------------------------- providers


def _loadable(*names: str) -> bool:
    for n in names:
        try:
            ctypes.CDLL(n)
            return True
        except OSError:
            continue
    return False


def _gpu_driver() -> bool:
    """An NVIDIA driver is installed (libcuda / nvcuda), so CUDA providers can start at all."""
    return _loadable("nvcuda.dll") if os.name == "nt" else _loadable("libcuda.so.1", "libcuda.so")


def _tensorrt_libs() -> bool:
    return _loadable("nvinfer_10.dll") if os.name == "nt" else _loadable("libnvinfer.so.10", "libnvinfer.so")


def trt_cache_dir() -> str:
    """Engine cache of the TensorRT provider ($TRANSLATE_CACHE or ~/.cache/gan-translate, /trt)."""
    root = os.environ.get("TRANSLATE_CACHE") or os.path.join(os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "gan-translate")
    return os.path.join(root, "trt")


def resolve_providers(providers: Sequence[Any] | str | None) -> tuple[list[Any], bool]:
    """(providers for the session, whether they were picked automatically)."""
    available = ort.get_available_providers()
    if providers is None or providers == "auto":
        chosen: list[Any] = []
        if _gpu_driver() and any(p in available for p in GPU_PROVIDERS):
            if hasattr(ort, "preload_dlls"):
                try:
                    ort.preload_dlls()  # CUDA/cuDNN from the nvidia-* wheels, when installed
                except Exception:  # noqa: BLE001 - best effort; the session start decides
                    pass
            if "TensorrtExecutionProvider" in available and _tensorrt_libs():
                chosen.append(("TensorrtExecutionProvider", {"trt_engine_cache_enable": True, "trt_engine_cache_path": trt_cache_dir()}))
            if "CUDAExecutionProvider" in available:
                chosen.append("CUDAExecutionProvider")
        return chosen + ["CPUExecutionProvider"], True
    if isinstance(providers, str):
        providers = [p.strip() for p in providers.split(",") if p.strip()]
    out: list[Any] = []
    for p in providers:
        name, opts = (p if isinstance(p, tuple) else (p, None))
        name = ALIASES.get(str(name).lower(), name)
        if name not in available:
            raise ConfigError(f"providers: {name} is not in this onnxruntime build (it has {', '.join(available)})")
        out.append((name, opts) if opts else name)
    return out, False


def _name(p: Any) -> str:
    return p[0] if isinstance(p, tuple) else p


def open_session(path: str | Path, providers: Sequence[Any] | str | None = None,
                 options: ort.SessionOptions | None = None) -> ort.InferenceSession:
    """An InferenceSession on the best usable providers; one stderr line if a GPU one fell back."""
    chosen, _ = resolve_providers(providers)
    so = options or ort.SessionOptions()
    so.log_severity_level = 3  # errors only: a failed GPU provider is reported once, below
    ort.set_default_logger_severity(4)  # provider load failures log through the default logger
    try:
        sess = ort.InferenceSession(str(path), sess_options=so, providers=chosen)
    except Exception as exc:  # noqa: BLE001 - onnxruntime raises its own exception types
        raise CheckpointError(f"{path}: cannot load the ONNX model ({str(exc).strip().splitlines()[0][:200]})") from None
    finally:
        ort.set_default_logger_severity(2)
    wanted = [_name(p) for p in chosen if _name(p) in GPU_PROVIDERS]
    active = sess.get_providers()
    missing = [w for w in wanted if w not in active]
    if missing:
        reason = "CUDA 12/13 and cuDNN 9 libraries not found?" if "CUDAExecutionProvider" not in active else "TensorRT could not start"
        print(f"onnxruntime: {', '.join(m.replace('ExecutionProvider', '') for m in missing)} unavailable ({reason}); "
              f"running on {active[0].replace('ExecutionProvider', '')}", file=sys.stderr)
    return sess


# ----------------------------------------------------------------------------- metadata


def _parse_meta(raw: dict[str, str]) -> dict[str, Any]:
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


def _foreign_meta(sess: ort.InferenceSession) -> dict[str, Any]:
    """Best-effort description of an ONNX file not made by ``translate export``."""
    names = [i.name for i in sess.get_inputs()]
    first = sess.get_inputs()[0]
    kind = "latent" if len(first.shape) == 2 else ("image+domain" if len(names) > 1 else "image")
    meta: dict[str, Any] = {"kind": kind, "input_multiple": 1, "task": "", "arch": "", "net": "G"}
    if kind == "latent" and isinstance(first.shape[1], int):
        meta["z_dim"] = first.shape[1]
    return meta


class OnnxTranslator:
    """An exported generator on onnxruntime, with the size handling of ``translate predict``."""

    def __init__(self, path: str | Path, providers: Sequence[Any] | str | None = None, *, direction: str | None = None,
                 net: str | None = None, session_options: ort.SessionOptions | None = None) -> None:
        path = Path(path)
        if not path.is_file():
            raise CheckpointError(f"{path}: no such ONNX file")
        self.session = open_session(path, providers, session_options)
        raw = self.session.get_modelmeta().custom_metadata_map or {}
        meta = _parse_meta(raw) if raw.get("format", "").startswith("gan-translate-onnx") else _foreign_meta(self.session)
        self.meta = meta
        self.info: ModelInfo = info_from_meta(str(path), meta.get("task", ""), meta.get("net", "G"), meta)
        if direction and direction not in DIRECTIONS:
            raise ConfigError(f"--direction: expected {' or '.join(DIRECTIONS)}, got {direction!r}")
        if direction and self.info.direction and direction != self.info.direction:
            raise ConfigError(f"--direction {direction}: {path} translates {self.info.direction} "
                              f"(export the other generator with translate export --direction {direction} or --all)")
        if net and net != self.info.net:
            raise ConfigError(f"--net {net}: {path} holds only {self.info.net}")
        self.inputs = {i.name: i for i in self.session.get_inputs()}
        self.output_name = self.session.get_outputs()[0].name
        shape = next(iter(self.inputs.values())).shape
        self.static_batch = shape[0] if isinstance(shape[0], int) else 0
        spatial = self.info.kind != "latent" and len(shape) == 4 and all(isinstance(d, int) for d in shape[2:])
        self.static_hw: tuple[int, int] | None = (int(shape[2]), int(shape[3])) if spatial else None

    @property
    def providers(self) -> list[str]:
        """The providers the session runs on, in priority order."""
        return self.session.get_providers()

    # ------------------------------------------------------------------ arrays
    def _feeds(self, n: int, cond: dict[str, Any]) -> dict[str, np.ndarray]:
        cond = dict(cond)
        feeds: dict[str, np.ndarray] = {}
        if "domain" in self.inputs:
            if "domain" not in cond:
                names = ", ".join(self.info.domains) or "0/1 values"
                raise ConfigError(f"{self.info.path}: this model needs a target domain (--domain; one of {names})")
            c_dim = int(self.meta.get("c_dim") or self.inputs["domain"].shape[1])
            feeds["domain"] = domain_vector(cond.pop("domain"), self.info.domains, c_dim, n)
        if "y" in self.inputs:
            feeds["y"] = class_labels(cond.pop("y", None), int(self.meta.get("num_classes") or 1), n)
        if "psi" in self.inputs:
            feeds["psi"] = np.asarray([cond.pop("psi", 1.0)], np.float32).reshape(1)
        if cond.get("psi", 1.0) != 1.0:
            raise ConfigError(f"{self.info.path}: this model has no truncation input (psi)")
        cond.pop("psi", None)
        if cond:
            raise ConfigError(f"{self.info.path}: this model takes no {', '.join(cond)}")
        return feeds

    def _run(self, first: np.ndarray, cond: dict[str, Any]) -> np.ndarray:
        name = next(iter(self.inputs))
        feeds = {name: np.ascontiguousarray(first, dtype=np.float32), **self._feeds(len(first), cond)}
        return self.session.run([self.output_name], feeds)[0]

    def run_arrays(self, batch: np.ndarray, **cond: Any) -> np.ndarray:
        """[N, 3, H, W] float32 in [-1, 1] (H, W multiples of input_multiple) -> [N, 3, H, W].

        Latent models take z [N, z_dim] (plus ``y=`` labels, ``psi=``) and return [N, 3, S, S].
        A static batch size is handled by splitting and padding the batch.
        """
        batch = np.asarray(batch, dtype=np.float32)
        if self.static_hw and tuple(batch.shape[2:]) != self.static_hw:
            raise ConfigError(f"{self.info.path}: exported with a static size {self.static_hw[0]}x{self.static_hw[1]}, "
                              f"got {batch.shape[2]}x{batch.shape[3]} (translate() fits images automatically)")
        b = self.static_batch
        if not b or len(batch) == b:
            return self._run(batch, cond)
        outs = []
        for s in range(0, len(batch), b):
            chunk = batch[s : s + b]
            n = len(chunk)
            if n < b:  # pad with copies of the last item, drop their outputs
                chunk = np.concatenate([chunk, np.repeat(chunk[-1:], b - n, axis=0)])
            outs.append(self._run(chunk, cond)[:n])
        return np.concatenate(outs)

    # ------------------------------------------------------------------ images
    def prepare(self, img: Image.Image) -> Image.Image:
        """Model-specific input conditioning (colorization models see grayscale)."""
        return ops.prepare_image(img, self.info.derive)

    def translate(self, images: Sequence[Image.Image], *, size: int = 0, batch_size: int = 8, **cond: Any) -> list[Image.Image]:
        """Translate PIL images; outputs have each input's size. Same-size inputs are batched."""
        if self.info.kind == "latent":
            raise ConfigError(f"{self.info.path}: a latent model makes images from noise; use sample()")
        return ops.translate_images(images, lambda a: self.run_arrays(a, **cond), multiple=self.info.input_multiple,
                                    size=size, batch_size=batch_size, prepare=self.prepare, fixed=self.static_hw)

    def translate_files(self, inputs: Sequence[str | Path], out_dir: str | Path, *, size: int = 0, batch_size: int = 8,
                        aligned: bool = False, **cond: Any) -> tuple[list[Path], int]:
        """Files/folders/globs in, PNGs in ``out_dir``; returns (written files, unreadable inputs)."""
        from .files import translate_files

        return translate_files(self, inputs, out_dir, size=size, batch=batch_size, aligned=aligned, **cond)

    def sample(self, num: int, seed: int = 0, psi: float = 1.0, *, y: Any = None, batch_size: int = 8) -> list[Image.Image]:
        """``num`` images from a latent model: z ~ N(0, 1) by ``numpy.random.default_rng(seed)``."""
        if self.info.kind != "latent":
            raise ConfigError(f"{self.info.path}: sample() is for latent models; this one translates images")
        z_dim = int(self.info.z_dim or self.inputs["z"].shape[1])
        z = latent_batch(num, z_dim, seed)
        labels = class_labels(y, int(self.meta.get("num_classes") or 1), num, seed) if "y" in self.inputs else None
        images: list[Image.Image] = []
        for s in range(0, num, max(1, batch_size)):
            cond: dict[str, Any] = {"psi": psi}
            if labels is not None:
                cond["y"] = labels[s : s + batch_size]
            images += [ops.array_to_pil(o) for o in self.run_arrays(z[s : s + batch_size], **cond)]
        return images
