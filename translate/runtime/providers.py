"""onnxruntime providers: TensorRT, then CUDA, when the build has them and they start, else CPU.

``providers=None`` (or ``"auto"``) picks TensorRT, then CUDA, when the onnxruntime build has them
and an NVIDIA driver is installed (``onnxruntime.preload_dlls()`` first, for the CUDA/cuDNN of the
nvidia-* wheels), else CPU, with one line on stderr when a GPU provider was wanted but could not
start. ``providers=["cpu"]`` (or full ORT names, or ``(name, options)`` pairs) chooses explicitly.
Torch-free.
"""

from __future__ import annotations

import ctypes
import functools
import os
import sys
from importlib import metadata
from pathlib import Path
from typing import Any, Sequence

import onnxruntime as ort

from ..errors import CheckpointError, ConfigError
from .files import cache_dir

ALIASES = {"cpu": "CPUExecutionProvider", "cuda": "CUDAExecutionProvider", "tensorrt": "TensorrtExecutionProvider",
           "trt": "TensorrtExecutionProvider"}
GPU_PROVIDERS = ("TensorrtExecutionProvider", "CUDAExecutionProvider")
# distributions that each install the one ``onnxruntime`` module (two of them overwrite each other's files)
ORT_BUILDS = ("onnxruntime", "onnxruntime-gpu", "onnxruntime-directml", "onnxruntime-openvino", "onnxruntime-qnn")


# ----------------------------------------------------------------------------- builds


@functools.lru_cache(maxsize=1)
def onnxruntime_builds() -> tuple[str, ...]:
    """The onnxruntime distributions installed in this environment (normally exactly one)."""
    found = []
    for name in ORT_BUILDS:
        try:
            metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
        found.append(name)
    return tuple(found)


def check_one_build(builds: Sequence[str]) -> None:
    """Refuse two onnxruntime builds side by side (e.g. onnxruntime next to onnxruntime-gpu): they break each other."""
    if len(builds) > 1:
        raise ConfigError(f"{' and '.join(builds)} are installed together and break each other: "
                          f"pip uninstall -y {' '.join(builds)}, then install one "
                          '(pip install "gan-translate[runtime-cpu]" or "gan-translate[runtime-gpu]")')


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
    return str(cache_dir("trt"))


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
    check_one_build(onnxruntime_builds())
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
